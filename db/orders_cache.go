package db

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ballast-oms/ballast/order"
)

// txCache is what one order transaction knows of the rows it read or wrote,
// in their stored form. Booking an execution reads and rewrites the same
// block, orders and allocations several times; with the
// cache a read is answered from memory and a write sends only the columns
// that changed (nothing at all when none did), so SQLite rewrites fewer
// index entries and pages. The cache lives and dies with its transaction,
// which holds the writer, so nothing else can change those rows meanwhile.
type txCache struct {
	orders map[int64][]any
	// blockOrders is the ids of each block's orders, in id order, as
	// BlockOrders read them (their rows are in orders).
	blockOrders map[int64][]int64
	blocks      map[int64][]any
	clBlocks    map[string]int64                   // block id by ClOrdID, as BlockByClOrdID found it
	allocs      map[int64][]order.AllocationRecord // by block, sorted by order id
	h           holdings                           // positions and cash, written by flush
	events      []order.Event                      // audit events, written by flush
}

func newTxCache() *txCache {
	return &txCache{orders: map[int64][]any{}, blockOrders: map[int64][]int64{}, blocks: map[int64][]any{}, clBlocks: map[string]int64{}, allocs: map[int64][]order.AllocationRecord{},
		h: newHoldings()}
}

// orderWriteColumns are the orders columns written by insert and update, in
// the order orderValues gives them.
var orderWriteColumns = []string{"proposal_id", "portfolio", "symbol", "side", "quantity", "order_type", "limit_price",
	"stop_price", "time_in_force", "expire_date", "broker", "notes", "proposed_by", "amended_by", "approved_by", "override",
	"status", "filled_qty", "avg_px", "created_at", "expires_at", "block_id", "amendments"}

// orderValues is o in its stored form, matching orderWriteColumns.
func orderValues(o order.Order) []any {
	return appendOrderValues(make([]any, 0, len(orderWriteColumns)), o, nil)
}

// appendOrderValues appends orderValues(o) to dst. With b (a bulk insert's
// rows, in column order), values repeated from the row before are reused.
func appendOrderValues(dst []any, o order.Order, b *rowBoxes) []any {
	return append(dst, o.ProposalID, b.str(1, o.Portfolio), b.str(2, o.Symbol), b.str(3, string(o.Side)),
		b.dec(4, o.Quantity), b.str(5, string(o.Type)), b.dec(6, o.LimitPrice), b.dec(7, o.StopPrice),
		b.str(8, string(o.TimeInForce)), b.optTime(9, o.ExpireDate), b.str(10, o.Broker), b.str(11, o.Notes),
		b.str(12, o.ProposedBy), nullString(o.AmendedBy), nullString(o.ApprovedBy), b.str(15, o.Override),
		b.str(16, string(o.Status)), b.dec(17, o.FilledQty), b.dec(18, o.AvgPx), b.time(19, o.CreatedAt),
		b.optTime(20, o.ExpiresAt), nullID(o.BlockID), int64(o.Amendments))
}

// blockWriteColumns are the blocks columns written by insert and update.
var blockWriteColumns = []string{"symbol", "side", "order_type", "limit_price", "stop_price", "time_in_force",
	"expire_date", "broker", "account", "lot_size", "status", "order_qty", "cum_qty", "notional", "cl_ord_id",
	"pending_cl_ord_id", "broker_order_id", "created_by", "created_at", "released_at"}

// blockValues is b in its stored form, matching blockWriteColumns.
func blockValues(b order.Block) []any {
	return []any{b.Symbol, string(b.Side), string(b.Type), b.LimitPrice.String(), b.StopPrice.String(), string(b.TimeInForce),
		fmtOptTime(b.ExpireDate), b.Broker, b.Account, b.LotSize.String(), string(b.Status), b.Totals.OrderQty.String(),
		b.Totals.CumQty.String(), b.Totals.Notional.String(), b.ClOrdID, b.PendingClOrdID, b.BrokerID, b.CreatedBy,
		formatTime(b.CreatedAt), fmtOptTime(b.ReleasedAt)}
}

// insertSQL is "INSERT INTO table (cols) VALUES (?, …)".
func insertSQL(table string, cols []string) string {
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + inList(len(cols))
}

// updateRow writes row id of table with vals (matching cols). When the
// transaction knows the stored row, only the columns that differ are sent,
// and nothing when none do; otherwise every column is, and a missing row is
// not found. what names the row in errors.
func (t *orderTx) updateRow(ctx context.Context, table, what string, cols []string, known map[int64][]any, id int64, vals []any) error {
	prev, ok := known[id]
	var set []string
	var args []any
	for i, c := range cols {
		if ok && prev[i] == vals[i] {
			continue
		}
		set = append(set, c+" = ?")
		args = append(args, vals[i])
	}
	if len(set) == 0 {
		return nil
	}
	res, err := t.exec(ctx, "UPDATE "+table+" SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, id)...)
	if err != nil {
		return orderWriteErr(fmt.Sprintf("update %s %d", what, id), err)
	}
	if !ok {
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return orderNotFound(what, id)
		}
	}
	known[id] = vals
	return nil
}

// cachedAllocs returns a copy of the block's allocations if this transaction read them.
func (c *txCache) cachedAllocs(blockID int64) ([]order.AllocationRecord, bool) {
	recs, ok := c.allocs[blockID]
	if !ok {
		return nil, false
	}
	return slices.Clone(recs), true
}

// saveAlloc records a written allocation in the block's cached list, if any.
func (c *txCache) saveAlloc(a order.AllocationRecord) {
	recs, ok := c.allocs[a.BlockID]
	if !ok {
		return
	}
	i, found := slices.BinarySearchFunc(recs, a.OrderID, func(r order.AllocationRecord, id int64) int {
		return int(min(max(r.OrderID-id, -1), 1))
	})
	if found {
		recs[i] = a
	} else {
		recs = slices.Insert(recs, i, a)
	}
	c.allocs[a.BlockID] = recs
}
