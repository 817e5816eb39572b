package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/ballast-oms/ballast/user"
)

// Session keys.
const (
	userIDKey = "user_id"
	flashKey  = "flash"
)

type ctxKey int

const userCtxKey ctxKey = iota

// withUser returns ctx carrying the signed-in (or token-authenticated) user.
func withUser(ctx context.Context, u user.User) context.Context {
	if info := infoFrom(ctx); info != nil {
		info.userID = u.ID
	}
	return context.WithValue(ctx, userCtxKey, u)
}

// userFrom returns the user of the request, if one is signed in.
func userFrom(ctx context.Context) (user.User, bool) {
	u, ok := ctx.Value(userCtxKey).(user.User)
	return u, ok
}

// loadUser puts the session's user, if any, into the request context. A session
// whose user is gone or disabled is destroyed.
func (s *server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := s.sessions.GetInt64(ctx, userIDKey)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.store.UserByID(ctx, id)
		switch {
		case err != nil && !s.isNotFound(err):
			s.fail(w, r, err)
			return
		case err != nil || u.Disabled:
			if err := s.sessions.Destroy(ctx); err != nil {
				s.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(withUser(ctx, u)))
	})
}

// requireRole lets a request through only for a signed-in user holding one of
// roles: others are sent to sign in, or shown a 403 page.
func (s *server) requireRole(roles ...user.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, ok := userFrom(r.Context())
			switch {
			case !ok:
				s.redirectToSignIn(w, r)
			case !u.Has(roles...):
				s.fail(w, r, fault(kindForbidden, "Your role does not give access to this page. Ask an administrator if you need it."))
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// redirectToSignIn sends a signed-out user to the sign-in page, remembering
// where they were going when that was a page (a GET).
func (s *server) redirectToSignIn(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	seeOther(w, r, target)
}

// safeNext returns next when it is a path on this site, else the default page.
func safeNext(next string) string { return sitePath(next, "/portfolios") }

// sitePath returns next when it is a path on this site to go to after a
// form, else home. It refuses absolute URLs, scheme-relative "//host",
// backslash tricks ("/\host", which browsers read as "//host") and the
// sign-in and sign-out pages.
func sitePath(next, home string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return home
	}
	if u.Path == "/signin" || u.Path == "/signout" {
		return home
	}
	return next
}
