package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/ballast-oms/ballast/user"
)

func TestSignedOutPagesRedirectToSignIn(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	for _, path := range []string{"/portfolios", "/portfolios/GROWTH", "/securities?q=a", "/prices", "/admin/users"} {
		res := app.get(c, path)
		wantStatus(t, path, res, http.StatusSeeOther)
		if want := "/signin?next=" + url.QueryEscape(path); res.header.Get("Location") != want {
			t.Errorf("%s: Location %q, want %q", path, res.header.Get("Location"), want)
		}
	}
	res := app.get(c, "/")
	wantStatus(t, "/", res, http.StatusSeeOther)
	if got := res.header.Get("Location"); got != "/signin" {
		t.Errorf("/: Location %q, want /signin", got)
	}
}

func TestSignedOutHTMXRequestGetsHXRedirect(t *testing.T) {
	app := newTestApp(t)
	req := app.request(http.MethodGet, "/securities?q=a", nil)
	req.Header.Set("HX-Request", "true")
	res := app.do(app.client(), req)
	wantStatus(t, "htmx signed out", res, http.StatusUnauthorized)
	if got := res.header.Get("HX-Redirect"); !strings.HasPrefix(got, "/signin?next=") {
		t.Errorf("HX-Redirect = %q", got)
	}
}

func TestSignInGoesToNextAndShowsUser(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	res := app.postForm(c, "/signin", url.Values{"name": {"pm"}, "password": {testPassword}, "next": {"/prices"}})
	wantStatus(t, "sign in", res, http.StatusSeeOther)
	if got := res.header.Get("Location"); got != "/prices" {
		t.Errorf("Location %q, want /prices", got)
	}
	page := app.get(c, "/portfolios")
	wantStatus(t, "portfolios", page, http.StatusOK)
	wantContains(t, "portfolios", page.body, `data-testid="user-name">pm<`, `action="/signout"`)
	if strings.Contains(page.body, `href="/admin/users"`) {
		t.Error("a PM's navigation links to the admin pages")
	}
}

func TestSignInRefusalsLookAlike(t *testing.T) {
	app := newTestApp(t)
	tests := []struct{ name, password string }{
		{"pm", "wrong password!!"},
		{"nobody", testPassword},
		{"gone", testPassword}, // disabled
		{"", ""},
	}
	for _, tt := range tests {
		res := app.postForm(app.client(), "/signin", url.Values{"name": {tt.name}, "password": {tt.password}})
		wantStatus(t, "sign in "+tt.name, res, http.StatusUnprocessableEntity)
		wantContains(t, "sign in "+tt.name, res.body, badSignIn, `<label for="password">`)
		if res.header.Get("Set-Cookie") != "" {
			t.Errorf("refused sign-in as %q set a cookie", tt.name)
		}
	}
}

func TestSignInRenewsSessionToken(t *testing.T) {
	app := newTestApp(t)
	// A session token planted before sign-in (session fixation) must not survive it.
	data, err := scs.GobCodec{}.Encode(time.Now().Add(time.Hour), map[string]any{"planted": true})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.sessions.Commit("planted-token", data, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	u, _ := url.Parse(app.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "ballast_session", Value: "planted-token"}})

	res := app.postForm(c, "/signin", url.Values{"name": {"pm"}, "password": {testPassword}})
	wantStatus(t, "sign in", res, http.StatusSeeOther)
	var cookie *http.Cookie
	for _, ck := range (&http.Response{Header: res.header}).Cookies() {
		if ck.Name == "ballast_session" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatal("sign-in set no session cookie")
	}
	if cookie.Value == "planted-token" || cookie.Value == "" {
		t.Errorf("session token not renewed: %q", cookie.Value)
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie flags: HttpOnly %v SameSite %v", cookie.HttpOnly, cookie.SameSite)
	}
	if _, found, _ := app.sessions.Find("planted-token"); found {
		t.Error("the planted session still exists after sign-in")
	}
	wantStatus(t, "after sign in", app.get(c, "/portfolios"), http.StatusOK)
}

func TestSecureCookiesUseHostPrefix(t *testing.T) {
	s := &server{}
	sm := s.newSessions(nil, true)
	if !sm.Cookie.Secure || sm.Cookie.Name != "__Host-ballast_session" || !sm.Cookie.HttpOnly {
		t.Errorf("secure cookie config: %+v", sm.Cookie)
	}
	if sm.IdleTimeout <= 0 || sm.Lifetime <= sm.IdleTimeout {
		t.Errorf("lifetimes: idle %v, absolute %v", sm.IdleTimeout, sm.Lifetime)
	}
}

func TestSignOutEndsSession(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("pm")
	res := app.postForm(c, "/signout", nil)
	wantStatus(t, "sign out", res, http.StatusSeeOther)
	wantStatus(t, "after sign out", app.get(c, "/portfolios"), http.StatusSeeOther)
	wantStatus(t, "GET signout", app.get(c, "/signout"), http.StatusMethodNotAllowed)
}

func TestRoleGuards(t *testing.T) {
	app := newTestApp(t)
	pm := app.signedIn("pm")
	for _, path := range []string{"/admin/users", "/admin/uploads"} {
		res := app.get(pm, path)
		wantStatus(t, "pm "+path, res, http.StatusForbidden)
		wantContains(t, "pm "+path, res.body, "Not allowed", "<html")
	}
	res := app.postForm(pm, "/admin/users", url.Values{"name": {"mallory"}, "roles": {"admin"}, "password": {testPassword + "x"}})
	wantStatus(t, "pm creates user", res, http.StatusForbidden)
	if _, err := app.store.UserByName(t.Context(), "mallory"); err == nil {
		t.Error("a PM created a user")
	}

	norole := app.signedIn("norole")
	wantStatus(t, "no role portfolios", app.get(norole, "/portfolios"), http.StatusForbidden)

	admin := app.signedIn("admin")
	wantStatus(t, "admin users", app.get(admin, "/admin/users"), http.StatusOK)
	wantStatus(t, "admin portfolios", app.get(admin, "/portfolios"), http.StatusOK)
}

func TestCrossOriginPostRefused(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin")
	tests := []struct {
		name    string
		headers map[string]string
	}{
		{"sec-fetch-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"origin only", map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tt := range tests {
		for _, path := range []string{"/admin/users", "/signin", "/signout"} {
			form := url.Values{"name": {"mallory"}, "roles": {"admin"}, "password": {testPassword + "x"}}
			req := app.request(http.MethodPost, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			res := app.do(c, req)
			wantStatus(t, tt.name+" "+path, res, http.StatusForbidden)
			wantContains(t, tt.name+" "+path, res.body, "Request refused")
		}
	}
	if _, err := app.store.UserByName(t.Context(), "mallory"); err == nil {
		t.Error("a cross-origin POST created a user")
	}
	wantStatus(t, "still signed in", app.get(c, "/admin/users"), http.StatusOK)
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "/portfolios"},
		{"/prices", "/prices"},
		{"/securities?q=bank", "/securities?q=bank"},
		{"https://evil.example/", "/portfolios"},
		{"//evil.example/x", "/portfolios"},
		{"/\\evil.example", "/portfolios"},
		{"javascript:alert(1)", "/portfolios"},
		{"prices", "/portfolios"},
		{"/signin", "/portfolios"},
		{"/x\r\nSet-Cookie: a=b", "/portfolios"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLogsNeverHoldSecrets(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("pm")
	app.get(c, "/portfolios")
	req := app.request(http.MethodGet, "/api/v1/prices", nil)
	req.Header.Set("Authorization", "Bearer blst_secret_token_value")
	app.do(app.client(), req)
	logs := app.logs.String()
	if !strings.Contains(logs, `"path":"/portfolios"`) || !strings.Contains(logs, `"duration_ms"`) {
		t.Fatalf("no access log lines:\n%s", logs)
	}
	u, _ := url.Parse(app.srv.URL)
	for _, secret := range []string{testPassword, "blst_secret_token_value", c.Jar.Cookies(u)[0].Value} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain the secret %q", secret)
		}
	}
}

func TestDecoyHashHasBallastParameters(t *testing.T) {
	h, err := user.HashPassword("anything at all")
	if err != nil {
		t.Fatal(err)
	}
	params := func(s string) string { return strings.Join(strings.Split(s, "$")[:4], "$") }
	if params(decoyHash) != params(h) {
		t.Errorf("decoy hash parameters %q differ from HashPassword's %q: unknown users would answer at a different speed", params(decoyHash), params(h))
	}
	if user.CheckPassword("", decoyHash) || user.CheckPassword(testPassword, decoyHash) {
		t.Error("the decoy hash matches a known password")
	}
}
