package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/marketdata"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
)

// stubCompliance is a ComplianceDesk that knows nothing and accepts everything:
// the security tests need the compliance routes present, not their behaviour.
type stubCompliance struct{}

func (stubCompliance) Rules(context.Context) ([]compliance.VersionedRule, error) { return nil, nil }
func (stubCompliance) RuleHistory(context.Context, string) ([]compliance.VersionedRule, error) {
	return nil, errNotFound
}
func (stubCompliance) SaveRule(context.Context, compliance.Rule, bool, string, string) error {
	return nil
}
func (stubCompliance) ImportRules(context.Context, []compliance.Rule, string, string) (int, error) {
	return 0, nil
}
func (stubCompliance) RestrictedList(context.Context) ([]compliance.RestrictedEntry, error) {
	return nil, nil
}
func (stubCompliance) AddRestriction(context.Context, compliance.RestrictedEntry, string, string) error {
	return nil
}
func (stubCompliance) RemoveRestriction(context.Context, compliance.RestrictedEntry, string, string) error {
	return nil
}
func (stubCompliance) Alerts(context.Context, []compliance.AlertStatus) ([]compliance.AlertRecord, error) {
	return nil, nil
}
func (stubCompliance) AcknowledgeAlert(context.Context, int64, string, string) error { return nil }
func (stubCompliance) ResolveAlert(context.Context, int64, string, string) error     { return nil }
func (stubCompliance) RunBatch(context.Context, []string) (BatchSummary, error) {
	return BatchSummary{}, nil
}
func (stubCompliance) Queue(context.Context) ([]OrderReview, error) { return nil, nil }
func (stubCompliance) Review(context.Context, int64) (OrderReview, error) {
	return OrderReview{}, errNotFound
}
func (stubCompliance) Override(context.Context, int64, order.Actor, order.Override) (order.Order, error) {
	return order.Order{}, errNotFound
}
func (stubCompliance) CheckTrades(context.Context, []portfolio.Trade) ([]compliance.TradeSummary, error) {
	return nil, nil
}

// secConditions are the fake conditions, with defaults that are never found.
type secConditions struct{ *fakeConditions }

func (secConditions) ApproveDefault(context.Context, user.User, int64) (DefaultView, error) {
	return DefaultView{}, trigger.ErrNotFound
}
func (secConditions) RemoveDefault(context.Context, user.User, int64) (DefaultView, error) {
	return DefaultView{}, trigger.ErrNotFound
}

// testClock is a clock the security tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// secMetricsToken is the metrics bearer token of the security tests.
const secMetricsToken = "metrics-only-token-0123456789"

// secApp is the whole server with every optional desk present, the users pm,
// admin, trader and compliance, and a clock the test moves.
type secApp struct {
	*testApp
	h      http.Handler
	db     *db.DB
	clock  *testClock
	tokens map[string]string // user name → API token
}

// secOptions change how newSecApp builds the server.
type secOptions struct {
	secureCookies bool
}

func newSecApp(t *testing.T, opt secOptions) *secApp {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "security.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	_, err = d.Writer().Exec(`INSERT INTO securities (symbol, name, issuer, currency, asset_class, lot_size) VALUES
		('AAA', 'Alpha Corp', 'Alpha', 'USD', 'equity', '1'), ('BBB', 'Beta Bank', 'Beta', 'USD', 'equity', '100');
		INSERT INTO portfolios (code, name, base_currency, cash) VALUES ('GROWTH', 'Growth Fund', 'USD', '1000000')`)
	if err != nil {
		t.Fatal(err)
	}
	app := &testApp{t: t, store: newFakeStore(testHash()), sessions: memstore.New(), logs: &syncBuffer{}}
	app.store.users = append(app.store.users,
		user.User{ID: 5, Name: "trader", Roles: []user.Role{user.Trader}, PasswordHash: testHash()},
		user.User{ID: 6, Name: "compliance", Roles: []user.Role{user.Compliance}, PasswordHash: testHash()},
		user.User{ID: 7, Name: "pmtrader", Roles: []user.Role{user.PM, user.Trader}, PasswordHash: testHash()})
	clock := &testClock{t: orderNow}
	td, _ := order.NewTradingDay("16:30", time.UTC)
	n := 0
	store := db.NewOrderStore(d)
	svc := &order.Service{Store: store, Sender: &loopbackSender{}, Clock: order.ClockFunc(clock.Now),
		TradingDay: td, NewClOrdID: func() string { n++; return fmt.Sprintf("S%d", n) }, BlockAccount: "BLOCK"}
	live := NewBroadcaster()
	prices := &fakePrices{hub: marketdata.NewHub(), known: map[string]bool{"AAA": true, "BBB": true, "CCC": true}}
	t.Cleanup(prices.hub.Close)
	cfg := Config{
		Logger:        slog.New(slog.NewJSONHandler(app.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Store:         app.store,
		SessionStore:  app.sessions,
		IsNotFound:    func(err error) bool { return errors.Is(err, errNotFound) || errors.Is(err, db.ErrNotFound) },
		Now:           clock.Now,
		Version:       "test",
		SecureCookies: opt.secureCookies,
		Proposals:     &fakeProposals{},
		Prices:        prices,
		Conditions:    secConditions{&fakeConditions{conds: map[int64]trigger.Condition{}}},
		Orders:        store,
		Desk:          &testDesk{svc: svc, store: store, live: live},
		OrderChanges:  live,
		Compliance:    stubCompliance{},
		Sessions:      &fakeSessions{state: "logged_on"},
		Metrics:       NewMetrics(),
		MetricsToken:  secMetricsToken,
	}
	h, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(h)
	t.Cleanup(app.srv.Close)
	sa := &secApp{testApp: app, h: h, db: d, clock: clock, tokens: map[string]string{}}
	for _, name := range []string{"norole", "pm", "admin", "trader", "compliance", "pmtrader"} {
		u, err := app.store.UserByName(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		sa.tokens[name] = app.addToken(u.ID)
	}
	return sa
}
