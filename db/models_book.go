package db

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/ballast-oms/ballast/rebalance"
)

// LoadBook writes a whole book of plan inputs (e.g. rebalance.Synthetic) into
// an empty database in one transaction: the securities and their prices, the
// shared models, and each portfolio with its positions following its model.
// It is for benchmarks and load tests at scale.
func (d *DB) LoadBook(ctx context.Context, inputs []rebalance.Input) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if len(inputs) == 0 {
			return nil
		}
		if err := loadSecurities(ctx, tx, inputs[0], formatTime(d.now())); err != nil {
			return err
		}
		saved := map[string]bool{}
		for _, in := range inputs {
			if m := in.Model; !saved[m.Name] {
				if err := saveModel(ctx, tx, m, ""); err != nil {
					return fmt.Errorf("model %s: %w", m.Name, err)
				}
				saved[m.Name] = true
			}
		}
		return loadPortfolios(ctx, tx, inputs)
	})
	if err != nil {
		return fmt.Errorf("db: load book: %w", err)
	}
	return nil
}

func loadSecurities(ctx context.Context, tx *sql.Tx, in rebalance.Input, now string) error {
	st, err := prepare(ctx, tx,
		`INSERT INTO securities (symbol, name, issuer, sector, country, currency, asset_class, lot_size, price_increment)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		`INSERT INTO prices (symbol, price, as_of, source) VALUES (?, ?, ?, 'bench')`)
	if err != nil {
		return err
	}
	defer closeAll(st)
	syms := make([]string, 0, len(in.Securities))
	for s := range in.Securities {
		syms = append(syms, s)
	}
	sort.Strings(syms)
	for _, sym := range syms {
		s := in.Securities[sym]
		if _, err := st[0].ExecContext(ctx, s.Symbol, s.Name, s.Issuer, s.Sector, s.Country, s.Currency, s.AssetClass,
			s.LotSize.String(), s.PriceIncrement.String()); err != nil {
			return fmt.Errorf("security %s: %w", sym, err)
		}
		if p, ok := in.Prices[sym]; ok {
			if _, err := st[1].ExecContext(ctx, sym, p.String(), now); err != nil {
				return fmt.Errorf("price %s: %w", sym, err)
			}
		}
	}
	return nil
}

func loadPortfolios(ctx context.Context, tx *sql.Tx, inputs []rebalance.Input) error {
	st, err := prepare(ctx, tx,
		`INSERT INTO portfolios (code, name, base_currency, cash, model) VALUES (?, ?, ?, ?, ?)`,
		`INSERT INTO positions (portfolio, symbol, quantity, avg_cost) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer closeAll(st)
	for _, in := range inputs {
		p := in.Holdings.Portfolio
		if _, err := st[0].ExecContext(ctx, p.Code, p.Name, p.BaseCurrency, p.Cash.String(), in.Model.Name); err != nil {
			return fmt.Errorf("portfolio %s: %w", p.Code, err)
		}
		for _, pos := range in.Holdings.Positions {
			if _, err := st[1].ExecContext(ctx, p.Code, pos.Symbol, pos.Quantity.String(), pos.AvgCost.String()); err != nil {
				return fmt.Errorf("position %s %s: %w", p.Code, pos.Symbol, err)
			}
		}
	}
	return nil
}
