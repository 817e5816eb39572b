package db

import (
	"context"
	"database/sql"
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
	if err := checkProposed(orders, events, owner, checks); err != nil || len(orders) == 0 {
		return nil, err
	}
	if t.built != nil && t.built.seq != t.inserted {
		return nil, fmt.Errorf("db: insert proposed: rows built by ProposedRows are not inserted yet (their ids would be taken)")
	}
	pfs, syms, err := refsOf(orders)
	if err != nil {
		return nil, err
	}
	if err := t.checkRefsOf(ctx, orders, pfs, syms); err != nil {
		return nil, err
	}
	ctx = uncancelled(ctx)
	// Events appended one by one before these come first in the trail.
	if err := t.flushEvents(ctx); err != nil {
		return nil, err
	}
	next, err := maxOrderID(ctx, t.tx)
	if err != nil {
		return nil, fmt.Errorf("db: insert orders: %w", err)
	}
	ids := numbered(next, len(orders))
	nextCheck, err := maxCheckID(ctx, t.tx)
	if err != nil {
		return nil, fmt.Errorf("db: save compliance checks: %w", err)
	}
	tables := append(proposedTables(ids, orders, events, owner, newProposedBoxes()), checkTables(nextCheck, checks, ids)...)
	insert := func() error { return insertBulk(ctx, t.tx, tables...) }
	if t.conn != nil {
		insert = func() error { return insertBulkConn(ctx, t.conn, tables...) }
	}
	if err := proposedWriteErr(insert()); err != nil {
		return nil, err
	}
	return ids, nil
}

// checkProposed refuses InsertProposed's arguments when they do not match.
func checkProposed(orders []order.Order, events []order.Event, owner []int, checks []order.CheckRecord) error {
	if len(owner) != len(events) || len(checks) != len(orders) {
		return fmt.Errorf("db: insert proposed: %d events for %d owners, %d checks for %d orders",
			len(events), len(owner), len(checks), len(orders))
	}
	if len(orders) == 0 && len(events) > 0 {
		return fmt.Errorf("db: insert proposed: %d events of no order", len(events))
	}
	for _, k := range owner {
		if k < 0 || k >= len(orders) {
			return fmt.Errorf("db: insert proposed: an event belongs to order #%d of %d", k, len(orders))
		}
	}
	return nil
}

// proposedWriteErr is a failed bulk insert of proposed orders as the
// caller sees it: a failure of the orders' insert as InsertOrder's would be.
func proposedWriteErr(err error) error {
	if err == nil {
		return nil
	}
	var be *bulkError
	if errors.As(err, &be) && be.table == "orders" {
		return orderWriteErr("insert orders", be.err)
	}
	return fmt.Errorf("db: insert proposed: %w", err)
}

// maxOrderID is the largest order id (0 for none).
func maxOrderID(ctx context.Context, tx *sql.Tx) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM orders`).Scan(&last)
	return last, err
}

// numbered is n ids after last.
func numbered(last int64, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last + 1 + int64(i)
	}
	return ids
}

// proposedBoxes are the rowBoxes of proposed orders' rows and their events'.
type proposedBoxes struct{ orders, events *rowBoxes }

func newProposedBoxes() proposedBoxes {
	return proposedBoxes{newRowBoxes(len(orderWriteColumns)), newRowBoxes(len(eventWriteColumns))}
}

// proposedTables are the rows of orders (numbered ids) and of their events
// (events[k] belongs to orders[owner[k]]), for a bulk insert.
func proposedTables(ids []int64, orders []order.Order, events []order.Event, owner []int, b proposedBoxes) []bulkTable {
	ob, eb := b.orders, b.events
	return []bulkTable{{name: "orders", cols: append([]string{"id"}, orderWriteColumns...), n: len(orders),
		row: func(i int, dst []any) []any {
			return appendOrderValues(append(dst, ids[i]), orders[i], ob)
		}}, {name: "audit_events", cols: eventWriteColumns, n: len(events),
		row: func(i int, dst []any) []any {
			e := events[i]
			return append(dst, eb.time(0, e.At), eb.str(1, e.Actor), eb.str(2, e.Action), ids[owner[i]], nullID(e.BlockID),
				eb.str(5, e.Portfolio), eb.str(6, string(e.From)), eb.str(7, string(e.To)), eb.str(8, e.Reason),
				eb.str(9, e.Details))
		}}}
}

// ProposedRows implements order.StreamTx: a builder numbering orders and
// checks on from the largest ids the tables hold now. The transaction
// holds SQLite's write lock from its BEGIN (_txlock=immediate), so no
// other connection can take those ids meanwhile.
func (t *orderTx) ProposedRows(ctx context.Context) (order.RowBuilder, error) {
	if t.built != nil {
		return nil, fmt.Errorf("db: proposed rows: the transaction has a builder already")
	}
	ctx = uncancelled(ctx)
	b := &rowBuilder{boxes: newProposedBoxes()}
	var err error
	if b.lastOrder, err = maxOrderID(ctx, t.tx); err != nil {
		return nil, fmt.Errorf("db: proposed rows: %w", err)
	}
	if b.lastCheck, err = maxCheckID(ctx, t.tx); err != nil {
		return nil, fmt.Errorf("db: proposed rows: %w", err)
	}
	t.built = b
	return b, nil
}

// rowBuilder builds a stream transaction's rows of proposed orders, their
// events and checks, ahead of InsertRows and on another goroutine: the
// transaction's writer then does nothing but SQLite's work (it waited
// for a builder of its own at the start of every chunk before).
type rowBuilder struct {
	lastOrder, lastCheck int64 // the ids the next rows are numbered after
	seq                  int   // how many chunks it built
	boxes                proposedBoxes
}

// proposedRows is one chunk a rowBuilder built.
type proposedRows struct {
	b         *rowBuilder
	seq       int
	orders    []order.Order
	pfs, syms map[string]bool
	tables    []bulkTable
	parts     []bulkPart
}

func (r *proposedRows) Orders() int { return len(r.orders) }

// Build implements order.RowBuilder. It reads and writes nothing but the
// builder and its arguments, which must not change until InsertRows.
func (b *rowBuilder) Build(orders []order.Order, events []order.Event, owner []int, checks []order.CheckRecord) (order.ProposedRows, error) {
	if err := checkProposed(orders, events, owner, checks); err != nil {
		return nil, err
	}
	pfs, syms, err := refsOf(orders)
	if err != nil {
		return nil, err
	}
	ids := numbered(b.lastOrder, len(orders))
	tables := append(proposedTables(ids, orders, events, owner, b.boxes), checkTables(b.lastCheck, checks, ids)...)
	r := &proposedRows{b: b, seq: b.seq, orders: orders, pfs: pfs, syms: syms, tables: tables}
	for p := range eachPart(tables) {
		if p.err != nil {
			return nil, &bulkError{table: tables[p.table].name, err: p.err}
		}
		r.parts = append(r.parts, p)
	}
	b.lastOrder += int64(len(orders))
	b.lastCheck += int64(len(checks))
	b.seq++
	return r, nil
}

// InsertRows implements order.StreamTx: rows go in as InsertProposed's
// would, their portfolios and securities checked first.
func (t *orderTx) InsertRows(ctx context.Context, rows order.ProposedRows) error {
	r, ok := rows.(*proposedRows)
	if !ok || t.built == nil || r.b != t.built {
		return fmt.Errorf("db: insert rows: not built by this transaction's ProposedRows")
	}
	if r.seq != t.inserted {
		return fmt.Errorf("db: insert rows: chunk %d built, chunk %d expected next", r.seq, t.inserted)
	}
	if len(r.orders) == 0 {
		t.inserted++
		return nil
	}
	if err := t.checkRefsOf(ctx, r.orders, r.pfs, r.syms); err != nil {
		return err
	}
	ctx = uncancelled(ctx)
	if err := t.flushEvents(ctx); err != nil {
		return err
	}
	run := func(run bulkRunner) error { return runParts(ctx, run, r.tables, r.parts) }
	var err error
	if t.conn != nil {
		err = onDriver(t.conn, run)
	} else {
		err = onTx(t.tx, run)
	}
	if err := proposedWriteErr(err); err != nil {
		return err
	}
	t.inserted++
	return nil
}

// eventWriteColumns are the audit_events columns InsertProposed writes.
var eventWriteColumns = []string{"at", "actor", "action", "order_id", "block_id", "portfolio", "from_status",
	"to_status", "reason", "details"}

// refsOf is the distinct portfolios and securities of orders, each marked
// unknown. A new order is in no block: one that is is refused.
func refsOf(orders []order.Order) (pfs, syms map[string]bool, err error) {
	pfs, syms = map[string]bool{}, map[string]bool{}
	for _, o := range orders {
		if o.BlockID != 0 {
			// No lookup of blocks is made: a new order joins a block later.
			return nil, nil, fmt.Errorf("db: insert orders: a new order is in no block (block %d)", o.BlockID)
		}
		pfs[o.Portfolio], syms[o.Symbol] = false, false
	}
	return pfs, syms, nil
}

// checkRefsOf refuses orders for a portfolio or security Ballast does not
// know, looking each distinct one (refsOf) up once.
func (t *orderTx) checkRefsOf(ctx context.Context, orders []order.Order, pfs, syms map[string]bool) error {
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
