package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/user"
)

// formRequest is a browser form post with cookie and the fetch metadata of site.
func formRequest(path string, form url.Values, cookie *http.Cookie, site string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return req
}

func TestSessionFixation(t *testing.T) {
	app := newSecApp(t, secOptions{})
	// A token planted by someone else is never the one a sign-in gives.
	planted := &http.Cookie{Name: "ballast_session", Value: "planted-by-an-attacker-0123456789abcdef"}
	rec := app.serve(formRequest("/signin", url.Values{"name": {"pm"}, "password": {testPassword}}, planted, "same-origin"))
	got := sessionOf(t, rec)
	if got.Value == planted.Value {
		t.Fatal("sign-in kept the planted session token")
	}
	// A real session from before a sign-in is renewed, and the old token dies.
	before := app.sessionCookie(t, "pm")
	rec = app.serve(formRequest("/signin", url.Values{"name": {"trader"}, "password": {testPassword}}, before, "same-origin"))
	after := sessionOf(t, rec)
	if after.Value == before.Value {
		t.Fatal("signing in again kept the session token")
	}
	if rec := app.call(http.MethodGet, "/blotter", "", map[string]*http.Cookie{"": before}); rec.Code != http.StatusSeeOther {
		t.Errorf("old token after sign-in: %d, want a redirect to sign in", rec.Code)
	}
	// Signing out ends the session on the server, not just in the browser.
	app.serve(formRequest("/signout", nil, after, "same-origin"))
	if rec := app.call(http.MethodGet, "/blotter", "", map[string]*http.Cookie{"": after}); rec.Code != http.StatusSeeOther {
		t.Errorf("token after sign-out: %d, want a redirect to sign in", rec.Code)
	}
}

// sessionOf returns the session cookie a response sets.
func sessionOf(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if strings.HasSuffix(c.Name, "ballast_session") {
			return c
		}
	}
	t.Fatalf("no session cookie; status %d", rec.Code)
	return nil
}

func TestSessionCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		app := newSecApp(t, secOptions{secureCookies: secure})
		rec := app.serve(formRequest("/signin", url.Values{"name": {"pm"}, "password": {testPassword}}, nil, "same-origin"))
		raw := rec.Header().Get("Set-Cookie")
		c := sessionOf(t, rec)
		wantName := map[bool]string{false: "ballast_session", true: "__Host-ballast_session"}[secure]
		switch {
		case c.Name != wantName:
			t.Errorf("secure=%v: cookie %q, want %q", secure, c.Name, wantName)
		case !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "":
			t.Errorf("secure=%v: flags of %q", secure, raw)
		case c.Secure != secure:
			t.Errorf("secure=%v: Secure=%v in %q", secure, c.Secure, raw)
		case c.MaxAge != 0 || !c.Expires.IsZero():
			t.Errorf("secure=%v: the session cookie outlives the browser: %q", secure, raw)
		}
	}
}

func TestCrossOriginPostsRefused(t *testing.T) {
	app := newSecApp(t, secOptions{})
	admin, comp, tr := app.sessionCookie(t, "admin"), app.sessionCookie(t, "compliance"), app.sessionCookie(t, "trader")
	users, tokens := len(app.store.users), len(app.store.tokens)
	posts := []struct {
		path   string
		cookie *http.Cookie
		form   url.Values
	}{
		{"/signin", nil, url.Values{"name": {"pm"}, "password": {testPassword}}},
		{"/signout", tr, nil},
		{"/admin/users", admin, url.Values{"name": {"mallory"}, "password": {"a long enough password 1"}, "roles": {"admin"}}},
		{"/admin/users/2/tokens", admin, url.Values{"label": {"stolen"}}},
		{"/compliance/batch", comp, nil},
		{"/orders/1/approve", tr, nil},
		{"/sessions/SIM/logout", tr, nil},
		{"/prices", tr, url.Values{"symbol": {"AAA"}, "price": {"1"}}},
	}
	for _, p := range posts {
		for _, site := range []string{"cross-site", "same-site"} {
			rec := app.serve(formRequest(p.path, p.form, p.cookie, site))
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "another site") {
				t.Errorf("POST %s from %s: %d, want 403", p.path, site, rec.Code)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("POST %s from %s set a cookie", p.path, site)
			}
		}
		// An old browser without fetch metadata sends Origin.
		req := formRequest(p.path, p.form, p.cookie, "")
		req.Header.Set("Origin", "https://evil.example")
		if rec := app.serve(req); rec.Code != http.StatusForbidden {
			t.Errorf("POST %s with a foreign Origin: %d, want 403", p.path, rec.Code)
		}
	}
	if len(app.store.users) != users || len(app.store.tokens) != tokens {
		t.Errorf("a refused request changed users (%d→%d) or tokens (%d→%d)", users, len(app.store.users), tokens, len(app.store.tokens))
	}
	// The control: the same post from the page itself goes through.
	rec := app.serve(formRequest("/admin/users/2/tokens", url.Values{"label": {"ok"}}, admin, "same-origin"))
	if rec.Code == http.StatusForbidden {
		t.Errorf("same-origin token creation refused: %d", rec.Code)
	}
}

// injections are search strings that would change an SQL statement built by
// pasting text into it.
var injections = []string{`' OR 1=1 --`, `'; DROP TABLE audit_events; --`, `" OR ""="`, `%' OR '%'='`, `1 UNION SELECT name FROM sqlite_master`, `\'; --`}

func TestSQLInjectionProbes(t *testing.T) {
	app := newSecApp(t, secOptions{})
	app.seedOrderAndBlock(t)
	cookies := map[string]*http.Cookie{"compliance": app.sessionCookie(t, "compliance")}
	none := app.call(http.MethodGet, "/api/v1/audit?user=nobody&portfolio=NOPE", "compliance", nil).Body.String()
	for _, probe := range injections {
		q := url.QueryEscape(probe)
		for _, path := range []string{
			"/securities?q=" + q, "/api/v1/securities?q=" + q, "/audit?user=" + q + "&portfolio=" + q,
			"/audit.csv?user=" + q, "/api/v1/orders?portfolio=" + q, "/blotter?portfolio=" + q,
			"/api/v1/conditions?portfolio=" + q, "/drift?portfolio=" + q,
		} {
			if rec := app.call(http.MethodGet, path, "compliance", cookies); rec.Code >= 500 {
				t.Errorf("GET %s: %d", path, rec.Code)
			}
		}
		// The probe matches nothing, like any unknown name: it did not widen the search.
		rec := app.call(http.MethodGet, "/api/v1/audit?user="+q+"&portfolio="+q, "compliance", nil)
		if rec.Code != http.StatusOK || rec.Body.String() != none {
			t.Errorf("audit search %q: %d %.300s, want the empty answer %s", probe, rec.Code, rec.Body, none)
		}
		secs, err := app.db.Securities(context.Background(), probe)
		if err != nil || len(secs) != 0 {
			t.Errorf("db securities %q: %d rows, %v", probe, len(secs), err)
		}
	}
	// The audit trail is still there.
	rec := app.call(http.MethodGet, "/api/v1/audit", "compliance", nil)
	var out struct{ Events []json.RawMessage }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Events) == 0 {
		t.Errorf("audit after the probes: %v, %d events; %.200s", err, len(out.Events), rec.Body)
	}
}

// TestSecretsNeverLogged signs in (rightly and wrongly), uses cookies and
// tokens, creates a user and issues a token, with debug logging on, and finds
// no password, token or cookie value in the log.
func TestSecretsNeverLogged(t *testing.T) {
	app := newSecApp(t, secOptions{})
	const wrong, newPassword = "wrong-horse-battery-xyzzy", "a brand new password for carol"
	app.serve(formRequest("/signin", url.Values{"name": {"pm"}, "password": {wrong}}, nil, "same-origin"))
	app.serve(formRequest("/signin", url.Values{"name": {wrong}, "password": {wrong}}, nil, "same-origin"))
	admin := app.sessionCookie(t, "admin")
	secrets := []string{testPassword, wrong, newPassword, admin.Value, secMetricsToken}
	rec := app.serve(formRequest("/admin/users", url.Values{"name": {"carol"}, "password": {newPassword}, "roles": {"pm"}}, admin, "same-origin"))
	if rec.Code >= 400 {
		t.Fatalf("create user: %d %.300s", rec.Code, rec.Body)
	}
	rec = app.serve(formRequest("/admin/users/2/tokens", url.Values{"label": {"ci"}}, admin, "same-origin"))
	if rec.Code >= 400 {
		t.Fatalf("issue token: %d", rec.Code)
	}
	for _, tok := range app.tokens {
		secrets = append(secrets, tok, user.HashToken(tok))
		app.call(http.MethodGet, "/api/v1/portfolios?token="+tok, "pm", nil) // even in a query string
	}
	app.call(http.MethodGet, "/api/v1/orders", "", nil)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/orders", nil)
	req.Header.Set("Authorization", "Bearer not-a-real-token-but-still-secret")
	app.serve(req)
	secrets = append(secrets, "not-a-real-token-but-still-secret")
	req = httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+secMetricsToken)
	if rec := app.serve(req); rec.Code != http.StatusOK {
		t.Errorf("metrics with its token: %d", rec.Code)
	}
	app.call(http.MethodGet, "/blotter", "", map[string]*http.Cookie{"": admin})

	logs := app.logs.String()
	if !strings.Contains(logs, `"msg":"signed in"`) || !strings.Contains(logs, `"msg":"api token issued"`) {
		t.Fatalf("the test logged nothing it meant to:\n%s", logs)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds the secret %.12q…", s)
		}
	}
}

// TestFourEyesThroughEveryDoor: a user who is both PM and trader cannot
// approve their own order through the API, the order page or the blotter's
// bulk approval.
func TestFourEyesThroughEveryDoor(t *testing.T) {
	app := newSecApp(t, secOptions{})
	tok, cookie := app.tokens["pmtrader"], app.sessionCookie(t, "pmtrader")
	res, out := app.apiPost(tok, "/api/v1/orders", buyGrowth)
	if res.status != http.StatusCreated && res.status != http.StatusOK {
		t.Fatalf("enter: %d %s", res.status, res.body)
	}
	id := int64(out["id"].(float64))
	path := "/orders/" + strconv.FormatInt(id, 10)
	if res, _ := app.apiPost(tok, "/api/v1"+path+"/approve", ""); res.status != http.StatusForbidden {
		t.Errorf("API self-approval: %d", res.status)
	}
	app.serve(formRequest(path+"/approve", nil, cookie, "same-origin"))
	app.serve(formRequest("/blotter/orders", url.Values{"action": {"approve"}, "id": {strconv.FormatInt(id, 10)}}, cookie, "same-origin"))
	res = app.do(app.client(), withBearer(app.request(http.MethodGet, "/api/v1"+path, nil), tok))
	if strings.Contains(res.body, `"status":"approved"`) || !strings.Contains(res.body, `"status":"`) {
		t.Errorf("after self-approval through every door: %s", res.body)
	}
	if res, _ := app.apiPost(app.tokens["trader"], "/api/v1"+path+"/approve", ""); res.status != http.StatusOK {
		t.Errorf("another trader's approval: %d %s", res.status, res.body)
	}
}

func withBearer(req *http.Request, tok string) *http.Request {
	req.Header.Set("Authorization", "Bearer "+tok)
	return req
}

// TestAuditTrailHasNoWriteRoute: no route changes the audit trail; it is only
// read (GET) and exported, and writing to its addresses is refused.
func TestAuditTrailHasNoWriteRoute(t *testing.T) {
	app := newSecApp(t, secOptions{})
	for _, rt := range walkRoutes(t, app.h) {
		if strings.Contains(rt.pattern, "audit") && rt.method != http.MethodGet {
			t.Errorf("%s %s writes to the audit trail", rt.method, rt.pattern)
		}
	}
	comp := map[string]*http.Cookie{"compliance": app.sessionCookie(t, "compliance")}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		for _, p := range []string{"/audit", "/audit.csv", "/api/v1/audit"} {
			if rec := app.call(m, p, "compliance", comp); rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", m, p, rec.Code)
			}
		}
	}
}
