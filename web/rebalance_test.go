package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"

	"github.com/ballast-oms/ballast/web/views"
)

// newRebalanceApp is newTestApp with a proposal saver (nil: saving unavailable).
func newRebalanceApp(t *testing.T, saver ProposalSaver) *testApp {
	t.Helper()
	app := &testApp{t: t, store: newFakeStore(testHash()), sessions: memstore.New(), logs: &syncBuffer{}}
	h, err := NewServer(Config{
		Logger:       slog.New(slog.NewJSONHandler(app.logs, nil)),
		Store:        app.store,
		SessionStore: app.sessions,
		IsNotFound:   func(err error) bool { return errors.Is(err, errNotFound) },
		Now:          func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) },
		Version:      "test",
		Proposals:    saver,
	})
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(h)
	t.Cleanup(app.srv.Close)
	return app
}

var jobPath = regexp.MustCompile(`^/rebalance/jobs/[0-9a-f]{24}$`)

// startRun posts the rebalance form and follows the run until its preview is ready.
func startRun(t *testing.T, app *testApp, c *http.Client, form url.Values) (string, response) {
	t.Helper()
	res := app.postForm(c, "/rebalance", form)
	wantStatus(t, "start run", res, http.StatusSeeOther)
	path := res.header.Get("Location")
	if !jobPath.MatchString(path) {
		t.Fatalf("run redirects to %q", path)
	}
	for range 500 { // planning one portfolio takes microseconds; the bound only stops a hung test
		res = app.get(c, path)
		wantStatus(t, "run page", res, http.StatusOK)
		if !strings.Contains(res.body, "<progress") {
			return path, res
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the run never finished")
	return "", response{}
}

func growthForm() url.Values {
	return url.Values{"scope": {"portfolios"}, "portfolio": {"GROWTH"}, "mode": {"target"}, "cash_reserve": {"2%"},
		"min_trade": {"0"}, "collar_bps": {"50"}, "raise": {"0"}}
}

func TestRebalanceFormValidates(t *testing.T) {
	app := newRebalanceApp(t, nil)
	pm := app.signedIn("pm")
	res := app.get(pm, "/rebalance?portfolio=GROWTH")
	wantStatus(t, "form", res, http.StatusOK)
	wantContains(t, "form", res.body, `value="GROWTH" id="pick-GROWTH" checked`, `<option value="Core"`)
	bad := growthForm()
	bad.Set("cash_reserve", "lots")
	bad.Set("collar_bps", "1.5")
	res = app.postForm(pm, "/rebalance", bad)
	wantStatus(t, "bad options", res, http.StatusUnprocessableEntity)
	wantContains(t, "bad options", res.body, "cash reserve &#34;lots&#34;", "whole number of basis points", `value="GROWTH" id="pick-GROWTH" checked`)
	none := growthForm()
	none.Del("portfolio")
	res = app.postForm(pm, "/rebalance", none)
	wantStatus(t, "nothing ticked", res, http.StatusUnprocessableEntity)
	wantContains(t, "nothing ticked", res.body, "Tick at least one portfolio")
	empty := growthForm()
	empty.Set("portfolio", "EMPTY")
	res = app.postForm(pm, "/rebalance", empty)
	wantStatus(t, "no targets", res, http.StatusUnprocessableEntity)
	both := growthForm()
	both.Set("buy_only", "1")
	both.Set("raise", "100")
	wantStatus(t, "buy-only and raise", app.postForm(pm, "/rebalance", both), http.StatusUnprocessableEntity)
	wantStatus(t, "as admin", app.get(app.signedIn("admin"), "/rebalance"), http.StatusForbidden)
	req := app.request(http.MethodPost, "/rebalance", strings.NewReader(growthForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site post", app.do(pm, req), http.StatusForbidden)
}

func TestRebalancePreviewEditAndSave(t *testing.T) {
	saver := &fakeProposals{}
	app := newRebalanceApp(t, saver)
	pm := app.signedIn("pm")
	path, res := startRun(t, app, pm, growthForm())
	// GROWTH: 1,000 cash of a 4,053 NAV against 20% ± 2 with a 2% reserve: it
	// buys AAA (40% target, 24.67% held) with what cash is above target.
	wantContains(t, "preview", res.body, `data-portfolio="GROWTH"`, `<tr data-symbol="AAA">`, `name="q-0-0"`, "underweight 24.67% vs target 40.00%", "Submit proposal")
	if regexp.MustCompile(`data-symbol="BBB"`).MatchString(res.body) {
		t.Error("BBB cannot be sold in whole lots of 100 without going below target, yet it is proposed")
	}
	q := regexp.MustCompile(`name="q-0-0" value="(\d+)"`).FindStringSubmatch(res.body)
	lim := regexp.MustCompile(`name="lim-0-0" value="([0-9.]+)"`).FindStringSubmatch(res.body)
	if q == nil || lim == nil || lim[1] != "100.5" {
		t.Fatalf("AAA line: quantity %v, limit %v (want last 100 + 50 bps)", q, lim)
	}

	edits := []struct {
		name, qty, limit, want string
	}{
		{"not a number", "ten", "100.5", "Quantity &#34;ten&#34; is not a positive number."},
		{"unfunded", "100", "100.5", "the buys are not funded"},
		{"below reserve", "9", "103", "below the reserve"},
		{"off tick", "1", "100.555", "multiple of the price increment 0.01"},
	}
	for _, e := range edits {
		res = app.postForm(pm, path+"/submit", url.Values{"q-0-0": {e.qty}, "lim-0-0": {e.limit}, "action": {"save"}})
		wantStatus(t, e.name, res, http.StatusUnprocessableEntity)
		wantContains(t, e.name, res.body, e.want, "nothing was saved")
	}
	if len(saver.trades) != 0 {
		t.Fatal("an invalid edit was saved")
	}
	res = app.postForm(pm, path+"/submit", url.Values{"q-0-0": {"2"}, "lim-0-0": {"100.5"}, "action": {"check"}})
	wantStatus(t, "re-check", res, http.StatusOK)
	wantContains(t, "re-check", res.body, `name="q-0-0" value="2"`, `data-testid="cash-after-GROWTH">799.00<`)
	res = app.postForm(pm, path+"/submit", url.Values{"q-0-0": {"2"}, "lim-0-0": {"100.5"}, "action": {"save"}})
	wantStatus(t, "save", res, http.StatusSeeOther)
	if len(saver.trades) != 1 || saver.by != "pm" || saver.trades[0].Quantity.String() != "2" || saver.trades[0].Symbol != "AAA" ||
		!strings.HasPrefix(saver.trades[0].Reason, "underweight") {
		t.Fatalf("saved %+v by %q", saver.trades, saver.by)
	}
	wantContains(t, "after save", app.get(pm, "/rebalance").body, "Saved a proposal of 1 order(s) for 1 portfolio(s).")
	res = app.postForm(pm, path+"/submit", url.Values{"q-0-0": {"2"}, "lim-0-0": {"100.5"}, "action": {"save"}})
	wantStatus(t, "save twice", res, http.StatusConflict)
}

func TestRebalanceRemoveLineAndUnavailableSave(t *testing.T) {
	app := newRebalanceApp(t, nil)
	pm := app.signedIn("pm")
	form := growthForm()
	form.Set("scope", "model")
	form.Set("model", "Core")
	path, res := startRun(t, app, pm, form)
	wantContains(t, "preview", res.body, "Saving proposals is not available yet")
	res = app.postForm(pm, path+"/submit", url.Values{"q-0-0": {"1"}, "lim-0-0": {"100.5"}, "rm-0-0": {"1"}, "action": {"check"}})
	wantStatus(t, "removed", res, http.StatusOK)
	wantContains(t, "removed", res.body, `name="rm-0-0" value="1" checked`, `data-testid="cash-after-GROWTH">1,000.00<`)
	res = app.postForm(pm, path+"/submit", url.Values{"q-0-0": {"1"}, "lim-0-0": {"100.5"}, "action": {"save"}})
	wantStatus(t, "save unavailable", res, http.StatusServiceUnavailable)
	wantContains(t, "save unavailable", res.body, "not available yet")
	wantStatus(t, "unknown run", app.get(pm, "/rebalance/jobs/ffffffffffffffffffffffff"), http.StatusNotFound)
}

func TestRebalanceProgressFragment(t *testing.T) {
	var buf bytes.Buffer
	err := views.RebalanceJobView(views.RebalanceJob{ID: "abc", Done: 320, Total: 10000}).Render(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`<progress id="rebalance-progress" max="10000" value="320">`, `hx-get="/rebalance/jobs/abc"`, `hx-trigger="load delay:400ms"`, "Planning 320 of 10000 portfolios"} {
		if !strings.Contains(html, want) {
			t.Errorf("progress fragment lacks %q: %s", want, html)
		}
	}
}

func TestAPIRebalance(t *testing.T) {
	saver := &fakeProposals{}
	app := newRebalanceApp(t, saver)
	pmToken := app.addToken(1)
	post := func(token, path, body string) response {
		req := app.request(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		return app.do(app.client(), req)
	}
	res := post(pmToken, "/api/v1/portfolios/GROWTH/rebalance", `{"cash_reserve":"2%","collar_bps":50}`)
	wantStatus(t, "dry run", res, http.StatusOK)
	var plan struct {
		Trades     []map[string]string
		Portfolios []map[string]string
		Saved      *int
	}
	if err := json.Unmarshal([]byte(res.body), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Trades) != 1 || plan.Trades[0]["symbol"] != "AAA" || plan.Trades[0]["limit_price"] != "100.5" || plan.Trades[0]["side"] != "buy" ||
		len(plan.Portfolios) != 1 || plan.Portfolios[0]["cash_before"] != "1000" || plan.Saved != nil || len(saver.trades) != 0 {
		t.Fatalf("dry run %s", res.body)
	}
	res = post(pmToken, "/api/v1/portfolios/GROWTH/rebalance", `{"cash_reserve":"2%","save":true}`)
	wantStatus(t, "save", res, http.StatusOK)
	wantContains(t, "save", res.body, `"saved":1`)
	if len(saver.trades) != 1 {
		t.Errorf("saved %d trades", len(saver.trades))
	}
	wantJSONError(t, "bad option", post(pmToken, "/api/v1/portfolios/GROWTH/rebalance", `{"mode":"sideways"}`), http.StatusUnprocessableEntity)
	wantJSONError(t, "unknown field", post(pmToken, "/api/v1/portfolios/GROWTH/rebalance", `{"collar":5}`), http.StatusBadRequest)
	wantJSONError(t, "no targets", post(pmToken, "/api/v1/portfolios/EMPTY/rebalance", `{}`), http.StatusUnprocessableEntity)
	wantJSONError(t, "unknown", post(pmToken, "/api/v1/portfolios/NOPE/rebalance", `{}`), http.StatusNotFound)
	wantJSONError(t, "admin", post(app.addToken(2), "/api/v1/portfolios/GROWTH/rebalance", `{}`), http.StatusForbidden)
}
