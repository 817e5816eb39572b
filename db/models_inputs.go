package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/shopspring/decimal"
)

// Restrictions returns portfolio code's rebalancing restrictions by symbol.
func (d *DB) Restrictions(ctx context.Context, code string) (map[string]rebalance.Restriction, error) {
	all, err := d.restrictions(ctx, `WHERE portfolio = ?`, code)
	if err != nil {
		return nil, fmt.Errorf("db: restrictions of %s: %w", code, err)
	}
	if all[code] == nil {
		return map[string]rebalance.Restriction{}, nil
	}
	return all[code], nil
}

// SetRestriction sets how rebalancing may trade symbol in portfolio code; a
// restriction with no flag set removes the row.
func (d *DB) SetRestriction(ctx context.Context, code, symbol string, r rebalance.Restriction) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if r == (rebalance.Restriction{}) {
			_, err := tx.ExecContext(ctx, `DELETE FROM restrictions WHERE portfolio = ? AND symbol = ?`, code, symbol)
			return err
		}
		if _, err := portfolioIn(ctx, tx, code); err != nil {
			return err
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM securities WHERE symbol = ?`, symbol).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("security %s: %w", symbol, ErrNotFound)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO restrictions (portfolio, symbol, do_not_buy, do_not_sell, excluded)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (portfolio, symbol) DO UPDATE SET do_not_buy = excluded.do_not_buy,
			do_not_sell = excluded.do_not_sell, excluded = excluded.excluded`,
			code, symbol, r.DoNotBuy, r.DoNotSell, r.Excluded)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: restrict %s %s: %w", code, symbol, err)
	}
	return nil
}

// restrictions reads restrictions matching where, by portfolio and symbol.
func (d *DB) restrictions(ctx context.Context, where string, args ...any) (map[string]map[string]rebalance.Restriction, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT portfolio, symbol, do_not_buy, do_not_sell, excluded
		FROM restrictions `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]rebalance.Restriction{}
	for rows.Next() {
		var code, sym string
		var r rebalance.Restriction
		if err := rows.Scan(&code, &sym, &r.DoNotBuy, &r.DoNotSell, &r.Excluded); err != nil {
			return nil, err
		}
		if out[code] == nil {
			out[code] = map[string]rebalance.Restriction{}
		}
		out[code][sym] = r
	}
	return out, rows.Err()
}

// RebalanceInputs loads everything rebalance.Plan needs for the portfolios
// codes (every portfolio when codes is empty) in a handful of queries: holdings,
// the model each follows or its own targets, latest prices, securities and
// restrictions. Inputs are one per portfolio with targets, in the order of
// codes (by code for all), sharing one Prices and one Securities map;
// noTargets lists the portfolios skipped because they follow no model (or a
// missing one) and have no own targets. An unknown code is an error wrapping
// ErrNotFound.
func (d *DB) RebalanceInputs(ctx context.Context, codes []string) (inputs []rebalance.Input, noTargets []string, err error) {
	hs, err := d.holdingsFor(ctx, codes)
	if err != nil {
		return nil, nil, err
	}
	parts, err := d.inputParts(ctx)
	if err != nil {
		return nil, nil, err
	}
	inputs, noTargets = inputsOf(hs, parts)
	return inputs, noTargets, nil
}

// inputParts reads what every portfolio's rebalance input shares.
func (d *DB) inputParts(ctx context.Context) (inputParts, error) {
	shared, own, err := d.AllModels(ctx)
	if err != nil {
		return inputParts{}, err
	}
	prices, secs, err := d.pricesAndSecurities(ctx)
	if err != nil {
		return inputParts{}, err
	}
	restr, err := d.restrictions(ctx, ``)
	if err != nil {
		return inputParts{}, fmt.Errorf("db: rebalance inputs: restrictions: %w", err)
	}
	return inputParts{shared: shared, own: own, prices: prices, secs: secs, restr: restr}, nil
}

// inputParts is what the portfolios' rebalance inputs share: models, own
// targets, latest prices, securities and restrictions.
type inputParts struct {
	shared, own map[string]portfolio.Model
	prices      map[string]decimal.Decimal
	secs        map[string]portfolio.Security
	restr       map[string]map[string]rebalance.Restriction
}

// inputsOf is the rebalance input of each of hs with targets (its model's,
// or its own), and the codes of those without.
func inputsOf(hs []portfolio.Holdings, b inputParts) (inputs []rebalance.Input, noTargets []string) {
	inputs = make([]rebalance.Input, 0, len(hs))
	for _, h := range hs {
		m, ok := b.own[h.Portfolio.Code]
		if h.Portfolio.Model != "" {
			m, ok = b.shared[h.Portfolio.Model]
		}
		if !ok {
			noTargets = append(noTargets, h.Portfolio.Code)
			continue
		}
		inputs = append(inputs, rebalance.Input{Holdings: h, Model: m, Prices: b.prices,
			Securities: b.secs, Restrictions: b.restr[h.Portfolio.Code]})
	}
	return inputs, noTargets
}

// holdingsFor returns the holdings of codes (all when empty) in the order given.
func (d *DB) holdingsFor(ctx context.Context, codes []string) ([]portfolio.Holdings, error) {
	if len(codes) == 0 {
		return d.AllHoldings(ctx)
	}
	if len(codes) > 20 {
		all, err := d.AllHoldings(ctx)
		if err != nil {
			return nil, err
		}
		return inCodeOrder(all, func(h portfolio.Holdings) string { return h.Portfolio.Code }, codes, "holdings")
	}
	out := make([]portfolio.Holdings, 0, len(codes))
	for _, c := range codes {
		h, err := d.Holdings(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// inCodeOrder is the item of all with each of codes (code tells an item's),
// in the order of codes; an unknown code is an error wrapping ErrNotFound.
func inCodeOrder[T any](all []T, code func(T) string, codes []string, what string) ([]T, error) {
	byCode := make(map[string]T, len(all))
	for _, x := range all {
		byCode[code(x)] = x
	}
	out := make([]T, 0, len(codes))
	for _, c := range codes {
		x, ok := byCode[c]
		if !ok {
			return nil, fmt.Errorf("db: %s %s: %w", what, c, ErrNotFound)
		}
		out = append(out, x)
	}
	return out, nil
}

// pricesAndSecurities returns the latest price values and the securities master, by symbol.
func (d *DB) pricesAndSecurities(ctx context.Context) (map[string]decimal.Decimal, map[string]portfolio.Security, error) {
	latest, err := d.LatestPrices(ctx)
	if err != nil {
		return nil, nil, err
	}
	prices := make(map[string]decimal.Decimal, len(latest))
	for sym, p := range latest {
		prices[sym] = p.Value
	}
	list, err := d.Securities(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	secs := make(map[string]portfolio.Security, len(list))
	for _, s := range list {
		secs[s.Symbol] = s
	}
	return prices, secs, nil
}
