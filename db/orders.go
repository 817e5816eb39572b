package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

const orderColumns = `id, proposal_id, portfolio, symbol, side, quantity, order_type, limit_price, stop_price,
	time_in_force, expire_date, broker, notes, proposed_by, amended_by, approved_by, override, status,
	filled_qty, avg_px, created_at, expires_at, block_id, amendments`

func (t *orderTx) InsertOrder(ctx context.Context, o order.Order) (int64, error) {
	if err := t.checkRefs(ctx, o.Portfolio, o.Symbol); err != nil {
		return 0, err
	}
	vals := orderValues(o)
	res, err := t.exec(ctx, insertSQL("orders", orderWriteColumns), vals...)
	if err != nil {
		return 0, orderWriteErr("insert order", err)
	}
	id, err := res.LastInsertId()
	if err == nil {
		t.c.orders[id] = vals
	}
	delete(t.c.blockOrders, o.BlockID) // read again the next time
	return id, err
}

// checkRefs refuses an order for a portfolio or security Ballast does not know.
func (t *orderTx) checkRefs(ctx context.Context, pf, symbol string) error {
	row, err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM portfolios WHERE code = ?), EXISTS (SELECT 1 FROM securities WHERE symbol = ?)`, pf, symbol)
	if err != nil {
		return err
	}
	var hasPf, hasSec bool
	if err := row.Scan(&hasPf, &hasSec); err != nil {
		return fmt.Errorf("db: insert order: %w", err)
	}
	var fe order.FieldErrors
	if !hasPf {
		fe = append(fe, order.FieldError{Field: "portfolio", Reason: fmt.Sprintf("%q is not a portfolio", pf)})
	}
	if !hasSec {
		fe = append(fe, order.FieldError{Field: "symbol", Reason: fmt.Sprintf("%q is not a known security", symbol)})
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// orderWriteErr names a refused write: the four-eyes CHECK becomes a
// forbidden action, anything else stays as it is.
func orderWriteErr(what string, err error) error {
	// Only the orders' four-eyes CHECKs name approved_by; another CHECK
	// (a side or proposer Ballast would never write) is reported as it is.
	if isCheckViolation(err) && strings.Contains(err.Error(), "approved_by") {
		return fmt.Errorf("db: %s: the approver must differ from the proposer and the amender (four eyes): %w", what, order.ErrForbidden)
	}
	return fmt.Errorf("db: %s: %w", what, err)
}

func (t *orderTx) Order(ctx context.Context, id int64) (order.Order, error) {
	row, err := t.queryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id)
	if err != nil {
		return order.Order{}, err
	}
	o, err := scanOrder(row)
	if errors.Is(err, sql.ErrNoRows) {
		return o, orderNotFound("order", id)
	}
	if err != nil {
		return o, fmt.Errorf("db: order %d: %w", id, err)
	}
	t.c.orders[id] = orderValues(o)
	return o, nil
}

func (t *orderTx) UpdateOrder(ctx context.Context, o order.Order) error {
	return t.updateOrder(ctx, o)
}

func (t *orderTx) OrdersExpiring(ctx context.Context, statuses []order.Status, at time.Time) ([]order.Order, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	args := []any{formatTime(at)}
	for _, s := range statuses {
		args = append(args, string(s))
	}
	q := `SELECT ` + orderColumns + ` FROM orders WHERE expires_at <> '' AND expires_at <= ? AND status IN (?` +
		strings.Repeat(", ?", len(statuses)-1) + `) ORDER BY id`
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: orders expiring: %w", err)
	}
	return collectOrders(rows)
}

func (t *orderTx) BlockOrders(ctx context.Context, blockID int64) ([]order.Order, error) {
	if out, ok := t.cachedBlockOrders(blockID); ok {
		return out, nil
	}
	rows, err := t.query(ctx, `SELECT `+orderColumns+` FROM orders WHERE block_id = ? ORDER BY id`, blockID)
	if err != nil {
		return nil, fmt.Errorf("db: block %d orders: %w", blockID, err)
	}
	out, err := collectOrders(rows)
	if err != nil {
		return nil, err
	}
	for _, o := range out {
		t.c.orders[o.ID] = orderValues(o)
	}
	t.rememberBlockOrders(blockID, out)
	return out, nil
}

func collectOrders(rows *sql.Rows) ([]order.Order, error) {
	defer rows.Close()
	var out []order.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("db: orders: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func scanOrder(r scanner) (order.Order, error) {
	var o order.Order
	var side, typ, tif, expDate, created, expires, status string
	var qty, limit, stop, filled, avg string
	var amended, approved sql.NullString
	var block sql.NullInt64
	var amendments int64
	err := r.Scan(&o.ID, &o.ProposalID, &o.Portfolio, &o.Symbol, &side, &qty, &typ, &limit, &stop, &tif, &expDate,
		&o.Broker, &o.Notes, &o.ProposedBy, &amended, &approved, &o.Override, &status, &filled, &avg, &created,
		&expires, &block, &amendments)
	if err != nil {
		return o, err
	}
	o.Side, o.Type, o.TimeInForce, o.Status = portfolio.Side(side), order.OrdType(typ), order.TimeInForce(tif), order.Status(status)
	o.AmendedBy, o.ApprovedBy, o.BlockID, o.Amendments = amended.String, approved.String, block.Int64, int(amendments)
	key := fmt.Sprintf("order %d", o.ID)
	if err := parseDecimals(key, []string{qty, limit, stop, filled, avg},
		[]*decimal.Decimal{&o.Quantity, &o.LimitPrice, &o.StopPrice, &o.FilledQty, &o.AvgPx}); err != nil {
		return o, err
	}
	return o, parseTimes(key, []string{expDate, created, expires}, []*time.Time{&o.ExpireDate, &o.CreatedAt, &o.ExpiresAt})
}

// parseTimes parses each stored (possibly empty) time into its destination.
func parseTimes(key string, texts []string, dst []*time.Time) error {
	for i, s := range texts {
		v, err := parseOptTime(s)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*dst[i] = v
	}
	return nil
}
