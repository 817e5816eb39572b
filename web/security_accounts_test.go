package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/user"
)

// TestPasswordRules: an administrator cannot create a user with a password
// that is too short, too long or not UTF-8; the shortest allowed one works.
func TestPasswordRules(t *testing.T) {
	app := newSecApp(t, secOptions{})
	admin := app.sessionCookie(t, "admin")
	cases := []struct {
		name, password string
		ok             bool
	}{
		{"short", strings.Repeat("a", user.MinPasswordLen-1), false},
		{"empty", "", false},
		{"long", strings.Repeat("a", user.MaxPasswordLen+1), false},
		{"notutf", strings.Repeat("a", user.MinPasswordLen) + "\xff", false},
		{"spaces", strings.Repeat(" ", user.MinPasswordLen-1), false},
		{"justright", strings.Repeat("é", user.MinPasswordLen), true},
	}
	for _, c := range cases {
		users := len(app.store.users)
		rec := app.serve(formRequest("/admin/users", url.Values{"name": {c.name}, "password": {c.password}, "roles": {"pm"}}, admin, "same-origin"))
		created := len(app.store.users) > users
		if created != c.ok || (!c.ok && rec.Code != http.StatusUnprocessableEntity) {
			t.Errorf("%s: status %d, created %v, want created %v", c.name, rec.Code, created, c.ok)
		}
	}
	// A password longer than any allowed one is refused without hashing it:
	// 1 MB is refused whole as a form over the cap; 2,000 characters by the
	// password rules.
	rec := app.serve(formRequest("/signin", url.Values{"name": {"pm"}, "password": {strings.Repeat("x", 1<<20)}}, nil, "same-origin"))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("sign-in with a 1 MB password: %d, want 413", rec.Code)
	}
	rec = app.serve(formRequest("/signin", url.Values{"name": {"pm"}, "password": {strings.Repeat("x", 2000)}}, nil, "same-origin"))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("sign-in with a 2,000-character password: %d, want 422", rec.Code)
	}
}

// TestDisabledUserLosesAccess: disabling a user ends their sessions and
// tokens at the next request, and they cannot sign in.
func TestDisabledUserLosesAccess(t *testing.T) {
	app := newSecApp(t, secOptions{})
	cookie := app.sessionCookie(t, "trader")
	app.store.mu.Lock()
	for i := range app.store.users {
		if app.store.users[i].Name == "trader" {
			app.store.users[i].Disabled = true
		}
	}
	app.store.mu.Unlock()
	if rec := app.call(http.MethodGet, "/blotter", "", map[string]*http.Cookie{"": cookie}); rec.Code != http.StatusSeeOther {
		t.Errorf("disabled user's session: %d, want a redirect to sign in", rec.Code)
	}
	if rec := app.call(http.MethodGet, "/api/v1/orders", "trader", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("disabled user's token: %d, want 401", rec.Code)
	}
	rec := app.serve(formRequest("/signin", url.Values{"name": {"trader"}, "password": {testPassword}}, nil, "same-origin"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), badSignIn) {
		t.Errorf("disabled user's sign-in: %d", rec.Code)
	}
}

// TestCredentialsStayInTheirChannel: a session cookie does not open the API
// (so a forged browser request cannot use it there) and an API token does not
// open the pages.
func TestCredentialsStayInTheirChannel(t *testing.T) {
	app := newSecApp(t, secOptions{})
	cookie := app.sessionCookie(t, "admin")
	req := httptest.NewRequest(http.MethodGet, "/api/v1/orders", nil)
	req.AddCookie(cookie)
	if rec := app.serve(req); rec.Code != http.StatusUnauthorized {
		t.Errorf("API with a session cookie only: %d, want 401", rec.Code)
	}
	req = httptest.NewRequest(http.MethodGet, "/admin/users", nil)
	req.Header.Set("Authorization", "Bearer "+app.tokens["admin"])
	if rec := app.serve(req); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/signin") {
		t.Errorf("page with a bearer token only: %d %q, want a redirect to sign in", rec.Code, rec.Header().Get("Location"))
	}
	// A session cookie's value is not a token either.
	req = httptest.NewRequest(http.MethodGet, "/api/v1/orders", nil)
	req.Header.Set("Authorization", "Bearer "+cookie.Value)
	if rec := app.serve(req); rec.Code != http.StatusUnauthorized {
		t.Errorf("API with the cookie value as a token: %d, want 401", rec.Code)
	}
}
