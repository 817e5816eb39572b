package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
)

// recordingSender is a test Sender that keeps every new order it is given.
type recordingSender struct {
	mu   sync.Mutex
	sent []order.NewOrderRequest
}

func (s *recordingSender) Send(_ context.Context, r order.NewOrderRequest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, r)
	return nil
}
func (s *recordingSender) Cancel(context.Context, order.CancelRequest) error   { return nil }
func (s *recordingSender) Replace(context.Context, order.ReplaceRequest) error { return nil }

func (s *recordingSender) requests() []order.NewOrderRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]order.NewOrderRequest(nil), s.sent...)
}

// liveDesk is a demo desk served over httptest with live prices (no feed),
// the trigger engine, and an order book sending to a recordingSender.
type liveDesk struct {
	d      *db.DB
	srv    *httptest.Server
	sender *recordingSender
	orders *orderDesk
	live   *liveServe
	tokens map[string]string // user name → bearer token
}

func newLiveDesk(t *testing.T) *liveDesk {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	hash, err := user.HashPassword(db.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SeedDemo(ctx, hash); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ld := &liveDesk{d: d, sender: &recordingSender{}, tokens: map[string]string{}}
	if ld.live, err = startLive(ctx, d, priceFlags{feed: "none"}, logger); err != nil {
		t.Fatal(err)
	}
	ld.orders, err = newOrderBook(d, orderConfig{close: "23:59", zone: "UTC", sender: ld.sender})
	if err != nil {
		t.Fatal(err)
	}
	sessions := sqlite3store.NewWithCleanupInterval(d.Writer(), time.Hour)
	cfg := web.Config{Logger: logger, Store: d, SessionStore: sessions, Now: time.Now, Version: "test",
		IsNotFound: func(err error) bool { return errors.Is(err, db.ErrNotFound) },
		Orders:     ld.orders.store, Desk: ld.orders, OrderChanges: ld.orders.changes}
	if err := ld.live.attach(&cfg, ld.orders); err != nil {
		t.Fatal(err)
	}
	h, err := web.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ld.srv = httptest.NewServer(h)
	t.Cleanup(func() {
		ld.srv.Close()
		cancel()
		ld.live.stop()
		sessions.StopCleanup()
		d.Close()
	})
	for _, name := range []string{"pm", "trader", "trader2", "admin"} {
		u, err := d.UserByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		plain, hashed, err := user.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if err := d.AddAPIToken(ctx, u.ID, hashed, "test"); err != nil {
			t.Fatal(err)
		}
		ld.tokens[name] = plain
	}
	return ld
}

// call sends a JSON request as user and decodes the JSON answer into out.
func (ld *liveDesk) call(t *testing.T, as, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ld.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+ld.tokens[as])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

type condOut struct {
	ID         int64  `json:"id"`
	State      string `json:"state"`
	High       string `json:"high"`
	FiredPrice string `json:"fired_price"`
	OrderID    int64  `json:"order_id"`
	Alert      string `json:"alert"`
	Error      string `json:"error"`
}

// waitCondition polls the API until ok accepts the condition (the engine
// runs on its own goroutine); it fails after a generous deadline.
func (ld *liveDesk) waitCondition(t *testing.T, id int64, what string, ok func(condOut) bool) condOut {
	t.Helper()
	var c condOut
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c = condOut{}
		ld.call(t, "pm", "GET", fmt.Sprintf("/api/v1/conditions/%d", id), nil, &c)
		if ok(c) {
			return c
		}
	}
	t.Fatalf("condition %d never %s: %+v", id, what, c)
	return c
}

func (ld *liveDesk) postPrice(t *testing.T, symbol, price string) {
	t.Helper()
	var out map[string]any
	if code := ld.call(t, "admin", "POST", "/api/v1/prices", []map[string]string{{"symbol": symbol, "price": price}}, &out); code != http.StatusOK {
		t.Fatalf("post price %s %s: %d %v", symbol, price, code, out)
	}
}

// demoHolding returns the demo's smallest position by quantity, so that
// selling it at about 114 stays within the demo rules' notional limit.
func (ld *liveDesk) demoHolding(t *testing.T) portfolio.Position {
	t.Helper()
	all, err := ld.d.AllHoldings(context.Background())
	if err != nil {
		t.Fatalf("demo holdings: %v", err)
	}
	var best portfolio.Position
	for _, h := range all {
		for _, p := range h.Positions {
			if p.Quantity.IsPositive() && (best.Symbol == "" || p.Quantity.LessThan(best.Quantity)) {
				best = p
			}
		}
	}
	if best.Symbol == "" {
		t.Fatal("no demo position")
	}
	return best
}

// TestTrailingStopFiresThroughPricesAPI is the acceptance path over
// HTTP: a PM sets a 5% trailing stop activated at 100, another trader
// approves it, prices 100, 110, 120, 114.5 come in through POST
// /api/v1/prices without firing it, 113.9 fires it, and its sell order goes
// out to the portfolio's default broker with no one approving it again.
func TestTrailingStopFiresThroughPricesAPI(t *testing.T) {
	ld := newLiveDesk(t)
	pos := ld.demoHolding(t)
	var c condOut
	code := ld.call(t, "pm", "POST", "/api/v1/conditions", map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol,
		"kind": "trailing_stop", "percent": "5", "activation_price": "100"}, &c)
	if code != http.StatusCreated || c.State != "pending_approval" {
		t.Fatalf("create: %d %+v", code, c)
	}
	var stop condOut
	if code := ld.call(t, "pm", "POST", "/api/v1/conditions", map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol,
		"kind": "stop_loss", "trigger_price": "50"}, &stop); code != http.StatusCreated {
		t.Fatalf("create stop-loss: %d %+v", code, stop)
	}
	var refused condOut
	if code := ld.call(t, "pm", "POST", fmt.Sprintf("/api/v1/conditions/%d/approve", c.ID), nil, &refused); code != http.StatusForbidden {
		t.Fatalf("approval by the pm: %d %+v", code, refused)
	}
	if code := ld.call(t, "trader", "POST", fmt.Sprintf("/api/v1/conditions/%d/approve", c.ID), nil, &c); code != http.StatusOK || c.State != "active" {
		t.Fatalf("approve: %d %+v", code, c)
	}
	for _, p := range []string{"100", "110", "120", "114.5"} {
		ld.postPrice(t, pos.Symbol, p)
	}
	got := ld.waitCondition(t, c.ID, "tracked a high of 120", func(c condOut) bool { return c.High == "120" })
	if got.State != "active" || len(ld.sender.requests()) != 0 {
		t.Fatalf("fired before 113.9: %+v", got)
	}
	ld.postPrice(t, pos.Symbol, "113.9")
	got = ld.waitCondition(t, c.ID, "fired with an order", func(c condOut) bool { return c.State == "triggered" && (c.OrderID != 0 || c.Alert != "") })
	if got.FiredPrice != "113.9" || got.Alert != "" {
		t.Fatalf("fired: %+v", got)
	}
	sent := ld.sender.requests()
	if len(sent) != 1 || sent[0].Side != portfolio.Sell || !sent[0].Quantity.Equal(pos.Quantity) || sent[0].Broker != "SIM" {
		t.Fatalf("sent: %+v, want one sell of %s", sent, pos.Quantity)
	}
	detail, err := ld.orders.store.OrderDetail(context.Background(), got.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if detail.Order.ProposedBy != "pm" || detail.Order.ApprovedBy != "trader" {
		t.Fatalf("order %+v", detail.Order)
	}
	ld.fillAndClose(t, sent[0], pos)
	ld.waitCondition(t, stop.ID, "cancelled with its holding", func(c condOut) bool { return c.State == "cancelled" })
}

// fillAndClose books the broker's fill of the whole holding and checks that
// the position is gone.
func (ld *liveDesk) fillAndClose(t *testing.T, r order.NewOrderRequest, pos portfolio.Position) {
	t.Helper()
	px := decimal.RequireFromString("113.9")
	_, err := ld.orders.svc.BookExecution(context.Background(), order.ExecutionReport{Session: "SIM", Broker: "SIM",
		ExecID: "F1", Kind: order.ExecFill, ClOrdID: r.ClOrdID, Symbol: r.Symbol, Side: r.Side, LastQty: r.Quantity,
		LastPx: px, CumQty: r.Quantity, AvgPx: px, OrderQty: r.Quantity, TransactAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	h, err := ld.d.Holdings(context.Background(), pos.Portfolio)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range h.Positions {
		if p.Symbol == pos.Symbol && p.Quantity.IsPositive() {
			t.Fatalf("position after the fill: %s", p.Quantity)
		}
	}
}

// TestTriggersExpireOnTheInjectedClockAndResumeAfterRestart expires an
// active and a pending condition when the desk's clock passes their
// validity, and restarts the engine from storage mid-path: the trailing high
// of 120 is kept and the first price below 114 fires it.
func TestTriggersExpireOnTheInjectedClockAndResumeAfterRestart(t *testing.T) {
	ld := newLiveDesk(t)
	pos := ld.demoHolding(t)
	until := time.Now().UTC().Add(48 * time.Hour).Format(time.DateOnly)
	mk := func(body map[string]any) condOut {
		var c condOut
		if code := ld.call(t, "pm", "POST", "/api/v1/conditions", body, &c); code != http.StatusCreated {
			t.Fatalf("create %v: %d %+v", body, code, c)
		}
		return c
	}
	short := mk(map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol, "kind": "stop_loss", "trigger_price": "10", "valid_until": until})
	pending := mk(map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol, "kind": "stop_loss", "trigger_price": "11", "valid_until": until})
	trail := mk(map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol, "kind": "trailing_stop", "percent": "5", "activation_price": "100"})
	for _, id := range []int64{short.ID, trail.ID} {
		if code := ld.call(t, "trader2", "POST", fmt.Sprintf("/api/v1/conditions/%d/approve", id), nil, nil); code != http.StatusOK {
			t.Fatalf("approve %d: %d", id, code)
		}
	}
	td := ld.live.triggers
	td.expire(context.Background()) // nothing is due yet
	if c, _ := ld.d.Condition(context.Background(), short.ID); c.State != "active" {
		t.Fatalf("expired early: %s", c.State)
	}
	td.now = func() time.Time { return time.Now().Add(72 * time.Hour) }
	td.expire(context.Background())
	for _, id := range []int64{short.ID, pending.ID} {
		if c, _ := ld.d.Condition(context.Background(), id); c.State != "expired" {
			t.Fatalf("condition %d after its validity: %s", id, c.State)
		}
	}
	td.now = time.Now

	for _, p := range []string{"100", "120", "114.5"} {
		ld.postPrice(t, pos.Symbol, p)
	}
	ld.waitCondition(t, trail.ID, "tracked 120", func(c condOut) bool { return c.High == "120" })
	// Restart: a new price pipeline and engine over the same database.
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	lp, err := startPrices(context.Background(), ld.d, priceFlags{feed: "none"}, logger, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	td2, err := startTriggers(context.Background(), triggerDeps{d: ld.d, prices: lp, orders: ld.orders.svc, log: logger, now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := td2.engine.Get(trail.ID); !ok || !c.High.Equal(decimal.NewFromInt(120)) {
		t.Fatalf("resumed %+v %v", c, ok)
	}
	if err := lp.Publish(context.Background(), []portfolio.Price{{Symbol: pos.Symbol, Value: decimal.RequireFromString("113.9")}}); err != nil {
		t.Fatal(err)
	}
	td2.close()
	lp.stop() // drains the published batch through the engine
	if c, _ := ld.d.Condition(context.Background(), trail.ID); c.State != "triggered" || !c.FiredPrice.Equal(decimal.RequireFromString("113.9")) {
		t.Fatalf("after restart: %s at %s", c.State, c.FiredPrice)
	}
}

// trade proposes, approves, blocks and releases one order, then books its
// full fill at px: the way a position opens or shrinks.
func (ld *liveDesk) trade(t *testing.T, pf, symbol string, side portfolio.Side, qty, px string) {
	t.Helper()
	ctx := context.Background()
	svc := ld.orders.svc
	pm := order.Actor{Name: "pm", Roles: []user.Role{user.PM}}
	tr := order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	os, err := svc.Propose(ctx, pm, []order.Proposal{{Order: order.Order{Portfolio: pf, Symbol: symbol, Side: side,
		Quantity: decimal.RequireFromString(qty), Type: order.Market, TimeInForce: order.Day}, Check: order.Check{Verdict: order.VerdictPass}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Approve(ctx, os[0].ID, tr, nil); err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateBlock(ctx, tr, []int64{os[0].ID}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if b, err = svc.Release(ctx, tr, b.ID); err != nil {
		t.Fatal(err)
	}
	p, q := decimal.RequireFromString(px), decimal.RequireFromString(qty)
	_, err = svc.BookExecution(ctx, order.ExecutionReport{Session: "SIM", Broker: "SIM", ExecID: "X" + b.ClOrdID,
		Kind: order.ExecFill, ClOrdID: b.ClOrdID, Symbol: symbol, Side: side, LastQty: q, LastPx: p, CumQty: q, AvgPx: p,
		OrderQty: q, TransactAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDefaultsAttachToOpenedPositionsAndSellsResize approves a portfolio's
// defaults (10% stop-loss, 5% trailing stop), opens a position with a buy
// fill — both attach, active — then a sell of half the holding resizes a
// partial stop-loss to half its quantity.
func TestDefaultsAttachToOpenedPositionsAndSellsResize(t *testing.T) {
	ld := newLiveDesk(t)
	ctx := context.Background()
	pos := ld.demoHolding(t)
	h, _ := ld.d.Holdings(ctx, pos.Portfolio)
	held := map[string]bool{}
	for _, p := range h.Positions {
		held[p.Symbol] = true
	}
	secs, _ := ld.d.Securities(ctx, "")
	symbol := ""
	for _, s := range secs {
		if !held[s.Symbol] && s.LotSize.Equal(decimal.NewFromInt(1)) && s.AssetClass == "equity" {
			symbol = s.Symbol
			break
		}
	}
	td := ld.live.triggers
	pm := user.User{Name: "pm", Roles: []user.Role{user.PM}}
	tr := user.User{Name: "trader", Roles: []user.Role{user.Trader}}
	for _, tmpl := range []trigger.Template{
		{Portfolio: pos.Portfolio, Kind: trigger.StopLoss, Terms: trigger.Terms{Percent: decimal.NewFromInt(10)}},
		{Portfolio: pos.Portfolio, Kind: trigger.TrailingStop, Terms: trigger.Terms{Percent: decimal.NewFromInt(5)}},
	} {
		dv, err := td.AddDefault(ctx, pm, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := td.ApproveDefault(ctx, pm, dv.ID); !errors.Is(err, trigger.ErrForbidden) {
			t.Fatalf("creator approves the default: %v", err)
		}
		if _, err := td.ApproveDefault(ctx, tr, dv.ID); err != nil {
			t.Fatal(err)
		}
	}
	latest, _ := ld.d.LatestPrices(ctx)
	px := latest[symbol].Value.String()
	ld.trade(t, pos.Portfolio, symbol, portfolio.Buy, "10", px)
	attached, err := ld.d.HoldingConditions(ctx, pos.Portfolio, symbol)
	if err != nil || len(attached) != 2 || attached[0].State != trigger.Active || attached[1].State != trigger.Active ||
		attached[0].TemplateID == 0 || attached[0].ApprovedBy != "trader" {
		t.Fatalf("attached on the opened position: %v %+v", err, attached)
	}
	if td.engine.Len() != 2 {
		t.Fatalf("engine watches %d conditions, want 2", td.engine.Len())
	}
	part, err := td.Create(ctx, pm, trigger.Condition{Portfolio: pos.Portfolio, Symbol: symbol, Kind: trigger.StopLoss,
		Terms: trigger.Terms{Percent: decimal.NewFromInt(20), Quantity: decimal.NewFromInt(4)}})
	if err != nil {
		t.Fatal(err)
	}
	ld.trade(t, pos.Portfolio, symbol, portfolio.Sell, "5", px)
	got, _ := ld.d.Condition(ctx, part.ID)
	if !got.Quantity.Equal(decimal.NewFromInt(2)) || got.Version != 2 {
		t.Fatalf("partial stop-loss after selling half: %s v%d", got.Quantity, got.Version)
	}
}

// TestHardBreachBlocksAFiredOrderWithAnAlert puts the holding's security on
// the no-trade list: the stop-loss still fires, but its order stays blocked,
// nothing is sent, and the condition carries the alert.
func TestHardBreachBlocksAFiredOrderWithAnAlert(t *testing.T) {
	ld := newLiveDesk(t)
	pos := ld.demoHolding(t)
	if err := ld.d.AddRestriction(context.Background(), compliance.RestrictedEntry{Mode: compliance.NoTrade, Symbol: pos.Symbol},
		"compliance", "test"); err != nil {
		t.Fatal(err)
	}
	ld.postPrice(t, pos.Symbol, "100")
	var c condOut
	if code := ld.call(t, "pm", "POST", "/api/v1/conditions", map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol,
		"kind": "stop_loss", "trigger_price": "95"}, &c); code != http.StatusCreated {
		t.Fatalf("create: %d %+v", code, c)
	}
	if code := ld.call(t, "trader", "POST", fmt.Sprintf("/api/v1/conditions/%d/approve", c.ID), nil, nil); code != http.StatusOK {
		t.Fatalf("approve: %d", code)
	}
	ld.postPrice(t, pos.Symbol, "94.5")
	got := ld.waitCondition(t, c.ID, "raised an alert", func(c condOut) bool { return c.Alert != "" })
	if got.State != "triggered" || got.OrderID == 0 || !strings.Contains(got.Alert, "hard compliance breach") {
		t.Fatalf("condition %+v", got)
	}
	if n := len(ld.sender.requests()); n != 0 {
		t.Fatalf("%d orders sent despite the breach", n)
	}
	detail, err := ld.orders.store.OrderDetail(context.Background(), got.OrderID)
	if err != nil || detail.Order.Status != order.Blocked {
		t.Fatalf("order: %v %s", err, detail.Order.Status)
	}
}
