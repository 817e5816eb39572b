package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/trigger"
)

// conditionsDefaultLimit and conditionsMaxLimit bound a list of conditions.
const (
	conditionsDefaultLimit = 500
	conditionsMaxLimit     = 5000
)

// ConditionFilter selects conditions for the lists; empty fields match all.
// State "waiting" matches pending_approval and active.
type ConditionFilter struct {
	State     string
	Portfolio string
	Symbol    string
	Kind      string
	Limit     int
}

func conditionWhere(f ConditionFilter) (string, []any) {
	var conds []string
	var args []any
	switch st := strings.TrimSpace(f.State); st {
	case "":
	case "waiting":
		conds = append(conds, `c.state IN ('pending_approval', 'active')`)
	default:
		conds, args = append(conds, `c.state = ?`), append(args, st)
	}
	for _, kv := range []struct{ col, v string }{{"c.portfolio", f.Portfolio}, {"c.symbol", f.Symbol}, {"c.kind", f.Kind}} {
		if v := strings.TrimSpace(kv.v); v != "" {
			conds, args = append(conds, kv.col+` = ?`), append(args, v)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Conditions lists the conditions matching f, newest first.
func (d *DB) Conditions(ctx context.Context, f ConditionFilter) ([]StoredCondition, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = conditionsDefaultLimit
	}
	where, args := conditionWhere(f)
	out, err := d.queryConditions(ctx, where+` ORDER BY c.id DESC LIMIT ?`, append(args, min(limit, conditionsMaxLimit))...)
	if err != nil {
		return nil, fmt.Errorf("db: conditions: %w", err)
	}
	return out, nil
}

// Condition returns one condition with its trailing high; a missing one is ErrNotFound.
func (d *DB) Condition(ctx context.Context, id int64) (StoredCondition, error) {
	row := d.reader.QueryRowContext(ctx, `SELECT `+conditionColumns+conditionFrom+` WHERE c.id = ?`, id)
	c, err := scanCondition(row)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("db: condition %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("db: condition %d: %w", id, err)
	}
	return c, nil
}

// ActiveConditions returns every active condition with its stored trailing
// high, by ID: what the trigger engine resumes from after a restart.
func (d *DB) ActiveConditions(ctx context.Context) ([]trigger.Condition, error) {
	stored, err := d.queryConditions(ctx, ` WHERE c.state = 'active' ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("db: active conditions: %w", err)
	}
	out := make([]trigger.Condition, len(stored))
	for i, s := range stored {
		out[i] = s.Condition
	}
	return out, nil
}

// HoldingConditions lists the waiting (pending or active) conditions of one
// holding, by ID: the "auto orders" of a position and what the rebalance
// preview shows beside it.
func (d *DB) HoldingConditions(ctx context.Context, portfolio, symbol string) ([]StoredCondition, error) {
	out, err := d.queryConditions(ctx, ` WHERE c.portfolio = ? AND c.symbol = ? AND c.state IN ('pending_approval', 'active')
		ORDER BY c.id`, portfolio, symbol)
	if err != nil {
		return nil, fmt.Errorf("db: conditions of %s/%s: %w", portfolio, symbol, err)
	}
	return out, nil
}

func (d *DB) queryConditions(ctx context.Context, tail string, args ...any) ([]StoredCondition, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT `+conditionColumns+conditionFrom+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredCondition
	for rows.Next() {
		c, err := scanCondition(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// workingSells are the order statuses whose unfilled sell quantity is
// already committed to the market (or about to be).
const workingSells = `('approved', 'sent', 'acknowledged', 'partially_filled', 'pending_cancel', 'pending_replace')`

// SellableQuantity is what portfolio can still sell of symbol: its position
// less the unfilled quantity of its working sell orders, never below zero.
func (d *DB) SellableQuantity(ctx context.Context, portfolio, symbol string) (decimal.Decimal, error) {
	var qty string
	err := d.reader.QueryRowContext(ctx, `SELECT quantity FROM positions WHERE portfolio = ? AND symbol = ?`,
		portfolio, symbol).Scan(&qty)
	if errors.Is(err, sql.ErrNoRows) {
		return decimal.Zero, nil
	}
	if err != nil {
		return decimal.Zero, fmt.Errorf("db: sellable %s/%s: %w", portfolio, symbol, err)
	}
	held, err := parseDecimal(qty)
	if err != nil {
		return decimal.Zero, fmt.Errorf("db: sellable %s/%s: %w", portfolio, symbol, err)
	}
	rows, err := d.reader.QueryContext(ctx, `SELECT quantity, filled_qty FROM orders WHERE portfolio = ? AND symbol = ?
		AND side IN ('sell', 'sell_short') AND status IN `+workingSells, portfolio, symbol)
	if err != nil {
		return decimal.Zero, fmt.Errorf("db: sellable %s/%s: %w", portfolio, symbol, err)
	}
	defer rows.Close()
	for rows.Next() {
		var q, f string
		if err := rows.Scan(&q, &f); err != nil {
			return decimal.Zero, err
		}
		var oq, of decimal.Decimal
		if err := parseDecimals("order", []string{q, f}, []*decimal.Decimal{&oq, &of}); err != nil {
			return decimal.Zero, err
		}
		held = held.Sub(oq.Sub(of))
	}
	return decimal.Max(held, decimal.Zero), rows.Err()
}
