package fixclient

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// The fault tests run the real order book (order.Service on order.MemStore,
// the same booking rules as the SQL store) behind a fixclient session that
// reaches brokersim through a faultProxy, and compare the books with what
// the broker filled, exactly.

const faultCash = "1000000"

var (
	faultPM     = order.Actor{Name: "pm1", Roles: []user.Role{user.PM}}
	faultTrader = order.Actor{Name: "trader1", Roles: []user.Role{user.Trader}}
	faultNow    = time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC) // a Wednesday morning
)

// booking is one report the desk booked and what the order book did with it.
type booking struct {
	r   order.ExecutionReport
	res order.BookResult
}

// faultDesk is the order book, its FIX session and the broker behind a proxy.
type faultDesk struct {
	t      *testing.T
	broker *brokersim.Broker
	proxy  *faultProxy
	client *Client
	store  *order.MemStore
	svc    *order.Service
	logs   *logSink

	mu       sync.Mutex
	booked   []booking
	statuses []SessionStatus
	outbox   []order.NewOrderRequest // releases refused with ErrSessionDown, sent at logon
	queued   int                     // how many releases ever waited in the outbox
}

type deskOpt struct {
	fill       brokersim.FillConfig
	plans      map[string]brokersim.Plan
	heartBtInt int // seconds; 0 means 1
}

var faultSeq atomic.Int64

func newFaultDesk(t *testing.T, opt deskOpt) *faultDesk {
	t.Helper()
	n := faultSeq.Add(1)
	us, them := fmt.Sprintf("FBALLAST%d", n), fmt.Sprintf("FSIM%d", n)
	if opt.fill.Latency == 0 {
		opt.fill.Latency = 2 * time.Millisecond
	}
	b, err := brokersim.New(brokersim.Config{
		Sessions: []brokersim.Session{{BeginString: "FIX.4.4", SenderCompID: them, TargetCompID: us}},
		Seed:     uint64(n), Fill: opt.fill, Scenario: brokersim.BySymbol(opt.plans),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	d := &faultDesk{t: t, broker: b, proxy: newFaultProxy(t, b.Addr()), logs: &logSink{}}
	var secs []portfolio.Security
	for _, sym := range []string{"VOD", "BP", "HSBA"} {
		secs = append(secs, portfolio.Security{Symbol: sym, LotSize: decimal.NewFromInt(1)})
	}
	for sym := range opt.plans {
		secs = append(secs, portfolio.Security{Symbol: sym, LotSize: decimal.NewFromInt(1)})
	}
	d.store = order.NewMemStore(secs...)
	td, err := order.NewTradingDay("16:30", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var ids atomic.Int64
	d.svc = &order.Service{Store: d.store, Sender: d, TradingDay: td, BlockAccount: "BLOCK",
		Clock:      order.ClockFunc(func() time.Time { return faultNow }),
		NewClOrdID: func() string { return fmt.Sprintf("F%d", ids.Add(1)) }}
	for _, pf := range []string{"P1", "P2", "P3"} {
		err := d.store.InTx(context.Background(), func(tx order.Tx) error {
			return tx.SaveCash(context.Background(), pf, decimal.RequireFromString(faultCash))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	hb := opt.heartBtInt
	if hb == 0 {
		hb = 1
	}
	settings, err := ParseSettings(strings.NewReader(fmt.Sprintf(`[DEFAULT]
ConnectionType=initiator
HeartBtInt=%d
ReconnectInterval=200ms
LogoutTimeout=1s
SocketConnectHost=127.0.0.1
SocketConnectPort=%s

[SESSION]
BeginString=FIX.4.4
SenderCompID=%s
TargetCompID=%s
BallastBroker=SIM
`, hb, d.proxy.port(), us, them)))
	if err != nil {
		t.Fatal(err)
	}
	// As serve runs it: the inbound sequence number is stored lazily, behind
	// the bookings (the in-memory book's are durable as soon as they return).
	d.client, err = New(Config{Settings: settings, Store: StoreFile, StorePath: t.TempDir(), Logger: slog.New(d.logs),
		SyncBooked: func() error { return nil }}, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.client.Stop)
	if err := d.client.Start(); err != nil {
		t.Fatal(err)
	}
	d.waitState(StateLoggedOn)
	return d
}

// OnExecution books the report in the order book.
func (d *faultDesk) OnExecution(ctx context.Context, r order.ExecutionReport) error {
	res, err := d.svc.BookExecution(ctx, r)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.booked = append(d.booked, booking{r, res})
	d.mu.Unlock()
	return nil
}

func (d *faultDesk) OnCancelReject(ctx context.Context, r order.CancelReject) error {
	return d.svc.HandleCancelReject(ctx, r)
}

func (d *faultDesk) OnSessionReject(ctx context.Context, r order.SessionReject) error {
	return d.svc.HandleSessionReject(ctx, r)
}

// OnSessionStatus records the status and, at logon, sends what waited.
func (d *faultDesk) OnSessionStatus(_ context.Context, s SessionStatus) {
	d.mu.Lock()
	d.statuses = append(d.statuses, s)
	d.mu.Unlock()
	if s.State == StateLoggedOn {
		go d.flush()
	}
}

// release proposes, approves, blocks and releases a limit buy of qty at px
// for portfolio pf at SIM, and returns its block.
func (d *faultDesk) release(pf, symbol, qty, px string) order.Block {
	d.t.Helper()
	ctx := context.Background()
	o := order.Order{Portfolio: pf, Symbol: symbol, Side: portfolio.Buy, Quantity: decimal.RequireFromString(qty),
		Type: order.Limit, LimitPrice: decimal.RequireFromString(px), TimeInForce: order.Day}
	os, err := d.svc.Propose(ctx, faultPM, []order.Proposal{{Order: o, Check: order.Check{Verdict: order.VerdictPass}}})
	if err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.svc.Approve(ctx, os[0].ID, faultTrader, nil); err != nil {
		d.t.Fatal(err)
	}
	b, err := d.svc.CreateBlock(ctx, faultTrader, []int64{os[0].ID}, "SIM")
	if err != nil {
		d.t.Fatal(err)
	}
	if b, err = d.svc.Release(ctx, faultTrader, b.ID); err != nil {
		d.t.Fatal(err)
	}
	return b
}

// brokerFilled is what the broker filled of symbol, over every account.
func (d *faultDesk) brokerFilled(symbol string) brokersim.Total {
	t := brokersim.Total{}
	for k, v := range d.broker.Totals() {
		if k.Symbol == symbol {
			t.Quantity, t.Notional = t.Quantity.Add(v.Quantity), t.Notional.Add(v.Notional)
		}
	}
	return t
}

// holding is pf's position in symbol and its cash.
func (d *faultDesk) holding(pf, symbol string) (qty, cash decimal.Decimal) {
	d.t.Helper()
	ctx := context.Background()
	err := d.store.InTx(ctx, func(tx order.Tx) error {
		p, err := tx.Position(ctx, pf, symbol)
		qty = p.Quantity
		if err == nil {
			cash, err = tx.Cash(ctx, pf)
		}
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return qty, cash
}

// block reads a block back from the order book.
func (d *faultDesk) block(id int64) order.Block {
	d.t.Helper()
	var b order.Block
	err := d.store.InTx(context.Background(), func(tx order.Tx) error {
		var err error
		b, err = tx.Block(context.Background(), id)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return b
}

// waitBooks waits until pf's books in symbol hold exactly what the broker
// filled (a position of the filled quantity, cash down by the notional) and
// the block is filled, and fails after the usual timeout if they never do.
func (d *faultDesk) waitBooks(pf, symbol string, blockID int64, wantQty string) {
	d.t.Helper()
	cash0 := decimal.RequireFromString(faultCash)
	var qty, cash decimal.Decimal
	var total brokersim.Total
	ok := func() bool {
		total = d.brokerFilled(symbol)
		qty, cash = d.holding(pf, symbol)
		return total.Quantity.Equal(decimal.RequireFromString(wantQty)) && qty.Equal(total.Quantity) &&
			cash.Equal(cash0.Sub(total.Notional)) && d.block(blockID).Status == order.Filled
	}
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			d.t.Fatalf("%s %s: booked %s, cash %s, block %s; broker filled %s for %s (want %s)",
				pf, symbol, qty, cash, d.block(blockID).Status, total.Quantity, total.Notional, wantQty)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// all is every report the desk booked, in order.
func (d *faultDesk) all() []booking {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]booking(nil), d.booked...)
}

// bookings returns what the desk booked for the ExecID.
func (d *faultDesk) bookings(execID string) []booking {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []booking
	for _, b := range d.booked {
		if b.r.ExecID == execID {
			out = append(out, b)
		}
	}
	return out
}

func (d *faultDesk) state() SessionState { return d.client.Status()[0].State }

func (d *faultDesk) waitState(s SessionState) {
	d.t.Helper()
	waitFor(d.t, "session "+string(s), func() bool { return d.state() == s })
}

// dropped says whether the session went from logged on to down (not by an
// operator) at some point, as the Handler heard it.
func (d *faultDesk) dropped() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	up := false
	for _, s := range d.statuses {
		if up && s.State == StateConnecting {
			return true
		}
		up = s.State == StateLoggedOn
	}
	return false
}
