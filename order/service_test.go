package order

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

type fakeSender struct {
	mu       sync.Mutex
	sent     []NewOrderRequest
	cancels  []CancelRequest
	replaces []ReplaceRequest
	err      error
}

func (f *fakeSender) Send(_ context.Context, r NewOrderRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, r)
	return f.err
}

func (f *fakeSender) Cancel(_ context.Context, r CancelRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancels = append(f.cancels, r)
	return f.err
}

func (f *fakeSender) Replace(_ context.Context, r ReplaceRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replaces = append(f.replaces, r)
	return f.err
}

type desk struct {
	svc    *Service
	store  *MemStore
	sender *fakeSender
	now    time.Time
}

var (
	pm     = Actor{Name: "pm1", Roles: []user.Role{user.PM}}
	trader = Actor{Name: "trader1", Roles: []user.Role{user.Trader}}
	bob    = Actor{Name: "bob", Roles: []user.Role{user.PM, user.Trader}}
)

func newDesk(t testing.TB) *desk {
	t.Helper()
	dk := &desk{store: NewMemStore(portfolio.Security{Symbol: "VOD", LotSize: d("100")}), sender: &fakeSender{}, now: testNow}
	td, err := NewTradingDay("16:30", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	dk.svc = &Service{Store: dk.store, Sender: dk.sender, Clock: ClockFunc(func() time.Time { return dk.now }), TradingDay: td,
		NewClOrdID: func() string { n++; return fmt.Sprintf("C%d", n) }, BlockAccount: "BLOCK"}
	for _, pf := range []string{"A", "B", "C"} {
		dk.setCash(t, pf, "1000000")
	}
	return dk
}

func (dk *desk) setCash(t testing.TB, pf, amount string) {
	err := dk.store.InTx(context.Background(), func(tx Tx) error { return tx.SaveCash(context.Background(), pf, d(amount)) })
	if err != nil {
		t.Fatal(err)
	}
}

func buy(pf, qty string) Order {
	return Order{Portfolio: pf, Symbol: "VOD", Side: portfolio.Buy, Quantity: d(qty), Type: Limit, LimitPrice: d("73"), TimeInForce: Day}
}

// approvedBlock proposes, approves and blocks one order per portfolio (1000 each).
func (dk *desk) approvedBlock(t testing.TB, pfs ...string) Block {
	t.Helper()
	ctx := context.Background()
	var ps []Proposal
	for _, pf := range pfs {
		ps = append(ps, Proposal{Order: buy(pf, "1000"), Check: Check{Verdict: VerdictPass}})
	}
	orders, err := dk.svc.Propose(ctx, pm, ps)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, o := range orders {
		if _, err := dk.svc.Approve(ctx, o.ID, trader, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	b, err := dk.svc.CreateBlock(ctx, trader, ids, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (dk *desk) released(t testing.TB, pfs ...string) Block {
	t.Helper()
	b := dk.approvedBlock(t, pfs...)
	b, err := dk.svc.Release(context.Background(), trader, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (dk *desk) book(t testing.TB, r ExecutionReport) BookResult {
	t.Helper()
	r.Session, r.Broker = "FIX.4.4:BALLAST->SIM", "SIM"
	res, err := dk.svc.BookExecution(context.Background(), r)
	if err != nil {
		t.Fatalf("book %s %s: %v", r.Kind, r.ExecID, err)
	}
	return res
}

func report(kind ExecKind, id, clOrdID, qty, px string) ExecutionReport {
	r := ExecutionReport{Kind: kind, ExecID: id, ClOrdID: clOrdID}
	if qty != "" {
		r.LastQty, r.LastPx = d(qty), d(px)
	}
	return r
}

// holdings describes positions and cash of A, B and C as one string.
func (dk *desk) holdings(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	ctx := context.Background()
	err := dk.store.InTx(ctx, func(tx Tx) error {
		for _, pf := range []string{"A", "B", "C"} {
			p, _ := tx.Position(ctx, pf, "VOD")
			c, _ := tx.Cash(ctx, pf)
			fmt.Fprintf(&b, "%s:%s@%s pnl %s cash %s; ", pf, p.Quantity, p.AvgCost, p.RealisedPnL, c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func (dk *desk) order(t testing.TB, id int64) Order {
	t.Helper()
	var o Order
	err := dk.store.InTx(context.Background(), func(tx Tx) error {
		var err error
		o, err = tx.Order(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (dk *desk) blockOrders(t testing.TB, id int64) []Order {
	t.Helper()
	var out []Order
	_ = dk.store.InTx(context.Background(), func(tx Tx) error {
		out, _ = tx.BlockOrders(context.Background(), id)
		return nil
	})
	return out
}

func TestBookingIsIdempotentAndBustsReverseExactly(t *testing.T) {
	dk := newDesk(t)
	b := dk.released(t, "A", "B", "C")
	if len(dk.sender.sent) != 1 || dk.sender.sent[0].Quantity.String() != "3000" || dk.sender.sent[0].Account != "BLOCK" {
		t.Fatalf("sent %+v", dk.sender.sent)
	}
	start := dk.holdings(t)
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	first := dk.book(t, report(ExecPartialFill, "e1", "C1", "250", "72"))
	if first.Status != PartiallyFilled || first.Totals.CumQty.String() != "250" {
		t.Fatalf("after first fill: %+v", first)
	}
	afterFirst := dk.holdings(t)
	want := "A:100@72 pnl 0 cash 992800; B:100@72 pnl 0 cash 992800; C:50@72 pnl 0 cash 996400; "
	if afterFirst != want {
		t.Fatalf("holdings after 250 @ 72:\n got %s\nwant %s", afterFirst, want)
	}
	for i := 0; i < 2; i++ {
		dup := report(ExecPartialFill, "e1", "C1", "250", "72")
		dup.PossDup = i == 1
		if res := dk.book(t, dup); !res.Duplicate {
			t.Fatalf("duplicate %d booked: %+v", i, res)
		}
		if got := dk.holdings(t); got != afterFirst {
			t.Fatalf("duplicate changed holdings: %s", got)
		}
	}
	full := dk.book(t, report(ExecFill, "e2", "C1", "2750", "73"))
	if full.Status != Filled || full.Totals.AvgPx().String() != "72.91666667" {
		t.Fatalf("after fill: %s avg %s", full.Status, full.Totals.AvgPx())
	}
	want = "A:1000@72.91666667 pnl 0 cash 927083.33333; B:1000@72.91666667 pnl 0 cash 927083.33333; C:1000@72.91666667 pnl 0 cash 927083.33333; "
	if got := dk.holdings(t); got != want {
		t.Fatalf("holdings after full fill:\n got %s\nwant %s", got, want)
	}
	for _, o := range dk.blockOrders(t, b.ID) {
		if o.Status != Filled || o.FilledQty.String() != "1000" || o.AvgPx.String() != "72.91666667" {
			t.Errorf("order %d: %s %s @ %s", o.ID, o.Status, o.FilledQty, o.AvgPx)
		}
	}
	bust := report(ExecBust, "x2", "C1", "", "")
	bust.ExecRefID = "e2"
	if res := dk.book(t, bust); res.Status != PartiallyFilled {
		t.Fatalf("after bust: %+v", res)
	}
	if got := dk.holdings(t); got != afterFirst {
		t.Fatalf("bust of the second fill:\n got %s\nwant %s", got, afterFirst)
	}
	bust.ExecID, bust.ExecRefID = "x1", "e1"
	if res := dk.book(t, bust); res.Status != Acknowledged {
		t.Fatalf("after second bust: %+v", res)
	}
	if got := dk.holdings(t); got != "A:0@0 pnl 0 cash 1000000; B:0@0 pnl 0 cash 1000000; C:0@0 pnl 0 cash 1000000; " || got != start {
		t.Fatalf("busting every fill: %s, want %s", got, start)
	}
	for _, o := range dk.blockOrders(t, b.ID) {
		if o.Status != Acknowledged || !o.FilledQty.IsZero() {
			t.Errorf("order %d after busts: %s %s", o.ID, o.Status, o.FilledQty)
		}
	}
}

func TestCorrectionRebooksAtTheNewPrice(t *testing.T) {
	dk := newDesk(t)
	dk.released(t, "A")
	dk.book(t, report(ExecPartialFill, "e1", "C1", "400", "10"))
	c := report(ExecCorrect, "c1", "C1", "400", "9.5")
	c.ExecRefID = "e1"
	if res := dk.book(t, c); res.Totals.AvgPx().String() != "9.5" {
		t.Fatalf("correction: %+v", res)
	}
	if got := dk.holdings(t); !strings.HasPrefix(got, "A:400@9.5 pnl 0 cash 996200;") {
		t.Fatalf("holdings %s", got)
	}
	again := report(ExecBust, "x1", "C1", "", "")
	again.ExecRefID = "e1" // already corrected: refused, kept
	if res := dk.book(t, again); !strings.Contains(res.Refused, "already corrected") {
		t.Fatalf("bust of a corrected fill: %+v", res)
	}
}

func TestSellAllocationRealisesPnL(t *testing.T) {
	dk := newDesk(t)
	ctx := context.Background()
	_ = dk.store.InTx(ctx, func(tx Tx) error {
		return tx.SavePosition(ctx, portfolio.Position{Portfolio: "A", Symbol: "VOD", Quantity: d("1000"), AvgCost: d("60")})
	})
	o := buy("A", "600")
	o.Side = portfolio.Sell
	orders, err := dk.svc.Propose(ctx, pm, []Proposal{{Order: o, Check: Check{Verdict: VerdictPass}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dk.svc.Approve(ctx, orders[0].ID, trader, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := dk.svc.CreateBlock(ctx, trader, []int64{orders[0].ID}, "SIM")
	if b.Account != "A" {
		t.Errorf("single-portfolio block account = %q", b.Account)
	}
	if _, err := dk.svc.Release(ctx, trader, b.ID); err != nil {
		t.Fatal(err)
	}
	dk.book(t, report(ExecFill, "e1", "C1", "600", "75"))
	if got := dk.holdings(t); !strings.HasPrefix(got, "A:400@60 pnl 9000 cash 1045000;") {
		t.Fatalf("holdings %s", got)
	}
}

func TestUnknownAndRefusedReportsAreKept(t *testing.T) {
	dk := newDesk(t)
	dk.released(t, "A")
	res := dk.book(t, report(ExecFill, "u1", "NOPE", "10", "1"))
	if !res.Unmatched || res.BlockID != 0 {
		t.Fatalf("unknown order: %+v", res)
	}
	if res := dk.book(t, report(ExecFill, "u1", "NOPE", "10", "1")); !res.Duplicate {
		t.Fatalf("unknown order resent: %+v", res)
	}
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	res = dk.book(t, report(ExecRejected, "r1", "C1", "", ""))
	if res.Refused == "" || res.Status != Acknowledged {
		t.Fatalf("reject after ack: %+v", res)
	}
	if res := dk.book(t, report(ExecRejected, "r1", "C1", "", "")); !res.Duplicate {
		t.Fatalf("refused report resent: %+v", res)
	}
	kept := 0
	for _, e := range dk.store.Events() {
		if e.Action == "execution_kept" {
			kept++
		}
	}
	if kept != 2 {
		t.Errorf("%d execution_kept events, want 2", kept)
	}
}
