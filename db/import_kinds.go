package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/ballast-oms/ballast/portfolio"
)

func (d *DB) importSecurities(ctx context.Context, r io.Reader) (portfolio.ImportResult, error) {
	f, err := portfolio.ParseSecuritiesCSV(r)
	write := func(ctx context.Context, tx *sql.Tx) (portfolio.ImportResult, error) {
		var res portfolio.ImportResult
		st, err := prepare(ctx, tx,
			`INSERT INTO securities (symbol, name, issuer, sector, country, currency, asset_class,
				lot_size, adv, shares_outstanding, price_increment)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (symbol) DO NOTHING`,
			`UPDATE securities SET name = ?2, issuer = ?3, sector = ?4, country = ?5, currency = ?6,
				asset_class = ?7, lot_size = ?8, adv = ?9, shares_outstanding = ?10, price_increment = CASE WHEN ?12 THEN ?11 ELSE price_increment END
			WHERE symbol = ?1`)
		if err != nil {
			return res, err
		}
		defer closeAll(st)
		for _, row := range f.Rows {
			s := row.Value
			args := []any{s.Symbol, s.Name, s.Issuer, s.Sector, s.Country, s.Currency, s.AssetClass,
				s.LotSize.String(), s.ADV.String(), s.SharesOutstanding.String(), s.PriceIncrement.String()}
			// Without a price_increment column the stored increment is kept.
			upd := append(args[:len(args):len(args)], f.Columns["price_increment"])
			if err := upsert(ctx, st[0], st[1], &res, args, upd); err != nil {
				return res, fmt.Errorf("line %d: %w", row.Line, err)
			}
		}
		return res, nil
	}
	return importFile(ctx, d, f, err, nil, write)
}

func (d *DB) importPortfolios(ctx context.Context, r io.Reader) (portfolio.ImportResult, error) {
	f, err := portfolio.ParsePortfoliosCSV(r)
	write := func(ctx context.Context, tx *sql.Tx) (portfolio.ImportResult, error) {
		var res portfolio.ImportResult
		st, err := prepare(ctx, tx,
			`INSERT INTO portfolios (code, name, base_currency, cash, model, tags, default_broker)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO NOTHING`,
			`UPDATE portfolios SET name = ?2, base_currency = ?3, cash = ?4,
				model = CASE WHEN ?8 THEN ?5 ELSE model END,
				tags = CASE WHEN ?9 THEN ?6 ELSE tags END,
				default_broker = CASE WHEN ?10 THEN ?7 ELSE default_broker END
			WHERE code = ?1`)
		if err != nil {
			return res, err
		}
		defer closeAll(st)
		for _, row := range f.Rows {
			p := row.Value
			args := []any{p.Code, p.Name, p.BaseCurrency, p.Cash.String(), p.Model, joinTags(p.Tags), p.DefaultBroker}
			// Optional columns absent from the file keep their stored values.
			upd := append(args[:len(args):len(args)], f.Columns["model"], f.Columns["tags"], f.Columns["default_broker"])
			if err := upsert(ctx, st[0], st[1], &res, args, upd); err != nil {
				return res, fmt.Errorf("line %d: %w", row.Line, err)
			}
		}
		return res, nil
	}
	return importFile(ctx, d, f, err, nil, write)
}

func (d *DB) importHoldings(ctx context.Context, r io.Reader) (portfolio.ImportResult, error) {
	f, err := portfolio.ParseHoldingsCSV(r)
	check := func(ctx context.Context, tx *sql.Tx) (portfolio.ImportErrors, error) {
		codes, err := keySet(ctx, tx, `SELECT code FROM portfolios`)
		if err != nil {
			return nil, err
		}
		symbols, err := keySet(ctx, tx, `SELECT symbol FROM securities`)
		if err != nil {
			return nil, err
		}
		var bad portfolio.ImportErrors
		for _, row := range f.Rows {
			if !codes[row.Value.Portfolio] {
				bad = append(bad, portfolio.LineError{Line: row.Line, Reason: fmt.Sprintf("unknown portfolio %q", row.Value.Portfolio)})
			}
			if !symbols[row.Value.Symbol] {
				bad = append(bad, portfolio.LineError{Line: row.Line, Reason: fmt.Sprintf("unknown symbol %q", row.Value.Symbol)})
			}
		}
		return bad, nil
	}
	write := func(ctx context.Context, tx *sql.Tx) (portfolio.ImportResult, error) {
		var res portfolio.ImportResult
		st, err := prepare(ctx, tx,
			`INSERT INTO positions (portfolio, symbol, quantity, avg_cost) VALUES (?1, ?2, ?3, ?4)
			ON CONFLICT (portfolio, symbol) DO NOTHING`,
			`UPDATE positions SET quantity = ?3, avg_cost = ?4 WHERE portfolio = ?1 AND symbol = ?2`)
		if err != nil {
			return res, err
		}
		defer closeAll(st)
		for _, row := range f.Rows {
			p := row.Value
			args := []any{p.Portfolio, p.Symbol, p.Quantity.String(), p.AvgCost.String()}
			if err := upsert(ctx, st[0], st[1], &res, args, args); err != nil {
				return res, fmt.Errorf("line %d: %w", row.Line, err)
			}
		}
		return res, nil
	}
	return importFile(ctx, d, f, err, check, write)
}

func (d *DB) importPrices(ctx context.Context, r io.Reader) (portfolio.ImportResult, error) {
	f, err := portfolio.ParsePricesCSV(r, d.now())
	check := func(ctx context.Context, tx *sql.Tx) (portfolio.ImportErrors, error) {
		symbols, err := keySet(ctx, tx, `SELECT symbol FROM securities`)
		if err != nil {
			return nil, err
		}
		var bad portfolio.ImportErrors
		for _, row := range f.Rows {
			if !symbols[row.Value.Symbol] {
				bad = append(bad, portfolio.LineError{Line: row.Line, Reason: fmt.Sprintf("unknown symbol %q", row.Value.Symbol)})
			}
		}
		return bad, nil
	}
	write := func(ctx context.Context, tx *sql.Tx) (portfolio.ImportResult, error) {
		prices := make([]portfolio.Price, len(f.Rows))
		for i, row := range f.Rows {
			prices[i] = row.Value
		}
		return writePrices(ctx, tx, prices)
	}
	return importFile(ctx, d, f, err, check, write)
}

// writePrices records prices in the history (added or updated by symbol and
// as_of) and moves each symbol's latest price forward when one is newer.
func writePrices(ctx context.Context, tx *sql.Tx, prices []portfolio.Price) (portfolio.ImportResult, error) {
	var res portfolio.ImportResult
	st, err := prepare(ctx, tx,
		`INSERT INTO price_history (symbol, as_of, price, source) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT (symbol, as_of) DO NOTHING`,
		`UPDATE price_history SET price = ?3, source = ?4 WHERE symbol = ?1 AND as_of = ?2`,
		`INSERT INTO prices (symbol, price, as_of, source) VALUES (?1, ?3, ?2, ?4)
		ON CONFLICT (symbol) DO UPDATE SET price = excluded.price, as_of = excluded.as_of, source = excluded.source
		WHERE excluded.as_of >= prices.as_of`)
	if err != nil {
		return res, err
	}
	defer closeAll(st)
	latest := map[string]portfolio.Price{}
	for _, p := range prices {
		args := []any{p.Symbol, formatTime(p.AsOf), p.Value.String(), p.Source}
		if err := upsert(ctx, st[0], st[1], &res, args, args); err != nil {
			return res, fmt.Errorf("price %s: %w", p.Symbol, err)
		}
		if cur, ok := latest[p.Symbol]; !ok || !p.AsOf.Before(cur.AsOf) {
			latest[p.Symbol] = p
		}
	}
	for _, p := range latest {
		if _, err := st[2].ExecContext(ctx, p.Symbol, formatTime(p.AsOf), p.Value.String(), p.Source); err != nil {
			return res, fmt.Errorf("latest price %s: %w", p.Symbol, err)
		}
	}
	return res, nil
}
