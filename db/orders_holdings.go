package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// holdings is what one order transaction read and wrote of positions and
// cash. Booking a burst of executions (BookExecutions) moves the same
// portfolio's cash, and often the same position, once per execution; the
// transaction reads each row once, keeps its changes in memory and writes
// each changed row once, when its fn has returned nil (flush). Nothing else
// in the transaction reads those rows through SQL, and the transaction holds
// the writer, so no one else can change them meanwhile.
type holdings struct {
	cash      map[string]*cashRow
	cashOrder []string // portfolios in the order their cash first changed
	pos       map[posKey]*posRow
	posOrder  []posKey
}

type cashRow struct {
	cash   decimal.Decimal
	exists bool // the portfolio exists
	dirty  bool
}

type posKey struct{ portfolio, symbol string }

type posRow struct {
	p     portfolio.Position
	dirty bool
}

func newHoldings() holdings {
	return holdings{cash: map[string]*cashRow{}, pos: map[posKey]*posRow{}}
}

func (t *orderTx) Position(ctx context.Context, pf, symbol string) (portfolio.Position, error) {
	k := posKey{pf, symbol}
	if r, ok := t.c.h.pos[k]; ok {
		return r.p, nil
	}
	p, err := t.readPosition(ctx, pf, symbol)
	if err != nil {
		return p, err
	}
	t.c.h.pos[k] = &posRow{p: p}
	return p, nil
}

func (t *orderTx) readPosition(ctx context.Context, pf, symbol string) (portfolio.Position, error) {
	p := portfolio.Position{Portfolio: pf, Symbol: symbol}
	row, err := t.queryRow(ctx, `SELECT quantity, avg_cost, realised_pnl FROM positions WHERE portfolio = ? AND symbol = ?`, pf, symbol)
	if err != nil {
		return p, err
	}
	var qty, cost, pnl string
	switch err := row.Scan(&qty, &cost, &pnl); {
	case errors.Is(err, sql.ErrNoRows):
		return p, nil
	case err != nil:
		return p, fmt.Errorf("db: position %s/%s: %w", pf, symbol, err)
	}
	return p, parseDecimals(pf+"/"+symbol, []string{qty, cost, pnl}, []*decimal.Decimal{&p.Quantity, &p.AvgCost, &p.RealisedPnL})
}

// SavePosition keeps p to be written when the transaction's fn returns.
func (t *orderTx) SavePosition(_ context.Context, p portfolio.Position) error {
	k := posKey{p.Portfolio, p.Symbol}
	r, ok := t.c.h.pos[k]
	if !ok {
		r = &posRow{}
		t.c.h.pos[k] = r
	}
	if !r.dirty {
		r.dirty = true
		t.c.h.posOrder = append(t.c.h.posOrder, k)
	}
	r.p = p
	return nil
}

func (t *orderTx) writePosition(ctx context.Context, p portfolio.Position) error {
	_, err := t.exec(ctx, `INSERT INTO positions (portfolio, symbol, quantity, avg_cost, realised_pnl) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (portfolio, symbol) DO UPDATE SET quantity = excluded.quantity, avg_cost = excluded.avg_cost, realised_pnl = excluded.realised_pnl`,
		p.Portfolio, p.Symbol, p.Quantity.String(), p.AvgCost.String(), p.RealisedPnL.String())
	if err != nil {
		return fmt.Errorf("db: save position %s/%s: %w", p.Portfolio, p.Symbol, err)
	}
	return nil
}

func (t *orderTx) Cash(ctx context.Context, pf string) (decimal.Decimal, error) {
	if r, ok := t.c.h.cash[pf]; ok {
		return r.cash, nil
	}
	row, err := t.queryRow(ctx, `SELECT cash FROM portfolios WHERE code = ?`, pf)
	if err != nil {
		return decimal.Zero, err
	}
	var text string
	switch err := row.Scan(&text); {
	case errors.Is(err, sql.ErrNoRows):
		t.c.h.cash[pf] = &cashRow{}
		return decimal.Zero, nil
	case err != nil:
		return decimal.Zero, fmt.Errorf("db: cash %s: %w", pf, err)
	}
	cash, err := parseDecimal(text)
	if err != nil {
		return cash, err
	}
	t.c.h.cash[pf] = &cashRow{cash: cash, exists: true}
	return cash, nil
}

// SaveCash keeps the portfolio's cash to be written when the transaction's
// fn returns. A portfolio the transaction has not read is written at once,
// so that an unknown one is refused here.
func (t *orderTx) SaveCash(ctx context.Context, pf string, cash decimal.Decimal) error {
	r, ok := t.c.h.cash[pf]
	switch {
	case !ok:
		if err := t.writeCash(ctx, pf, cash); err != nil {
			return err
		}
		t.c.h.cash[pf] = &cashRow{cash: cash, exists: true}
		return nil
	case !r.exists:
		return orderNotFound("portfolio", pf)
	}
	if !r.dirty {
		r.dirty = true
		t.c.h.cashOrder = append(t.c.h.cashOrder, pf)
	}
	r.cash = cash
	return nil
}

func (t *orderTx) writeCash(ctx context.Context, pf string, cash decimal.Decimal) error {
	res, err := t.exec(ctx, `UPDATE portfolios SET cash = ? WHERE code = ?`, cash.String(), pf)
	if err != nil {
		return fmt.Errorf("db: save cash %s: %w", pf, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return orderNotFound("portfolio", pf)
	}
	return nil
}

// flush writes the audit events the transaction appended, and the positions
// and cash it changed, each once, in the order they first changed.
func (t *orderTx) flush(ctx context.Context) error {
	if err := t.flushEvents(ctx); err != nil {
		return err
	}
	h := &t.c.h
	for _, k := range h.posOrder {
		r := h.pos[k]
		if err := t.writePosition(ctx, r.p); err != nil {
			return err
		}
		r.dirty = false
	}
	for _, pf := range h.cashOrder {
		r := h.cash[pf]
		if err := t.writeCash(ctx, pf, r.cash); err != nil {
			return err
		}
		r.dirty = false
	}
	h.posOrder, h.cashOrder = h.posOrder[:0], h.cashOrder[:0]
	return nil
}
