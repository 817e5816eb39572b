package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ballast-oms/ballast/internal/browsertest"
)

// TestBrowserRebalanceFlow is the acceptance on the demo desk in a
// real Chromium: prices move, the PM sees the portfolio flagged, previews
// the rebalance, edits a line, submits, and the saved orders carry their
// reasons.
func TestBrowserRebalanceFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := browsertest.New(t)
	dbPath := filepath.Join(t.TempDir(), "r.db")
	base := startRebalanceServe(t, dbPath)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browsertest.Step(t, browser, what, actions...)
	}
	text := func(sel string) string {
		t.Helper()
		return browsertest.Text(t, browser, sel)
	}

	step("sign in as the demo PM",
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#name"), "pm"),
		chromedp.SendKeys(chromedp.CSS("#password"), "ballast-demo"),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#portfolios")),
	)
	step("open EU-LEAD's drift", chromedp.Navigate(base+"/portfolios/EU-LEAD/drift"), chromedp.WaitVisible(chromedp.CSS("#drift-chart")))
	if got := text(`[data-testid="out-of-band"]`); got != "0" {
		t.Fatalf("EU-LEAD starts with %s lines out of band, want 0", got)
	}

	prices := filepath.Join(t.TempDir(), "prices.csv")
	cliWriteFileAt(t, prices, "symbol,price\nSAP,260\n")
	if res := cliRunDB(t, dbPath, "import", "prices", prices); res.err != nil {
		t.Fatalf("import prices: %v %s", res.err, res.stderr)
	}
	step("reload the drift", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#drift tr[data-symbol="SAP"] .tag.neg`)))
	if got := text(`[data-testid="out-of-band"]`); got == "0" {
		t.Fatal("SAP rose 46% and EU-LEAD is still in band")
	}

	step("rebalance from the drift page",
		chromedp.Click(chromedp.CSS(`a[href="/rebalance?portfolio=EU-LEAD"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pick-EU-LEAD:checked`)),
		chromedp.SetValue(chromedp.CSS("#rb-collar"), "50"),
		chromedp.Click(chromedp.CSS(`#rebalance-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-portfolio="EU-LEAD"] tr[data-symbol="SAP"]`)),
	)
	planned := text(`section[data-portfolio="EU-LEAD"] tr[data-symbol="SAP"] td:nth-child(9)`)
	if !strings.HasPrefix(planned, "overweight") {
		t.Fatalf("SAP's reason is %q", planned)
	}
	step("sell 10 SAP fewer and submit",
		chromedp.SetValue(chromedp.CSS(`tr[data-symbol="SAP"] input[name^="q-"]`), "10"),
		chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if got := text(".flash"); !strings.HasPrefix(got, "Saved a proposal of") {
		t.Fatalf("after submit the page says %q", got)
	}

	d := cliOpenDB(t, dbPath)
	var qty, notes string
	err := d.Reader().QueryRow(`SELECT quantity, notes FROM orders WHERE portfolio = 'EU-LEAD' AND symbol = 'SAP'`).Scan(&qty, &notes)
	if err != nil || qty != "10" || notes != planned {
		t.Errorf("saved SAP order: quantity %q, notes %q (%v); want 10 and %q", qty, notes, err, planned)
	}
}

// startRebalanceServe serves the demo desk from dbPath without the simulated
// price feed, so that only the test moves prices.
func startRebalanceServe(t *testing.T, dbPath string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr browserLog
	args := []string{"ballast", "serve", "--addr", addr, "--db", dbPath, "--price-feed", "none"}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("serve stderr:\n%s", stderr.String())
		}
	})
	base := "http://" + addr
	browsertest.WaitHealthy(ctx, t, base+"/healthz", time.Minute)
	return base
}

// cliRunDB runs the program against the database at path.
func cliRunDB(t *testing.T, path string, args ...string) cliResult {
	t.Helper()
	return cliRun(t, t.TempDir(), "", append(args, "--db", path)...)
}

// cliWriteFileAt writes body to path.
func cliWriteFileAt(t *testing.T, path, body string) {
	t.Helper()
	cliWriteFile(t, filepath.Dir(path), filepath.Base(path), body)
}
