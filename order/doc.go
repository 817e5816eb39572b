// Package order is Ballast's order book: the state machine every order follows,
// block orders and the allocation of their fills, executions (fills, busts,
// corrections), four-eyes approval, audit events, and the Service that
// orchestrates propose → check → approve → send → book. It talks to brokers only
// through the Sender interface and to storage only through the Store interface.
//
// The pure core, usable without a Store:
//
//   - state.go: the Status values and the one transition table (Transitions,
//     Transition, Allowed, CausesFor, IsTerminal, IsWorking, IsPreTrade).
//   - order.go: Order, its field validation and CanApprove (four eyes, trader
//     role, status, approval expiry); tradingday.go: the default expiry.
//   - allocate.go: Allocate, the largest-remainder split of a block's
//     cumulative fill in lot sizes.
//   - booking.go: Book, Reverse and Correct on a position and its cash.
//   - execution.go: ApplyReport (totals, status precedence, busts and
//     corrections), Compare (broker totals against Ballast's), ExecKey (the
//     dedupe key), Tracker (all of it in memory), ApplyCancelReject.
//
// The Service (service.go, blocks.go, release.go, amend.go, rejects.go,
// book.go) runs each action in one Store transaction with its audit Events.
// MemStore is an in-memory Store with the same transactional and uniqueness
// rules, for tests and benchmarks.
//
// Pre-trade compliance (precheck.go, propose_checked.go, override.go):
// Precheck checks every proposal path's orders as one basket per portfolio
// with compliance.Check and gives each order its verdict (hard breach →
// blocked, soft breach → awaiting_override, else ready); ProposeChecked
// stores the orders and their findings together; Precheck.Approve re-checks
// at approval with current prices; Service.Override lets only the compliance
// role clear one soft breach at a time, audited with the rule version.
package order
