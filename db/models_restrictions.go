package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/ballast-oms/ballast/portfolio"
)

// ImportRestrictions is the ImportCSV kind of a restrictions file:
// portfolio,symbol[,do_not_buy][,do_not_sell][,excluded].
const ImportRestrictions = "restrictions"

// importRestrictions sets rebalancing restrictions per portfolio and
// security; a line with no flag set removes the restriction (counted as updated).
func (d *DB) importRestrictions(ctx context.Context, r io.Reader) (portfolio.ImportResult, error) {
	f, err := portfolio.ParseRestrictionsCSV(r)
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
			`INSERT INTO restrictions (portfolio, symbol, do_not_buy, do_not_sell, excluded) VALUES (?1, ?2, ?3, ?4, ?5)
			ON CONFLICT (portfolio, symbol) DO NOTHING`,
			`UPDATE restrictions SET do_not_buy = ?3, do_not_sell = ?4, excluded = ?5 WHERE portfolio = ?1 AND symbol = ?2`,
			`DELETE FROM restrictions WHERE portfolio = ? AND symbol = ?`)
		if err != nil {
			return res, err
		}
		defer closeAll(st)
		for _, row := range f.Rows {
			l := row.Value
			if !l.DoNotBuy && !l.DoNotSell && !l.Excluded {
				if _, err := st[2].ExecContext(ctx, l.Portfolio, l.Symbol); err != nil {
					return res, fmt.Errorf("line %d: %w", row.Line, err)
				}
				res.Updated++
				continue
			}
			args := []any{l.Portfolio, l.Symbol, l.DoNotBuy, l.DoNotSell, l.Excluded}
			if err := upsert(ctx, st[0], st[1], &res, args, args); err != nil {
				return res, fmt.Errorf("line %d: %w", row.Line, err)
			}
		}
		return res, nil
	}
	return importFile(ctx, d, f, err, check, write)
}
