package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// workingStatuses are the orders whose unfilled remainder counts in the
// pro-forma state: approved and at a broker.
var workingStatuses = []any{"approved", "sent", "acknowledged", "partially_filled", "pending_cancel", "pending_replace"}

// recentWindow is how far back orders are loaded for the duplicate-order rule.
const recentWindow = 24 * time.Hour

// PreTradeStates returns the compliance state of each portfolio in codes
// (every portfolio when codes is empty): holdings and cash, last prices, the
// securities master (shared by all states), the unfilled remainder of its
// working orders and the orders placed in the last day that were not
// cancelled, rejected or blocked, leaving out the orders in skip.
func (d *DB) PreTradeStates(ctx context.Context, codes []string, skip []int64) (map[string]compliance.State, error) {
	hs, err := d.holdingsFor(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("db: pre-trade states: %w", err)
	}
	prices, secs, err := d.pricesAndSecurities(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: pre-trade states: %w", err)
	}
	out := make(map[string]compliance.State, len(hs))
	for _, h := range hs {
		out[h.Portfolio.Code] = compliance.State{Holdings: h, Prices: prices, Securities: secs}
	}
	if err := d.addWorking(ctx, out, codes, skip); err != nil {
		return nil, fmt.Errorf("db: pre-trade states: %w", err)
	}
	if err := d.addRecent(ctx, out, codes, skip); err != nil {
		return nil, fmt.Errorf("db: pre-trade states: %w", err)
	}
	return out, nil
}

// AddPreTradeOrders implements order.PrecheckStore: it fills in each state
// of states (by portfolio code) its working orders' unfilled remainder and
// its recent orders, as PreTradeStates does, leaving out the orders in skip.
func (d *DB) AddPreTradeOrders(ctx context.Context, states map[string]compliance.State, skip []int64) error {
	if len(states) == 0 {
		return nil
	}
	codes := make([]string, 0, len(states))
	for c := range states {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	if err := d.addWorking(ctx, states, codes, skip); err != nil {
		return fmt.Errorf("db: pre-trade orders: %w", err)
	}
	if err := d.addRecent(ctx, states, codes, skip); err != nil {
		return fmt.Errorf("db: pre-trade orders: %w", err)
	}
	return nil
}

// portfoliosOnly narrows an orders query to the portfolios in codes (none:
// every portfolio), so a check reads its own portfolios' orders, not the
// whole desk's.
func portfoliosOnly(codes []string) (string, []any) {
	if len(codes) == 0 {
		return "", nil
	}
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	return " AND portfolio IN " + inList(len(codes)), args
}

func (d *DB) addWorking(ctx context.Context, states map[string]compliance.State, codes []string, skip []int64) error {
	only, args := portfoliosOnly(codes)
	rows, err := d.reader.QueryContext(ctx, `SELECT id, portfolio, symbol, side, quantity, filled_qty, order_type, limit_price
		FROM orders WHERE status IN `+inList(len(workingStatuses))+only+` ORDER BY id`, append(slices.Clone(workingStatuses), args...)...)
	if err != nil {
		return fmt.Errorf("working orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var pf, sym, side, qty, filled, typ, limit string
		if err := rows.Scan(&id, &pf, &sym, &side, &qty, &filled, &typ, &limit); err != nil {
			return fmt.Errorf("working orders: %w", err)
		}
		st, ok := states[pf]
		if !ok || slices.Contains(skip, id) {
			continue
		}
		var q, f, px decimal.Decimal
		if err := parseDecimals(fmt.Sprintf("order %d", id), []string{qty, filled, limit}, []*decimal.Decimal{&q, &f, &px}); err != nil {
			return err
		}
		left := q.Sub(f)
		if !left.IsPositive() {
			continue
		}
		if typ != string(order.Limit) && typ != string(order.StopLimit) {
			px = decimal.Zero
		}
		st.Working = append(st.Working, portfolio.Trade{Portfolio: pf, Symbol: sym, Side: portfolio.Side(side), Quantity: left, LimitPrice: px})
		states[pf] = st
	}
	return rows.Err()
}

func (d *DB) addRecent(ctx context.Context, states map[string]compliance.State, codes []string, skip []int64) error {
	since := formatTime(d.now().Add(-recentWindow))
	only, args := portfoliosOnly(codes)
	rows, err := d.reader.QueryContext(ctx, `SELECT id, portfolio, symbol, side, quantity, created_at FROM orders
		WHERE created_at >= ? AND status NOT IN ('cancelled', 'rejected', 'blocked', 'expired')`+only+` ORDER BY id`, append([]any{since}, args...)...)
	if err != nil {
		return fmt.Errorf("recent orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var pf, sym, side, qty, at string
		if err := rows.Scan(&id, &pf, &sym, &side, &qty, &at); err != nil {
			return fmt.Errorf("recent orders: %w", err)
		}
		st, ok := states[pf]
		if !ok || slices.Contains(skip, id) {
			continue
		}
		r := compliance.RecentOrder{ID: fmt.Sprint(id), Portfolio: pf, Symbol: sym, Side: portfolio.Side(side)}
		var err error
		if r.Quantity, err = parseDecimal(qty); err != nil {
			return err
		}
		if r.At, err = parseTime(at); err != nil {
			return err
		}
		st.Recent = append(st.Recent, r)
		states[pf] = st
	}
	return rows.Err()
}

// PreTradeOrders lists proposal's orders in portfolio pf that still wait for
// approval (blocked, awaiting_override, ready), by id.
func (d *DB) PreTradeOrders(ctx context.Context, proposalID int64, pf string) ([]order.Order, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE proposal_id = ? AND portfolio = ?
		AND status IN ('blocked', 'awaiting_override', 'ready') ORDER BY id`, proposalID, pf)
	if err != nil {
		return nil, fmt.Errorf("db: proposal %d orders: %w", proposalID, err)
	}
	return collectOrders(rows)
}

// ComplianceQueue lists the orders compliance reviews: blocked and
// awaiting_override (and, with ready, those overridden and now ready), newest first.
func (d *DB) ComplianceQueue(ctx context.Context, limit int) ([]order.Order, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE status IN ('awaiting_override', 'blocked') ORDER BY status = 'blocked', id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: compliance queue: %w", err)
	}
	return collectOrders(rows)
}

// ComplianceOrder returns order id for the compliance review page.
func (d *DB) ComplianceOrder(ctx context.Context, id int64) (order.Order, error) {
	row := d.reader.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id)
	o, err := scanOrder(row)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("db: order %d: %w", id, errors.Join(ErrNotFound, order.ErrNotFound))
	}
	if err != nil {
		return o, fmt.Errorf("db: order %d: %w", id, err)
	}
	return o, nil
}
