package views

import (
	"strings"

	"github.com/ballast-oms/ballast/user"
)

// Page is what the layout needs on every page.
type Page struct {
	Title   string
	Active  string       // navigation key of the current page: "portfolios", "securities", …
	User    *CurrentUser // nil when signed out
	Asset   func(name string) string
	Version string
	Flash   string // a one-time confirmation message
	Alert   string // a standing warning, e.g. a FIX session down during the trading day
}

// CurrentUser is the signed-in user as the layout shows them.
type CurrentUser struct {
	Name  string
	Roles []user.Role
}

// Has reports whether the user holds any of roles.
func (c *CurrentUser) Has(roles ...user.Role) bool {
	return c != nil && (user.User{Roles: c.Roles}).Has(roles...)
}

// RoleList joins the roles for display: "pm, trader".
func (c *CurrentUser) RoleList() string {
	return roleList(c.Roles)
}

func roleList(roles []user.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// navItem is one link of the main navigation.
type navItem struct {
	Key, Label, Href string
	Roles            []user.Role
}

// navigation lists every page in the main navigation with the roles that see it.
func navigation() []navItem {
	return []navItem{
		{"portfolios", "Portfolios", "/portfolios", user.Roles},
		{"securities", "Securities", "/securities", user.Roles},
		{"prices", "Prices", "/prices", user.Roles},
		{"conditions", "Auto orders", "/conditions", user.Roles},
		{"drift", "Drift", "/drift", user.Roles},
		{"models", "Models", "/models", user.Roles},
		{"rebalance", "Rebalance", "/rebalance", []user.Role{user.PM}},
		{"blotter", "Blotter", "/blotter", user.Roles},
		{"audit", "Audit", "/audit", []user.Role{user.Compliance, user.Admin}},
		{"compliance", "Compliance", "/compliance", user.Roles},
		{"sessions", "Sessions", "/sessions", []user.Role{user.Trader, user.Admin}},
		{"users", "Users", "/admin/users", []user.Role{user.Admin}},
		{"uploads", "Uploads", "/admin/uploads", []user.Role{user.Admin}},
	}
}

func (p Page) asset(name string) string {
	if p.Asset == nil {
		return "/static/" + name
	}
	return p.Asset(name)
}

func (p Page) title() string {
	if p.Title == "" {
		return "Ballast"
	}
	return p.Title + " · Ballast"
}
