package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

const portfolioColumns = `code, name, base_currency, cash, model, tags, default_broker`

// Portfolios lists every portfolio ordered by code.
func (d *DB) Portfolios(ctx context.Context) ([]portfolio.Portfolio, error) {
	ps, err := portfoliosIn(ctx, d.reader)
	if err != nil {
		return nil, fmt.Errorf("db: portfolios: %w", err)
	}
	return ps, nil
}

// Portfolio returns the portfolio with code, or an error wrapping ErrNotFound.
func (d *DB) Portfolio(ctx context.Context, code string) (portfolio.Portfolio, error) {
	row := d.reader.QueryRowContext(ctx, `SELECT `+portfolioColumns+` FROM portfolios WHERE code = ?`, code)
	p, err := scanPortfolio(row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("db: portfolio %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("db: portfolio %s: %w", code, err)
	}
	return p, nil
}

// Holdings returns a portfolio with its positions ordered by symbol, or an error
// wrapping ErrNotFound.
func (d *DB) Holdings(ctx context.Context, code string) (portfolio.Holdings, error) {
	p, err := d.Portfolio(ctx, code)
	if err != nil {
		return portfolio.Holdings{}, err
	}
	pos, err := d.positions(ctx, `WHERE portfolio = ?`, code)
	if err != nil {
		return portfolio.Holdings{}, fmt.Errorf("db: holdings %s: %w", code, err)
	}
	return portfolio.Holdings{Portfolio: p, Positions: pos}, nil
}

// AllHoldings returns every portfolio's holdings ordered by code, in two queries.
func (d *DB) AllHoldings(ctx context.Context) ([]portfolio.Holdings, error) {
	ps, err := d.Portfolios(ctx)
	if err != nil {
		return nil, err
	}
	pos, err := d.positions(ctx, ``)
	if err != nil {
		return nil, fmt.Errorf("db: all holdings: %w", err)
	}
	return holdingsOf(ps, pos), nil
}

// holdingsOf is each of ps with its positions among pos.
func holdingsOf(ps []portfolio.Portfolio, pos []portfolio.Position) []portfolio.Holdings {
	byCode := make(map[string][]portfolio.Position, len(ps))
	for _, p := range pos {
		byCode[p.Portfolio] = append(byCode[p.Portfolio], p)
	}
	out := make([]portfolio.Holdings, len(ps))
	for i, p := range ps {
		out[i] = portfolio.Holdings{Portfolio: p, Positions: byCode[p.Code]}
	}
	return out
}

// positions reads positions matching where, ordered by portfolio and symbol.
func (d *DB) positions(ctx context.Context, where string, args ...any) ([]portfolio.Position, error) {
	return positionsIn(ctx, d.reader, where, args...)
}

// positionsIn reads positions matching where through q, ordered by portfolio and symbol.
func positionsIn(ctx context.Context, q querier, where string, args ...any) ([]portfolio.Position, error) {
	rows, err := q.QueryContext(ctx, `SELECT portfolio, symbol, quantity, avg_cost, realised_pnl
		FROM positions `+where+` ORDER BY portfolio, symbol`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []portfolio.Position
	for rows.Next() {
		var p portfolio.Position
		var qty, cost, pnl string
		if err := rows.Scan(&p.Portfolio, &p.Symbol, &qty, &cost, &pnl); err != nil {
			return nil, err
		}
		key := p.Portfolio + "/" + p.Symbol
		err := parseDecimals(key, []string{qty, cost, pnl},
			[]*decimal.Decimal{&p.Quantity, &p.AvgCost, &p.RealisedPnL})
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanPortfolio(r scanner) (portfolio.Portfolio, error) {
	var p portfolio.Portfolio
	var cash, tags string
	if err := r.Scan(&p.Code, &p.Name, &p.BaseCurrency, &cash, &p.Model, &tags, &p.DefaultBroker); err != nil {
		return p, err
	}
	p.Tags = splitTags(tags)
	var err error
	if p.Cash, err = parseDecimal(cash); err != nil {
		return p, fmt.Errorf("%s: %w", p.Code, err)
	}
	return p, nil
}

// splitTags reads the stored space-separated tag list.
func splitTags(s string) []string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil
	}
	return f
}

// joinTags is the stored form of a tag list.
func joinTags(tags []string) string { return strings.Join(tags, " ") }
