package trigger

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/user"
)

// transitions is the one table of allowed state changes.
var transitions = map[State][]State{
	PendingApproval: {Active, Expired, Cancelled},
	Active:          {Triggered, Expired, Cancelled, PendingApproval}, // back to approval when its terms are modified
}

// CanTransition reports whether a condition may move from one state to another.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// to moves c to state s through the table, bumping its version.
func (c Condition) to(s State, at time.Time, reason string) (Condition, error) {
	if !CanTransition(c.State, s) {
		return c, fmt.Errorf("trigger: condition %d is %s, it cannot become %s: %w", c.ID, c.State, s, ErrConflict)
	}
	c.State, c.StateReason = s, reason
	c.Version++
	c.UpdatedAt = at.UTC()
	return c, nil
}

// Approve activates a condition pending approval. The approver must hold the
// trader role and be neither its creator nor the last to modify it (four
// eyes); a condition already past its validity cannot be approved.
func (c Condition) Approve(by string, roles []user.Role, now time.Time) (Condition, error) {
	op := fmt.Sprintf("trigger: approve %d", c.ID)
	if err := checkApprover(by, roles, c.CreatedBy, c.AmendedBy); err != nil {
		return c, fmt.Errorf("%s: %w", op, err)
	}
	if c.State == PendingApproval && now.After(c.ValidUntil) {
		return c, fmt.Errorf("%s: validity ended %s: %w", op, c.ValidUntil.Format(time.RFC3339), ErrConflict)
	}
	next, err := c.to(Active, now, "approved by "+by)
	if err != nil {
		return c, fmt.Errorf("%s: %w", op, err)
	}
	next.ApprovedBy, next.ApprovedAt = by, now.UTC()
	return next, nil
}

// checkApprover applies the four-eyes rule: a trader who neither created the
// condition nor last modified it (names compared as the database does:
// trimmed, in any case).
func checkApprover(by string, roles []user.Role, creator, amender string) error {
	switch {
	case strings.TrimSpace(by) == "":
		return fmt.Errorf("no approver: %w", ErrForbidden)
	case !(user.User{Roles: roles}).Has(user.Trader):
		return fmt.Errorf("%s is not a trader: %w", by, ErrForbidden)
	case sameUser(by, creator):
		return fmt.Errorf("%s created it and cannot also approve it: %w", by, ErrForbidden)
	case sameUser(by, amender):
		return fmt.Errorf("%s modified it and cannot also approve it: %w", by, ErrForbidden)
	}
	return nil
}

// sameUser reports whether two user names are the same person's.
func sameUser(a, b string) bool {
	return strings.TrimSpace(b) != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Cancel cancels a condition that is pending approval or active.
func (c Condition) Cancel(by, reason string, now time.Time) (Condition, error) {
	why := "cancelled by " + by
	if reason != "" {
		why += ": " + reason
	}
	next, err := c.to(Cancelled, now, why)
	if err != nil {
		return c, fmt.Errorf("trigger: cancel %d: %w", c.ID, err)
	}
	return next, nil
}

// Expire ends a condition whose validity has passed (now after ValidUntil).
func (c Condition) Expire(now time.Time) (Condition, error) {
	if !now.After(c.ValidUntil) {
		return c, fmt.Errorf("trigger: expire %d: valid until %s: %w", c.ID, c.ValidUntil.Format(time.RFC3339), ErrConflict)
	}
	next, err := c.to(Expired, now, "valid until "+c.ValidUntil.Format(time.RFC3339))
	if err != nil {
		return c, fmt.Errorf("trigger: expire %d: %w", c.ID, err)
	}
	return next, nil
}

// Modify replaces the terms of a condition that is pending approval or active
// with t, re-validated against s, and records by as the last to
// modify it. The new terms need four eyes like the first ones: an active
// condition goes back to pending approval, its approval withdrawn, and is
// not watched until a trader who neither created nor last modified it
// approves it again. Portfolio, symbol, kind and creator stay; a trailing
// stop that is already tracking keeps its high. The version is bumped; a
// triggered, expired or cancelled condition cannot be modified.
func (c Condition) Modify(by string, t Terms, s Snapshot) (Condition, error) {
	op := fmt.Sprintf("trigger: modify %d", c.ID)
	if strings.TrimSpace(by) == "" {
		return c, fmt.Errorf("%s: no one named as modifying it: %w", op, ErrForbidden)
	}
	if c.State != PendingApproval && c.State != Active {
		return c, fmt.Errorf("%s: it is %s: %w", op, c.State, ErrConflict)
	}
	next := c
	next.Terms = t
	next, err := Validate(next, s)
	if err != nil {
		return c, fmt.Errorf("%s: %w", op, err)
	}
	if next.Kind != TrailingStop {
		next.High = decimal.Zero
	}
	next.AmendedBy = by
	if c.State == Active {
		reason := fmt.Sprintf("modified by %s after %s approved it: awaits a trader's approval again", by, c.ApprovedBy)
		if next, err = next.to(PendingApproval, s.Now, reason); err != nil {
			return c, fmt.Errorf("%s: %w", op, err)
		}
		next.ApprovedBy, next.ApprovedAt = "", time.Time{}
		return next, nil
	}
	next.Version++
	next.UpdatedAt = s.Now.UTC()
	return next, nil
}

// fire marks c triggered at price and time.
func (c Condition) fire(price decimal.Decimal, at time.Time, reason string) Condition {
	next, err := c.to(Triggered, at, reason)
	if err != nil {
		return c // the engine holds only active conditions, so this cannot happen
	}
	next.FiredPrice, next.FiredAt = price, at.UTC()
	return next
}
