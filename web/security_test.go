package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// Who may use a route: "public", "all" (every desk role), or a comma list of
// roles. Every route the router knows must be here: a new route without an
// entry fails TestRouteRoleMatrix until someone decides who may use it.
var routeMatrix = map[string]string{
	"ANY /static/*": "public", "GET /healthz": "public",
	"GET /signin": "public", "POST /signin": "public", "POST /signout": "public",
	"GET /metrics": "admin", // or the metrics token

	// Reading the desk: every role.
	"GET /": "all", "GET /portfolios": "all", "GET /portfolios/{code}": "all", "GET /securities": "all",
	"GET /prices": "all", "GET /drift": "all", "GET /portfolios/{code}/drift": "all",
	"GET /portfolios/{code}/drift.csv": "all", "GET /models": "all", "GET /models/{name}": "all",
	"GET /blotter": "all", "GET /blotter/events": "all", "GET /orders/{id}": "all",
	"GET /compliance": "all", "GET /compliance/orders/{id}": "all", "GET /compliance/rules": "all",
	"GET /compliance/rules.json": "all", "GET /compliance/rules/{id}": "all",
	"GET /compliance/restricted": "all", "GET /compliance/alerts": "all",
	"GET /events/prices": "all", "GET /conditions": "all", "GET /conditions/defaults": "all",
	"GET /portfolios/{code}/conditions": "all", "GET /blocks/{id}/fix": "all",
	"GET /blocks/{id}": "all", "GET /blocks/{id}/allocations.csv": "all", "GET /portfolios/{code}/restrictions": "all",

	// Portfolio management.
	"GET /models/new": "pm", "POST /models": "pm", "POST /models/check": "pm",
	"GET /portfolios/{code}/targets": "pm", "POST /portfolios/{code}/targets": "pm",
	"GET /rebalance": "pm", "POST /rebalance": "pm", "GET /rebalance/jobs/{id}": "pm",
	"POST /rebalance/jobs/{id}/submit": "pm", "POST /portfolios/{code}/restrictions": "pm",

	// Orders: PMs and traders enter, cancel and replace; only traders approve and work blocks.
	"GET /orders/new": "pm,trader", "POST /orders": "pm,trader", "POST /orders/{id}/cancel": "pm,trader",
	"POST /orders/{id}/replace": "pm,trader", "POST /blotter/orders": "trader",
	"POST /orders/{id}/approve": "trader", "POST /blocks/{id}/release": "trader", "POST /blocks/{id}/cancel": "trader",
	"POST /blocks/{id}/replace": "trader", "POST /blocks/release": "trader", "GET /audit": "compliance,admin", "GET /audit.csv": "compliance,admin",

	// Compliance changes: the compliance role only.
	"POST /compliance/rules": "compliance", "POST /compliance/rules/{id}": "compliance",
	"POST /compliance/restricted": "compliance", "POST /compliance/restricted/remove": "compliance",
	"POST /compliance/alerts/{id}": "compliance", "POST /compliance/batch": "compliance",
	"POST /compliance/orders/{id}/overrides": "compliance",

	// Prices and conditional orders.
	"GET /prices/entry": "trader,admin", "POST /prices": "trader,admin",
	"POST /conditions": "pm,trader", "POST /conditions/{id}": "pm,trader", "POST /conditions/{id}/cancel": "pm,trader",
	"POST /conditions/defaults": "pm,trader", "POST /conditions/defaults/{id}/remove": "pm,trader",
	"POST /conditions/{id}/approve": "trader", "POST /conditions/defaults/{id}/approve": "trader",
	// An amendment of an active condition: traders approve or reject it; its author (pm or trader) withdraws it.
	"POST /conditions/{id}/amendment/approve": "trader", "POST /conditions/{id}/amendment/reject": "pm,trader",

	// FIX sessions.
	"GET /sessions": "trader,admin", "POST /sessions/{broker}/logon": "trader,admin",
	"POST /sessions/{broker}/logout": "trader,admin",
	"GET /sessions/{broker}/reset":   "admin", "POST /sessions/{broker}/reset": "admin",

	// Everyone's own account and API tokens.
	"GET /account": "all", "POST /account/tokens": "all",

	// Administration.
	"GET /admin/": "admin", "GET /admin/users": "admin", "POST /admin/users": "admin",
	"POST /admin/users/{id}/tokens": "admin", "GET /admin/uploads": "admin", "POST /admin/uploads": "admin",

	// The JSON API.
	"GET /api/v1/portfolios": "all", "GET /api/v1/portfolios/{code}": "all",
	"GET /api/v1/portfolios/{code}/positions": "all", "GET /api/v1/securities": "all", "GET /api/v1/prices": "all",
	"GET /api/v1/portfolios/{code}/drift": "all", "POST /api/v1/portfolios/{code}/rebalance": "pm,trader",
	"GET /api/v1/compliance/rules": "all", "GET /api/v1/compliance/alerts": "all",
	"GET /api/v1/orders/{id}/compliance": "all",
	"POST /api/v1/compliance/rules":      "compliance", "POST /api/v1/compliance/alerts/{id}/acknowledge": "compliance",
	"POST /api/v1/compliance/alerts/{id}/resolve": "compliance", "POST /api/v1/compliance/batch": "compliance",
	"POST /api/v1/orders/{id}/overrides": "compliance",
	"GET /api/v1/orders":                 "all", "GET /api/v1/orders/{id}": "all", "GET /api/v1/blocks": "all",
	"GET /api/v1/blocks/{id}": "all", "GET /api/v1/audit": "compliance,admin",
	"POST /api/v1/orders": "pm,trader", "POST /api/v1/orders/{id}/cancel": "pm,trader",
	"POST /api/v1/orders/{id}/replace": "pm,trader", "POST /api/v1/orders/{id}/approve": "trader",
	"POST /api/v1/blocks": "trader", "POST /api/v1/blocks/{id}/release": "trader", "POST /api/v1/blocks/{id}/cancel": "trader",
	"POST /api/v1/blocks/{id}/replace": "trader", "POST /api/v1/blocks/release": "trader",
	"POST /api/v1/prices": "trader,admin", "GET /api/v1/conditions": "all", "GET /api/v1/conditions/{id}": "all",
	"POST /api/v1/conditions": "pm,trader", "POST /api/v1/conditions/{id}/cancel": "pm,trader",
	"POST /api/v1/conditions/{id}/amendment/approve": "trader", "POST /api/v1/conditions/{id}/amendment/reject": "pm,trader",
	"POST /api/v1/conditions/{id}/approve": "trader",
	"GET /api/v1/sessions":                 "trader,admin",
}

// matrixRoles are the callers of the matrix, each a user holding that one
// role; "" is signed out and "norole" a signed-in user without any role.
var matrixRoles = []string{"", "norole", "pm", "trader", "compliance", "admin"}

// allowed says whether role may use a route with the matrix entry spec.
func allowed(spec, role string) bool {
	switch spec {
	case "public":
		return true
	case "all":
		return role != "" && role != "norole"
	}
	return role != "" && slices.Contains(strings.Split(spec, ","), role)
}

// route is one method and pattern the router answers.
type route struct{ method, pattern string }

// walkRoutes lists every method and pattern of the server's router.
func walkRoutes(t *testing.T, h http.Handler) []route {
	t.Helper()
	var out []route
	err := chi.Walk(h.(chi.Routes), func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, route{method, strings.TrimSuffix(pattern, "/*/")})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pattern+out[i].method < out[j].pattern+out[j].method })
	return out
}

// concrete fills a pattern's parameters with things the test desk has.
func concrete(pattern string) string {
	if strings.HasSuffix(pattern, "/orders/{id}/cancel") || strings.HasSuffix(pattern, "/orders/{id}/replace") {
		// Order 2 is not in a block: a PM may still cancel or replace it.
		pattern = strings.Replace(pattern, "{id}", "2", 1)
	}
	if pattern == "/admin/users/{id}/tokens" {
		// User 2 is the administrator: a token for anyone else is refused
		// whatever the role (TestNoTokenForSomeoneElse).
		pattern = "/admin/users/2/tokens"
	}
	return strings.NewReplacer("{code}", "GROWTH", "{id}", "1", "{name}", "core", "{broker}", "SIM", "*", "app.css").Replace(pattern)
}

// cancelOnHeader is a recorder that ends the request's context once the
// status is written, so that event streams return after their first bytes.
type cancelOnHeader struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (c *cancelOnHeader) WriteHeader(code int) {
	c.ResponseRecorder.WriteHeader(code)
	c.cancel()
}

// serve runs one request through the handler and returns the recorder.
func (a *secApp) serve(req *http.Request) *httptest.ResponseRecorder {
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	rec := &cancelOnHeader{ResponseRecorder: httptest.NewRecorder(), cancel: cancel}
	a.h.ServeHTTP(rec, req.WithContext(ctx))
	return rec.ResponseRecorder
}

// sessionCookie signs name in through the handler and returns the session cookie.
func (a *secApp) sessionCookie(t *testing.T, name string) *http.Cookie {
	t.Helper()
	form := url.Values{"name": {name}, "password": {testPassword}}
	req := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := a.serve(req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d %s", name, rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if strings.HasSuffix(c.Name, "ballast_session") {
			return c
		}
	}
	t.Fatalf("sign in %s: no session cookie", name)
	return nil
}

// seedOrderAndBlock makes order 1 (entered by pm, approved by trader), block
// 1 holding it and order 2 (entered by pm), so that the order routes act on
// something real.
func (a *secApp) seedOrderAndBlock(t *testing.T) {
	t.Helper()
	steps := []struct{ who, path, body string }{
		{"pm", "/api/v1/orders", buyGrowth},
		{"trader", "/api/v1/orders/1/approve", ""},
		{"trader", "/api/v1/blocks", `{"order_ids":[1],"broker":"SIM"}`},
		{"pm", "/api/v1/orders", buyGrowth},
	}
	for _, s := range steps {
		if res, _ := a.apiPost(a.tokens[s.who], s.path, s.body); res.status >= 300 {
			t.Fatalf("seed %s: %d %s", s.path, res.status, res.body)
		}
	}
}

// usesToken says whether a route authenticates by bearer token, not cookie.
func usesToken(pattern string) bool {
	return strings.HasPrefix(pattern, "/api/v1/") || pattern == "/metrics"
}

// call sends method and path as role: with the role's session cookie (and
// same-origin headers) for pages, with its API token for the API.
func (a *secApp) call(method, path, role string, cookies map[string]*http.Cookie) *httptest.ResponseRecorder {
	body := ""
	if method == http.MethodPost && usesToken(path) {
		body = "{}"
		if strings.HasSuffix(path, "/replace") {
			// Valid, so that the role check in the order Service is reached.
			body = `{"quantity":"200","limit_price":"20"}`
		}
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if usesToken(path) {
		req.Header.Set("Content-Type", "application/json")
		if role != "" {
			req.Header.Set("Authorization", "Bearer "+a.tokens[role])
		}
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if c := cookies[role]; c != nil {
			req.AddCookie(c)
		}
	}
	return a.serve(req)
}

// TestRouteRoleMatrix calls every route the router knows as every role,
// signed out included, through the cookie pages and the token API, and checks
// the answer against routeMatrix.
func TestRouteRoleMatrix(t *testing.T) {
	app := newSecApp(t, secOptions{})
	app.seedOrderAndBlock(t)
	cookies := map[string]*http.Cookie{}
	for _, role := range matrixRoles[1:] {
		cookies[role] = app.sessionCookie(t, role)
	}
	seen := map[string]bool{}
	for _, rt := range walkRoutes(t, app.h) {
		key := rt.method + " " + rt.pattern
		if strings.HasPrefix(rt.pattern, "/static/") {
			if key = "ANY /static/*"; rt.method != http.MethodGet {
				continue
			}
		}
		spec, ok := routeMatrix[key]
		if !ok {
			t.Errorf("route %s is not in routeMatrix: decide who may use it", key)
			continue
		}
		seen[key] = true
		// Refusals first, so that an allowed action cannot change what they see.
		roles := slices.Clone(matrixRoles)
		slices.SortStableFunc(roles, func(x, y string) int { return boolInt(allowed(spec, x)) - boolInt(allowed(spec, y)) })
		for _, role := range roles {
			path := concrete(rt.pattern)
			rec := app.call(rt.method, path, role, cookies)
			checkAccess(t, key, spec, role, rec)
			if key == "POST /signout" && role != "" {
				cookies[role] = app.sessionCookie(t, role)
			}
		}
	}
	for key := range routeMatrix {
		if !seen[key] {
			t.Errorf("routeMatrix entry %s matches no route", key)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkAccess checks one answer against the matrix.
func checkAccess(t *testing.T, key, spec, role string, rec *httptest.ResponseRecorder) {
	t.Helper()
	who := role
	if who == "" {
		who = "signed out"
	}
	code, loc := rec.Code, rec.Header().Get("Location")
	toSignIn := code == http.StatusSeeOther && strings.HasPrefix(loc, "/signin")
	_, pattern, _ := strings.Cut(key, " ")
	switch {
	case allowed(spec, role):
		if code == http.StatusUnauthorized || code == http.StatusForbidden || (toSignIn && spec != "public") || code >= 500 {
			t.Errorf("%s as %s (allowed): %d %s %.200s", key, who, code, loc, rec.Body)
		}
	case role == "" && usesToken(pattern):
		if code != http.StatusUnauthorized {
			t.Errorf("%s signed out: %d, want 401", key, code)
		}
	case role == "":
		if !toSignIn {
			t.Errorf("%s signed out: %d %q, want 303 to /signin", key, code, loc)
		}
	default:
		if code != http.StatusForbidden {
			t.Errorf("%s as %s (not allowed): %d, want 403; %.200s", key, who, code, rec.Body)
		}
	}
}
