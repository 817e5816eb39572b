package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/ballast-oms/ballast/portfolio"
)

// ImportModels is the ImportCSV kind of a models file: model,symbol,weight[,band].
const ImportModels = "models"

// importModels imports a models file. Each model named in the file has its
// targets replaced by the file's lines (its band is kept); a model must sum to
// exactly 100 with CASH and name only known securities. Counts are per model.
func (d *DB) importModels(ctx context.Context, r io.Reader) (portfolio.ImportResult, error) {
	f, err := portfolio.ParseModelsCSV(r)
	check := func(ctx context.Context, tx *sql.Tx) (portfolio.ImportErrors, error) {
		symbols, err := keySet(ctx, tx, `SELECT symbol FROM securities`)
		if err != nil {
			return nil, err
		}
		var bad portfolio.ImportErrors
		for _, row := range f.Rows {
			if s := row.Value.Target.Symbol; s != portfolio.CashSymbol && !symbols[s] {
				bad = append(bad, portfolio.LineError{Line: row.Line, Reason: fmt.Sprintf("unknown symbol %q", s)})
			}
		}
		return bad, nil
	}
	write := func(ctx context.Context, tx *sql.Tx) (portfolio.ImportResult, error) {
		var res portfolio.ImportResult
		for _, m := range portfolio.ModelsFromLines(f.Rows) {
			id, err := modelID(ctx, tx, m.Name, "")
			if err != nil {
				return res, err
			}
			if id == 0 {
				res.Added++
			} else {
				res.Updated++
				if m.Band, err = modelBand(ctx, tx, id); err != nil {
					return res, err
				}
			}
			if err := saveModel(ctx, tx, m, ""); err != nil {
				return res, fmt.Errorf("model %s: %w", m.Name, err)
			}
		}
		return res, nil
	}
	return importFile(ctx, d, f, err, check, write)
}

// modelBand reads a stored model's own band.
func modelBand(ctx context.Context, tx *sql.Tx, id int64) (portfolio.Band, error) {
	var kind, width string
	if err := tx.QueryRowContext(ctx, `SELECT band_kind, band_width FROM models WHERE id = ?`, id).Scan(&kind, &width); err != nil {
		return portfolio.Band{}, err
	}
	return bandFrom(kind, width)
}
