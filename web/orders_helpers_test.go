package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
)

// orderNow is the order tests' clock: a weekday morning.
var orderNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// loopbackSender is a test double of order.Sender that records what it is
// asked; refuse, when set, may refuse a new order instead.
type loopbackSender struct {
	mu       sync.Mutex
	sent     []order.NewOrderRequest
	replaced []order.ReplaceRequest
	refuse   func(order.NewOrderRequest) error
}

func (l *loopbackSender) Send(_ context.Context, r order.NewOrderRequest) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refuse != nil {
		if err := l.refuse(r); err != nil {
			return err
		}
	}
	l.sent = append(l.sent, r)
	return nil
}
func (l *loopbackSender) Cancel(context.Context, order.CancelRequest) error { return nil }
func (l *loopbackSender) Replace(_ context.Context, r order.ReplaceRequest) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.replaced = append(l.replaced, r)
	return nil
}

// testDesk is OrderActions over order.Service, as cmd/ballast wires it but
// with every manual order passing compliance.
type testDesk struct {
	svc   *order.Service
	store *db.OrderStore
	live  *Broadcaster
}

func (d *testDesk) Enter(ctx context.Context, a order.Actor, o order.Order) (order.Order, order.Check, error) {
	c := order.Check{Verdict: order.VerdictPass, Findings: "test: no rules"}
	os, err := d.svc.Propose(ctx, a, []order.Proposal{{Order: o, Check: c}})
	if err != nil {
		return order.Order{}, c, err
	}
	d.live.Publish(Change{What: "order", OrderIDs: []int64{os[0].ID}})
	return os[0], c, nil
}
func (d *testDesk) Approve(ctx context.Context, a order.Actor, id int64) (order.Order, error) {
	return d.svc.Approve(ctx, id, a, nil)
}
func (d *testDesk) BulkApprove(ctx context.Context, a order.Actor, ids []int64) []error {
	return d.svc.BulkApprove(ctx, ids, a)
}
func (d *testDesk) Cancel(ctx context.Context, a order.Actor, id int64, reason string) (order.Order, error) {
	return d.svc.CancelOrder(ctx, a, id, reason)
}
func (d *testDesk) Replace(ctx context.Context, a order.Actor, id int64, qty, limit decimal.Decimal) (order.Order, error) {
	return d.svc.AmendOrder(ctx, a, id, qty, limit, order.Check{Verdict: order.VerdictPass})
}
func (d *testDesk) CreateBlock(ctx context.Context, a order.Actor, ids []int64, broker string) (order.Block, error) {
	return d.svc.CreateBlock(ctx, a, ids, broker)
}
func (d *testDesk) Release(ctx context.Context, a order.Actor, id int64) (order.Block, error) {
	return d.svc.Release(ctx, a, id)
}
func (d *testDesk) ReleaseBlocks(ctx context.Context, a order.Actor, ids []int64) ([]order.Block, error) {
	return d.svc.ReleaseBlocks(ctx, a, ids)
}
func (d *testDesk) CancelBlock(ctx context.Context, a order.Actor, id int64, reason string) (order.Block, error) {
	return d.svc.CancelBlock(ctx, a, id, reason)
}
func (d *testDesk) ReplaceBlock(ctx context.Context, a order.Actor, id int64, qty, limit decimal.Decimal) (order.Block, error) {
	return d.svc.ReplaceBlock(ctx, a, id, qty, limit, "replace block")
}
func (d *testDesk) Brokers() []string { return []string{"SIM", "ALT"} }

// orderApp is a test server with the order book on a real SQLite store.
type orderApp struct {
	*testApp
	desk   *testDesk
	sender *loopbackSender
	db     *db.DB
	now    time.Time
}

// newOrderApp adds to the fake desk the users trader, trader2, pmtrader
// (pm and trader) and compliance, and the order book over SQLite.
func newOrderApp(t testing.TB) *orderApp {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "orders.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	_, err = d.Writer().Exec(`INSERT INTO securities (symbol, name, issuer, currency, asset_class, lot_size) VALUES
		('AAA', 'Alpha Corp', 'Alpha', 'USD', 'equity', '1'), ('BBB', 'Beta Bank', 'Beta', 'USD', 'equity', '100');
		INSERT INTO portfolios (code, name, base_currency, cash) VALUES ('GROWTH', 'Growth Fund', 'USD', '1000000'), ('INCOME', 'Income', 'USD', '500000')`)
	if err != nil {
		t.Fatal(err)
	}
	app := &orderApp{testApp: &testApp{t: t, store: newFakeStore(testHash()), sessions: memstore.New(), logs: &syncBuffer{}},
		sender: &loopbackSender{}, now: orderNow, db: d}
	for _, u := range []user.User{
		{Name: "trader", Roles: []user.Role{user.Trader}}, {Name: "trader2", Roles: []user.Role{user.Trader}},
		{Name: "pmtrader", Roles: []user.Role{user.PM, user.Trader}}, {Name: "compliance", Roles: []user.Role{user.Compliance}},
	} {
		u.PasswordHash = testHash()
		if _, err := app.store.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	td, _ := order.NewTradingDay("16:30", time.UTC)
	n := 0
	store := db.NewOrderStore(d)
	svc := &order.Service{Store: store, Sender: app.sender, Clock: order.ClockFunc(func() time.Time { return app.now }),
		TradingDay: td, NewClOrdID: func() string { n++; return fmt.Sprintf("W%d", n) }, BlockAccount: "BLOCK"}
	live := NewBroadcaster()
	app.desk = &testDesk{svc: svc, store: store, live: live}
	h, err := NewServer(Config{
		Logger: slog.New(slog.NewJSONHandler(app.logs, nil)), Store: app.store, SessionStore: app.sessions,
		IsNotFound: func(err error) bool { return errors.Is(err, errNotFound) || errors.Is(err, db.ErrNotFound) },
		Now:        func() time.Time { return app.now }, Version: "test",
		Orders: store, Desk: app.desk, OrderChanges: live,
	})
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(h)
	t.Cleanup(app.srv.Close)
	return app
}

// tokenFor gives the named user a fresh API token.
func (a *orderApp) tokenFor(name string) string {
	a.t.Helper()
	u, err := a.store.UserByName(context.Background(), name)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.addToken(u.ID)
}

// apiDo sends a JSON body with a bearer token.
func (a *orderApp) apiDo(token, method, path, body string) response {
	a.t.Helper()
	req := a.request(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return a.do(a.client(), req)
}

// wantRefused checks a JSON refusal with status and a reason containing why.
func wantRefused(t *testing.T, what string, res response, status int, why string) {
	t.Helper()
	wantJSONError(t, what, res, status)
	if !strings.Contains(res.body, why) {
		t.Errorf("%s: body %s does not say %q", what, res.body, why)
	}
}

var _ = http.StatusOK
