package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

const blockColumns = `id, symbol, side, order_type, limit_price, stop_price, time_in_force, expire_date, broker,
	account, lot_size, status, order_qty, cum_qty, notional, cl_ord_id, pending_cl_ord_id, broker_order_id,
	created_by, created_at, released_at`

func (t *orderTx) InsertBlock(ctx context.Context, b order.Block) (int64, error) {
	vals := blockValues(b)
	res, err := t.exec(ctx, insertSQL("blocks", blockWriteColumns), vals...)
	if err != nil {
		return 0, fmt.Errorf("db: insert block: %w", err)
	}
	id, err := res.LastInsertId()
	if err == nil {
		t.c.blocks[id] = vals
	}
	return id, err
}

func (t *orderTx) Block(ctx context.Context, id int64) (order.Block, error) {
	row, err := t.queryRow(ctx, `SELECT `+blockColumns+` FROM blocks WHERE id = ?`, id)
	if err != nil {
		return order.Block{}, err
	}
	b, err := scanBlock(row)
	if errors.Is(err, sql.ErrNoRows) {
		return b, orderNotFound("block", id)
	}
	if err != nil {
		return b, fmt.Errorf("db: block %d: %w", id, err)
	}
	t.c.blocks[id] = blockValues(b)
	return b, nil
}

func (t *orderTx) UpdateBlock(ctx context.Context, b order.Block) error {
	return t.updateRow(ctx, "blocks", "block", blockWriteColumns, t.c.blocks, b.ID, blockValues(b))
}

func (t *orderTx) LinkClOrdID(ctx context.Context, clOrdID string, blockID int64) error {
	res, err := t.exec(ctx, `INSERT INTO cl_ord_ids (cl_ord_id, block_id) VALUES (?, ?) ON CONFLICT (cl_ord_id) DO NOTHING`, clOrdID, blockID)
	if err != nil {
		return fmt.Errorf("db: link ClOrdID %s: %w", clOrdID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	row, err := t.queryRow(ctx, `SELECT block_id FROM cl_ord_ids WHERE cl_ord_id = ?`, clOrdID)
	if err != nil {
		return err
	}
	var owner int64
	if err := row.Scan(&owner); err != nil {
		return fmt.Errorf("db: link ClOrdID %s: %w", clOrdID, err)
	}
	if owner != blockID {
		return fmt.Errorf("db: ClOrdID %s belongs to block %d: %w", clOrdID, owner, order.ErrConflict)
	}
	return nil
}

// blockByClOrdIDSQL finds a block by any ClOrdID of its chain. It is built
// once: every booking runs it.
var blockByClOrdIDSQL = `SELECT ` + prefixed("b.", blockColumns) + ` FROM cl_ord_ids c JOIN blocks b ON b.id = c.block_id WHERE c.cl_ord_id = ?`

func (t *orderTx) BlockByClOrdID(ctx context.Context, clOrdID string) (order.Block, error) {
	if id, ok := t.c.clBlocks[clOrdID]; ok {
		if vals, ok := t.c.blocks[id]; ok {
			b, err := scanBlock(storedBlock{id: id, vals: vals})
			if err != nil {
				return b, fmt.Errorf("db: ClOrdID %s: %w", clOrdID, err)
			}
			return b, nil
		}
	}
	row, err := t.queryRow(ctx, blockByClOrdIDSQL, clOrdID)
	if err != nil {
		return order.Block{}, err
	}
	b, err := scanBlock(row)
	if errors.Is(err, sql.ErrNoRows) {
		return b, orderNotFound("ClOrdID", clOrdID)
	}
	if err != nil {
		return b, fmt.Errorf("db: ClOrdID %s: %w", clOrdID, err)
	}
	t.c.blocks[b.ID] = blockValues(b)
	t.c.clBlocks[clOrdID] = b.ID
	return b, nil
}

// storedBlock scans a block from the values it was last written with
// (blockValues), as scanBlock reads a row of blockColumns.
type storedBlock struct {
	id   int64
	vals []any
}

func (s storedBlock) Scan(dest ...any) error {
	if len(dest) != len(s.vals)+1 {
		return fmt.Errorf("stored block %d: %d columns for %d values", s.id, len(dest), len(s.vals)+1)
	}
	id, ok := dest[0].(*int64)
	if !ok {
		return fmt.Errorf("stored block %d: id scans into %T", s.id, dest[0])
	}
	*id = s.id
	for i, v := range s.vals {
		str, ok1 := v.(string)
		d, ok2 := dest[i+1].(*string)
		if !ok1 || !ok2 {
			return fmt.Errorf("stored block %d: column %d is %T into %T", s.id, i+1, v, dest[i+1])
		}
		*d = str
	}
	return nil
}

func scanBlock(r scanner) (order.Block, error) {
	var b order.Block
	var side, typ, tif, expDate, status, created, released string
	var limit, stop, lot, qty, cum, notional string
	err := r.Scan(&b.ID, &b.Symbol, &side, &typ, &limit, &stop, &tif, &expDate, &b.Broker, &b.Account, &lot, &status,
		&qty, &cum, &notional, &b.ClOrdID, &b.PendingClOrdID, &b.BrokerID, &b.CreatedBy, &created, &released)
	if err != nil {
		return b, err
	}
	b.Side, b.Type, b.TimeInForce, b.Status = portfolio.Side(side), order.OrdType(typ), order.TimeInForce(tif), order.Status(status)
	key := fmt.Sprintf("block %d", b.ID)
	if err := parseDecimals(key, []string{limit, stop, lot, qty, cum, notional},
		[]*decimal.Decimal{&b.LimitPrice, &b.StopPrice, &b.LotSize, &b.Totals.OrderQty, &b.Totals.CumQty, &b.Totals.Notional}); err != nil {
		return b, err
	}
	return b, parseTimes(key, []string{expDate, created, released}, []*time.Time{&b.ExpireDate, &b.CreatedAt, &b.ReleasedAt})
}
