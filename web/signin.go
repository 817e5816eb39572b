package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// badSignIn is the one answer to every failed sign-in, so it does not reveal
// whether the user name exists.
const badSignIn = "Incorrect user name or password."

// tooManySignIns is the one answer while a user name is locked or a client
// address is throttled, whether or not the name exists.
const tooManySignIns = "Too many failed sign-ins. Wait 15 minutes and try again, or ask an administrator."

// signInForm shows the sign-in page, or sends a signed-in user on their way.
func (s *server) signInForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := userFrom(r.Context()); ok {
		seeOther(w, r, next)
		return
	}
	s.render(w, r, s.page(r, "Sign in", ""), views.SignIn(views.SignInForm{Next: next}), nil)
}

// signIn checks the password, renews the session token (against session
// fixation) and sends the user where they were going.
func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	addr := clientAddr(r.RemoteAddr)
	refused, locked, locking := s.limits.attempt(name, addr)
	if refused {
		s.log.WarnContext(r.Context(), "sign-in throttled", "remote_addr", addr, "name_locked", locked)
		s.refuseSignIn(w, r, http.StatusTooManyRequests, views.SignInForm{Name: name, Next: next, Error: tooManySignIns})
		return
	}
	u, known, err := s.authenticate(r, name, password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if u == nil {
		// An unknown name is not logged: it is often a password typed in the wrong box.
		logName := "(unknown)"
		if known {
			logName = name
		}
		s.log.InfoContext(r.Context(), "sign-in refused", "user_name", logName, "remote_addr", addr)
		if locking {
			s.log.WarnContext(r.Context(), "sign-in locked", "audit", true, "user_name", logName, "remote_addr", addr,
				"failures", nameMaxFailures, "locked_for", nameLockout.String())
		}
		s.refuseSignIn(w, r, http.StatusUnprocessableEntity, views.SignInForm{Name: name, Next: next, Error: badSignIn})
		return
	}
	s.limits.succeed(name, addr)
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(w, r, fmt.Errorf("web: sign in %q: %w", name, err))
		return
	}
	s.sessions.Put(ctx, userIDKey, u.ID)
	s.log.InfoContext(ctx, "signed in", "user_id", u.ID, "user_name", u.Name)
	seeOther(w, r, next)
}

// refuseSignIn shows the sign-in form again with status and the form's error.
func (s *server) refuseSignIn(w http.ResponseWriter, r *http.Request, status int, f views.SignInForm) {
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", fmt.Sprint(int(nameLockout.Seconds())))
	}
	s.renderStatus(w, r, status, s.page(r, "Sign in", ""), views.SignIn(f), nil)
}

// authenticate returns the user whose name and password match, nil when they
// do not, and whether a user has that name (for the log only). An unknown name
// still costs one password hash, like a wrong password.
func (s *server) authenticate(r *http.Request, name, password string) (u *user.User, known bool, err error) {
	if name == "" || password == "" || len(password) > user.MaxPasswordLen {
		return nil, false, nil
	}
	found, err := s.store.UserByName(r.Context(), name)
	if err != nil {
		if !s.isNotFound(err) {
			return nil, false, fmt.Errorf("web: sign in: %w", err)
		}
		user.CheckPassword(password, decoyHash)
		return nil, false, nil
	}
	if !user.CheckPassword(password, found.PasswordHash) || found.Disabled {
		return nil, true, nil
	}
	return &found, true, nil
}

// signOut ends the session and returns to the sign-in page.
func (s *server) signOut(w http.ResponseWriter, r *http.Request) {
	if u, ok := userFrom(r.Context()); ok {
		s.log.InfoContext(r.Context(), "signed out", "user_id", u.ID)
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, fmt.Errorf("web: sign out: %w", err))
		return
	}
	seeOther(w, r, "/signin")
}
