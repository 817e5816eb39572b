package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// maxNameLen bounds user names.
const maxNameLen = 64

// userList shows every user and the form to add one.
func (s *server) userList(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, s.pageWithFlash(r, "Users", "users"), views.UserForm{})
}

// userCreate adds a user from the form; bad input re-renders it with 422.
func (s *server) userCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	f := views.UserForm{Name: strings.TrimSpace(r.PostForm.Get("name"))}
	password := r.PostForm.Get("password")
	f.Errors = validateNewUser(&f, r.PostForm["roles"], password)
	ctx := r.Context()
	if len(f.Errors) == 0 {
		switch _, err := s.store.UserByName(ctx, f.Name); {
		case err == nil:
			f.Errors["name"] = "That name is taken."
		case !s.isNotFound(err):
			s.fail(w, r, fmt.Errorf("web: create user %q: %w", f.Name, err))
			return
		}
	}
	if len(f.Errors) > 0 {
		s.renderUsers(w, r, http.StatusUnprocessableEntity, s.page(r, "Users", "users"), f)
		return
	}
	hash, err := user.HashPassword(password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	created, err := s.store.CreateUser(ctx, user.User{Name: f.Name, Roles: f.Roles, PasswordHash: hash, CreatedAt: s.now().UTC()})
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: create user %q: %w", f.Name, err))
		return
	}
	admin, _ := userFrom(ctx)
	s.log.InfoContext(ctx, "user created", "user_id", created.ID, "user_name", created.Name, "by_user_id", admin.ID)
	s.setFlash(r, fmt.Sprintf("User %s created with roles %s.", created.Name, roleNames(created.Roles)))
	seeOther(w, r, "/admin/users")
}

// validateNewUser fills f.Roles and returns a problem per bad field (never nil).
func validateNewUser(f *views.UserForm, roles []string, password string) map[string]string {
	errs := map[string]string{}
	if msg := checkUserName(f.Name); msg != "" {
		errs["name"] = msg
	}
	parsed, err := user.ParseRoles(strings.Join(roles, ","))
	if err != nil {
		errs["roles"] = "Choose at least one role."
	}
	f.Roles = parsed
	if err := user.ValidatePassword(password); err != nil {
		errs["password"] = capitalise(err.Error()) + "."
	}
	return errs
}

// checkUserName says what is wrong with a new user name, or "".
func checkUserName(name string) string {
	if name == "" {
		return "Enter a user name."
	}
	if len(name) > maxNameLen {
		return fmt.Sprintf("Use at most %d characters.", maxNameLen)
	}
	for _, c := range name {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' && c != '_' {
			return "Use only lower-case letters, digits, dot, dash or underscore."
		}
	}
	return ""
}

func (s *server) renderUsers(w http.ResponseWriter, r *http.Request, status int, p views.Page, f views.UserForm) {
	users, err := s.store.Users(r.Context())
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: list users: %w", err))
		return
	}
	s.renderStatus(w, r, status, p, views.UserList(users, f), nil)
}

func roleNames(roles []user.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
