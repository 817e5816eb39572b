package fixclient

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/order"
)

// checkBooks checks CumQty = Σ LastQty, LeavesQty = OrderQty − CumQty and
// AvgPx = Σ(LastQty·LastPx)/CumQty on every fill report.
func checkBooks(t *testing.T, es []order.ExecutionReport) {
	t.Helper()
	cum, notional := decimal.Zero, decimal.Zero
	for _, e := range es {
		if e.Kind != order.ExecPartialFill && e.Kind != order.ExecFill {
			continue
		}
		cum = cum.Add(e.LastQty)
		notional = notional.Add(e.LastQty.Mul(e.LastPx))
		if !e.CumQty.Equal(cum) {
			t.Errorf("%s: CumQty %s, want %s", e.ExecID, e.CumQty, cum)
		}
		if want := e.OrderQty.Sub(cum); !e.LeavesQty.Equal(want) {
			t.Errorf("%s: LeavesQty %s, want %s", e.ExecID, e.LeavesQty, want)
		}
		if want := notional.DivRound(cum, 8); !e.AvgPx.Equal(want) {
			t.Errorf("%s: AvgPx %s, want %s", e.ExecID, e.AvgPx, want)
		}
	}
}

func TestPartialFillsThenFill(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, v, nil, rigOpt{fill: brokersim.FillConfig{Fills: 3}})
			o := newOrder("X1", "AAPL", "300", "10")
			o.Type, o.LimitPrice = order.Market, decimal.Zero // jittered fill prices
			r.send(t, o)
			es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPartialFill, order.ExecPartialFill, order.ExecFill}, "X1")
			checkBooks(t, es)
			last := es[len(es)-1]
			if !last.CumQty.Equal(d("300")) || !last.LeavesQty.IsZero() || last.OrdStatus != "2" {
				t.Errorf("final report cum %s leaves %s status %s", last.CumQty, last.LeavesQty, last.OrdStatus)
			}
			for _, e := range es {
				if e.Session == "" || e.Broker != "SIM" || e.ExecID == "" || e.Raw == "" || e.SeqNum == 0 || e.PossDup {
					t.Errorf("report %+v lacks session, broker, ids or raw, or is marked PossDup", e)
				}
			}
			total := r.broker.Totals()[brokersim.TotalKey{Account: "P1", Symbol: "AAPL", Side: "1"}]
			if !total.Quantity.Equal(d("300")) {
				t.Errorf("broker filled %s, want 300", total.Quantity)
			}
		})
	}
}

func TestReject(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.4", map[string]brokersim.Plan{"BAD": {Action: brokersim.Reject}}, rigOpt{})
	r.send(t, newOrder("X1", "BAD", "100", "10"))
	es := waitKinds(t, r.rec, []order.ExecKind{order.ExecRejected}, "X1")
	if !es[0].LeavesQty.IsZero() || es[0].OrdStatus != "8" || es[0].Text == "" {
		t.Errorf("reject leaves %s status %s text %q", es[0].LeavesQty, es[0].OrdStatus, es[0].Text)
	}
}

func TestBustAfterFill(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			plans := map[string]brokersim.Plan{"MSFT": {Action: brokersim.FillAtOnce, After: brokersim.Bust}}
			r := newRig(t, v, plans, rigOpt{})
			r.send(t, newOrder("X1", "MSFT", "100", "20"))
			es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill, order.ExecBust}, "X1")
			fill, bust := es[1], es[2]
			if bust.ExecRefID != fill.ExecID || !bust.LastQty.Equal(fill.LastQty) || bust.ExecID == fill.ExecID {
				t.Errorf("bust %+v does not reverse fill %s", bust, fill.ExecID)
			}
			if !bust.CumQty.IsZero() {
				t.Errorf("after the bust CumQty = %s, want 0", bust.CumQty)
			}
			total := r.broker.Totals()[brokersim.TotalKey{Account: "P1", Symbol: "MSFT", Side: "1"}]
			if !total.Quantity.IsZero() || !total.Notional.IsZero() {
				t.Errorf("broker totals after bust %+v, want zero", total)
			}
		})
	}
}

func TestCorrection(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			plans := map[string]brokersim.Plan{"IBM": {Action: brokersim.FillAtOnce, After: brokersim.Correct}}
			r := newRig(t, v, plans, rigOpt{})
			r.send(t, newOrder("X1", "IBM", "100", "20"))
			es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill, order.ExecCorrect}, "X1")
			fill, fix := es[1], es[2]
			if fix.ExecRefID != fill.ExecID || !fix.LastPx.Equal(d("19.95")) || !fix.LastQty.Equal(d("100")) {
				t.Errorf("correction %+v of fill %s: want ref, qty 100, px 19.95", fix, fill.ExecID)
			}
			if !fix.AvgPx.Equal(d("19.95")) {
				t.Errorf("AvgPx after correction %s, want 19.95", fix.AvgPx)
			}
			total := r.broker.Totals()[brokersim.TotalKey{Account: "P1", Symbol: "IBM", Side: "1"}]
			if !total.Notional.Equal(d("1995")) {
				t.Errorf("broker notional %s, want 1995", total.Notional)
			}
		})
	}
}

func TestUnsolicitedCancel(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.4", map[string]brokersim.Plan{"X": {Action: brokersim.UnsolicitedCancel}}, rigOpt{})
	r.send(t, newOrder("X1", "X", "100", "5"))
	es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPartialFill, order.ExecCancelled}, "X1")
	c := es[2]
	if !c.LeavesQty.IsZero() || !c.CumQty.Equal(d("50")) || c.OrigClOrdID != "" || c.Text == "" {
		t.Errorf("unsolicited cancel %+v", c)
	}
}

func TestDoneForDay(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, v, map[string]brokersim.Plan{"Y": {Action: brokersim.DoneForDay}}, rigOpt{})
			r.send(t, newOrder("X1", "Y", "100", "5"))
			es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPartialFill, order.ExecDoneForDay}, "X1")
			if dfd := es[2]; !dfd.LeavesQty.IsZero() || dfd.OrdStatus != "3" {
				t.Errorf("done for day leaves %s status %s", dfd.LeavesQty, dfd.OrdStatus)
			}
		})
	}
}

func TestDuplicateExecID(t *testing.T) {
	t.Parallel()
	plans := map[string]brokersim.Plan{"DUP": {Action: brokersim.FillAtOnce, After: brokersim.Duplicate}}
	r := newRig(t, "FIX.4.4", plans, rigOpt{})
	r.send(t, newOrder("X1", "DUP", "100", "5"))
	es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill, order.ExecFill}, "X1")
	if es[1].ExecID != es[2].ExecID || es[1].PossDup || !es[2].PossDup {
		t.Errorf("duplicate: %s (possdup %v) then %s (possdup %v); want same ExecID, second flagged",
			es[1].ExecID, es[1].PossDup, es[2].ExecID, es[2].PossDup)
	}
}
