package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// AllTotals values every portfolio's positions at the latest stored prices,
// in one read transaction, so that cash and positions come from the same
// moment even while fills are booked (reading them apart could count a
// fill's cash without its shares). It reads only what the totals need:
// quantities, and each distinct price once.
func (d *DB) AllTotals(ctx context.Context) ([]portfolio.Totals, error) {
	tx, err := d.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("db: totals: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read only: nothing to keep
	ps, err := portfoliosIn(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("db: totals: %w", err)
	}
	out := make([]portfolio.Totals, len(ps))
	at := make(map[string]int, len(ps))
	for i, p := range ps {
		out[i] = portfolio.Totals{Portfolio: p}
		at[p.Code] = i
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.portfolio, p.quantity, coalesce(pr.price, '')
		FROM positions p LEFT JOIN prices pr ON pr.symbol = p.symbol`)
	if err != nil {
		return nil, fmt.Errorf("db: totals: %w", err)
	}
	defer rows.Close()
	prices := map[string]decimal.Decimal{}
	for rows.Next() {
		var code, qty, px string
		if err := rows.Scan(&code, &qty, &px); err != nil {
			return nil, fmt.Errorf("db: totals: %w", err)
		}
		i, ok := at[code]
		if !ok {
			continue
		}
		out[i].Positions++
		if px == "" {
			continue
		}
		price, ok := prices[px]
		if !ok {
			if price, err = parseDecimal(px); err != nil {
				return nil, fmt.Errorf("db: totals: price %q: %w", px, err)
			}
			prices[px] = price
		}
		q, err := parseDecimal(qty)
		if err != nil {
			return nil, fmt.Errorf("db: totals: %s quantity %q: %w", code, qty, err)
		}
		out[i].MarketValue = out[i].MarketValue.Add(q.Mul(price))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: totals: %w", err)
	}
	return out, nil
}

// portfoliosIn reads every portfolio through q (the reader pool, or a
// transaction), ordered by code.
func portfoliosIn(ctx context.Context, q querier) ([]portfolio.Portfolio, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+portfolioColumns+` FROM portfolios ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []portfolio.Portfolio
	for rows.Next() {
		p, err := scanPortfolio(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
