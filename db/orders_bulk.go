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
// whole-book proposal): each InsertProposed checks its distinct ones once, in the
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

// InsertProposed implements order.BulkTx: orders, their audit events and
// their compliance checks go in multi-row INSERTs built on one goroutine
// while SQLite writes (insertBulk). The orders' ids are numbered from the
// table's largest (safe: the transaction holds the only writer), so no id is
// read back. Every portfolio and security must be known, as for
// InsertOrder.
func (t *orderTx) InsertProposed(ctx context.Context, orders []order.Order, events []order.Event, owner []int,
	checks []order.CheckRecord) ([]int64, error) {
	if len(owner) != len(events) || len(checks) != len(orders) {
		return nil, fmt.Errorf("db: insert proposed: %d events for %d owners, %d checks for %d orders",
			len(events), len(owner), len(checks), len(orders))
	}
	if len(orders) == 0 {
		if len(events) > 0 {
			return nil, fmt.Errorf("db: insert proposed: %d events of no order", len(events))
		}
		return nil, nil
	}
	if err := t.checkRefsBulk(ctx, orders); err != nil {
		return nil, err
	}
	ctx = uncancelled(ctx)
	// Events appended one by one before these come first in the trail.
	if err := t.flushEvents(ctx); err != nil {
		return nil, err
	}
	var next int64
	if err := t.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM orders`).Scan(&next); err != nil {
		return nil, fmt.Errorf("db: insert orders: %w", err)
	}
	ids := make([]int64, len(orders))
	for i := range orders {
		ids[i] = next + 1 + int64(i)
	}
	for _, k := range owner {
		if k < 0 || k >= len(orders) {
			return nil, fmt.Errorf("db: insert proposed: an event belongs to order #%d of %d", k, len(orders))
		}
	}
	ob, eb := newRowBoxes(len(orderWriteColumns)), newRowBoxes(len(eventWriteColumns))
	tables := []bulkTable{{name: "orders", cols: append([]string{"id"}, orderWriteColumns...), n: len(orders),
		row: func(i int, dst []any) []any {
			return appendOrderValues(append(dst, ids[i]), orders[i], ob)
		}}, {name: "audit_events", cols: eventWriteColumns, n: len(events),
		row: func(i int, dst []any) []any {
			e := events[i]
			return append(dst, eb.time(0, e.At), eb.str(1, e.Actor), eb.str(2, e.Action), ids[owner[i]], nullID(e.BlockID),
				eb.str(5, e.Portfolio), eb.str(6, string(e.From)), eb.str(7, string(e.To)), eb.str(8, e.Reason),
				eb.str(9, e.Details))
		}}}
	ct, err := checkTables(ctx, t.tx, checks, ids)
	if err != nil {
		return nil, fmt.Errorf("db: save compliance checks: %w", err)
	}
	if err := insertBulk(ctx, t.tx, append(tables, ct...)...); err != nil {
		var be *bulkError
		if errors.As(err, &be) && be.table == "orders" {
			return nil, orderWriteErr("insert orders", be.err)
		}
		return nil, fmt.Errorf("db: insert proposed: %w", err)
	}
	return ids, nil
}

// eventWriteColumns are the audit_events columns InsertProposed writes.
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
