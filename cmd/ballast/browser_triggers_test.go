package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/internal/browsertest"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// TestBrowserTrailingStop drives Chromium against `ballast serve
// --price-feed none`: the demo PM adds a 5% trailing stop activated at 100 on
// a holding from its auto-orders panel and sees the position's price move
// live (server-sent events) when a script posts a price; a trader approves it
// on the conditions list; prices 110, 120, 114.5 and 113.9 posted by a script
// fire it at 113.9; its order goes out to the demo broker SIM, fills, and the
// position shrinks, with no one touching anything after the approval.
func TestBrowserTrailingStop(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := browsertest.New(t)
	base, dbPath := startLiveBrowserServe(t)
	api := newScriptClient(t, base, dbPath)
	pos := api.smallestHolding(t)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browsertest.Step(t, browser, what, actions...)
	}
	waitText := func(sel, want string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(browserStepLimit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			ctx, cancel := context.WithTimeout(browser, browserStepLimit)
			got, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
			cancel()
			if strings.TrimSpace(got) == want {
				return
			}
		}
		t.Fatalf("%s shows %q, want %q", sel, got, want)
	}
	holding := fmt.Sprintf(`[id="holding-%s"]`, pos.Symbol)
	add := holding + " details:last-of-type"
	step("sign in as the demo PM and open the portfolio",
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#name"), "pm"),
		chromedp.SendKeys(chromedp.CSS("#password"), db.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#portfolios")),
		chromedp.Navigate(base+"/portfolios/"+pos.Portfolio),
		chromedp.WaitVisible(chromedp.CSS(add+" summary")),
	)
	api.postPrice(t, pos.Symbol, "99")
	waitText(fmt.Sprintf(`#positions span[sse-swap="price-%s"]`, pos.Symbol), "99.00")
	step("add a trailing stop from the auto-orders panel",
		chromedp.Click(chromedp.CSS(add+" summary")),
		chromedp.SetValue(chromedp.CSS(add+" select[name=kind]"), "trailing_stop"),
		chromedp.SendKeys(chromedp.CSS(add+" input[name=percent]"), "5"),
		chromedp.SendKeys(chromedp.CSS(add+" input[name=activation_price]"), "100"),
		chromedp.Click(chromedp.CSS(add+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(holding+` tr[data-state="pending_approval"]`)),
	)
	id := api.onlyCondition(t, pos)
	row := fmt.Sprintf("#condition-%d", id)
	step("sign out and approve as a trader",
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin"] #name`)),
		chromedp.SendKeys(chromedp.CSS("#name"), "trader"),
		chromedp.SendKeys(chromedp.CSS("#password"), db.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#portfolios")),
		chromedp.Navigate(base+"/conditions"),
		chromedp.Click(chromedp.CSS(row+` form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-state="active"]`)),
	)
	for _, p := range []string{"100", "110", "120", "114.5"} {
		api.postPrice(t, pos.Symbol, p)
	}
	c := api.waitCondition(t, id, func(c map[string]any) bool { return c["high"] == "120" })
	if c["state"] != "active" {
		t.Fatalf("fired before 113.9: %v", c)
	}
	api.postPrice(t, pos.Symbol, "113.9")
	c = api.waitCondition(t, id, func(c map[string]any) bool { return c["state"] == "triggered" && c["order_id"] != nil })
	if c["fired_price"] != "113.9" || c["alert"] != nil {
		t.Fatalf("fired: %v", c)
	}
	api.waitSoldDown(t, pos)
	step("the conditions list shows it triggered",
		chromedp.Navigate(base+"/conditions"),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-state="triggered"]`)),
	)
}

// startLiveBrowserServe runs "ballast serve --price-feed none" on a fresh
// database and returns its URL and the database file.
func startLiveBrowserServe(t *testing.T) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dbPath := filepath.Join(t.TempDir(), "live.db")
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
	return base, dbPath
}

// scriptClient is "another system" using the API with the demo admin's token.
type scriptClient struct {
	base, token string
	d           *db.DB
}

func newScriptClient(t *testing.T, base, dbPath string) *scriptClient {
	t.Helper()
	d, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	admin, err := d.UserByName(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	plain, hash, err := user.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddAPIToken(context.Background(), admin.ID, hash, "script"); err != nil {
		t.Fatal(err)
	}
	return &scriptClient{base: base, token: plain, d: d}
}

func (s *scriptClient) do(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (s *scriptClient) postPrice(t *testing.T, symbol, price string) {
	t.Helper()
	if code := s.do(t, "POST", "/api/v1/prices", []map[string]string{{"symbol": symbol, "price": price}}, nil); code != http.StatusOK {
		t.Fatalf("post %s %s: %d", symbol, price, code)
	}
}

// smallestHolding is the demo's smallest position, whose sale stays within
// the demo rules' notional limit.
func (s *scriptClient) smallestHolding(t *testing.T) portfolio.Position {
	t.Helper()
	all, err := s.d.AllHoldings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var best portfolio.Position
	for _, h := range all {
		for _, p := range h.Positions {
			if p.Quantity.IsPositive() && (best.Symbol == "" || p.Quantity.LessThan(best.Quantity)) {
				best = p
			}
		}
	}
	return best
}

// waitSoldDown waits until the demo broker's fills have taken the holding
// below its quantity before the condition fired.
func (s *scriptClient) waitSoldDown(t *testing.T, pos portfolio.Position) {
	t.Helper()
	for deadline := time.Now().Add(browserStepLimit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		h, err := s.d.Holdings(context.Background(), pos.Portfolio)
		if err != nil {
			t.Fatal(err)
		}
		left := pos.Quantity.Sub(pos.Quantity) // zero when the position is gone
		for _, p := range h.Positions {
			if p.Symbol == pos.Symbol {
				left = p.Quantity
			}
		}
		if left.LessThan(pos.Quantity) {
			return
		}
	}
	t.Fatalf("%s/%s never shrank from %s", pos.Portfolio, pos.Symbol, pos.Quantity)
}

// onlyCondition is the id of the one condition on the holding.
func (s *scriptClient) onlyCondition(t *testing.T, pos portfolio.Position) int64 {
	t.Helper()
	var out struct {
		Conditions []struct{ ID int64 }
	}
	s.do(t, "GET", "/api/v1/conditions?portfolio="+pos.Portfolio+"&symbol="+pos.Symbol, nil, &out)
	if len(out.Conditions) != 1 {
		t.Fatalf("conditions on %s/%s: %+v", pos.Portfolio, pos.Symbol, out)
	}
	return out.Conditions[0].ID
}

// waitCondition polls the condition until ok accepts it (a guard, not a
// speed assertion: the engine runs on its own goroutine).
func (s *scriptClient) waitCondition(t *testing.T, id int64, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	var c map[string]any
	for deadline := time.Now().Add(browserStepLimit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		c = nil
		s.do(t, "GET", fmt.Sprintf("/api/v1/conditions/%d", id), nil, &c)
		if ok(c) {
			return c
		}
	}
	t.Fatalf("condition %d: %v", id, c)
	return c
}
