package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ballast-oms/ballast/order"
)

var (
	_ order.BulkTx      = (*orderTx)(nil)
	_ order.ProposalTx  = (*orderTx)(nil)
	_ order.StreamTx    = (*orderTx)(nil)
	_ order.StreamStore = (*OrderStore)(nil)
)

// InStreamTx implements order.StreamStore: fn runs in a transaction of
// its own in which SQLite does not look up the orders' portfolio and
// security for each row inserted (about a quarter of the cost of saving a
// whole-book proposal): each InsertOrders checks its distinct ones once, in the
// same transaction, and fn can do nothing but what order.StreamTx allows.
func (s *OrderStore) InStreamTx(ctx context.Context, fn func(order.StreamTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &call{ctx: ctx, done: make(chan error, 1), stream: true,
		fn: func(tx order.Tx) error { return fn(tx.(*orderTx)) }}
	return s.group.runCall(c, s.commitBatch)
}

// CreateProposal implements order.ProposalTx: a proposal by by, made at at,
// with its totals set once its orders are written (SetProposalTotals).
func (t *orderTx) CreateProposal(ctx context.Context, by string, at time.Time) (int64, error) {
	res, err := t.tx.ExecContext(uncancelled(ctx), `INSERT INTO proposals (created_by, created_at, portfolios, trades) VALUES (?, ?, 0, 0)`,
		by, formatTime(at))
	if err != nil {
		return 0, fmt.Errorf("db: create proposal: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("db: create proposal: %w", err)
	}
	return id, nil
}

// SetProposalTotals implements order.ProposalTx: proposal id gets its count
// of portfolios and orders.
func (t *orderTx) SetProposalTotals(ctx context.Context, id int64, portfolios, orders int) error {
	res, err := t.tx.ExecContext(uncancelled(ctx), `UPDATE proposals SET portfolios = ?, trades = ? WHERE id = ?`, portfolios, orders, id)
	if err != nil {
		return fmt.Errorf("db: proposal %d totals: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("db: proposal %d totals: %w", id, errors.Join(err, ErrNotFound))
	}
	return nil
}

// refsChunk bounds the parameters of one IN (...) lookup of known portfolios
// or securities.
const refsChunk = 500

// InsertOrders implements order.BulkTx: orders go in multi-row INSERTs with
// ids numbered from the table's largest (safe: the transaction holds the
// only writer), so no id is read back. Every portfolio and security must be
// known, as for InsertOrder.
func (t *orderTx) InsertOrders(ctx context.Context, orders []order.Order) ([]int64, error) {
	if len(orders) == 0 {
		return nil, nil
	}
	if err := t.checkRefsBulk(ctx, orders); err != nil {
		return nil, err
	}
	ctx = uncancelled(ctx)
	var next int64
	if err := t.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM orders`).Scan(&next); err != nil {
		return nil, fmt.Errorf("db: insert orders: %w", err)
	}
	ids := make([]int64, len(orders))
	for i := range orders {
		ids[i] = next + 1 + int64(i)
	}
	b := newRowBoxes(len(orderWriteColumns))
	err := insertBulk(ctx, t.tx, "orders", append([]string{"id"}, orderWriteColumns...), len(orders), func(i int, dst []any) []any {
		return appendOrderValues(append(dst, ids[i]), orders[i], b)
	})
	if err != nil {
		return nil, orderWriteErr("insert orders", err)
	}
	return ids, nil
}

// AppendEvents implements order.BulkTx: the events go in multi-row INSERTs.
func (t *orderTx) AppendEvents(ctx context.Context, events []order.Event) error {
	ctx = uncancelled(ctx)
	// Events appended one by one before these come first in the trail.
	if err := t.flushEvents(ctx); err != nil {
		return err
	}
	b := newRowBoxes(len(eventWriteColumns))
	err := insertBulk(ctx, t.tx, "audit_events", eventWriteColumns, len(events), func(i int, dst []any) []any {
		e := events[i]
		return append(dst, b.time(0, e.At), b.str(1, e.Actor), b.str(2, e.Action), nullID(e.OrderID), nullID(e.BlockID),
			b.str(5, e.Portfolio), b.str(6, string(e.From)), b.str(7, string(e.To)), b.str(8, e.Reason), b.str(9, e.Details))
	})
	if err != nil {
		return fmt.Errorf("db: append audit events: %w", err)
	}
	return nil
}

// eventWriteColumns are the audit_events columns AppendEvents writes.
var eventWriteColumns = []string{"at", "actor", "action", "order_id", "block_id", "portfolio", "from_status",
	"to_status", "reason", "details"}

// checkRefsBulk refuses orders for a portfolio or security Ballast does not
// know, looking each distinct one up once.
func (t *orderTx) checkRefsBulk(ctx context.Context, orders []order.Order) error {
	pfs, syms := map[string]bool{}, map[string]bool{}
	for _, o := range orders {
		if o.BlockID != 0 {
			// No lookup of blocks is made: a new order joins a block later.
			return fmt.Errorf("db: insert orders: a new order is in no block (block %d)", o.BlockID)
		}
		pfs[o.Portfolio], syms[o.Symbol] = false, false
	}
	if err := t.markKnown(ctx, `SELECT code FROM portfolios WHERE code IN `, pfs); err != nil {
		return err
	}
	if err := t.markKnown(ctx, `SELECT symbol FROM securities WHERE symbol IN `, syms); err != nil {
		return err
	}
	var fe order.FieldErrors
	for _, o := range orders {
		if !pfs[o.Portfolio] {
			fe = append(fe, order.FieldError{Field: "portfolio", Reason: fmt.Sprintf("%q is not a portfolio", o.Portfolio)})
		}
		if !syms[o.Symbol] {
			fe = append(fe, order.FieldError{Field: "symbol", Reason: fmt.Sprintf("%q is not a known security", o.Symbol)})
		}
		if len(fe) > 0 {
			return fe
		}
	}
	return nil
}

// markKnown sets to true each key of known that query (ending in IN) finds.
func (t *orderTx) markKnown(ctx context.Context, query string, known map[string]bool) error {
	keys := make([]string, 0, len(known))
	for k := range known {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for lo := 0; lo < len(keys); lo += refsChunk {
		part := keys[lo:min(lo+refsChunk, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		rows, err := t.tx.QueryContext(uncancelled(ctx), query+inList(len(part)), args...)
		if err != nil {
			return fmt.Errorf("db: insert orders: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return fmt.Errorf("db: insert orders: %w", err)
			}
			known[k] = true
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("db: insert orders: %w", err)
		}
	}
	return nil
}
