package db

import (
	"context"
	"fmt"

	"github.com/ballast-oms/ballast/order"
)

// carryMaxRows bounds how many allocation lists, positions and cash rows the
// OrderStore keeps between transactions; beyond it the carry starts afresh.
const carryMaxRows = 100_000

// carry is what the OrderStore keeps of orders (their stored rows and which
// block holds which), allocations, positions and cash from one order
// transaction to the next, so that a stream of bookings on the same blocks
// and portfolios does not read those rows again for every batch. (Blocks are
// not kept: db/blocks.go reads them.)
//
// Only order transactions write those tables through the writer's one
// connection while a carry is kept, and they keep the carry up to date. What
// could still change them is checked at the start of every transaction
// (stamp): SQLite's total_changes() counts every row any statement on the
// writer connection changed, and data_version moves when another connection
// (another process) commits; both must be exactly as the last order
// transaction left them. A transaction that fails, or a caller in a batch
// whose savepoint is rolled back, drops the carry.
type carry struct {
	valid  bool
	at     stamp
	allocs map[int64][]order.AllocationRecord
	pos    map[posKey]*posRow
	cash   map[string]*cashRow
	orders map[int64][]any   // stored orders rows, by id
	blocks map[int64][]int64 // each block's order ids (see txCache.blockOrders)
	// blockRows is stored blocks rows by id, and clBlocks the block of each
	// ClOrdID looked up (cl_ord_ids rows are never changed once written), so
	// that a fill finds its block without a query.
	blockRows map[int64][]any
	clBlocks  map[string]int64
}

// stamp is the writer connection's change counters.
type stamp struct{ changes, version int64 }

// stampSQL reads the change counters. Every order transaction runs it twice,
// so it goes through the transaction's statements (orderTx.stmt): prepared
// once, not parsed again each time (about 40 µs per `bench fix` order).
const stampSQL = `SELECT total_changes(), data_version FROM pragma_data_version`

// readStamp reads the change counters in t's transaction.
func readStamp(ctx context.Context, t *orderTx) (stamp, error) {
	var s stamp
	row, err := t.queryRow(ctx, stampSQL)
	if err == nil {
		err = row.Scan(&s.changes, &s.version)
	}
	if err != nil {
		return s, fmt.Errorf("db: change counters: %w", err)
	}
	return s, nil
}

// fresh empties the carry's maps.
func (c *carry) fresh() {
	c.valid = false
	c.allocs = map[int64][]order.AllocationRecord{}
	c.pos = map[posKey]*posRow{}
	c.cash = map[string]*cashRow{}
	c.orders = map[int64][]any{}
	c.blocks = map[int64][]int64{}
	c.blockRows = map[int64][]any{}
	c.clBlocks = map[string]int64{}
}

// begin makes the carry usable by the transaction tx: kept when nothing
// changed the database since the last order transaction, emptied otherwise
// (also when the counters cannot be read: the transaction then starts from
// nothing, and what it reads under the writer's lock is current).
func (c *carry) begin(ctx context.Context, t *orderTx) {
	now, err := readStamp(ctx, t)
	if err != nil || !c.valid || now != c.at || len(c.allocs)+len(c.pos)+len(c.cash)+len(c.orders)+len(c.blocks)+len(c.blockRows)+len(c.clBlocks) > carryMaxRows {
		c.fresh()
	}
	c.valid = false // until committed says the transaction committed
}

// end records the counters as the transaction leaves them, before it
// commits. When they cannot be read the carry is emptied, and its stale
// counters make the next transaction start afresh.
func (c *carry) end(ctx context.Context, t *orderTx) {
	at, err := readStamp(ctx, t)
	if err != nil {
		c.fresh()
		c.at = stamp{changes: -1}
		return
	}
	c.at = at
}

// committed keeps the carry for the next transaction.
func (c *carry) committed() { c.valid = true }

// txCache returns a transaction cache whose allocations, positions and cash
// are the carry's.
func (c *carry) txCache() *txCache {
	tc := newTxCache()
	tc.allocs, tc.h.pos, tc.h.cash = c.allocs, c.pos, c.cash
	tc.orders, tc.blockOrders = c.orders, c.blocks
	tc.blocks, tc.clBlocks = c.blockRows, c.clBlocks
	return tc
}
