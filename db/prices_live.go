package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ballast-oms/ballast/portfolio"
)

// SavePrices stores one batch of live prices (a feed tick, an API post, a
// manual entry) in one transaction: each price goes into the history and
// moves its symbol's latest price forward. Every symbol must be in the
// securities master; nothing is written otherwise.
func (d *DB) SavePrices(ctx context.Context, batch []portfolio.Price) error {
	if len(batch) == 0 {
		return nil
	}
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		_, err := writePrices(ctx, tx, batch)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: save %d prices: %w", len(batch), err)
	}
	return nil
}

// UnknownSymbols returns the symbols that are not in the securities master,
// in the order given, each once.
func (d *DB) UnknownSymbols(ctx context.Context, symbols []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, s := range symbols {
		if seen[s] {
			continue
		}
		seen[s] = true
		var one int
		err := d.reader.QueryRowContext(ctx, `SELECT 1 FROM securities WHERE symbol = ?`, s).Scan(&one)
		if err == sql.ErrNoRows {
			out = append(out, s)
		} else if err != nil {
			return nil, fmt.Errorf("db: unknown symbols: %w", err)
		}
	}
	return out, nil
}
