package db

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// auditDefaultLimit and auditMaxLimit bound an audit search page.
const (
	auditDefaultLimit = 500
	auditMaxLimit     = 5000
)

// AppendEvent keeps e to be written when the transaction's fn returns,
// with the transaction's other events in one multi-row INSERT (see
// flushEvents): booking a burst of executions then writes its audit trail
// with a few statements instead of one per event. The events keep the order
// they were appended in, and nothing in an order transaction reads the
// audit trail back.
func (t *orderTx) AppendEvent(_ context.Context, e order.Event) error {
	t.c.events = append(t.c.events, e)
	return nil
}

// eventInsertColumns is the number of columns eventInsertSQL writes per row.
const eventInsertColumns = 10

// eventChunks are the row counts of the INSERT statements flushEvents uses:
// any number of events is written with few statements, and only these few
// distinct statements are ever prepared.
var eventChunks = [...]int{64, 16, 4, 1}

// eventInsertSQL is the INSERT of n audit events.
func eventInsertSQL(n int) string {
	row := "(?" + strings.Repeat(", ?", eventInsertColumns-1) + ")"
	return `INSERT INTO audit_events (at, actor, action, order_id, block_id, portfolio, from_status, to_status, reason, details) VALUES ` +
		row + strings.Repeat(", "+row, n-1)
}

// flushEvents writes the events AppendEvent kept, in their order.
func (t *orderTx) flushEvents(ctx context.Context) error {
	evs := t.c.events
	args := make([]any, 0, eventChunks[0]*eventInsertColumns)
	for _, n := range eventChunks {
		for len(evs) >= n {
			args = args[:0]
			for _, e := range evs[:n] {
				args = append(args, formatTime(e.At), e.Actor, e.Action, nullID(e.OrderID), nullID(e.BlockID), e.Portfolio,
					string(e.From), string(e.To), e.Reason, e.Details)
			}
			if _, err := t.exec(ctx, eventInsertSQL(n), args...); err != nil {
				return fmt.Errorf("db: append audit event %s: %w", evs[0].Action, err)
			}
			evs = evs[n:]
		}
	}
	t.c.events = t.c.events[:0]
	return nil
}

const eventColumns = `id, at, actor, action, order_id, block_id, portfolio, from_status, to_status, reason, details`

func scanEvent(r scanner) (order.Event, error) {
	var e order.Event
	var at, from, to string
	var oid, bid sql.NullInt64
	if err := r.Scan(&e.ID, &at, &e.Actor, &e.Action, &oid, &bid, &e.Portfolio, &from, &to, &e.Reason, &e.Details); err != nil {
		return e, err
	}
	e.OrderID, e.BlockID, e.From, e.To = oid.Int64, bid.Int64, order.Status(from), order.Status(to)
	var err error
	e.At, err = parseTime(at)
	return e, err
}

// auditWhere builds the WHERE clause of an audit search.
func auditWhere(f order.AuditFilter) (string, []any) {
	var conds []string
	var args []any
	if f.OrderID != 0 {
		conds = append(conds, `(order_id = ? OR (order_id IS NULL AND block_id IN (SELECT block_id FROM block_orders WHERE order_id = ?)))`)
		args = append(args, f.OrderID, f.OrderID)
	}
	if p := strings.TrimSpace(f.Portfolio); p != "" {
		// An order's events are found through the order (the index of
		// events by portfolio keeps only the events of no order).
		conds = append(conds, `(order_id IS NULL AND portfolio = ? OR order_id IN (SELECT id FROM orders WHERE portfolio = ?))`)
		args = append(args, p, p)
	}
	if a := strings.TrimSpace(f.Actor); a != "" {
		conds = append(conds, `actor = ? COLLATE NOCASE`)
		args = append(args, a)
	}
	if !f.From.IsZero() {
		conds = append(conds, `at >= ?`)
		args = append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, `at < ?`)
		args = append(args, formatTime(f.To))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// AuditEvents returns the events matching f, newest first.
func (s *OrderStore) AuditEvents(ctx context.Context, f order.AuditFilter) ([]order.Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = auditDefaultLimit
	}
	limit = min(limit, auditMaxLimit)
	where, args := auditWhere(f)
	rows, err := s.d.reader.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events`+where+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("db: audit: %w", err)
	}
	return collectEvents(rows)
}

func collectEvents(rows *sql.Rows) ([]order.Event, error) {
	defer rows.Close()
	var out []order.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("db: audit: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// WriteAuditCSV writes every event matching f (ignoring f.Limit), oldest
// first, as CSV with a header. A cell that a spreadsheet would read as a
// formula (starting with = + - @, tab or carriage return) gets a leading
// apostrophe.
func (s *OrderStore) WriteAuditCSV(ctx context.Context, w io.Writer, f order.AuditFilter) error {
	where, args := auditWhere(f)
	rows, err := s.d.reader.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events`+where+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("db: audit csv: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "at", "actor", "action", "order_id", "block_id", "portfolio", "from", "to", "reason", "details"}); err != nil {
		return fmt.Errorf("db: audit csv: %w", err)
	}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return fmt.Errorf("db: audit csv: %w", err)
		}
		rec := []string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), e.Actor, e.Action, optID(e.OrderID),
			optID(e.BlockID), e.Portfolio, string(e.From), string(e.To), e.Reason, e.Details}
		for i := range rec {
			rec[i] = portfolio.CSVSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("db: audit csv: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: audit csv: %w", err)
	}
	cw.Flush()
	return cw.Error()
}

func optID(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
