package order

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// TestManyFillsEndAsOneShotBooking books random fills and busts on a block
// and checks that every account ends exactly as if the block's final
// cumulative quantity had been allocated and booked once, at its average price.
func TestManyFillsEndAsOneShotBooking(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 25; trial++ {
		dk := newDesk(t)
		ctx := context.Background()
		start := map[string]portfolio.Position{
			"A": {Portfolio: "A", Symbol: "VOD", Quantity: d("300"), AvgCost: d("70.12345678")},
			"B": {Portfolio: "B", Symbol: "VOD"},
			"C": {Portfolio: "C", Symbol: "VOD", Quantity: d("-200"), AvgCost: d("75")},
		}
		_ = dk.store.InTx(ctx, func(tx Tx) error {
			for _, p := range start {
				_ = tx.SavePosition(ctx, p)
			}
			return nil
		})
		b := dk.released(t, "A", "B", "C")
		var live []string
		for i := 0; i < 30; i++ {
			if len(live) > 0 && rng.IntN(5) == 0 {
				k := rng.IntN(len(live))
				r := report(ExecBust, fmt.Sprintf("x%d", i), "C1", "", "")
				r.ExecRefID = live[k]
				dk.book(t, r)
				live = append(live[:k], live[k+1:]...)
				continue
			}
			qty := decimal.NewFromInt(int64(1 + rng.IntN(150)))
			px := decimal.New(7000+int64(rng.IntN(600)), -2)
			r := report(ExecPartialFill, fmt.Sprintf("e%d", i), "C1", qty.String(), px.String())
			if res := dk.book(t, r); res.Refused == "" && res.Status != Filled {
				live = append(live, r.ExecID)
			} else {
				break
			}
		}
		var blk Block
		_ = dk.store.InTx(ctx, func(tx Tx) error { blk, _ = tx.Block(ctx, b.ID); return nil })
		orders := dk.blockOrders(t, b.ID)
		legs := []Leg{}
		for _, o := range orders {
			legs = append(legs, Leg{OrderID: o.ID, Portfolio: o.Portfolio, Ordered: o.Quantity})
		}
		want, err := Allocate(legs, blk.Totals.CumQty, d("100"), blk.Totals.AvgPx())
		if err != nil {
			t.Fatal(err)
		}
		got := dk.holdings(t)
		exp := ""
		for _, a := range want {
			p, cash := start[a.Portfolio], d("1000000")
			if a.Quantity.IsPositive() {
				p, cash, _, _ = Book(p, cash, Fill{Side: portfolio.Buy, Quantity: a.Quantity, Price: a.Price})
			}
			exp += fmt.Sprintf("%s:%s@%s pnl %s cash %s; ", a.Portfolio, p.Quantity, p.AvgCost, p.RealisedPnL, cash)
		}
		if got != exp {
			t.Fatalf("trial %d (cum %s avg %s):\n got %s\nwant %s", trial, blk.Totals.CumQty, blk.Totals.AvgPx(), got, exp)
		}
	}
}
