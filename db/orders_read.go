package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ballast-oms/ballast/order"
)

// Page sizes of the order and block lists.
const (
	ordersDefaultLimit = 500
	ordersMaxLimit     = 10000
)

// terminalStatuses lists the statuses order.IsTerminal reports, for SQL.
func terminalStatuses() []any {
	var out []any
	for _, s := range order.Statuses() {
		if order.IsTerminal(s) {
			out = append(out, string(s))
		}
	}
	return out
}

// inList is "(?, ?, …)" for n values.
func inList(n int) string { return "(?" + strings.Repeat(", ?", n-1) + ")" }

func statusConds(col string, statuses []order.Status, state string) (conds []string, args []any) {
	if len(statuses) > 0 {
		conds = append(conds, col+" IN "+inList(len(statuses)))
		for _, s := range statuses {
			args = append(args, string(s))
		}
	}
	term := terminalStatuses()
	switch state {
	case "open":
		conds = append(conds, col+" NOT IN "+inList(len(term)))
		args = append(args, term...)
	case "completed":
		conds = append(conds, col+" IN "+inList(len(term)))
		args = append(args, term...)
	}
	return conds, args
}

func orderWhere(f order.Filter) (string, []any) {
	conds, args := statusConds("o.status", f.Statuses, f.State)
	add := func(cond string, vals ...any) { conds, args = append(conds, cond), append(args, vals...) }
	if v := strings.TrimSpace(f.Portfolio); v != "" {
		add("o.portfolio = ?", v)
	}
	if v := strings.TrimSpace(f.Symbol); v != "" {
		add("o.symbol = ?", strings.ToUpper(v))
	}
	if v := strings.TrimSpace(f.Trader); v != "" {
		add("(o.proposed_by = ? COLLATE NOCASE OR o.approved_by = ? COLLATE NOCASE OR o.amended_by = ? COLLATE NOCASE OR b.created_by = ? COLLATE NOCASE)", v, v, v, v)
	}
	if v := strings.TrimSpace(f.Broker); v != "" {
		add("COALESCE(b.broker, o.broker) = ? COLLATE NOCASE", v)
	}
	if f.BlockID != 0 {
		add("o.block_id = ?", f.BlockID)
	}
	if !f.From.IsZero() {
		add("o.created_at >= ?", formatTime(f.From))
	}
	if !f.To.IsZero() {
		add("o.created_at < ?", formatTime(f.To))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Orders returns one page of the orders matching f, newest first, with their
// block's broker and status and their last audit event, and how many match
// in all.
func (s *OrderStore) Orders(ctx context.Context, f order.Filter) ([]order.Line, int, error) {
	where, args := orderWhere(f)
	from := ` FROM orders o LEFT JOIN blocks b ON b.id = o.block_id`
	var total int
	if err := s.d.reader.QueryRowContext(ctx, `SELECT count(*)`+from+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: orders: count: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = ordersDefaultLimit
	}
	limit = min(limit, ordersMaxLimit)
	q := `SELECT ` + prefixed("o.", orderColumns) + `, COALESCE(b.broker, ''), COALESCE(b.status, ''),
		COALESCE(e.at, ''), COALESCE(e.actor, ''), COALESCE(e.action, ''), COALESCE(e.to_status, ''), COALESCE(e.reason, '')` +
		from + ` LEFT JOIN audit_events e ON e.id = (SELECT max(id) FROM audit_events WHERE order_id = o.id)` +
		where + ` ORDER BY o.id DESC LIMIT ? OFFSET ?`
	rows, err := s.d.reader.QueryContext(ctx, q, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: orders: %w", err)
	}
	defer rows.Close()
	out := make([]order.Line, 0, min(limit, total))
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("db: orders: %w", err)
		}
		out = append(out, l)
	}
	return out, total, rows.Err()
}

// lineScanner scans an order row followed by its block and last event.
type lineScanner struct {
	r                  scanner
	broker, status     *string
	at, actor, act, to *string
	reason             *string
}

func (l lineScanner) Scan(dest ...any) error {
	return l.r.Scan(append(dest, l.broker, l.status, l.at, l.actor, l.act, l.to, l.reason)...)
}

func scanLine(r scanner) (order.Line, error) {
	var broker, status, at, actor, act, to, reason string
	o, err := scanOrder(lineScanner{r, &broker, &status, &at, &actor, &act, &to, &reason})
	if err != nil {
		return order.Line{}, err
	}
	l := order.Line{Order: o, BlockBroker: broker, BlockStatus: order.Status(status),
		LastEvent: order.Event{Actor: actor, Action: act, To: order.Status(to), Reason: reason, OrderID: o.ID}}
	l.LastEvent.At, err = parseOptTime(at)
	return l, err
}

// Blocks returns the blocks matching f, newest first.
func (s *OrderStore) Blocks(ctx context.Context, f order.BlockFilter) ([]order.Block, error) {
	conds, args := statusConds("status", f.Statuses, f.State)
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = ordersDefaultLimit
	}
	rows, err := s.d.reader.QueryContext(ctx, `SELECT `+blockColumns+` FROM blocks`+where+` ORDER BY id DESC LIMIT ?`,
		append(args, min(limit, ordersMaxLimit))...)
	if err != nil {
		return nil, fmt.Errorf("db: blocks: %w", err)
	}
	defer rows.Close()
	var out []order.Block
	for rows.Next() {
		b, err := scanBlock(rows)
		if err != nil {
			return nil, fmt.Errorf("db: blocks: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// OrderDetail returns order id with its block, its whole audit history
// (oldest first), its block's executions and allocations.
func (s *OrderStore) OrderDetail(ctx context.Context, id int64) (order.Detail, error) {
	var d order.Detail
	o, err := scanOrder(s.d.reader.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, orderNotFound("order", id)
	}
	if err != nil {
		return d, fmt.Errorf("db: order %d: %w", id, err)
	}
	d.Order = o
	where, args := auditWhere(order.AuditFilter{OrderID: id})
	rows, err := s.d.reader.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events`+where+` ORDER BY id`, args...)
	if err != nil {
		return d, fmt.Errorf("db: order %d: events: %w", id, err)
	}
	if d.Events, err = collectEvents(rows); err != nil {
		return d, err
	}
	if o.BlockID == 0 {
		return d, nil
	}
	return d, s.blockDetail(ctx, o.BlockID, &d)
}

func (s *OrderStore) blockDetail(ctx context.Context, blockID int64, d *order.Detail) error {
	b, err := scanBlock(s.d.reader.QueryRowContext(ctx, `SELECT `+blockColumns+` FROM blocks WHERE id = ?`, blockID))
	if err != nil {
		return fmt.Errorf("db: block %d: %w", blockID, err)
	}
	d.Block = &b
	rows, err := s.d.reader.QueryContext(ctx, `SELECT `+executionColumns+` FROM executions WHERE block_id = ? ORDER BY id`, blockID)
	if err != nil {
		return fmt.Errorf("db: block %d executions: %w", blockID, err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return fmt.Errorf("db: block %d executions: %w", blockID, err)
		}
		d.Executions = append(d.Executions, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	arows, err := s.d.reader.QueryContext(ctx, `SELECT block_id, order_id, portfolio, quantity, price, qty_delta, cost_delta,
		realised_delta, cash_delta, through_zero FROM allocations WHERE block_id = ? ORDER BY order_id`, blockID)
	if err != nil {
		return fmt.Errorf("db: block %d allocations: %w", blockID, err)
	}
	defer arows.Close()
	for arows.Next() {
		a, err := scanAllocation(arows)
		if err != nil {
			return fmt.Errorf("db: block %d allocations: %w", blockID, err)
		}
		d.Allocations = append(d.Allocations, a)
	}
	return arows.Err()
}
