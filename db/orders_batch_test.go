package db

import (
	"context"
	"testing"

	"github.com/ballast-oms/ballast/order"
)

// TestBookExecutionsInOneTransactionMatchesOneByOne books fills, a
// duplicate and a bust of an earlier fill of the batch in one
// BookExecutions call on SQLite (positions and cash are written once, at the
// end of the transaction) and one by one on MemStore: the results and the
// final positions and cash agree, and the duplicate and the bust leave the
// book as if neither fill had come.
func TestBookExecutionsInOneTransactionMatchesOneByOne(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	stores := map[string]order.Store{"sqlite": NewOrderStore(d), "mem": memStoreLike()}
	final := map[string]book{}
	results := map[string][]order.BookResult{}
	for name, store := range stores {
		svc, _ := newTestService(t, store)
		b := released(t, svc)
		reports := []order.ExecutionReport{
			fill("E1", b.ClOrdID, "250", "10.5"),
			fill("E2", b.ClOrdID, "100", "11"),
			fill("E1", b.ClOrdID, "250", "10.5"),
			{Session: "S1", Broker: "SIM", ExecID: "E3", ExecRefID: "E2", Kind: order.ExecBust, ClOrdID: b.ClOrdID},
			fill("E4", b.ClOrdID, "150", "10"),
		}
		if name == "sqlite" {
			out, err := svc.BookExecutions(ctx, reports)
			if err != nil {
				t.Fatal(err)
			}
			results[name] = out
		} else {
			for _, r := range reports {
				res, err := svc.BookExecution(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				results[name] = append(results[name], res)
			}
		}
		final[name] = snapshot(t, store)
	}
	for i, a := range results["sqlite"] {
		m := results["mem"][i]
		if a.Duplicate != m.Duplicate || a.Refused != m.Refused || a.Status != m.Status || !a.Totals.CumQty.Equal(m.Totals.CumQty) {
			t.Errorf("report %d: batch on sqlite %+v, one by one on mem %+v", i, a, m)
		}
	}
	if !results["sqlite"][2].Duplicate {
		t.Error("the repeated E1 in the batch was not a duplicate")
	}
	if !final["sqlite"].equal(final["mem"]) {
		t.Fatalf("stores disagree:\nsqlite %s\n   mem %s", final["sqlite"], final["mem"])
	}
	if q := final["sqlite"].pos["P1"].Quantity; !q.Equal(dd("400")) {
		t.Errorf("P1 quantity %s, want 400 (200 held + 200 of the 400 filled: whole lots of 100, the last lot to the larger remainder)", q)
	}
}
