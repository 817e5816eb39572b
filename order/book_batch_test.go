package order

import (
	"context"
	"errors"
	"strings"
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

// flakyStore fails the insert of one ExecID a given number of times, as a
// transient database error (busy, I/O, a full disk) would.
type flakyStore struct {
	*MemStore
	execID string
	fails  int
}

func (f *flakyStore) InTx(ctx context.Context, fn func(Tx) error) error {
	return f.MemStore.InTx(ctx, func(tx Tx) error { return fn(flakyTx{tx, f}) })
}

type flakyTx struct {
	Tx
	f *flakyStore
}

func (t flakyTx) InsertExecution(ctx context.Context, e Execution) error {
	if e.Key.ExecID == t.f.execID && t.f.fails > 0 {
		t.f.fails--
		return errors.New("transient: database is busy")
	}
	return t.Tx.InsertExecution(ctx, e)
}

// TestBookBatchStopsAtTheFirstReportThatFails: a fill whose booking fails
// (in the batch, then on its own) is followed in the same batch by the
// bust of that fill. The bust must not be booked before the fill: refused as
// naming an unknown fill, it would be kept under its key, the resent bust
// would be a duplicate and the busted fill would stay in positions and cash.
// BookBatch books nothing after the failed report, and says so; once the
// broker resends both, the holdings are back where they started.
func TestBookBatchStopsAtTheFirstReportThatFails(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	dk.svc.Store = &flakyStore{MemStore: dk.store, execID: "e1", fails: 2} // the batch's try and the fill's own
	b := dk.released(t, "A")
	start := dk.holdings(t)
	fill := report(ExecFill, "e1", b.ClOrdID, "1000", "72")
	bust := report(ExecBust, "e2", b.ClOrdID, "", "")
	bust.ExecRefID = "e1"
	batch := []ExecutionReport{fill, bust}
	for i := range batch {
		batch[i].Session, batch[i].Broker = "FIX.4.4:BALLAST->SIM", "SIM"
	}
	_, errs := dk.svc.BookBatch(ctx, batch)
	if errs[0] == nil {
		t.Fatal("the fill's booking was meant to fail")
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "not booked") {
		t.Fatalf("the bust after the failed fill: %v, want not booked", errs[1])
	}
	for i := range batch {
		batch[i].PossDup = true // the booker rewinds to the fill; the broker resends it and the bust
	}
	res, errs := dk.svc.BookBatch(ctx, batch)
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("resent: %v", errs)
	}
	if res[1].Duplicate || res[1].Refused != "" {
		t.Errorf("the resent bust: duplicate %v, refused %q; want it booked", res[1].Duplicate, res[1].Refused)
	}
	if got := dk.holdings(t); got != start {
		t.Errorf("fill e1 was busted by e2, yet after the resend:\n got %s\nwant %s", got, start)
	}
}
