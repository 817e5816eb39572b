package db

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

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
// transaction with its proposal row: an error after two batches leaves none
// of their orders, events or checks, and no proposal; without it every
// batch is written, ids follow the batches, and the proposal is created
// with its totals.
func TestProposeStreamAllOrNothing(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	svc, _ := newTestService(t, s)
	var batches []order.ProposalBatch
	for k := range 3 {
		var b order.ProposalBatch
		for i := range 100 + k*batchRows {
			b.Proposals = append(b.Proposals, buyOrder([]string{"P1", "P2"}[(i+k)%2], "100"))
			b.Results = append(b.Results, nil)
		}
		batches = append(batches, b)
	}
	boom := errors.New("planning failed")
	if _, err := svc.ProposeStream(ctx, pmActor, streamOf(batches[:2], boom)); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the stream's error", err)
	}
	for _, table := range []string{"orders", "audit_events", "compliance_checks", "proposals"} {
		if n := count(t, d, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows after a failed stream, want 0", table, n)
		}
	}
	if tot, err := svc.ProposeStream(ctx, pmActor, streamOf(nil, nil)); err != nil || tot != (order.StreamTotals{}) {
		t.Errorf("an empty stream: %+v, %v; want nothing written", tot, err)
	}
	if n := count(t, d, `SELECT count(*) FROM proposals`); n != 0 {
		t.Errorf("an empty stream left %d proposals, want 0", n)
	}
	tot, err := svc.ProposeStream(ctx, pmActor, streamOf(batches, nil))
	want := 100 + 164 + 228
	if err != nil || tot.Orders != want || tot.Portfolios != 2 || tot.ProposalID == 0 {
		t.Fatalf("totals %+v, %v; want %d orders of 2 portfolios under a new proposal", tot, err, want)
	}
	id := tot.ProposalID
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

// TestStreamTxChecksReferencesItself: InStreamTx runs with SQLite's
// foreign key lookups off, so InsertProposed's own check is what keeps an
// order's portfolio and security real; whatever the transaction does
// (commit, fail, panic), the writer has foreign keys on again after it.
func TestStreamTxChecksReferencesItself(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	fkOn := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) bool {
		t.Helper()
		var on int
		if err := q.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil {
			t.Fatal(err)
		}
		return on == 1
	}
	first := buyOrder("P1", "100").Order
	first.Status, first.ProposedBy = order.Proposed, "pm"
	insert := func(o order.Order) error {
		return s.InStreamTx(ctx, func(tx order.StreamTx) error {
			if fkOn(tx.(*orderTx).tx) {
				t.Error("foreign keys are on inside a stream transaction")
			}
			check := order.CheckRecord{Phase: order.PhasePropose, Verdict: order.VerdictPass, At: first.CreatedAt}
			_, err := tx.InsertProposed(ctx, []order.Order{first, o}, nil, nil, []order.CheckRecord{check, check})
			return err
		})
	}
	good := buyOrder("P2", "100").Order
	good.Status, good.ProposedBy = order.Proposed, "pm"
	unknownPf, unknownSym, inBlock := good, good, good
	unknownPf.Portfolio, unknownSym.Symbol, inBlock.BlockID = "NOPE", "ZZZ", 7
	for name, o := range map[string]order.Order{"portfolio": unknownPf, "security": unknownSym, "block": inBlock} {
		if err := insert(o); err == nil {
			t.Errorf("an order with an unknown %s was inserted", name)
		}
		if !fkOn(d.Writer()) {
			t.Fatalf("foreign keys stayed off after a failed stream transaction (%s)", name)
		}
	}
	if n := count(t, d, `SELECT count(*) FROM orders`); n != 0 {
		t.Fatalf("%d orders after failed stream transactions, want 0", n)
	}
	func() {
		defer func() { _ = recover() }()
		err := s.InStreamTx(ctx, func(order.StreamTx) error { panic("boom") })
		if err == nil {
			t.Error("a panicking stream transaction reported success")
		}
	}()
	if !fkOn(d.Writer()) {
		t.Fatal("foreign keys stayed off after a panicking stream transaction")
	}
	if err := insert(good); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT count(*) FROM orders`); n != 2 || !fkOn(d.Writer()) {
		t.Fatalf("%d orders after a stream transaction (want 2), foreign keys on: %v", n, fkOn(d.Writer()))
	}
	// An ordinary transaction still has SQLite check references.
	_, err := d.Writer().ExecContext(ctx, `INSERT INTO orders (portfolio, symbol, side, quantity, order_type, time_in_force,
		proposed_by, status, created_at) VALUES ('NOPE', 'BBB', 'buy', '1', 'market', 'day', 'pm', 'proposed', 'x')`)
	if err == nil {
		t.Fatal("an order of an unknown portfolio was inserted outside a stream transaction")
	}
}

// TestStreamTxConstraintFailureRollsBackWhole: a constraint failure in a
// stream transaction's bulk insert, after statements of it have been
// written, reaches the caller as what it is (not as the four-eyes
// refusal), leaves none of the transaction's rows, and the writer goes on
// as before.
func TestStreamTxConstraintFailureRollsBackWhole(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	good := buyOrder("P1", "100").Order
	good.Status, good.ProposedBy, good.CreatedAt = order.Proposed, "pm", time.Now()
	check := order.CheckRecord{Phase: order.PhasePropose, Verdict: order.VerdictPass, At: good.CreatedAt}
	orders := make([]order.Order, 3*batchRows+1)
	checks := make([]order.CheckRecord, len(orders))
	for i := range orders {
		orders[i], checks[i] = good, check
	}
	badOrder, badCheck := slices.Clone(orders), slices.Clone(checks)
	badOrder[2*batchRows+3].Side = "hold"   // the orders' CHECK on side, in their third statement
	badCheck[batchRows+1].Verdict = "maybe" // the checks' CHECK on verdict, after every order
	for name, c := range map[string]struct {
		orders []order.Order
		checks []order.CheckRecord
	}{"order": {badOrder, checks}, "check": {orders, badCheck}} {
		var insertErr error
		err := s.InStreamTx(ctx, func(tx order.StreamTx) error {
			_, insertErr = tx.InsertProposed(ctx, c.orders, nil, nil, c.checks)
			return insertErr
		})
		if err == nil || insertErr == nil || !isCheckViolation(err) || errors.Is(err, order.ErrForbidden) {
			t.Fatalf("bad %s: the stream transaction returned %v (insert: %v), want its CHECK failure, not a four-eyes refusal", name, err, insertErr)
		}
		for _, table := range []string{"orders", "compliance_checks", "audit_events"} {
			if n := count(t, d, `SELECT count(*) FROM `+table); n != 0 {
				t.Fatalf("bad %s: %d rows in %s after the failed stream transaction", name, n, table)
			}
		}
	}
	err := s.InStreamTx(ctx, func(tx order.StreamTx) error {
		_, err := tx.InsertProposed(ctx, orders, nil, nil, checks)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT count(*) FROM orders`); n != len(orders) {
		t.Fatalf("%d orders after a good stream transaction, want %d", n, len(orders))
	}
}

// TestProposeStreamCancelledIsNotWhole: a stream whose producer was stopped
// by the caller's cancellation (an interrupted rebalance --save) may end
// early without an error; ProposeStream must not commit it as a whole
// proposal.
func TestProposeStreamCancelledIsNotWhole(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := openTest(t)
	seedSmall(t, d)
	svc, _ := newTestService(t, NewOrderStore(d))
	var b order.ProposalBatch
	for range 10 {
		b.Proposals = append(b.Proposals, buyOrder("P1", "100"))
		b.Results = append(b.Results, nil)
	}
	stopped := func(yield func(order.ProposalBatch, error) bool) {
		if yield(b, nil) {
			cancel() // the producer sees the cancellation and ends its stream
		}
	}
	if _, err := svc.ProposeStream(ctx, pmActor, stopped); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
	if n := count(t, d, `SELECT count(*) FROM orders`); n != 0 {
		t.Fatalf("%d orders committed by a cancelled stream, want 0", n)
	}
	if n := count(t, d, `SELECT count(*) FROM proposals`); n != 0 {
		t.Fatalf("%d proposals committed by a cancelled stream, want 0", n)
	}
}

// TestProposedRowsGoInAsBuilt: a stream transaction's rows, built ahead of
// their insert, go in only in the order they were built, every chunk
// once, and only in the transaction that built them; nothing else may
// insert orders while built rows wait (they hold the next ids).
func TestProposedRowsGoInAsBuilt(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	chunk := func(pf string, n int) ([]order.Order, []order.CheckRecord) {
		var os []order.Order
		var cs []order.CheckRecord
		for range n {
			o := buyOrder(pf, "100").Order
			o.Status, o.ProposedBy = order.Proposed, "pm"
			os = append(os, o)
			cs = append(cs, order.CheckRecord{Phase: order.PhasePropose, Verdict: order.VerdictPass, At: o.CreatedAt})
		}
		return os, cs
	}
	var other order.ProposedRows
	err := s.InStreamTx(ctx, func(tx order.StreamTx) error {
		rb, err := tx.ProposedRows(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.ProposedRows(ctx); err == nil {
			t.Error("a second builder in one transaction")
		}
		o1, c1 := chunk("P1", batchRows+3)
		o2, c2 := chunk("P2", 2)
		r1, err := rb.Build(o1, nil, nil, c1)
		if err != nil {
			return err
		}
		r2, err := rb.Build(o2, nil, nil, c2)
		if err != nil {
			return err
		}
		other = r2
		if err := tx.InsertRows(ctx, r2); err == nil {
			t.Error("the second chunk went in before the first")
		}
		if _, err := tx.InsertProposed(ctx, o2, nil, nil, c2); err == nil {
			t.Error("InsertProposed took ids built rows hold")
		}
		if err := tx.InsertRows(ctx, r1); err != nil {
			return err
		}
		if err := tx.InsertRows(ctx, r1); err == nil {
			t.Error("a chunk went in twice")
		}
		return tx.InsertRows(ctx, r2)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT count(*) FROM orders WHERE id BETWEEN 1 AND ? AND portfolio = 'P1'`, batchRows+3); n != batchRows+3 {
		t.Errorf("%d orders of the first chunk under its ids, want %d", n, batchRows+3)
	}
	if n := count(t, d, `SELECT count(*) FROM compliance_checks c JOIN orders o ON o.id = c.order_id AND o.portfolio = 'P2'
		WHERE o.id > ?`, batchRows+3); n != 2 {
		t.Errorf("%d checks of the second chunk's orders, want 2", n)
	}
	err = s.InStreamTx(ctx, func(tx order.StreamTx) error {
		if _, err := tx.ProposedRows(ctx); err != nil {
			return err
		}
		if err := tx.InsertRows(ctx, other); err == nil {
			t.Error("rows built in another transaction went in")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT count(*) FROM orders`); n != batchRows+5 {
		t.Errorf("%d orders, want %d", n, batchRows+5)
	}
}
