// Package user holds Ballast's people and their roles: who may do what on the desk,
// password rules and hashing, and API tokens. It is pure apart from hashing.
package user

import (
	"fmt"
	"strings"
	"time"
)

// Role is a job on the desk; a user may hold several.
type Role string

// The roles Ballast knows.
const (
	PM         Role = "pm"
	Trader     Role = "trader"
	Compliance Role = "compliance"
	Admin      Role = "admin"
)

// Roles lists every role in display order.
var Roles = []Role{PM, Trader, Compliance, Admin}

// ParseRoles parses a comma-separated list such as "pm,trader".
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	seen := map[Role]bool{}
	for _, part := range strings.Split(s, ",") {
		r := Role(strings.TrimSpace(strings.ToLower(part)))
		if r == "" {
			continue
		}
		if !r.Valid() {
			return nil, fmt.Errorf("role %q is not one of pm, trader, compliance, admin", r)
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no role given")
	}
	return out, nil
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// User is a person (or system) that signs in to Ballast.
type User struct {
	ID           int64
	Name         string
	Roles        []Role
	PasswordHash string // argon2id, PHC string format
	Disabled     bool
	CreatedAt    time.Time
}

// Has reports whether the user holds any of roles.
func (u User) Has(roles ...Role) bool {
	for _, have := range u.Roles {
		for _, want := range roles {
			if have == want {
				return true
			}
		}
	}
	return false
}
