package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
)

// The db package's store keeps restrictions for the page.
var _ RestrictionStore = (*db.DB)(nil)

// The fake store keeps no restrictions: enough for the route and role tests.
func (f *fakeStore) Restrictions(context.Context, string) (map[string]rebalance.Restriction, error) {
	return map[string]rebalance.Restriction{}, nil
}
func (f *fakeStore) UpdateRestriction(context.Context, string, string, func(rebalance.Restriction) (rebalance.Restriction, error), string, string, time.Time) error {
	return nil
}
func (f *fakeStore) RestrictionEvents(context.Context, string, int) ([]order.Event, error) {
	return nil, nil
}

// restrictionDesk is GROWTH on model Core (AAA 50%, BBB 40%, cash 10%)
// holding 10 AAA and 10 BBB at 100 with 10,000 cash: a rebalance buys both.
const restrictionDesk = `securities
symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding
AAA,Alpha Corp,Alpha,Tech,US,USD,equity,1,1000000,1000000
BBB,Beta Bank,Beta,Financials,US,USD,equity,1,1000000,1000000
models
model,symbol,weight,band
Core,AAA,50,
Core,BBB,40,
Core,CASH,10,
portfolios
portfolio,name,base_currency,cash,model
GROWTH,Growth Fund,USD,10000,Core
holdings
portfolio,symbol,quantity,avg_cost
GROWTH,AAA,10,90
GROWTH,BBB,10,90
prices
symbol,price,as_of
AAA,100,2026-11-20
BBB,100,2026-11-20
`

// newRestrictionApp is the whole server over a real SQLite store with the
// users pm, trader and compliance.
func newRestrictionApp(t *testing.T) (*testApp, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "restrictions.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	parts := strings.Split(restrictionDesk, "\n")
	for i := 0; i < len(parts); {
		kind, end := parts[i], i+1
		for end < len(parts) && strings.Contains(parts[end], ",") {
			end++
		}
		if kind != "" {
			if _, err := d.ImportCSV(ctx, kind, strings.NewReader(strings.Join(parts[i+1:end], "\n"))); err != nil {
				t.Fatalf("import %s: %v", kind, err)
			}
		}
		i = end
	}
	for _, u := range []user.User{{Name: "pm", Roles: []user.Role{user.PM}}, {Name: "trader", Roles: []user.Role{user.Trader}},
		{Name: "compliance", Roles: []user.Role{user.Compliance}}} {
		u.PasswordHash = testHash()
		if _, err := d.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	app := &testApp{t: t, sessions: memstore.New(), logs: &syncBuffer{}}
	h, err := NewServer(Config{Logger: slog.New(slog.NewJSONHandler(app.logs, nil)), Store: d, SessionStore: app.sessions,
		IsNotFound: func(err error) bool { return errors.Is(err, db.ErrNotFound) },
		Now:        func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(h)
	t.Cleanup(app.srv.Close)
	return app, d
}

func restrictionForm(action, symbol, kind, note string) url.Values {
	return url.Values{"action": {action}, "symbol": {symbol}, "kind": {kind}, "note": {note}}
}

// TestRestrictionsPage adds a do-not-buy restriction in the page: it is
// listed with who set it and why, audited, and the rebalance preview no
// longer buys the security; removing it is audited too and the buy returns.
func TestRestrictionsPage(t *testing.T) {
	app, d := newRestrictionApp(t)
	pm := app.signedIn("pm")
	const path = "/portfolios/GROWTH/restrictions"
	res := app.get(pm, path)
	wantStatus(t, "page", res, http.StatusOK)
	wantContains(t, "empty page", res.body, "No restrictions.", `id="restriction-form"`)
	_, res = startRun(t, app, pm, growthForm())
	wantContains(t, "preview before", res.body, `aria-label="Remove buy AAA"`, `aria-label="Remove buy BBB"`)

	res = app.postForm(pm, path, restrictionForm("add", "aaa", "do_not_buy", "=client instruction 12"))
	wantStatus(t, "add", res, http.StatusSeeOther)
	res = app.get(pm, path)
	wantContains(t, "listed", res.body, `data-restriction="AAA do_not_buy"`, "Do not buy", "=client instruction 12",
		"2026-11-21 09:00:00", "AAA in GROWTH: do not buy.")
	evs, err := db.NewOrderStore(d).AuditEvents(context.Background(), order.AuditFilter{Portfolio: "GROWTH"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Actor != "pm" || evs[0].Action != "restriction_add" || evs[0].Reason != "=client instruction 12" ||
		evs[0].Details != "AAA do_not_buy; now do_not_buy" || !evs[0].At.Equal(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("audit trail %+v", evs)
	}
	_, res = startRun(t, app, pm, growthForm())
	wantContains(t, "preview after", res.body, `aria-label="Remove buy BBB"`)
	if strings.Contains(res.body, `aria-label="Remove buy AAA"`) {
		t.Error("the rebalance still buys AAA marked do not buy")
	}

	res = app.postForm(pm, path, restrictionForm("remove", "AAA", "do_not_buy", "lifted"))
	wantStatus(t, "remove", res, http.StatusSeeOther)
	wantContains(t, "removed", app.get(pm, path).body, "No restrictions.", "restriction_remove", "AAA do_not_buy; now none", "lifted")
	if r, _ := d.Restrictions(context.Background(), "GROWTH"); len(r) != 0 {
		t.Errorf("restrictions left %+v", r)
	}
	_, res = startRun(t, app, pm, growthForm())
	wantContains(t, "preview once lifted", res.body, `aria-label="Remove buy AAA"`)
}

// TestRestrictionsValidation refuses bad input with 422 and a reason, and
// writes nothing.
func TestRestrictionsValidation(t *testing.T) {
	app, d := newRestrictionApp(t)
	pm := app.signedIn("pm")
	const path = "/portfolios/GROWTH/restrictions"
	wantStatus(t, "hold", app.postForm(pm, path, restrictionForm("add", "BBB", "do_not_sell", "")), http.StatusSeeOther)
	for _, c := range []struct {
		what string
		form url.Values
		why  string
	}{
		{"unknown security", restrictionForm("add", "ZZZ", "do_not_buy", ""), `There is no security &#34;ZZZ&#34;.`},
		{"no security", restrictionForm("add", " ", "do_not_buy", ""), "Name the security."},
		{"cash", restrictionForm("add", "cash", "excluded", ""), "CASH is not a security"},
		{"bad kind", restrictionForm("add", "AAA", "never", ""), "is not do_not_buy, do_not_sell or excluded"},
		{"long note", restrictionForm("add", "AAA", "excluded", strings.Repeat("x", 501)), "Keep the note to 500 characters."},
		{"control character", restrictionForm("add", "AAA", "excluded", "a\x00b"), "control characters"},
		{"already set", restrictionForm("add", "BBB", "do_not_sell", ""), "BBB is already do not sell (hold) in GROWTH."},
		{"remove what is not set", restrictionForm("remove", "BBB", "do_not_buy", ""), "BBB is not do not buy in GROWTH."},
	} {
		res := app.postForm(pm, path, c.form)
		wantStatus(t, c.what, res, http.StatusUnprocessableEntity)
		wantContains(t, c.what, res.body, c.why)
	}
	r, err := d.Restrictions(context.Background(), "GROWTH")
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 1 || r["BBB"] != (rebalance.Restriction{DoNotSell: true}) {
		t.Errorf("restrictions %+v, want only BBB do not sell", r)
	}
	evs, _ := db.NewOrderStore(d).AuditEvents(context.Background(), order.AuditFilter{Portfolio: "GROWTH"})
	if len(evs) != 1 {
		t.Errorf("%d audit events, want the one add", len(evs))
	}
	wantStatus(t, "unknown portfolio", app.get(pm, "/portfolios/NOPE/restrictions"), http.StatusNotFound)
}

// TestRestrictionsRolesAndLinks: every desk role reads the page, only PMs
// change it (the route matrix covers the other roles); the portfolio and
// drift pages link to it.
func TestRestrictionsRolesAndLinks(t *testing.T) {
	app, _ := newRestrictionApp(t)
	const path = "/portfolios/GROWTH/restrictions"
	trader := app.signedIn("trader")
	res := app.get(trader, path)
	wantStatus(t, "trader reads", res, http.StatusOK)
	if strings.Contains(res.body, `id="restriction-form"`) {
		t.Error("a trader is offered the add form")
	}
	wantStatus(t, "trader adds", app.postForm(trader, path, restrictionForm("add", "AAA", "do_not_buy", "")), http.StatusForbidden)
	wantStatus(t, "compliance reads", app.get(app.signedIn("compliance"), path), http.StatusOK)
	pm := app.signedIn("pm")
	for _, page := range []string{"/portfolios/GROWTH", "/portfolios/GROWTH/drift"} {
		wantContains(t, page, app.get(pm, page).body, `href="`+path+`"`)
	}
}
