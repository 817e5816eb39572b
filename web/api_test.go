package web

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ballast-oms/ballast/user"
)

// apiGet calls the API with a bearer token ("" for none).
func (a *testApp) apiGet(token, path string) response {
	a.t.Helper()
	req := a.request(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return a.do(a.client(), req)
}

// addToken gives the user id a fresh API token.
func (a *testApp) addToken(id int64) string {
	a.t.Helper()
	plain, hash, err := user.NewToken()
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.store.AddAPIToken(a.t.Context(), id, hash, "test"); err != nil {
		a.t.Fatal(err)
	}
	return plain
}

func wantJSONError(t *testing.T, what string, res response, status int) {
	t.Helper()
	wantStatus(t, what, res, status)
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	var body struct{ Error string }
	if err := json.Unmarshal([]byte(res.body), &body); err != nil || body.Error == "" {
		t.Errorf("%s: body %q is not {\"error\": ...}", what, res.body)
	}
}

func TestAPIErrors(t *testing.T) {
	app := newTestApp(t)
	wantJSONError(t, "no token", app.apiGet("", "/api/v1/portfolios"), http.StatusUnauthorized)
	wantJSONError(t, "bad token", app.apiGet("blst_nonsense", "/api/v1/portfolios"), http.StatusUnauthorized)
	wantJSONError(t, "disabled user", app.apiGet(app.addToken(4), "/api/v1/portfolios"), http.StatusUnauthorized)
	wantJSONError(t, "no role", app.apiGet(app.addToken(3), "/api/v1/portfolios"), http.StatusForbidden)
	tok := app.addToken(1)
	wantJSONError(t, "unknown portfolio", app.apiGet(tok, "/api/v1/portfolios/NOPE"), http.StatusNotFound)
	wantJSONError(t, "unknown positions", app.apiGet(tok, "/api/v1/portfolios/NOPE/positions"), http.StatusNotFound)
	wantJSONError(t, "unknown endpoint", app.apiGet(tok, "/api/v1/nothing"), http.StatusNotFound)

	// A session cookie is no way into the API.
	c := app.signedIn("pm")
	res := app.do(c, app.request(http.MethodGet, "/api/v1/portfolios", nil))
	wantJSONError(t, "cookie only", res, http.StatusUnauthorized)
}

func TestAPIPortfolioAndPositions(t *testing.T) {
	app := newTestApp(t)
	tok := app.addToken(1)

	res := app.apiGet(tok, "/api/v1/portfolios/GROWTH")
	wantStatus(t, "portfolio", res, http.StatusOK)
	var p map[string]any
	if err := json.Unmarshal([]byte(res.body), &p); err != nil {
		t.Fatal(err)
	}
	if p["nav"] != "4053" || p["cash"] != "1000" || p["code"] != "GROWTH" || p["positions"] != float64(3) {
		t.Errorf("portfolio: %v", p)
	}

	res = app.apiGet(tok, "/api/v1/portfolios/GROWTH/positions")
	wantStatus(t, "positions", res, http.StatusOK)
	var pos struct {
		Positions []map[string]any `json:"positions"`
	}
	if err := json.Unmarshal([]byte(res.body), &pos); err != nil {
		t.Fatal(err)
	}
	if len(pos.Positions) != 3 {
		t.Fatalf("positions: %s", res.body)
	}
	bbb := pos.Positions[1]
	want := map[string]any{"symbol": "BBB", "quantity": "100", "price": "20.5", "market_value": "2050",
		"weight": "50.5798", "unrealised_pnl": "-450", "avg_cost": "25", "priced": true}
	for k, v := range want {
		if bbb[k] != v {
			t.Errorf("BBB %s = %#v, want %#v", k, bbb[k], v)
		}
	}
}

func TestAPIListsSecuritiesPricesPortfolios(t *testing.T) {
	app := newTestApp(t)
	tok := app.addToken(2)
	for path, key := range map[string]string{
		"/api/v1/portfolios": "portfolios", "/api/v1/securities": "securities", "/api/v1/prices": "prices",
	} {
		res := app.apiGet(tok, path)
		wantStatus(t, path, res, http.StatusOK)
		var body map[string][]map[string]any
		if err := json.Unmarshal([]byte(res.body), &body); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(body[key]) < 2 {
			t.Errorf("%s: %s", path, res.body)
		}
	}
	res := app.apiGet(tok, "/api/v1/prices")
	wantContains(t, "prices", res.body, `{"symbol":"BBB","price":"20.5","as_of":"2026-11-20T16:00:00Z","source":"csv"}`)
	res = app.apiGet(tok, "/api/v1/securities?q=energy")
	wantContains(t, "filtered securities", res.body, `"symbol":"CCC"`, `"lot_size":"1"`)
}
