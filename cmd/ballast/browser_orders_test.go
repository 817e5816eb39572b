package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/internal/browsertest"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
	"github.com/ballast-oms/ballast/web/views"
)

// browserSender is a test double of order.Sender standing in for the FIX
// client: it keeps what it was asked to send.
type browserSender struct {
	mu   sync.Mutex
	sent []order.NewOrderRequest
}

func (s *browserSender) Send(_ context.Context, r order.NewOrderRequest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, r)
	return nil
}
func (s *browserSender) Cancel(context.Context, order.CancelRequest) error   { return nil }
func (s *browserSender) Replace(context.Context, order.ReplaceRequest) error { return nil }

func (s *browserSender) last() (order.NewOrderRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sent) == 0 {
		return order.NewOrderRequest{}, false
	}
	return s.sent[len(s.sent)-1], true
}

// TestBrowserTraderWorkflow drives Chromium through the trader's day on the
// demo desk: a PM's saved proposal appears on the blotter; the trader
// approves it, blocks it and releases it to the test sender; a fill from the
// broker shows up live in the blotter and in the portfolio's positions.
func TestBrowserTraderWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := browsertest.New(t)
	ctx := context.Background()
	d, desk, snd, srv := newBrowserDesk(t)

	before, err := d.Holdings(ctx, "EU-LEAD")
	if err != nil {
		t.Fatal(err)
	}
	held := quantityOf(before, "AIR")
	// The PM's saved proposal, as the rebalance saver stores it.
	pm := order.Actor{Name: "pm", Roles: []user.Role{user.PM}}
	o := order.Order{Portfolio: "EU-LEAD", Symbol: "AIR", Side: portfolio.Sell, Quantity: decimal.NewFromInt(100),
		Type: order.Limit, LimitPrice: decimal.NewFromInt(150), TimeInForce: order.Day, Notes: "rebalance"}
	c, err := desk.check(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	os, err := desk.svc.Propose(ctx, pm, []order.Proposal{{Order: o, Check: c}})
	if err != nil || os[0].Status != order.Ready {
		t.Fatalf("propose: %+v, %v (compliance %+v)", os, err, c)
	}
	row := fmt.Sprintf(`#orders tr[data-order="%d"]`, os[0].ID)

	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(browser, browserStepLimit)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("sign in as the trader",
		chromedp.Navigate(srv.URL+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#name"), "trader"),
		chromedp.SendKeys(chromedp.CSS("#password"), db.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=user-name]")),
	)
	run("the proposal is on the blotter", chromedp.Navigate(srv.URL+"/blotter?state=all"), chromedp.WaitVisible(chromedp.CSS(row)))
	run("approve it", chromedp.Click(chromedp.CSS(row+` button[formaction$="/approve"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(row+` button[formaction$="/approve"]`)))
	run("block it at SIM",
		chromedp.Click(chromedp.CSS(row+` input[name=id]`)),
		chromedp.Click(chromedp.CSS(`button[value=block]`)),
		chromedp.WaitVisible(chromedp.CSS(`#blocks form[action$="/release"] button`)),
	)
	run("release the block", chromedp.Click(chromedp.CSS(`#blocks form[action$="/release"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#blocks form[action$="/release"]`)))
	req, ok := snd.last()
	if !ok || !req.Quantity.Equal(decimal.NewFromInt(100)) || req.Broker != "SIM" {
		t.Fatalf("sender got %+v", req)
	}

	// The broker fills it; the open blotter updates by itself.
	fill := order.ExecutionReport{Session: "SIM-1", Broker: "SIM", ExecID: "X1", Kind: order.ExecFill, ClOrdID: req.ClOrdID,
		LastQty: decimal.NewFromInt(100), LastPx: decimal.NewFromInt(150), CumQty: decimal.NewFromInt(100), AvgPx: decimal.NewFromInt(150)}
	if err := desk.OnExecution(ctx, fill); err != nil {
		t.Fatal(err)
	}
	run("the fill shows live", chromedp.WaitVisible(chromedp.CSS(row+` span.pos`)))

	run("the position is booked", chromedp.Navigate(srv.URL+"/portfolios/EU-LEAD"), chromedp.WaitVisible(chromedp.CSS("#positions")))
	tctx, cancel := context.WithTimeout(browser, browserStepLimit)
	defer cancel()
	page, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#positions")))
	if err != nil {
		t.Fatal(err)
	}
	want := views.Quantity(held.Sub(decimal.NewFromInt(100)))
	if !strings.Contains(page, want) {
		t.Errorf("positions page does not show AIR at %s (held %s before the sale):\n%s", want, held, page)
	}
}

// newBrowserDesk serves the demo desk with its order book over loopback
// HTTP, with a test sender for the broker, for a browser to drive.
func newBrowserDesk(t *testing.T) (*db.DB, *orderDesk, *browserSender, *httptest.Server) {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	hash, _ := user.HashPassword(db.DemoPassword)
	if _, err := d.SeedDemo(context.Background(), hash); err != nil {
		t.Fatal(err)
	}
	snd := &browserSender{}
	desk, err := newOrderBook(d, orderConfig{close: "23:59", zone: "UTC", sender: snd, brokers: []string{"SIM"}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.NewServer(web.Config{Logger: slog.New(slog.DiscardHandler), Store: d, SessionStore: memstore.New(),
		IsNotFound: func(err error) bool { return errors.Is(err, db.ErrNotFound) }, Now: time.Now, Version: "test",
		Orders: desk.store, Desk: desk, OrderChanges: desk.changes})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections() // the live blotter's event stream stays open
		srv.Close()
	})
	return d, desk, snd, srv
}

func quantityOf(h portfolio.Holdings, symbol string) decimal.Decimal {
	for _, p := range h.Positions {
		if p.Symbol == symbol {
			return p.Quantity
		}
	}
	return decimal.Zero
}
