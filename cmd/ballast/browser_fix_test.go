package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/internal/browsertest"
)

// TestBrowserReleaseToSimFillsLive: on the demo desk with the in-process
// SIM broker, a trader releases a block from the blotter and watches it,
// without reloading, go partially filled and then filled (SIM fills in
// three steps).
func TestBrowserReleaseToSimFillsLive(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := browsertest.New(t)
	path := filepath.Join(t.TempDir(), "fix.db")
	base := browserServe(t, browser, path, "--price-feed", "none", "--sim-fill-latency", "1200ms", "--compliance-batch-at", "off")
	f := &fixDesk{t: t, path: path, pm: signInAs(t, base, "pm"), trader: signInAs(t, base, "trader"), d: cliOpenDB(t, path)}
	f.pm.token, f.trader.token = cliToken(t, path, "pm"), cliToken(t, path, "trader")
	waitUntil(t, "SIM logged on", func() bool { s, _ := f.sessions(); return s == "logged_on" })
	blockID := f.approvedBlockAtSim("MSFT", "300", "420")

	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(browser, browserStepLimit)
		defer cancel()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	row := fmt.Sprintf(`#blocks tr[data-block="%d"]`, blockID)
	run("sign in as the trader",
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#name"), "trader"),
		chromedp.SendKeys(chromedp.CSS("#password"), db.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=user-name]")),
	)
	run("the block waits on the blotter", chromedp.Navigate(base+"/blotter?state=all"), chromedp.WaitVisible(chromedp.CSS(row)))
	run("release it", chromedp.Click(chromedp.CSS(row+` form[action$="/release"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(row+` form[action$="/release"]`)))

	// Watch the row the live blotter swaps in: no navigation from here on.
	seen := map[string]bool{}
	deadline := time.Now().Add(time.Minute)
	for !seen["filled"] && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(browser, browserStepLimit)
		status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(row+` td:nth-child(7) span`)))
		cancel()
		if err == nil { // an error is the row being swapped under the read: read again
			seen[strings.TrimSpace(status)] = true
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !seen["partially filled"] || !seen["filled"] {
		t.Fatalf("statuses seen live: %v; want partially filled, then filled", seen)
	}
	ctx, cancel := context.WithTimeout(browser, browserStepLimit)
	defer cancel()
	filled, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(row+` td:nth-child(8)`)))
	if err != nil || strings.TrimSpace(filled) != "300" {
		t.Errorf("filled column %q, %v; want 300", filled, err)
	}
}

// approvedBlockAtSim has pm propose, the trader approve and block an order
// at SIM through the API, unreleased; it returns the block's id.
func (f *fixDesk) approvedBlockAtSim(symbol, qty, limit string) int64 {
	t := f.t
	t.Helper()
	code, body := f.pm.postJSON("/api/v1/orders", fmt.Sprintf(`{"portfolio":"US-LC","symbol":%q,"side":"buy","quantity":%q,
		"order_type":"limit","limit_price":%q,"time_in_force":"day"}`, symbol, qty, limit))
	if code != http.StatusCreated {
		t.Fatalf("propose: %d %s", code, body)
	}
	var o struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &o)
	if code, body := f.trader.postJSON(fmt.Sprintf("/api/v1/orders/%d/approve", o.ID), `{}`); code != http.StatusOK {
		t.Fatalf("approve %d: %d %s", o.ID, code, body)
	}
	code, body = f.trader.postJSON("/api/v1/blocks", fmt.Sprintf(`{"order_ids":[%d],"broker":"SIM"}`, o.ID))
	if code != http.StatusCreated {
		t.Fatalf("block: %d %s", code, body)
	}
	var b struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &b)
	return b.ID
}
