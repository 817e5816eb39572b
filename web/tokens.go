package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// maxLabelLen bounds an API token's label.
const maxLabelLen = 100

// tokenCreate is the administrators' route for API tokens: an administrator
// may issue one for their own account only. Issuing a token for someone else
// would hand one person another's identity (a PM's and a trader's tokens are
// enough to propose and approve an order alone), so it is refused; each user
// issues their own on the Account page.
func (s *server) tokenCreate(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, fault(kindNotFound, "There is no such user."))
		return
	}
	ctx := r.Context()
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		if s.isNotFound(err) {
			err = fault(kindNotFound, "There is no such user.")
		}
		s.fail(w, r, err)
		return
	}
	admin, _ := userFrom(ctx)
	if u.ID != admin.ID {
		s.log.WarnContext(ctx, "api token for another user refused", "user_id", u.ID, "by_user_id", admin.ID)
		s.fail(w, r, fault(kindForbidden, fmt.Sprintf(
			"An administrator cannot issue an API token for %s: a token acts as its user, so four eyes would rest on one person. %s issues their own on the Account page.",
			u.Name, u.Name)))
		return
	}
	s.issueToken(w, r, u)
}

// accountTokenCreate issues an API token for the signed-in user.
func (s *server) accountTokenCreate(w http.ResponseWriter, r *http.Request) {
	u, ok := userFrom(r.Context())
	if !ok {
		s.fail(w, r, fault(kindForbidden, "Sign in first."))
		return
	}
	s.issueToken(w, r, u)
}

// issueToken stores a new token for u and shows it once. The page is
// rendered in the POST's response rather than after a redirect, so the plain
// token is never stored anywhere, not even in the session.
func (s *server) issueToken(w http.ResponseWriter, r *http.Request, u user.User) {
	ctx := r.Context()
	label := strings.TrimSpace(r.PostFormValue("label"))
	if len(label) > maxLabelLen {
		label = label[:maxLabelLen]
	}
	plain, hash, err := user.NewToken()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.AddAPIToken(ctx, u.ID, hash, label); err != nil {
		s.fail(w, r, fmt.Errorf("web: issue token for user %d: %w", u.ID, err))
		return
	}
	s.log.InfoContext(ctx, "api token issued", "user_id", u.ID)
	s.render(w, r, s.page(r, "API token", "account"), views.TokenIssued(u.Name, plain), nil)
}

// account shows the signed-in user's name and roles and the form that
// issues them an API token.
func (s *server) account(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	roles := make([]string, len(u.Roles))
	for i, role := range u.Roles {
		roles[i] = string(role)
	}
	s.render(w, r, s.page(r, "Account", "account"), views.Account(u.Name, strings.Join(roles, ", ")), nil)
}
