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

// tokenCreate issues a new API token for a user and shows it once. The page is
// rendered in the POST's response rather than after a redirect, so the plain
// token is never stored anywhere, not even in the session.
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
	admin, _ := userFrom(ctx)
	s.log.InfoContext(ctx, "api token issued", "user_id", u.ID, "by_user_id", admin.ID)
	s.render(w, r, s.page(r, "API token", "users"), views.TokenIssued(u.Name, plain), nil)
}
