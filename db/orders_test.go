package db

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

var (
	orderNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	pmActor  = order.Actor{Name: "pm", Roles: []user.Role{user.PM}}
	trActor  = order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
)

// loopbackSender is a test double of order.Sender that records requests.
type loopbackSender struct {
	mu   sync.Mutex
	sent []order.NewOrderRequest
}

func (l *loopbackSender) Send(_ context.Context, r order.NewOrderRequest) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, r)
	return nil
}
func (l *loopbackSender) Cancel(context.Context, order.CancelRequest) error   { return nil }
func (l *loopbackSender) Replace(context.Context, order.ReplaceRequest) error { return nil }

// newTestService is an order.Service over store with a fixed clock.
func newTestService(t testing.TB, store order.Store) (*order.Service, *loopbackSender) {
	t.Helper()
	td, err := order.NewTradingDay("16:30", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	snd := &loopbackSender{}
	return &order.Service{Store: store, Sender: snd, Clock: order.ClockFunc(func() time.Time { return orderNow }), TradingDay: td,
		NewClOrdID: func() string { n++; return fmt.Sprintf("T%d", n) }, BlockAccount: "BLOCK"}, snd
}

func dd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func buyOrder(pf, qty string) order.Proposal {
	return order.Proposal{Order: order.Order{Portfolio: pf, Symbol: "BBB", Side: portfolio.Buy, Quantity: dd(qty),
		Type: order.Market, TimeInForce: order.Day}, Check: order.Check{Verdict: order.VerdictPass}}
}

// memStoreLike is a MemStore seeded like seedSmall, to compare against.
func memStoreLike() *order.MemStore {
	m := order.NewMemStore(portfolio.Security{Symbol: "BBB", LotSize: dd("100")})
	_ = m.InTx(context.Background(), func(tx order.Tx) error {
		_ = tx.SaveCash(context.Background(), "P1", dd("0"))
		_ = tx.SaveCash(context.Background(), "P2", dd("100.50"))
		return tx.SavePosition(context.Background(), portfolio.Position{Portfolio: "P1", Symbol: "BBB", Quantity: dd("200"), AvgCost: dd("1.5")})
	})
	return m
}

// released proposes orders for P1 and P2, approves, blocks and releases them.
func released(t *testing.T, svc *order.Service) order.Block {
	t.Helper()
	ctx := context.Background()
	os, err := svc.Propose(ctx, pmActor, []order.Proposal{buyOrder("P1", "300"), buyOrder("P2", "200")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range os {
		if _, err := svc.Approve(ctx, o.ID, trActor, nil); err != nil {
			t.Fatal(err)
		}
	}
	b, err := svc.CreateBlock(ctx, trActor, []int64{os[0].ID, os[1].ID}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if b, err = svc.Release(ctx, trActor, b.ID); err != nil {
		t.Fatal(err)
	}
	return b
}

func fill(id, clOrdID, qty, px string) order.ExecutionReport {
	return order.ExecutionReport{Session: "S1", Broker: "SIM", ExecID: id, Kind: order.ExecPartialFill, ClOrdID: clOrdID,
		LastQty: dd(qty), LastPx: dd(px), Raw: "8=FIX.4.4|35=8|17=" + id}
}

type book struct {
	pos  map[string]portfolio.Position
	cash map[string]decimal.Decimal
}

func snapshot(t *testing.T, store order.Store) book {
	t.Helper()
	bk := book{pos: map[string]portfolio.Position{}, cash: map[string]decimal.Decimal{}}
	err := store.InTx(context.Background(), func(tx order.Tx) error {
		for _, pf := range []string{"P1", "P2"} {
			p, err := tx.Position(context.Background(), pf, "BBB")
			if err != nil {
				return err
			}
			bk.pos[pf] = p
			if bk.cash[pf], err = tx.Cash(context.Background(), pf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return bk
}

func (b book) equal(o book) bool {
	for pf, p := range b.pos {
		q := o.pos[pf]
		if !p.Quantity.Equal(q.Quantity) || !p.AvgCost.Equal(q.AvgCost) || !p.RealisedPnL.Equal(q.RealisedPnL) || !b.cash[pf].Equal(o.cash[pf]) {
			return false
		}
	}
	return true
}

func (b book) String() string {
	var s []string
	for _, pf := range []string{"P1", "P2"} {
		p := b.pos[pf]
		s = append(s, fmt.Sprintf("%s qty %s avg %s pnl %s cash %s", pf, p.Quantity, p.AvgCost, p.RealisedPnL, b.cash[pf]))
	}
	return strings.Join(s, "; ")
}

// TestOrderStoreBookingMatchesMemStore runs the same workflow on the SQLite
// store and on order's MemStore: duplicates change nothing, a bust reverses
// exactly, and both stores end with the same positions and cash.
func TestOrderStoreBookingMatchesMemStore(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	stores := map[string]order.Store{"sqlite": NewOrderStore(d), "mem": memStoreLike()}
	final := map[string]book{}
	for name, store := range stores {
		t.Run(name, func(t *testing.T) {
			svc, snd := newTestService(t, store)
			b := released(t, svc)
			if len(snd.sent) != 1 || !snd.sent[0].Quantity.Equal(dd("500")) {
				t.Fatalf("sent %+v, want one request for 500", snd.sent)
			}
			before := snapshot(t, store)
			mustBook(t, svc, fill("E1", b.ClOrdID, "250", "10.5"))
			afterFirst := snapshot(t, store)
			if afterFirst.equal(before) {
				t.Fatal("a fill changed nothing")
			}
			res, err := svc.BookExecution(ctx, fill("E1", b.ClOrdID, "250", "10.5"))
			if err != nil || !res.Duplicate {
				t.Fatalf("duplicate: %+v, %v; want Duplicate", res, err)
			}
			if got := snapshot(t, store); !got.equal(afterFirst) {
				t.Fatalf("duplicate changed the book:\n got %s\nwant %s", got, afterFirst)
			}
			mustBook(t, svc, fill("E2", b.ClOrdID, "100", "11"))
			bust := order.ExecutionReport{Session: "S1", Broker: "SIM", ExecID: "E3", ExecRefID: "E2", Kind: order.ExecBust, ClOrdID: b.ClOrdID}
			mustBook(t, svc, bust)
			if got := snapshot(t, store); !got.equal(afterFirst) {
				t.Fatalf("bust did not reverse exactly:\n got %s\nwant %s", got, afterFirst)
			}
			mustBook(t, svc, fill("E4", b.ClOrdID, "250", "10"))
			final[name] = snapshot(t, store)
		})
	}
	if !final["sqlite"].equal(final["mem"]) {
		t.Fatalf("stores disagree:\nsqlite %s\n   mem %s", final["sqlite"], final["mem"])
	}
	if q := final["sqlite"].pos["P1"].Quantity; !q.Equal(dd("500")) {
		t.Errorf("P1 quantity %s, want 500 (200 held + 300 bought)", q)
	}
}

func mustBook(t *testing.T, svc *order.Service, r order.ExecutionReport) {
	t.Helper()
	res, err := svc.BookExecution(context.Background(), r)
	if err != nil || res.Refused != "" || res.Duplicate {
		t.Fatalf("book %s: %+v, %v", r.ExecID, res, err)
	}
}
