package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/ballast-oms/ballast/portfolio"
)

// ErrInvalid is wrapped when a write is refused because its data is invalid,
// e.g. a model whose weights do not sum to 100 or that names an unknown security.
var ErrInvalid = errors.New("invalid")

// Models lists every shared model (not portfolios' own targets) with its
// targets, ordered by name; targets are ordered by symbol with CASH last.
func (d *DB) Models(ctx context.Context) ([]portfolio.Model, error) {
	ms, err := d.loadModels(ctx, `WHERE m.portfolio IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("db: models: %w", err)
	}
	return ms, nil
}

// Model returns the shared model called name, or an error wrapping ErrNotFound.
func (d *DB) Model(ctx context.Context, name string) (portfolio.Model, error) {
	ms, err := d.loadModels(ctx, `WHERE m.portfolio IS NULL AND m.name = ?`, name)
	if err != nil {
		return portfolio.Model{}, fmt.Errorf("db: model %s: %w", name, err)
	}
	if len(ms) == 0 {
		return portfolio.Model{}, fmt.Errorf("db: model %s: %w", name, ErrNotFound)
	}
	return ms[0], nil
}

// PortfolioTargets returns the portfolio's own targets as a model named after
// it, or an error wrapping ErrNotFound when it has none.
func (d *DB) PortfolioTargets(ctx context.Context, code string) (portfolio.Model, error) {
	ms, err := d.loadModels(ctx, `WHERE m.portfolio = ?`, code)
	if err != nil {
		return portfolio.Model{}, fmt.Errorf("db: targets of %s: %w", code, err)
	}
	if len(ms) == 0 {
		return portfolio.Model{}, fmt.Errorf("db: targets of %s: %w", code, ErrNotFound)
	}
	return ms[0], nil
}

// ModelFor returns what portfolio code is rebalanced against: the shared
// model it follows, or its own targets when it follows none. The error wraps
// ErrNotFound when the portfolio, its model or its own targets do not exist.
func (d *DB) ModelFor(ctx context.Context, code string) (portfolio.Model, error) {
	p, err := d.Portfolio(ctx, code)
	if err != nil {
		return portfolio.Model{}, err
	}
	if p.Model != "" {
		return d.Model(ctx, p.Model)
	}
	return d.PortfolioTargets(ctx, code)
}

// AllModels returns every shared model by name and every portfolio's own
// targets by portfolio code, in two maps, from one query.
func (d *DB) AllModels(ctx context.Context) (shared, own map[string]portfolio.Model, err error) {
	ms, owners, err := d.scanModels(ctx, ``)
	if err != nil {
		return nil, nil, fmt.Errorf("db: all models: %w", err)
	}
	shared, own = map[string]portfolio.Model{}, map[string]portfolio.Model{}
	for i, m := range ms {
		if owners[i] == "" {
			shared[m.Name] = m
		} else {
			own[owners[i]] = m
		}
	}
	return shared, own, nil
}

// SaveModel creates or replaces the shared model m.Name with its band and
// targets, in one transaction. The model must validate (weights summing to
// exactly 100, CASH included) and name only known securities; otherwise the
// error wraps ErrInvalid and nothing is written.
func (d *DB) SaveModel(ctx context.Context, m portfolio.Model) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error { return saveModel(ctx, tx, m, "") })
	if err != nil {
		return fmt.Errorf("db: save model %s: %w", m.Name, err)
	}
	return nil
}

// SavePortfolioTargets replaces portfolio code's own targets with m (its Name
// is set to code), as SaveModel does for a shared model.
func (d *DB) SavePortfolioTargets(ctx context.Context, code string, m portfolio.Model) error {
	m.Name = code
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := portfolioIn(ctx, tx, code); err != nil {
			return err
		}
		return saveModel(ctx, tx, m, code)
	})
	if err != nil {
		return fmt.Errorf("db: save targets of %s: %w", code, err)
	}
	return nil
}

// SetPortfolioModel makes portfolio code follow the shared model name; an
// empty name makes it follow its own targets.
func (d *DB) SetPortfolioModel(ctx context.Context, code, name string) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := portfolioIn(ctx, tx, code); err != nil {
			return err
		}
		if name != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM models WHERE portfolio IS NULL AND name = ?`, name).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("model %s: %w", name, ErrNotFound)
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE portfolios SET model = ? WHERE code = ?`, name, code)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: set model of %s: %w", code, err)
	}
	return nil
}

// PortfoliosOnModel lists the codes of the portfolios that follow model name, in order.
func (d *DB) PortfoliosOnModel(ctx context.Context, name string) ([]string, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT code FROM portfolios WHERE model = ? ORDER BY code`, name)
	if err != nil {
		return nil, fmt.Errorf("db: portfolios on model %s: %w", name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("db: portfolios on model %s: %w", name, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// portfolioIn checks inside tx that portfolio code exists.
func portfolioIn(ctx context.Context, tx *sql.Tx, code string) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM portfolios WHERE code = ?`, code).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("portfolio %s: %w", code, ErrNotFound)
	}
	return err == nil, err
}

// saveModel validates m against the securities master and replaces the model
// row (shared when owner is empty, else owner's own targets) and its targets.
func saveModel(ctx context.Context, tx *sql.Tx, m portfolio.Model, owner string) error {
	symbols, err := keySet(ctx, tx, `SELECT symbol FROM securities`)
	if err != nil {
		return err
	}
	if err := checkModel(m, symbols); err != nil {
		return err
	}
	id, err := modelID(ctx, tx, m.Name, owner)
	if err != nil {
		return err
	}
	kind, width := bandColumns(m.Band)
	if id == 0 {
		var o any
		if owner != "" {
			o = owner
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO models (name, portfolio, band_kind, band_width) VALUES (?, ?, ?, ?)`,
			m.Name, o, kind, width)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
	} else {
		if _, err := tx.ExecContext(ctx, `UPDATE models SET band_kind = ?, band_width = ? WHERE id = ?`, kind, width, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM model_targets WHERE model_id = ?`, id); err != nil {
			return err
		}
	}
	return insertTargets(ctx, tx, id, m.Targets)
}

// checkModel reports an invalid model or one naming unknown securities, wrapping ErrInvalid.
func checkModel(m portfolio.Model, symbols map[string]bool) error {
	errs := []error{m.Validate()}
	for _, t := range m.Targets {
		if t.Symbol != portfolio.CashSymbol && t.Symbol != "" && !symbols[t.Symbol] {
			errs = append(errs, fmt.Errorf("%s: unknown symbol", t.Symbol))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// modelID returns the id of the model name (shared) or of owner's own targets; 0 when absent.
func modelID(ctx context.Context, tx *sql.Tx, name, owner string) (int64, error) {
	q, arg := `SELECT id FROM models WHERE portfolio IS NULL AND name = ?`, name
	if owner != "" {
		q, arg = `SELECT id FROM models WHERE portfolio = ?`, owner
	}
	var id int64
	err := tx.QueryRowContext(ctx, q, arg).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func insertTargets(ctx context.Context, tx *sql.Tx, id int64, targets []portfolio.Target) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO model_targets (model_id, symbol, weight, band_kind, band_width) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, t := range targets {
		kind, width := bandColumns(t.Band)
		if _, err := st.ExecContext(ctx, id, t.Symbol, t.Weight.String(), kind, width); err != nil {
			return fmt.Errorf("target %s: %w", t.Symbol, err)
		}
	}
	return nil
}

func bandColumns(b portfolio.Band) (string, string) {
	if !b.IsSet() {
		return "", "0"
	}
	return string(b.Kind), b.Width.String()
}

func bandFrom(kind, width string) (portfolio.Band, error) {
	if kind == "" {
		return portfolio.Band{}, nil
	}
	w, err := parseDecimal(width)
	return portfolio.Band{Kind: portfolio.BandKind(kind), Width: w}, err
}

// loadModels reads the models matching where (over models m) with their targets.
func (d *DB) loadModels(ctx context.Context, where string, args ...any) ([]portfolio.Model, error) {
	ms, _, err := d.scanModels(ctx, where, args...)
	return ms, err
}

// scanModels reads models and targets in one query, returning each model with its owner ("" when shared).
func (d *DB) scanModels(ctx context.Context, where string, args ...any) ([]portfolio.Model, []string, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT m.id, m.name, COALESCE(m.portfolio, ''), m.band_kind, m.band_width,
		COALESCE(t.symbol, ''), COALESCE(t.weight, ''), COALESCE(t.band_kind, ''), COALESCE(t.band_width, '0')
		FROM models m LEFT JOIN model_targets t ON t.model_id = m.id `+where+` ORDER BY m.portfolio IS NOT NULL, m.name, m.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []portfolio.Model
	var owners []string
	lastID := int64(-1)
	for rows.Next() {
		var id int64
		var name, owner, mk, mw, sym, weight, tk, tw string
		if err := rows.Scan(&id, &name, &owner, &mk, &mw, &sym, &weight, &tk, &tw); err != nil {
			return nil, nil, err
		}
		if id != lastID {
			band, err := bandFrom(mk, mw)
			if err != nil {
				return nil, nil, fmt.Errorf("model %s: %w", name, err)
			}
			out, owners, lastID = append(out, portfolio.Model{Name: name, Band: band}), append(owners, owner), id
		}
		if sym == "" {
			continue
		}
		t, err := scanTarget(sym, weight, tk, tw)
		if err != nil {
			return nil, nil, fmt.Errorf("model %s: %w", name, err)
		}
		m := &out[len(out)-1]
		m.Targets = append(m.Targets, t)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for i := range out {
		sortTargets(out[i].Targets)
	}
	return out, owners, nil
}

func scanTarget(sym, weight, kind, width string) (portfolio.Target, error) {
	w, err := parseDecimal(weight)
	if err != nil {
		return portfolio.Target{}, fmt.Errorf("%s: %w", sym, err)
	}
	band, err := bandFrom(kind, width)
	if err != nil {
		return portfolio.Target{}, fmt.Errorf("%s: %w", sym, err)
	}
	return portfolio.Target{Symbol: sym, Weight: w, Band: band}, nil
}

// sortTargets orders targets by symbol with CASH last.
func sortTargets(ts []portfolio.Target) {
	sort.Slice(ts, func(i, j int) bool {
		ci, cj := ts[i].Symbol == portfolio.CashSymbol, ts[j].Symbol == portfolio.CashSymbol
		if ci != cj {
			return cj
		}
		return ts[i].Symbol < ts[j].Symbol
	})
}
