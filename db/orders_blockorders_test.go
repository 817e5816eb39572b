package db

import (
	"context"
	"reflect"
	"testing"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// TestBlockOrdersKeptAcrossTransactions: a block's orders answered from what
// earlier transactions read and wrote are exactly what a fresh read returns,
// also after an order changed and moved to another block.
func TestBlockOrdersKeptAcrossTransactions(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	ctx := context.Background()
	inTx := func(fn func(tx order.Tx) error) {
		t.Helper()
		if err := s.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	var os [2]order.Order
	var blocks [2]int64
	inTx(func(tx order.Tx) error {
		for i := range blocks {
			b := order.Block{Symbol: "AAA", Side: portfolio.Buy, Type: order.Limit, LimitPrice: dd("100"), TimeInForce: order.Day,
				LotSize: dd("1"), Status: order.Approved, CreatedBy: "trader", CreatedAt: orderNow}
			var err error
			if blocks[i], err = tx.InsertBlock(ctx, b); err != nil {
				return err
			}
		}
		for i := range os {
			o := limitBuy("P1", "AAA", "100", "100")
			o.Status, o.ProposedBy, o.CreatedAt, o.BlockID = order.Approved, "pm", orderNow, blocks[0]
			id, err := tx.InsertOrder(ctx, o)
			if err != nil {
				return err
			}
			if os[i], err = tx.Order(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	read := func(s *OrderStore, block int64) []order.Order {
		t.Helper()
		var out []order.Order
		if err := s.InTx(ctx, func(tx order.Tx) error {
			var err error
			out, err = tx.BlockOrders(ctx, block)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := read(s, blocks[0]); len(got) != 2 || got[0].ID != os[0].ID || got[1].ID != os[1].ID {
		t.Fatalf("block orders %v, want both orders", got)
	}
	inTx(func(tx order.Tx) error {
		os[0].Status, os[0].FilledQty, os[0].AvgPx = order.PartiallyFilled, dd("40"), dd("99.5")
		os[1].BlockID = blocks[1]
		if err := tx.UpdateOrder(ctx, os[0]); err != nil {
			return err
		}
		return tx.UpdateOrder(ctx, os[1])
	})
	for i, want := range [][]int64{{os[0].ID}, {os[1].ID}} {
		got, fresh := read(s, blocks[i]), read(NewOrderStore(d), blocks[i])
		if !reflect.DeepEqual(got, fresh) {
			t.Errorf("block %d: kept %+v, fresh read %+v", i, got, fresh)
		}
		if len(got) != 1 || got[0].ID != want[0] {
			t.Errorf("block %d: orders %v, want %v", i, got, want)
		}
	}
	if got := read(s, blocks[0]); got[0].Status != order.PartiallyFilled || got[0].FilledQty.String() != "40" {
		t.Errorf("kept order %+v, want partially filled 40", got[0])
	}
}
