package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/ballast-oms/ballast/portfolio"
)

// Import kinds accepted by ImportCSV.
const (
	ImportSecurities = "securities"
	ImportPortfolios = "portfolios"
	ImportHoldings   = "holdings"
	ImportPrices     = "prices"
)

// ImportKinds lists the kinds ImportCSV accepts, in the order files usually load.
var ImportKinds = []string{ImportSecurities, ImportPortfolios, ImportHoldings, ImportPrices, ImportModels, ImportRestrictions}

// ImportCSV imports a CSV file of kind "securities", "portfolios", "holdings" or
// "prices" (formats in docs/import.md). The whole file is validated first, also
// against stored securities and portfolios; if any line is bad it returns
// portfolio.ImportErrors listing every bad line and writes nothing. Otherwise it
// upserts every row in one transaction and counts rows added and updated.
func (d *DB) ImportCSV(ctx context.Context, kind string, r io.Reader) (portfolio.ImportResult, error) {
	var res portfolio.ImportResult
	var err error
	switch kind {
	case ImportSecurities:
		res, err = d.importSecurities(ctx, r)
	case ImportPortfolios:
		res, err = d.importPortfolios(ctx, r)
	case ImportHoldings:
		res, err = d.importHoldings(ctx, r)
	case ImportPrices:
		res, err = d.importPrices(ctx, r)
	case ImportModels:
		res, err = d.importModels(ctx, r)
	case ImportRestrictions:
		res, err = d.importRestrictions(ctx, r)
	default:
		return res, fmt.Errorf("db: import: unknown kind %q (want securities, portfolios, holdings, prices, models or restrictions)", kind)
	}
	if _, bad := err.(portfolio.ImportErrors); bad {
		return res, err // returned bare so callers can list the lines
	}
	if err != nil {
		return res, fmt.Errorf("db: import %s: %w", kind, err)
	}
	return res, nil
}

// importFile runs the common shape of an import: stop on a bad header or bad
// lines; then, in one writer transaction, let check add problems found against
// stored data (nothing is written if it finds any) and let write upsert the rows.
func importFile[T any](ctx context.Context, d *DB, f portfolio.ImportFile[T], parseErr error,
	check func(ctx context.Context, tx *sql.Tx) (portfolio.ImportErrors, error),
	write func(ctx context.Context, tx *sql.Tx) (portfolio.ImportResult, error),
) (portfolio.ImportResult, error) {
	var res portfolio.ImportResult
	if parseErr != nil {
		return res, parseErr
	}
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		bad := f.Errors
		if check != nil {
			more, err := check(ctx, tx)
			if err != nil {
				return err
			}
			bad = append(bad, more...)
		}
		if len(bad) > 0 {
			portfolio.SortErrors(bad)
			return bad
		}
		var err error
		res, err = write(ctx, tx)
		return err
	})
	return res, err
}

// upsert runs insert (… ON CONFLICT DO NOTHING) and, when it changed nothing,
// update; it counts the row as added or updated.
func upsert(ctx context.Context, ins, upd *sql.Stmt, res *portfolio.ImportResult, insArgs, updArgs []any) error {
	r, err := ins.ExecContext(ctx, insArgs...)
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		res.Added++
		return nil
	}
	if _, err := upd.ExecContext(ctx, updArgs...); err != nil {
		return err
	}
	res.Updated++
	return nil
}

// prepare prepares statements on tx; the caller closes them with closeAll.
func prepare(ctx context.Context, tx *sql.Tx, queries ...string) ([]*sql.Stmt, error) {
	out := make([]*sql.Stmt, 0, len(queries))
	for _, q := range queries {
		s, err := tx.PrepareContext(ctx, q)
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("prepare: %w", err)
		}
		out = append(out, s)
	}
	return out, nil
}

func closeAll(stmts []*sql.Stmt) {
	for _, s := range stmts {
		s.Close()
	}
}

// keySet reads one TEXT column into a set (known symbols, portfolio codes).
func keySet(ctx context.Context, tx *sql.Tx, q string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}
