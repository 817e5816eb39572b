package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ballast-oms/ballast/internal/browsertest"
)

// browserStepLimit bounds one browser step so a broken page fails the test
// instead of hanging it. It is a guard, not a speed assertion.
const browserStepLimit = browsertest.StepLimit

// TestBrowserDemoPM drives a real Chromium against the real wiring: the demo
// PM signs in, opens a portfolio and sees its positions, filters securities
// live, and is refused the admin pages.
func TestBrowserDemoPM(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := browsertest.New(t)
	base := startBrowserServe(t)

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browsertest.Step(t, browser, what, actions...)
	}
	text := func(sel string) string {
		t.Helper()
		return browsertest.Text(t, browser, sel)
	}
	count := func(sel string) int {
		t.Helper()
		ctx, cancel := context.WithTimeout(browser, browserStepLimit)
		defer cancel()
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(sel)))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return len(nodes)
	}

	step("open portfolios signed out, land on sign-in",
		chromedp.Navigate(base+"/portfolios"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin"] #name`)),
	)
	step("sign in as the demo PM",
		chromedp.SendKeys(chromedp.CSS("#name"), "pm"),
		chromedp.SendKeys(chromedp.CSS("#password"), "ballast-demo"),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#portfolios")),
	)
	if got := text(`[data-testid="user-name"]`); got != "pm" {
		t.Errorf("signed in as %q, want pm", got)
	}
	if n := count("#portfolios tbody tr"); n < 1 {
		t.Fatalf("portfolios list has %d rows", n)
	}

	step("open the first portfolio",
		chromedp.Click(chromedp.CSS("#portfolios tbody tr:first-child a")),
		chromedp.WaitVisible(chromedp.CSS("#positions")),
	)
	// At least one position and the cash line.
	if n := count("#positions tbody tr"); n < 2 {
		t.Errorf("positions table has %d rows, want at least one position and cash", n)
	}
	if got := text(`[data-testid="weight-total"]`); got != "100.00" {
		t.Errorf("weights and cash add up to %q, want 100.00", got)
	}

	step("filter securities live", chromedp.Navigate(base+"/securities"), chromedp.WaitVisible(chromedp.CSS("#q")))
	all := count("#security-rows tr")
	step("type a filter that matches nothing",
		chromedp.SendKeys(chromedp.CSS("#q"), "no-such-security-zz"),
		chromedp.WaitVisible(chromedp.CSS("#security-rows .empty")),
	)
	if n := count("#security-rows tr"); all < 2 || n != 1 {
		t.Errorf("filter: %d rows before, %d after; want several, then the empty-state row", all, n)
	}

	step("visit an admin page", chromedp.Navigate(base+"/admin/users"), chromedp.WaitVisible(chromedp.CSS(".error-page")))
	if code, title := text(".error-page .code"), text(".error-page h1"); code != "403" || title != "Not allowed" {
		t.Errorf("admin page for a PM shows %q %q, want 403 Not allowed", code, title)
	}
}

// startBrowserServe runs "ballast serve" with a fresh database on a free
// loopback port, waits until /healthz answers, and stops it when the test ends.
func startBrowserServe(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr browserLog
	args := []string{"ballast", "serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "b.db")}
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
			t.Logf("serve stdout:\n%s\nserve stderr:\n%s", stdout.String(), stderr.String())
		}
	})
	base := "http://" + addr
	browsertest.WaitHealthy(ctx, t, base+"/healthz", time.Minute)
	return base
}

// browserLog is a buffer the server goroutine writes while the test reads it.
type browserLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *browserLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *browserLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// browserServe starts serve on dbPath for a browser test and stops it at
// cleanup, after taking the browser off the live pages first: their event
// streams would hold up the shutdown.
func browserServe(t *testing.T, browser context.Context, dbPath string, extra ...string) string {
	t.Helper()
	base, _, stop := cliStartServe(t, dbPath, extra...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(browser, browserStepLimit)
		defer cancel()
		_ = chromedp.Do(ctx, chromedp.Navigate("about:blank"))
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return base
}
