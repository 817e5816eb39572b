package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ballast-oms/ballast/order"
)

// BlockDetail returns block id for its allocation report: the block, its own
// audit events (oldest first), its executions in the order they were booked
// and its allocations by order id. Detail.Order is left zero: a block has
// many orders (Orders with Filter.BlockID lists them). A missing block is an
// error matching order.ErrNotFound and ErrNotFound.
func (s *OrderStore) BlockDetail(ctx context.Context, id int64) (order.Detail, error) {
	var d order.Detail
	err := s.blockDetail(ctx, id, &d)
	if errors.Is(err, sql.ErrNoRows) {
		return d, orderNotFound("block", id)
	}
	if err != nil {
		return d, err
	}
	rows, err := s.d.reader.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events WHERE block_id = ? ORDER BY id`, id)
	if err != nil {
		return d, fmt.Errorf("db: block %d events: %w", id, err)
	}
	if d.Events, err = collectEvents(rows); err != nil {
		return d, err
	}
	return d, nil
}

// ClOrdIDs returns every ClOrdID of block blockID's chain (the new order
// request, then each cancel and replace), in the order they were issued.
// A block never released has none.
func (s *OrderStore) ClOrdIDs(ctx context.Context, blockID int64) ([]string, error) {
	rows, err := s.d.reader.QueryContext(ctx, `SELECT cl_ord_id FROM cl_ord_ids WHERE block_id = ? ORDER BY rowid`, blockID)
	if err != nil {
		return nil, fmt.Errorf("db: block %d ClOrdIDs: %w", blockID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: block %d ClOrdIDs: %w", blockID, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
