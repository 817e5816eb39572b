package order

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"
)

// TestBookExecutionsMatchesOneByOne books the same reports (with a
// duplicate, a bust and an invalid one) in one batch and one by one: the
// books, results and audit trails agree.
func TestBookExecutionsMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	run := func(batch bool) (*desk, []BookResult) {
		dk := newDesk(t)
		blk := dk.released(t, "A", "B", "C")
		var err error
		fill := func(id, qty string) ExecutionReport {
			return ExecutionReport{Session: "S", Broker: "SIM", ExecID: id, Kind: ExecPartialFill, ClOrdID: blk.ClOrdID,
				LastQty: decimal.RequireFromString(qty), LastPx: decimal.RequireFromString("10.5")}
		}
		rs := []ExecutionReport{fill("e1", "200"), fill("e1", "200"), fill("e2", "100"),
			{Session: "S", Broker: "SIM", ExecID: "e3", ExecRefID: "e2", Kind: ExecBust, ClOrdID: blk.ClOrdID}, fill("e4", "300")}
		if !batch {
			out := make([]BookResult, len(rs))
			for i, r := range rs {
				if out[i], err = dk.svc.BookExecution(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			return dk, out
		}
		out, err := dk.svc.BookExecutions(ctx, rs)
		if err != nil {
			t.Fatal(err)
		}
		return dk, out
	}
	one, resOne := run(false)
	all, resAll := run(true)
	for i := range resOne {
		a, b := resOne[i], resAll[i]
		if a.Duplicate != b.Duplicate || a.Status != b.Status || !a.Totals.CumQty.Equal(b.Totals.CumQty) {
			t.Errorf("report %d: one by one %+v, batch %+v", i, a, b)
		}
	}
	if !resAll[1].Duplicate {
		t.Error("the repeated execution was not a duplicate in the batch")
	}
	if h1, h2 := one.holdings(t), all.holdings(t); h1 != h2 {
		t.Errorf("holdings one by one %s\nin a batch %s", h1, h2)
	}
	if n1, n2 := len(one.store.Events()), len(all.store.Events()); n1 != n2 {
		t.Errorf("audit events: %d one by one, %d in a batch", n1, n2)
	}
}

// TestBookExecutionsFallsBackOneByOne: a report that cannot be booked fails
// alone; the rest of the batch is booked.
func TestBookExecutionsFallsBackOneByOne(t *testing.T) {
	dk := newDesk(t)
	blk := dk.released(t, "A")
	good := ExecutionReport{Session: "S", Broker: "SIM", ExecID: "g1", Kind: ExecPartialFill, ClOrdID: blk.ClOrdID,
		LastQty: decimal.NewFromInt(100), LastPx: decimal.NewFromInt(10)}
	out, err := dk.svc.BookExecutions(context.Background(), []ExecutionReport{good, {Session: "", ExecID: "x"}})
	if err == nil || out[0].Totals.CumQty.String() != "100" {
		t.Fatalf("batch with a report without session: %+v, %v; want the good one booked and an error", out, err)
	}
}
