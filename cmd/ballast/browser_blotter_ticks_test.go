package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/internal/browsertest"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
)

// TestBrowserBlotterKeepsTickedBoxes: a trader ticks orders for a bulk
// action; a change elsewhere on the desk refreshes the live blotter, and the
// ticked boxes stay ticked.
func TestBrowserBlotterKeepsTickedBoxes(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := browsertest.New(t)
	ctx := context.Background()
	_, desk, _, srv := newBrowserDesk(t)
	pm := order.Actor{Name: "pm", Roles: []user.Role{user.PM}}
	propose := func(qty int64) int64 {
		t.Helper()
		o := order.Order{Portfolio: "EU-LEAD", Symbol: "AIR", Side: portfolio.Sell, Quantity: decimal.NewFromInt(qty),
			Type: order.Limit, LimitPrice: decimal.NewFromInt(150), TimeInForce: order.Day, Notes: "ticks"}
		c, err := desk.check(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		os, err := desk.svc.Propose(ctx, pm, []order.Proposal{{Order: o, Check: c}})
		if err != nil {
			t.Fatal(err)
		}
		return os[0].ID
	}
	first, second := propose(10), propose(20)
	box := func(id int64) string { return fmt.Sprintf(`#orders tr[data-order="%d"] input[name=id]`, id) }

	browsertest.Step(t, browser, "sign in as the trader",
		chromedp.Navigate(srv.URL+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#name"), "trader"),
		chromedp.SendKeys(chromedp.CSS("#password"), db.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=user-name]")))
	browsertest.Step(t, browser, "tick the first order",
		chromedp.Navigate(srv.URL+"/blotter?state=all"),
		chromedp.WaitVisible(chromedp.CSS(box(second))),
		chromedp.Click(chromedp.CSS(box(first))))

	// Another proposal arrives (a PM's rebalance saved through the page):
	// the blotter refreshes itself to show it.
	third := propose(30)
	desk.publish(web.Change{What: "order", OrderIDs: []int64{third}})
	browsertest.Step(t, browser, "the live refresh shows the new order", chromedp.WaitVisible(chromedp.CSS(box(third))))
	sctx, cancel := context.WithTimeout(browser, browserStepLimit)
	defer cancel()
	state, err := chromedp.Run(sctx, chromedp.Evaluate[string](fmt.Sprintf(
		`[%q, %q, %q].map(s => document.querySelector(s).checked ? "x" : "-").join("")`, box(first), box(second), box(third))))
	if err != nil {
		t.Fatal(err)
	}
	if state != "x--" {
		t.Errorf("ticks after the live refresh: %s (first, second, third), want x-- (only the first still ticked)", state)
	}
}
