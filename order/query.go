package order

import "time"

// Filter selects orders for the blotter and the API. Zero fields select
// everything; Limit 0 means the reader's default.
type Filter struct {
	Statuses  []Status
	State     string // "open" (not terminal), "completed" (terminal) or "" (both)
	Portfolio string
	Symbol    string
	Trader    string    // proposed, amended or approved it, or created its block
	Broker    string    // the block's broker, else the order's preferred one
	BlockID   int64     // orders now in this block
	From, To  time.Time // created at or after From and before To
	Limit     int
	Offset    int
}

// Line is one blotter row: an order, where its block stands, and the last
// thing that happened to it.
type Line struct {
	Order       Order
	BlockBroker string // empty until the order joins a block
	BlockStatus Status
	LastEvent   Event
}

// Broker is the broker the order goes (or went) to: its block's, else its own.
func (l Line) Broker() string {
	if l.BlockBroker != "" {
		return l.BlockBroker
	}
	return l.Order.Broker
}

// BlockFilter selects blocks; Limit 0 means the reader's default.
type BlockFilter struct {
	Statuses []Status
	State    string // "open", "completed" or ""
	Limit    int
}

// AuditFilter selects audit events; zero fields select everything.
type AuditFilter struct {
	OrderID   int64 // the order's own events and those of its block
	Portfolio string
	Actor     string
	From, To  time.Time // at or after From, before To
	Limit     int       // 0: the reader's default
}

// Detail is an order with its whole history: its block, the audit events of
// the order and its block, the block's executions (with the broker messages)
// and its allocations.
type Detail struct {
	Order       Order
	Block       *Block // nil until the order joins a block
	Events      []Event
	Executions  []Execution
	Allocations []AllocationRecord
}
