package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

func TestPortfolioDriftPage(t *testing.T) {
	app := newTestApp(t)
	pm := app.signedIn("pm")
	res := app.get(pm, "/portfolios/GROWTH/drift")
	wantStatus(t, "drift page", res, http.StatusOK)
	// GROWTH: AAA 24.67% and BBB 50.58% against 40 ±2, cash 24.67% against 20 ±2,
	// CCC held but not in the model.
	wantContains(t, "drift page", res.body, `<svg id="drift-chart"`, `<tr data-symbol="AAA">`, "24.67", "40.00",
		"out of band", "not in model", `data-testid="out-of-band">3<`, "Export CSV", `href="/rebalance?portfolio=GROWTH"`)
	if n := strings.Count(res.body, `class="bar out"`); n != 3 {
		t.Errorf("chart draws %d out-of-band bars, want 3 (AAA, BBB, CASH)", n)
	}
	wantContains(t, "chart grid", res.body, ">0%<", ">10%<", ">60%<")
	if strings.Contains(res.body, "<script>") || strings.Contains(res.body, "style=") {
		t.Error("the chart must be plain SVG without scripts or inline styles")
	}
	admin := app.signedIn("admin")
	res = app.get(admin, "/portfolios/GROWTH/drift")
	wantStatus(t, "drift as admin", res, http.StatusOK)
	if strings.Contains(res.body, `href="/rebalance?`) {
		t.Error("a non-PM is offered the rebalance link")
	}
	res = app.get(pm, "/portfolios/EMPTY/drift")
	wantStatus(t, "drift without targets", res, http.StatusOK)
	wantContains(t, "drift without targets", res.body, "This portfolio has no targets.")
	wantStatus(t, "unknown portfolio", app.get(pm, "/portfolios/NOPE/drift"), http.StatusNotFound)
	wantStatus(t, "signed out", app.get(app.client(), "/portfolios/GROWTH/drift"), http.StatusSeeOther)
}

func TestDriftCSV(t *testing.T) {
	app := newTestApp(t)
	res := app.get(app.signedIn("pm"), "/portfolios/GROWTH/drift.csv")
	wantStatus(t, "drift csv", res, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][2] != "symbol" || rows[4][2] != "CASH" {
		t.Fatalf("rows %v; want a header, AAA, BBB, CCC and CASH", rows)
	}
	if rows[1][2] != "AAA" || rows[1][4] != "40" || rows[1][5] != "24.6731" || rows[1][10] != "true" {
		t.Errorf("AAA row %v", rows[1])
	}
	wantStatus(t, "csv without targets", app.get(app.signedIn("pm"), "/portfolios/EMPTY/drift.csv"), http.StatusNotFound)
}

// TestDriftCSVFileNameOfAnyCode: the download's file name carries the
// portfolio code whatever it holds (a quote, a semicolon, a backslash, a
// non-ASCII letter, a line break), and the header reads back to that name
// rather than ending early or gaining parameters.
func TestDriftCSVFileNameOfAnyCode(t *testing.T) {
	app := newTestApp(t)
	f := app.store
	if _, err := f.Models(context.Background()); err != nil { // fills in the default models
		t.Fatal(err)
	}
	codes := []string{`A"B;C é`, `x\y; filename="evil.exe"`, "CR\r\nSet-Cookie: a=b", "GROWTH"}
	f.mu.Lock()
	for _, code := range codes[:3] {
		f.holdings = append(f.holdings, portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: code, Name: "Odd", BaseCurrency: "USD",
			Cash: dec("100"), Model: "Core"}})
		f.rb.follows[code] = "Core"
	}
	f.mu.Unlock()
	pm := app.signedIn("pm")
	for _, code := range codes {
		res := app.get(pm, "/portfolios/"+url.PathEscape(code)+"/drift.csv")
		wantStatus(t, code, res, http.StatusOK)
		cd := res.header.Values("Content-Disposition")
		if len(cd) != 1 {
			t.Fatalf("%q: Content-Disposition %q", code, cd)
		}
		kind, params, err := mime.ParseMediaType(cd[0])
		if err != nil || kind != "attachment" || len(params) != 1 || params["filename"] != "drift-"+code+".csv" {
			t.Errorf("%q: Content-Disposition %q reads as %q %q, %v", code, cd[0], kind, params, err)
		}
		for _, c := range res.header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "a=") {
				t.Errorf("%q: the file name set a cookie: %q", code, c)
			}
		}
	}
}

func TestDriftListSortedAndFiltered(t *testing.T) {
	app := newTestApp(t)
	pm := app.signedIn("pm")
	res := app.get(pm, "/drift")
	wantStatus(t, "drift list", res, http.StatusOK)
	wantContains(t, "drift list", res.body, `<tr data-portfolio="GROWTH">`, "15.33", "Without targets: EMPTY", `<option value="Core"`)
	res = app.get(pm, "/drift?model=Core")
	wantContains(t, "filtered", res.body, `<tr data-portfolio="GROWTH">`)
	res = app.get(pm, "/drift?model=Other")
	wantContains(t, "filtered to nothing", res.body, "No portfolio to show.")
	if strings.Contains(res.body, `data-portfolio="GROWTH"`) {
		t.Error("the filter kept a portfolio on another model")
	}
}

func TestAPIDrift(t *testing.T) {
	app := newTestApp(t)
	token := app.addToken(2) // admin may read
	res := app.apiGet(token, "/api/v1/portfolios/GROWTH/drift")
	wantStatus(t, "api drift", res, http.StatusOK)
	var body struct {
		Portfolio, Model, NAV string
		MaxAbsDrift           string `json:"max_abs_drift"`
		MaxSymbol             string `json:"max_symbol"`
		OutOfBand             int    `json:"out_of_band"`
		Lines                 []struct {
			Symbol, Target, Weight, Drift string
			OutOfBand                     bool `json:"out_of_band"`
		}
	}
	if err := json.Unmarshal([]byte(res.body), &body); err != nil {
		t.Fatal(err)
	}
	if body.Model != "Core" || body.NAV != "4053" || body.MaxSymbol != "AAA" || body.MaxAbsDrift != "15.3269" || body.OutOfBand != 3 || len(body.Lines) != 4 {
		t.Errorf("drift %+v", body)
	}
	if l := body.Lines[3]; l.Symbol != "CASH" || l.Target != "20" || !l.OutOfBand {
		t.Errorf("cash line %+v", l)
	}
	wantJSONError(t, "no targets", app.apiGet(token, "/api/v1/portfolios/EMPTY/drift"), http.StatusNotFound)
	wantJSONError(t, "unknown", app.apiGet(token, "/api/v1/portfolios/NOPE/drift"), http.StatusNotFound)
	wantJSONError(t, "no token", app.apiGet("", "/api/v1/portfolios/GROWTH/drift"), http.StatusUnauthorized)
}
