package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/ballast-oms/ballast/order"
)

// blockIDColumn is the index of block_id in orderWriteColumns.
const blockIDColumn = 21

// storedOrder is an orders row in its stored form (id, then the values of
// orderWriteColumns), read back with scanOrder exactly as a row SQLite returns.
type storedOrder []any

// Scan implements scanner for the types orderValues produces.
func (r storedOrder) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("stored order: %d columns, %d destinations", len(r), len(dest))
	}
	for i, d := range dest {
		var ok bool
		switch d := d.(type) {
		case *int64:
			*d, ok = r[i].(int64)
		case *string:
			*d, ok = r[i].(string)
		case *bool:
			*d, ok = r[i].(bool)
		case sql.Scanner:
			ok = d.Scan(r[i]) == nil
		}
		if !ok {
			return fmt.Errorf("stored order: column %d: %T into %T", i, r[i], d)
		}
	}
	return nil
}

// cachedBlockOrders returns the block's orders from the stored rows this
// transaction (or one before it, see carry) knows, when it knows all of them.
func (t *orderTx) cachedBlockOrders(blockID int64) ([]order.Order, bool) {
	ids, ok := t.c.blockOrders[blockID]
	if !ok {
		return nil, false
	}
	out := make([]order.Order, 0, len(ids))
	for _, id := range ids {
		vals, ok := t.c.orders[id]
		if !ok || len(vals) != len(orderWriteColumns) {
			return nil, false
		}
		o, err := scanOrder(append(storedOrder{id}, vals...))
		if err != nil {
			return nil, false
		}
		out = append(out, o)
	}
	return out, true
}

// rememberBlockOrders records which orders the block has, in id order.
func (t *orderTx) rememberBlockOrders(blockID int64, orders []order.Order) {
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	t.c.blockOrders[blockID] = ids
}

// movedOrder keeps the cached block lists right when order id moves from
// block from to block to (0: none). known says whether from is known.
func (t *orderTx) movedOrder(id, from, to int64, known bool) {
	if !known {
		clear(t.c.blockOrders)
		return
	}
	if from == to {
		return
	}
	if ids, ok := t.c.blockOrders[from]; ok {
		t.c.blockOrders[from] = slices.DeleteFunc(slices.Clone(ids), func(x int64) bool { return x == id })
	}
	delete(t.c.blockOrders, to) // read again the next time
}

// storedBlockID is the block id in an order's stored values.
func storedBlockID(vals []any) int64 {
	id, _ := vals[blockIDColumn].(int64)
	return id
}

// updateOrder writes o and keeps the cached block lists right.
func (t *orderTx) updateOrder(ctx context.Context, o order.Order) error {
	prev, known := t.c.orders[o.ID]
	var from int64
	if known {
		from = storedBlockID(prev)
	}
	if err := t.updateRow(ctx, "orders", "order", orderWriteColumns, t.c.orders, o.ID, orderValues(o)); err != nil {
		return err
	}
	t.movedOrder(o.ID, from, o.BlockID, known)
	return nil
}
