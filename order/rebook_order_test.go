package order

import (
	"context"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

// releasedOne proposes, approves, blocks and releases one order of side and
// qty for portfolio pf, and returns the released block.
func (dk *desk) releasedOne(t *testing.T, pf string, side portfolio.Side, qty string) Block {
	t.Helper()
	ctx := context.Background()
	o := buy(pf, qty)
	o.Side = side
	orders, err := dk.svc.Propose(ctx, pm, []Proposal{{Order: o, Check: Check{Verdict: VerdictPass}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dk.svc.Approve(ctx, orders[0].ID, trader, nil); err != nil {
		t.Fatal(err)
	}
	b, err := dk.svc.CreateBlock(ctx, trader, []int64{orders[0].ID}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if b, err = dk.svc.Release(ctx, trader, b.ID); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBustAfterALaterSaleRealisesTheResidue: portfolio A holds 100 @ 10.
// Block 1 buys 100 @ 20 (A: 200 @ 15); block 2 then sells 100 @ 15
// (realised 0 against the 15 average). The broker busts block 1's fill. The
// only trade left is the sale of the original 100 @ 10 at 15, so A must end
// flat with realised P&L +500 and cash +1500: reversing the buy past the sale
// leaves a residue of cost basis on a flat position, which is realised.
func TestBustAfterALaterSaleRealisesTheResidue(t *testing.T) {
	dk := deskHolding(t, "100", "10")
	b1 := dk.releasedOne(t, "A", portfolio.Buy, "100")
	dk.book(t, report(ExecFill, "e1", b1.ClOrdID, "100", "20"))
	b2 := dk.releasedOne(t, "A", portfolio.Sell, "100")
	dk.book(t, report(ExecFill, "e2", b2.ClOrdID, "100", "15"))
	bust := report(ExecBust, "e3", b1.ClOrdID, "", "")
	bust.ExecRefID = "e1"
	if res := dk.book(t, bust); res.Refused != "" {
		t.Fatalf("bust refused: %s", res.Refused)
	}
	got := dk.holdings(t)
	want := "A:0@0 pnl 500 cash 1001500; B:0@0 pnl 0 cash 1000000; C:0@0 pnl 0 cash 1000000; "
	if got != want {
		t.Fatalf("after bust of the earlier buy:\n got %s\nwant %s", got, want)
	}
}

// TestRebookAcrossAnotherBlockKeepsTheMoney: A holds 100 @ 10. Block 1
// (buy 200) fills 100 @ 20 (A: 200 @ 15); block 2 sells 100 @ 15 (A: 100 @
// 15, realised 0); block 1 fills its other 100 @ 20, and its order's
// allocation is re-booked as 200 @ 20. Net, A paid 1,000 + 4,000 − 1,500 =
// 3,500 for the 200 it holds: cost basis less realised P&L must say 3,500
// (it said 4,000 when the re-allocation dropped the residue of reversing the
// first fill past the sale). The residue is realised, so A shows 200 @ 20
// with +500 realised — the 100 @ 10 sold at 15 — rather than the 200 @ 17.5
// that booking each fill apart at its own price would show.
func TestRebookAcrossAnotherBlockKeepsTheMoney(t *testing.T) {
	dk := deskHolding(t, "100", "10")
	b1 := dk.releasedOne(t, "A", portfolio.Buy, "200")
	dk.book(t, report(ExecPartialFill, "e1", b1.ClOrdID, "100", "20"))
	b2 := dk.releasedOne(t, "A", portfolio.Sell, "100")
	dk.book(t, report(ExecFill, "e2", b2.ClOrdID, "100", "15"))
	dk.book(t, report(ExecFill, "e3", b1.ClOrdID, "100", "20"))
	got := dk.holdings(t)
	want := "A:200@20 pnl 500 cash 997500; B:0@0 pnl 0 cash 1000000; C:0@0 pnl 0 cash 1000000; "
	if got != want {
		t.Fatalf("after the second fill of block 1:\n got %s\nwant %s", got, want)
	}
}

// deskHolding is a desk whose portfolio A holds qty VOD at avg.
func deskHolding(t *testing.T, qty, avg string) *desk {
	t.Helper()
	dk := newDesk(t)
	ctx := context.Background()
	if err := dk.store.InTx(ctx, func(tx Tx) error {
		return tx.SavePosition(ctx, portfolio.Position{Portfolio: "A", Symbol: "VOD", Quantity: d(qty), AvgCost: d(avg)})
	}); err != nil {
		t.Fatal(err)
	}
	return dk
}
