package rebalance

import (
	"fmt"
	"testing"
)

// TestTradesOnlyPlansTheSameTrades holds TradesOnly to its promise: the same
// result as a full plan, every trade and every portfolio figure, with no
// lines. Random portfolios go through Plan, the synthetic book through
// PlanAll (whose workers reuse their scratch space) under every option set.
func TestTradesOnlyPlansTheSameTrades(t *testing.T) {
	same := func(t *testing.T, full, lean Result) {
		t.Helper()
		if len(lean.Lines) != 0 {
			t.Fatalf("%s: TradesOnly left %d lines", lean.Portfolio, len(lean.Lines))
		}
		if len(full.Lines) == 0 {
			t.Fatalf("%s: a full plan has no lines", full.Portfolio)
		}
		full.Lines = nil
		if a, b := fmt.Sprintf("%+v", full), fmt.Sprintf("%+v", lean); a != b {
			t.Fatalf("TradesOnly plans differently:\nfull: %s\nlean: %s", a, b)
		}
	}
	eachCase(t, 31, false, func(t *testing.T, in Input, o Options, r Result) {
		o.TradesOnly = true
		lean, err := Plan(in, o)
		if err != nil {
			t.Fatal(err)
		}
		same(t, r, lean)
	})
	book := Synthetic(300, 40, 5)
	for _, o := range goldenBookOptions() {
		full, errs := PlanAll(book, o, 2)
		o.TradesOnly = true
		lean, leanErrs := PlanAll(book, o, 2)
		if fmt.Sprint(errs) != fmt.Sprint(leanErrs) {
			t.Fatalf("%+v: errors differ: %v against %v", o, errs, leanErrs)
		}
		for i := range book {
			if errs == nil || errs[i] == nil {
				same(t, full[i], lean[i])
			}
		}
	}
}
