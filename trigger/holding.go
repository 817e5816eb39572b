package trigger

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/user"
)

// Template is one of a portfolio's default conditions ("apply to new
// holdings"), e.g. a 10% stop-loss or a 5% trailing stop, attached to every
// position a fill opens. Its levels are relative — percent from average cost,
// trailing percent or amount — and it sells all of the holding. A template is
// approved once, four-eyes, like a condition; conditions attached from an
// approved template start active.
type Template struct {
	ID         int64
	Portfolio  string
	Kind       Kind
	Terms      Terms         // TriggerPrice, Quantity and ValidUntil must be empty
	Validity   time.Duration // how long each attached condition is valid; zero means MaxValidity
	CreatedBy  string
	ApprovedBy string // empty until approved
}

// Check reports what is wrong with a template, as FieldErrors.
func (t Template) Check() error {
	var errs FieldErrors
	if strings.TrimSpace(t.Portfolio) == "" {
		errs.add("portfolio", "is empty")
	}
	if !t.Kind.Sells() {
		errs.add("kind", "a default condition is a stop_loss, take_profit or trailing_stop")
	}
	if t.Kind != TrailingStop && !t.Terms.Percent.IsPositive() {
		errs.add("percent", "a default stop-loss or take-profit is a percent from average cost")
	}
	if !t.Terms.TriggerPrice.IsZero() || !t.Terms.Quantity.IsZero() || !t.Terms.ValidUntil.IsZero() {
		errs.add("trigger_price", "a default takes no trigger price, quantity or valid_until")
	}
	if t.Validity < 0 || t.Validity > MaxValidity {
		errs.add("validity", fmt.Sprintf("must be at most %d days", int(MaxValidity.Hours()/24)))
	}
	return errs.err()
}

// Approve records a trader other than the creator as the template's approver.
func (t Template) Approve(by string, roles []user.Role) (Template, error) {
	if err := checkApprover(by, roles, t.CreatedBy, ""); err != nil {
		return t, fmt.Errorf("trigger: approve default %d: %w", t.ID, err)
	}
	t.ApprovedBy = by
	return t, nil
}

// Attach makes the template's condition for a holding of symbol just opened,
// validated against s. It is active when the template is approved, pending
// approval otherwise.
func (t Template) Attach(symbol string, s Snapshot) (Condition, error) {
	op := fmt.Sprintf("trigger: attach default %d to %s/%s", t.ID, t.Portfolio, symbol)
	if err := t.Check(); err != nil {
		return Condition{}, fmt.Errorf("%s: %w", op, err)
	}
	terms := t.Terms
	if t.Validity > 0 {
		terms.ValidUntil = s.Now.Add(t.Validity)
	}
	c, err := New(Condition{Portfolio: t.Portfolio, Symbol: symbol, Kind: t.Kind, Terms: terms}, t.CreatedBy, s)
	if err != nil {
		return c, fmt.Errorf("%s: %w", op, err)
	}
	if t.ApprovedBy != "" {
		c.State, c.ApprovedBy, c.ApprovedAt = Active, t.ApprovedBy, s.Now.UTC()
		c.StateReason = fmt.Sprintf("default %d approved by %s", t.ID, t.ApprovedBy)
	}
	return c, nil
}

// Resize adjusts a waiting sell condition after a sale that did not come from
// it (a rebalancing sell) took the holding from `from` to `to`. A condition on
// the whole holding (Quantity zero) follows the holding and is returned
// unchanged; a partial quantity keeps its share of the holding — scaled by
// to/from, rounded down to lot and capped at `to` — with its version bumped.
// When nothing is left it is cancelled. A pending amendment's partial quantity
// is scaled the same way (the amendment is void when nothing of it is left),
// so that approving it later does not restore the old share. Buys and final
// conditions are returned unchanged; compare Version to know whether to store
// the result.
func (c Condition) Resize(from, to, lot decimal.Decimal, now time.Time) (Condition, error) {
	a := c.PendingAmendment()
	amended := a != nil && !a.Quantity.IsZero()
	if !c.Kind.Sells() || c.State.Final() || (c.Quantity.IsZero() && !amended) || !to.LessThan(from) {
		return c, nil
	}
	if !from.IsPositive() || to.IsNegative() {
		return c, fmt.Errorf("trigger: resize %d: holding %s → %s: %w", c.ID, from, to, ErrInvalid)
	}
	if !lot.IsPositive() {
		lot = decimal.NewFromInt(1)
	}
	share := func(q decimal.Decimal) decimal.Decimal {
		return decimal.Min(q.Mul(to).Div(from).Div(lot).Floor().Mul(lot), to)
	}
	reduced := fmt.Sprintf("the holding was reduced from %s to %s", from, to)
	if !c.Quantity.IsZero() {
		q := share(c.Quantity)
		if !q.IsPositive() {
			return c.to(Cancelled, now, reduced)
		}
		c.Quantity = q
	}
	if amended {
		if q := share(a.Quantity); q.IsPositive() {
			scaled := *a
			scaled.Quantity = q
			c.Amendment = &scaled
		} else {
			c.Amendment = a.void("void: "+reduced, now)
		}
	}
	c.Version++
	c.UpdatedAt = now.UTC()
	return c, nil
}
