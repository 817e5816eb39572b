package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
)

func (t *orderTx) InsertExecution(ctx context.Context, e order.Execution) error {
	report, err := json.Marshal(e.Report)
	if err != nil {
		return fmt.Errorf("db: execution %s: report: %w", e.Key.ExecID, err)
	}
	res, err := t.exec(ctx, `INSERT INTO executions (session, block_id, exec_id, kind, ref_exec_id, quantity, price, state,
		discrepancy, refused, cl_ord_id, received_at, report, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (block_id, session, exec_id) DO NOTHING`,
		e.Key.Session, e.Key.BlockID, e.Key.ExecID, string(e.Kind), e.RefExecID, e.Quantity.String(), e.Price.String(),
		string(e.State), e.Discrepancy, e.Refused, e.Report.ClOrdID, fmtOptTime(e.Report.ReceivedAt), string(report), e.Report.Raw)
	if err != nil {
		return fmt.Errorf("db: insert execution %s: %w", e.Key.ExecID, err)
	}
	// The UNIQUE key decides: no row inserted is a duplicate, and the
	// statement changed nothing.
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("db: insert execution %s: %w", e.Key.ExecID, err)
	}
	if n == 0 {
		return fmt.Errorf("db: execution %s/%d/%s: %w", e.Key.Session, e.Key.BlockID, e.Key.ExecID, order.ErrDuplicate)
	}
	return nil
}

func (t *orderTx) Execution(ctx context.Context, key order.ExecKey) (order.Execution, error) {
	row, err := t.queryRow(ctx, `SELECT `+executionColumns+` FROM executions WHERE session = ? AND block_id = ? AND exec_id = ?`,
		key.Session, key.BlockID, key.ExecID)
	if err != nil {
		return order.Execution{}, err
	}
	e, err := scanExecution(row)
	if errors.Is(err, sql.ErrNoRows) {
		return e, orderNotFound("execution", key)
	}
	if err != nil {
		return e, fmt.Errorf("db: execution %v: %w", key, err)
	}
	return e, nil
}

func (t *orderTx) SetFillState(ctx context.Context, key order.ExecKey, s order.FillState) error {
	res, err := t.exec(ctx, `UPDATE executions SET state = ? WHERE session = ? AND block_id = ? AND exec_id = ?`,
		string(s), key.Session, key.BlockID, key.ExecID)
	if err != nil {
		return fmt.Errorf("db: execution %v: %w", key, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return orderNotFound("execution", key)
	}
	return nil
}

const executionColumns = `session, block_id, exec_id, kind, ref_exec_id, quantity, price, state, discrepancy, refused, report, raw`

func scanExecution(r scanner) (order.Execution, error) {
	var e order.Execution
	var kind, state, qty, px, report string
	err := r.Scan(&e.Key.Session, &e.Key.BlockID, &e.Key.ExecID, &kind, &e.RefExecID, &qty, &px, &state,
		&e.Discrepancy, &e.Refused, &report, &e.Report.Raw)
	if err != nil {
		return e, err
	}
	e.Kind, e.State = order.ExecKind(kind), order.FillState(state)
	raw := e.Report.Raw
	if err := json.Unmarshal([]byte(report), &e.Report); err != nil {
		return e, fmt.Errorf("execution %s: report: %w", e.Key.ExecID, err)
	}
	e.Report.Raw = raw
	return e, parseDecimals("execution "+e.Key.ExecID, []string{qty, px}, []*decimal.Decimal{&e.Quantity, &e.Price})
}

func (t *orderTx) Allocations(ctx context.Context, blockID int64) ([]order.AllocationRecord, error) {
	if recs, ok := t.c.cachedAllocs(blockID); ok {
		return recs, nil
	}
	rows, err := t.query(ctx, `SELECT block_id, order_id, portfolio, quantity, price, qty_delta, cost_delta,
		realised_delta, cash_delta, through_zero FROM allocations WHERE block_id = ? ORDER BY order_id`, blockID)
	if err != nil {
		return nil, fmt.Errorf("db: block %d allocations: %w", blockID, err)
	}
	defer rows.Close()
	var out []order.AllocationRecord
	for rows.Next() {
		a, err := scanAllocation(rows)
		if err != nil {
			return nil, fmt.Errorf("db: block %d allocations: %w", blockID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	t.c.allocs[blockID] = slices.Clone(out)
	return out, nil
}

func scanAllocation(r scanner) (order.AllocationRecord, error) {
	var a order.AllocationRecord
	var qty, px, dq, dc, dr, dcash string
	if err := r.Scan(&a.BlockID, &a.OrderID, &a.Portfolio, &qty, &px, &dq, &dc, &dr, &dcash, &a.Booking.ThroughZero); err != nil {
		return a, err
	}
	return a, parseDecimals(fmt.Sprintf("allocation %d/%d", a.BlockID, a.OrderID), []string{qty, px, dq, dc, dr, dcash},
		[]*decimal.Decimal{&a.Quantity, &a.Price, &a.Booking.QtyDelta, &a.Booking.CostDelta, &a.Booking.RealisedDelta, &a.Booking.CashDelta})
}

func (t *orderTx) SaveAllocation(ctx context.Context, a order.AllocationRecord) error {
	b := a.Booking
	_, err := t.exec(ctx, `INSERT INTO allocations (block_id, order_id, portfolio, quantity, price, qty_delta, cost_delta,
		realised_delta, cash_delta, through_zero) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (block_id, order_id) DO UPDATE SET portfolio = excluded.portfolio, quantity = excluded.quantity,
		price = excluded.price, qty_delta = excluded.qty_delta, cost_delta = excluded.cost_delta,
		realised_delta = excluded.realised_delta, cash_delta = excluded.cash_delta, through_zero = excluded.through_zero`,
		a.BlockID, a.OrderID, a.Portfolio, a.Quantity.String(), a.Price.String(), b.QtyDelta.String(), b.CostDelta.String(),
		b.RealisedDelta.String(), b.CashDelta.String(), b.ThroughZero)
	if err != nil {
		return fmt.Errorf("db: save allocation %d/%d: %w", a.BlockID, a.OrderID, err)
	}
	t.c.saveAlloc(a)
	return nil
}
