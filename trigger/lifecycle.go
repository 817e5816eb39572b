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
	Active:          {Triggered, Expired, Cancelled},
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

// to moves c to state s through the table, bumping its version. A final
// state voids a pending amendment: it can no longer apply.
func (c Condition) to(s State, at time.Time, reason string) (Condition, error) {
	if !CanTransition(c.State, s) {
		return c, fmt.Errorf("trigger: condition %d is %s, it cannot become %s: %w", c.ID, c.State, s, ErrConflict)
	}
	c.State, c.StateReason = s, reason
	c.Version++
	c.UpdatedAt = at.UTC()
	if a := c.PendingAmendment(); a != nil && s.Final() {
		c.Amendment = a.Voided(s, at)
	}
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

// Modify changes the terms of a condition that is pending approval or active
// to t, re-validated against s, on behalf of by. Portfolio, symbol, kind,
// creator and the one-cancels-other partner stay; the version is bumped; a
// triggered, expired or cancelled condition cannot be modified.
//
// A condition pending approval takes the new terms at once, with by as their
// last amender (AmendedBy), and still awaits a trader who neither created nor
// last modified it.
//
// An active condition keeps its approved terms, approver and state, and stays
// watched on them: the new terms become its pending Amendment, proposed by by,
// which replaces any amendment already pending and applies only once a trader
// who neither created the condition nor proposed the amendment approves it
// (ApproveAmendment). Until then no one alone can change what an approved
// condition orders, and the holding stays protected on the approved terms.
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
	switch pending := c.PendingAmendment(); {
	case pending == nil && sameTerms(next, c):
		return c, fmt.Errorf("%s: these are its terms already, nothing to change: %w", op, ErrInvalid)
	case pending != nil && sameTerms(next, c.Proposed()):
		return c, fmt.Errorf("%s: the amendment awaiting approval proposes these terms already: %w", op, ErrInvalid)
	case pending != nil && sameTerms(next, c):
		return c, fmt.Errorf("%s: these are its approved terms; withdraw the amendment awaiting approval instead: %w", op, ErrInvalid)
	}
	if c.State == Active {
		a := &Amendment{Terms: next.Terms, Level: next.Level, By: by, At: s.Now.UTC(), State: AmendmentPending}
		a.OCOWith = 0
		next = c
		next.Amendment = a
	} else {
		next.AmendedBy = by
	}
	if next.Kind != TrailingStop {
		next.High = decimal.Zero
	}
	next.Version++
	next.UpdatedAt = s.Now.UTC()
	return next, nil
}

// sameTerms reports whether a and b order the same thing: the same terms
// (the one-cancels-other partner aside, which a modification keeps) at the
// same resolved level. A modification to the terms a condition has, or
// already proposes, is refused: it would only bump the version and, on a
// condition pending approval, make its author one who may not approve it.
func sameTerms(a, b Condition) bool {
	x, y := a.Terms, b.Terms
	return x.TriggerPrice.Equal(y.TriggerPrice) && x.Percent.Equal(y.Percent) && x.Amount.Equal(y.Amount) &&
		x.ActivationPrice.Equal(y.ActivationPrice) && x.Quantity.Equal(y.Quantity) && x.OrderType == y.OrderType &&
		x.CollarBps == y.CollarBps && x.ValidUntil.Equal(y.ValidUntil) && a.Level.Equal(b.Level)
}

// ApproveAmendment makes an active condition's pending amendment its terms.
// The approver must hold the trader role and be neither the condition's
// creator nor the amendment's author (four eyes); they become the approver of
// the new terms and the author their last amender (AmendedBy). The condition
// stays active; a tracking trailing stop keeps its high and the partner of a
// one-cancels-other pair stays. An amendment whose validity has already ended
// cannot be approved.
func (c Condition) ApproveAmendment(by string, roles []user.Role, now time.Time) (Condition, error) {
	op := fmt.Sprintf("trigger: approve the amendment of %d", c.ID)
	a := c.PendingAmendment()
	if a == nil || c.State != Active {
		return c, fmt.Errorf("%s: it is %s with no amendment awaiting approval: %w", op, c.State, ErrConflict)
	}
	if err := checkAmendmentReviewer(by, roles, c.CreatedBy, a.By, "approve"); err != nil {
		return c, fmt.Errorf("%s: %w", op, err)
	}
	if now.After(a.ValidUntil) {
		return c, fmt.Errorf("%s: its validity ended %s: %w", op, a.ValidUntil.Format(time.RFC3339), ErrConflict)
	}
	next := c.Proposed()
	next.AmendedBy = a.By
	next.ApprovedBy, next.ApprovedAt = by, now.UTC()
	next.StateReason = fmt.Sprintf("amendment by %s approved by %s", a.By, by)
	next.Amendment = a.decide(AmendmentApproved, by, "approved by "+by, now)
	next.Version++
	next.UpdatedAt = now.UTC()
	return next, nil
}

// RejectAmendment discards an active condition's pending amendment: the
// condition keeps its approved terms and stays watched on them. The
// amendment's author may withdraw it; anyone else rejecting it must be a
// trader who could approve it (neither the condition's creator nor the
// amendment's author). The version is bumped.
func (c Condition) RejectAmendment(by string, roles []user.Role, reason string, now time.Time) (Condition, error) {
	op := fmt.Sprintf("trigger: reject the amendment of %d", c.ID)
	a := c.PendingAmendment()
	if a == nil || c.State != Active {
		return c, fmt.Errorf("%s: it is %s with no amendment awaiting approval: %w", op, c.State, ErrConflict)
	}
	state, why := AmendmentRejected, "rejected by "+by
	if sameUser(by, a.By) {
		state, why = AmendmentWithdrawn, "withdrawn by "+by
	} else if err := checkAmendmentReviewer(by, roles, c.CreatedBy, a.By, "reject"); err != nil {
		return c, fmt.Errorf("%s: %w", op, err)
	}
	if reason = strings.TrimSpace(reason); reason != "" {
		why += ": " + reason
	}
	next := c
	next.Amendment = a.decide(state, by, why, now)
	next.Version++
	next.UpdatedAt = now.UTC()
	return next, nil
}

// checkAmendmentReviewer applies the four-eyes rule to whoever approves or
// rejects an amendment: a trader who neither created the condition nor
// proposed the amendment.
func checkAmendmentReviewer(by string, roles []user.Role, creator, author, act string) error {
	switch {
	case strings.TrimSpace(by) == "":
		return fmt.Errorf("no one named to %s it: %w", act, ErrForbidden)
	case !(user.User{Roles: roles}).Has(user.Trader):
		return fmt.Errorf("%s is not a trader: %w", by, ErrForbidden)
	case sameUser(by, creator):
		return fmt.Errorf("%s created the condition and cannot also %s its amendment: %w", by, act, ErrForbidden)
	case sameUser(by, author):
		return fmt.Errorf("%s proposed the amendment and cannot also %s it: %w", by, act, ErrForbidden)
	}
	return nil
}

// decide ends a pending amendment as state, by by (empty when no one decided).
func (a *Amendment) decide(state AmendmentState, by, reason string, at time.Time) *Amendment {
	next := *a
	next.State, next.DecidedBy, next.DecidedAt, next.Reason = state, by, at.UTC(), reason
	return &next
}

// void ends a pending amendment that can no longer apply.
func (a *Amendment) void(reason string, at time.Time) *Amendment {
	return a.decide(AmendmentVoid, "", reason, at)
}

// Voided is a pending amendment ended, void, at `at` because the condition it
// amends reached the final state s, saying so; storage voids what it holds
// pending with it whichever copy of the condition reached that state.
func (a *Amendment) Voided(s State, at time.Time) *Amendment {
	how := string(s)
	switch s {
	case Triggered:
		how = "fired"
	case Cancelled:
		how = "was cancelled"
	}
	return a.void(fmt.Sprintf("void: the condition %s before it was approved", how), at)
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
