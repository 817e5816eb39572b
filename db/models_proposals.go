package db

import (
	"context"
	"database/sql"
	"fmt"
)

// CreateProposal records a rebalance proposal by user by, of trades trades
// over portfolios portfolios, and returns its id for the orders it becomes.
func (d *DB) CreateProposal(ctx context.Context, by string, portfolios, trades int) (int64, error) {
	var id int64
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO proposals (created_by, created_at, portfolios, trades) VALUES (?, ?, ?, ?)`,
			by, formatTime(d.now()), portfolios, trades)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("db: create proposal: %w", err)
	}
	return id, nil
}

// DeleteProposal removes proposal id when its orders could not be saved.
func (d *DB) DeleteProposal(ctx context.Context, id int64) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM proposals WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: delete proposal %d: %w", id, err)
	}
	return nil
}
