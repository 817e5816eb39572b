package order

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// rep builds a report whose broker numbers are filled in by the caller.
func rep(kind ExecKind, id string) ExecutionReport {
	return ExecutionReport{Session: "FIX.4.4:BALLAST->SIM", ExecID: id, Kind: kind, ClOrdID: "B1"}
}

func fillRep(kind ExecKind, id, qty, px, cum, leaves, avg string) ExecutionReport {
	r := rep(kind, id)
	r.LastQty, r.LastPx = d(qty), d(px)
	r.CumQty, r.LeavesQty, r.AvgPx = d(cum), d(leaves), d(avg)
	return r
}

func statusRep(kind ExecKind, id, cum, leaves, avg string) ExecutionReport {
	r := rep(kind, id)
	r.CumQty, r.LeavesQty, r.AvgPx = d(cum), d(leaves), d(avg)
	return r
}

type step struct {
	r       ExecutionReport
	status  Status
	cum     string
	avg     string
	leaves  string
	discrep string // substring expected in the discrepancy; "" = none
	errKind error
	dup     bool
}

func runSteps(t *testing.T, k *Tracker, steps []step) {
	t.Helper()
	for i, s := range steps {
		a, dup, err := k.Apply(s.r)
		if s.errKind != nil {
			if !errors.Is(err, s.errKind) {
				t.Fatalf("step %d (%s %s): err = %v, want %v", i, s.r.Kind, s.r.ExecID, err, s.errKind)
			}
		} else if err != nil {
			t.Fatalf("step %d (%s %s): %v", i, s.r.Kind, s.r.ExecID, err)
		}
		if dup != s.dup {
			t.Fatalf("step %d: dup = %v, want %v", i, dup, s.dup)
		}
		if k.Status != s.status || k.Totals.CumQty.String() != s.cum || k.Totals.AvgPx().String() != s.avg ||
			k.Totals.Leaves(k.Status).String() != s.leaves {
			t.Fatalf("step %d (%s %s): %s cum %s avg %s leaves %s; want %s %s %s %s", i, s.r.Kind, s.r.ExecID,
				k.Status, k.Totals.CumQty, k.Totals.AvgPx(), k.Totals.Leaves(k.Status), s.status, s.cum, s.avg, s.leaves)
		}
		if err == nil && !dup {
			if s.discrep == "" && a.Discrepancy != "" {
				t.Fatalf("step %d: unexpected discrepancy %q", i, a.Discrepancy)
			}
			if s.discrep != "" && !strings.Contains(a.Discrepancy, s.discrep) {
				t.Fatalf("step %d: discrepancy %q, want it to mention %q", i, a.Discrepancy, s.discrep)
			}
		}
	}
}

func TestPartialFillsThenFill(t *testing.T) {
	runSteps(t, NewTracker(1, d("1000")), []step{
		{r: statusRep(ExecNew, "e0", "0", "1000", "0"), status: Acknowledged, cum: "0", avg: "0", leaves: "1000"},
		{r: fillRep(ExecPartialFill, "e1", "300", "10", "300", "700", "10"), status: PartiallyFilled, cum: "300", avg: "10", leaves: "700"},
		{r: fillRep(ExecPartialFill, "e2", "200", "10.5", "500", "500", "10.2"), status: PartiallyFilled, cum: "500", avg: "10.2", leaves: "500"},
		{r: fillRep(ExecFill, "e3", "500", "11", "1000", "0", "10.6"), status: Filled, cum: "1000", avg: "10.6", leaves: "0"},
	})
}

func TestBustAndCorrectionAfterFill(t *testing.T) {
	k := NewTracker(1, d("1000"))
	runSteps(t, k, []step{
		{r: fillRep(ExecPartialFill, "e1", "300", "10", "300", "700", "10"), status: PartiallyFilled, cum: "300", avg: "10", leaves: "700"},
		{r: fillRep(ExecPartialFill, "e2", "200", "10.5", "500", "500", "10.2"), status: PartiallyFilled, cum: "500", avg: "10.2", leaves: "500"},
		{r: fillRep(ExecFill, "e3", "500", "11", "1000", "0", "10.6"), status: Filled, cum: "1000", avg: "10.6", leaves: "0"},
		{r: bust("b1", "e2", "800", "200", "10.625"), status: PartiallyFilled, cum: "800", avg: "10.625", leaves: "200"},
		{r: bust("b2", "e2", "800", "200", "10.625"), status: PartiallyFilled, cum: "800", avg: "10.625", leaves: "200", errKind: ErrConflict},
		{r: bust("b3", "nope", "800", "200", "10.625"), status: PartiallyFilled, cum: "800", avg: "10.625", leaves: "200", errKind: ErrNotFound},
		{r: correct("c1", "e1", "300", "9.9", "800", "200", "10.5875"), status: PartiallyFilled, cum: "800", avg: "10.5875", leaves: "200"},
		{r: correct("c2", "e3", "700", "11", "1000", "0", "10.67"), status: Filled, cum: "1000", avg: "10.67", leaves: "0"},
		{r: bust("b4", "c2", "300", "700", "9.9"), status: PartiallyFilled, cum: "300", avg: "9.9", leaves: "700"},
		{r: bust("b5", "c1", "0", "1000", "0"), status: Acknowledged, cum: "0", avg: "0", leaves: "1000"},
	})
	if f, _ := k.Fill("e1"); f.State != FillCorrected {
		t.Errorf("e1 state = %s, want corrected", f.State)
	}
	if f, _ := k.Fill("e2"); f.State != FillBusted {
		t.Errorf("e2 state = %s, want busted", f.State)
	}
}

func bust(id, ref, cum, leaves, avg string) ExecutionReport {
	r := statusRep(ExecBust, id, cum, leaves, avg)
	r.ExecRefID = ref
	return r
}

func correct(id, ref, qty, px, cum, leaves, avg string) ExecutionReport {
	r := fillRep(ExecCorrect, id, qty, px, cum, leaves, avg)
	r.ExecRefID = ref
	return r
}

func TestBustAfterCancel(t *testing.T) {
	runSteps(t, NewTracker(1, d("1000")), []step{
		{r: fillRep(ExecPartialFill, "e1", "400", "10", "400", "600", "10"), status: PartiallyFilled, cum: "400", avg: "10", leaves: "600"},
		{r: statusRep(ExecPendingCancel, "p1", "400", "600", "10"), status: PendingCancel, cum: "400", avg: "10", leaves: "600"},
		{r: statusRep(ExecCancelled, "x1", "400", "0", "10"), status: Cancelled, cum: "400", avg: "10", leaves: "0"},
		{r: bust("b1", "e1", "0", "0", "0"), status: Cancelled, cum: "0", avg: "0", leaves: "0"},
	})
}

func TestFillsDuringPendingReplace(t *testing.T) {
	replaced := statusRep(ExecReplaced, "r1", "200", "1300", "10")
	replaced.OrderQty, replaced.Price = d("1500"), d("10.1")
	runSteps(t, NewTracker(1, d("1000")), []step{
		{r: statusRep(ExecNew, "e0", "0", "1000", "0"), status: Acknowledged, cum: "0", avg: "0", leaves: "1000"},
		{r: fillRep(ExecPartialFill, "e1", "100", "10", "100", "900", "10"), status: PartiallyFilled, cum: "100", avg: "10", leaves: "900"},
		{r: statusRep(ExecPendingReplace, "p1", "100", "900", "10"), status: PendingReplace, cum: "100", avg: "10", leaves: "900"},
		{r: fillRep(ExecPartialFill, "e2", "100", "10", "200", "800", "10"), status: PendingReplace, cum: "200", avg: "10", leaves: "800"},
		{r: replaced, status: PartiallyFilled, cum: "200", avg: "10", leaves: "1300"},
	})
}

func TestReplaceCrossingAFill(t *testing.T) {
	replaced := statusRep(ExecReplaced, "r1", "1000", "0", "10")
	replaced.OrderQty = d("1500")
	runSteps(t, NewTracker(1, d("1000")), []step{
		{r: statusRep(ExecPendingReplace, "p1", "0", "1000", "0"), status: PendingReplace, cum: "0", avg: "0", leaves: "1000"},
		{r: fillRep(ExecFill, "e1", "1000", "10", "1000", "0", "10"), status: Filled, cum: "1000", avg: "10", leaves: "0"},
		{r: replaced, status: Filled, cum: "1000", avg: "10", leaves: "0", errKind: ErrConflict},
	})
}

func TestFillCrossingACancel(t *testing.T) {
	runSteps(t, NewTracker(1, d("1000")), []step{
		{r: statusRep(ExecNew, "e0", "0", "1000", "0"), status: Acknowledged, cum: "0", avg: "0", leaves: "1000"},
		{r: fillRep(ExecPartialFill, "e1", "600", "10", "600", "400", "10"), status: PartiallyFilled, cum: "600", avg: "10", leaves: "400"},
		{r: statusRep(ExecPendingCancel, "p1", "600", "400", "10"), status: PendingCancel, cum: "600", avg: "10", leaves: "400"},
		{r: fillRep(ExecPartialFill, "e2", "100", "10", "700", "300", "10"), status: PendingCancel, cum: "700", avg: "10", leaves: "300"},
		{r: fillRep(ExecFill, "e3", "300", "10", "1000", "0", "10"), status: Filled, cum: "1000", avg: "10", leaves: "0"},
		{r: statusRep(ExecCancelled, "x1", "1000", "0", "10"), status: Filled, cum: "1000", avg: "10", leaves: "0"},
	})
}

func TestDuplicateExecID(t *testing.T) {
	k := NewTracker(1, d("1000"))
	r := fillRep(ExecPartialFill, "e1", "300", "10", "300", "700", "10")
	possDup := r
	possDup.PossDup = true
	otherSession := r
	otherSession.Session = "FIX.4.2:BALLAST->GS"
	otherSession.CumQty, otherSession.LeavesQty = d("600"), d("400")
	st := statusRep(ExecStatus, "0", "300", "700", "10")
	runSteps(t, k, []step{
		{r: r, status: PartiallyFilled, cum: "300", avg: "10", leaves: "700"},
		{r: r, status: PartiallyFilled, cum: "300", avg: "10", leaves: "700", dup: true},
		{r: possDup, status: PartiallyFilled, cum: "300", avg: "10", leaves: "700", dup: true},
		{r: otherSession, status: PartiallyFilled, cum: "600", avg: "10", leaves: "400"},
		{r: st, status: PartiallyFilled, cum: "600", avg: "10", leaves: "400", discrep: "cum_qty: broker 300, Ballast 600"},
		{r: st, status: PartiallyFilled, cum: "600", avg: "10", leaves: "400", discrep: "leaves_qty: broker 700, Ballast 400"},
	})
	if !k.Seen(ExecKey{Session: r.Session, BlockID: 1, ExecID: "e1"}) || k.Seen(ExecKey{Session: r.Session, BlockID: 2, ExecID: "e1"}) {
		t.Error("Seen is not keyed by session, block and exec id")
	}
}

func TestUnsolicitedEndings(t *testing.T) {
	for _, c := range []struct {
		kind ExecKind
		want Status
	}{{ExecCancelled, Cancelled}, {ExecExpired, Expired}, {ExecDoneForDay, DoneForDay}} {
		runSteps(t, NewTracker(1, d("1000")), []step{
			{r: fillRep(ExecPartialFill, "e1", "250", "10", "250", "750", "10"), status: PartiallyFilled, cum: "250", avg: "10", leaves: "750"},
			{r: statusRep(c.kind, "x", "250", "0", "10"), status: c.want, cum: "250", avg: "10", leaves: "0"},
			{r: fillRep(ExecPartialFill, "late", "50", "10", "300", "0", "10"), status: c.want, cum: "300", avg: "10", leaves: "0", discrep: "after the order was " + string(c.want)},
		})
	}
}

func TestRejectsAndRefusals(t *testing.T) {
	runSteps(t, NewTracker(1, d("1000")), []step{
		{r: statusRep(ExecPendingNew, "pn", "0", "1000", "0"), status: Sent, cum: "0", avg: "0", leaves: "1000"},
		{r: statusRep(ExecRejected, "rj", "0", "0", "0"), status: Rejected, cum: "0", avg: "0", leaves: "0"},
	})
	k := NewTracker(1, d("1000"))
	runSteps(t, k, []step{
		{r: statusRep(ExecNew, "e0", "0", "1000", "0"), status: Acknowledged, cum: "0", avg: "0", leaves: "1000"},
		{r: statusRep(ExecRejected, "rj", "0", "0", "0"), status: Acknowledged, cum: "0", avg: "0", leaves: "1000", errKind: ErrConflict},
		{r: fillRep(ExecPartialFill, "z", "0", "10", "0", "1000", "0"), status: Acknowledged, cum: "0", avg: "0", leaves: "1000", errKind: ErrInvalid},
		{r: statusRep("weird", "w", "0", "1000", "0"), status: Acknowledged, cum: "0", avg: "0", leaves: "1000", errKind: ErrInvalid},
	})
	if k.Seen(KeyOf(statusRep(ExecRejected, "rj", "0", "0", "0"), 1)) {
		t.Error("a refused report was marked as seen")
	}
}

func TestOverfillAndRestatement(t *testing.T) {
	restated := statusRep(ExecRestated, "rs", "600", "0", "10")
	restated.OrderQty = d("600")
	runSteps(t, NewTracker(1, d("1000")), []step{
		{r: fillRep(ExecPartialFill, "e1", "600", "10", "600", "400", "10"), status: PartiallyFilled, cum: "600", avg: "10", leaves: "400"},
		{r: restated, status: Filled, cum: "600", avg: "10", leaves: "0"},
		{r: fillRep(ExecFill, "e2", "100", "10", "700", "0", "10"), status: Filled, cum: "700", avg: "10", leaves: "0", discrep: "overfilled: 700 filled of 600"},
	})
}

func TestCompareAvgPxTolerance(t *testing.T) {
	tot := Totals{OrderQty: d("300"), CumQty: d("300"), Notional: d("3062")} // 10.20666…
	for _, c := range []struct {
		avg   string
		agree bool
	}{{"10.21", true}, {"10.2067", true}, {"10.20666667", true}, {"10.2", false}, {"10.2066", false}, {"10.22", false}, {"10", false}} {
		r := statusRep(ExecStatus, "0", "300", "0", c.avg)
		got := Compare(tot, Filled, r)
		if (got == "") != c.agree {
			t.Errorf("broker avg %s: Compare = %q, want agree=%v", c.avg, got, c.agree)
		}
	}
	if got := Compare(Totals{OrderQty: d("5")}, Acknowledged, statusRep(ExecNew, "n", "0", "5", "0")); got != "" {
		t.Errorf("no fills: Compare = %q", got)
	}
}

func TestApplyReportIsPure(t *testing.T) {
	tot := Totals{OrderQty: d("1000"), CumQty: d("100"), Notional: d("1000")}
	before := tot
	a, err := ApplyReport(PartiallyFilled, tot, fillRep(ExecPartialFill, "e", "100", "11", "200", "800", "10.5"), nil)
	if err != nil || a.Totals.CumQty.String() != "200" || a.Totals.Notional.String() != "2100" || a.Cause != "" || !a.NewFill {
		t.Fatalf("ApplyReport = %+v, %v", a, err)
	}
	if tot != before {
		t.Error("ApplyReport changed its input")
	}
	a, err = ApplyReport(Sent, Totals{OrderQty: decimal.NewFromInt(10)}, statusRep(ExecNew, "n", "0", "10", "0"), nil)
	if err != nil || a.Cause != OnAck || a.Status != Acknowledged {
		t.Errorf("ack: %+v, %v", a, err)
	}
}

func TestApplyCancelReject(t *testing.T) {
	cases := []struct {
		cur       Status
		cum       string
		ordStatus string
		want      Status
		ev        Cause
	}{
		{PendingCancel, "0", "0", Acknowledged, OnCancelRejected},
		{PendingCancel, "300", "1", PartiallyFilled, OnCancelRejected},
		{PendingCancel, "0", "A", Sent, OnCancelRejected},
		{PendingReplace, "300", "1", PartiallyFilled, OnReplaceRejected},
		{PendingReplace, "0", "0", Acknowledged, OnReplaceRejected},
		{Filled, "1000", "2", Filled, ""},
		{Cancelled, "0", "4", Cancelled, ""},
	}
	for _, c := range cases {
		st, ev, err := ApplyCancelReject(c.cur, Totals{OrderQty: d("1000"), CumQty: d(c.cum)}, CancelReject{ClOrdID: "C2", OrdStatus: c.ordStatus})
		if err != nil || st != c.want || ev != c.ev {
			t.Errorf("%s cum %s: %s %s %v, want %s %s", c.cur, c.cum, st, ev, err, c.want, c.ev)
		}
	}
}
