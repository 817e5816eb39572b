package db

import (
	"context"
	"errors"
	"testing"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// TestCarryBlockByClOrdID: a block found by ClOrdID is kept between order
// transactions, follows the store's own updates, and is read again after a
// rolled-back update or any other write to the database.
func TestCarryBlockByClOrdID(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	ctx := context.Background()
	var id int64
	err := s.InTx(ctx, func(tx order.Tx) error {
		b := order.Block{Symbol: "AAA", Side: portfolio.Buy, Type: order.Limit, LimitPrice: dd("100"), TimeInForce: order.Day,
			LotSize: dd("1"), Status: order.Sent, CreatedBy: "trader", CreatedAt: orderNow, ClOrdID: "C1"}
		var err error
		if id, err = tx.InsertBlock(ctx, b); err != nil {
			return err
		}
		return tx.LinkClOrdID(ctx, "C1", id)
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func() order.Block {
		t.Helper()
		var b order.Block
		if err := s.InTx(ctx, func(tx order.Tx) (err error) { b, err = tx.BlockByClOrdID(ctx, "C1"); return err }); err != nil {
			t.Fatal(err)
		}
		return b
	}
	update := func(fail bool, change func(*order.Block)) error {
		return s.InTx(ctx, func(tx order.Tx) error {
			b, err := tx.BlockByClOrdID(ctx, "C1")
			if err != nil {
				return err
			}
			change(&b)
			if err := tx.UpdateBlock(ctx, b); err != nil {
				return err
			}
			if fail {
				return errors.New("boom")
			}
			return nil
		})
	}
	first := read()
	if first.ID != id || first.Status != order.Sent || !first.LimitPrice.Equal(dd("100")) || !first.CreatedAt.Equal(orderNow) {
		t.Fatalf("first read: %+v", first)
	}
	if again := read(); again.ID != id || again.Status != order.Sent || again.ClOrdID != "C1" || !again.LotSize.Equal(dd("1")) {
		t.Fatalf("kept block differs from the stored one: %+v", again)
	}
	if err := update(false, func(b *order.Block) { b.Status, b.Totals.CumQty = order.PartiallyFilled, dd("40") }); err != nil {
		t.Fatal(err)
	}
	if b := read(); b.Status != order.PartiallyFilled || !b.Totals.CumQty.Equal(dd("40")) {
		t.Errorf("after the store's update: %s cum %s; want partially_filled 40", b.Status, b.Totals.CumQty)
	}
	if err := update(true, func(b *order.Block) { b.Status = order.Filled }); err == nil {
		t.Fatal("the failing update succeeded")
	}
	if b := read(); b.Status != order.PartiallyFilled {
		t.Errorf("after a rolled-back update: %s; want partially_filled", b.Status)
	}
	mustExec(t, d, `UPDATE blocks SET status = 'cancelled', cum_qty = '45' WHERE id = ?`, id)
	if b := read(); b.Status != order.Cancelled || !b.Totals.CumQty.Equal(dd("45")) {
		t.Errorf("after another write: %s cum %s; want cancelled 45", b.Status, b.Totals.CumQty)
	}
}
