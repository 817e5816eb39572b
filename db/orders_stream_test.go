package db

import (
	"context"
	"errors"
	"testing"

	"github.com/ballast-oms/ballast/order"
)

// streamOf yields the batches in order, then err when it is not nil.
func streamOf(batches []order.ProposalBatch, err error) func(func(order.ProposalBatch, error) bool) {
	return func(yield func(order.ProposalBatch, error) bool) {
		for _, b := range batches {
			if !yield(b, nil) {
				return
			}
		}
		if err != nil {
			yield(order.ProposalBatch{}, err)
		}
	}
}

// TestProposeStreamAllOrNothing: a proposal written in batches is one
// transaction: an error after two batches leaves none of their orders,
// events or checks; without it every batch is written, ids follow the
// batches, and the proposal gets its totals.
func TestProposeStreamAllOrNothing(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	svc, _ := newTestService(t, s)
	id, err := d.CreateProposal(ctx, "pm", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var batches []order.ProposalBatch
	for k := range 3 {
		var b order.ProposalBatch
		for i := range 100 + k*batchRows {
			p := buyOrder([]string{"P1", "P2"}[(i+k)%2], "100")
			p.Order.ProposalID = id
			b.Proposals = append(b.Proposals, p)
			b.Results = append(b.Results, nil)
		}
		batches = append(batches, b)
	}
	boom := errors.New("planning failed")
	if _, err := svc.ProposeStream(ctx, pmActor, id, streamOf(batches[:2], boom)); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the stream's error", err)
	}
	for _, table := range []string{"orders", "audit_events", "compliance_checks"} {
		if n := count(t, d, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows after a failed stream, want 0", table, n)
		}
	}
	tot, err := svc.ProposeStream(ctx, pmActor, id, streamOf(batches, nil))
	want := 100 + 164 + 228
	if err != nil || tot.Orders != want || tot.Portfolios != 2 {
		t.Fatalf("totals %+v, %v; want %d orders of 2 portfolios", tot, err, want)
	}
	if n := count(t, d, `SELECT count(*) FROM orders WHERE status = 'ready' AND proposal_id = ?`, id); n != want {
		t.Errorf("%d ready orders, want %d", n, want)
	}
	if n := count(t, d, `SELECT count(*) FROM audit_events`); n != 3*want {
		t.Errorf("%d audit events, want %d", n, 3*want)
	}
	if n := count(t, d, `SELECT max(id) FROM orders`); n != want {
		t.Errorf("largest order id %d, want %d", n, want)
	}
	if n := count(t, d, `SELECT trades FROM proposals WHERE id = ? AND portfolios = 2`, id); n != want {
		t.Errorf("proposal counts %d trades, want %d over 2 portfolios", n, want)
	}
}

func count(t *testing.T, d *DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Writer().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
