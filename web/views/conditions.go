package views

import (
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
)

// ConditionRow is one condition as the auto-order pages show it.
type ConditionRow struct {
	trigger.Condition
	OrderID int64
	Alert   string
	Price   decimal.Decimal // the last price of its security; zero when unknown
}

// CanApprove reports whether u may approve the condition: a trader who
// neither created it nor last modified it, while it is pending. The button is
// hidden otherwise, and the server refuses anyway.
func (r ConditionRow) CanApprove(u *CurrentUser) bool {
	return r.State == trigger.PendingApproval && u != nil && u.Has(user.Trader) && !sameName(u.Name, r.CreatedBy) &&
		!sameName(u.Name, r.AmendedBy)
}

// sameName reports whether two user names are the same person's (trimmed, in any case).
func sameName(a, b string) bool {
	return strings.TrimSpace(b) != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Reapproval is why a pending condition waits for approval again, or empty:
// an earlier Ballast sent an active condition whose terms were modified back
// to pending approval, saying so in its state reason.
func (r ConditionRow) Reapproval() string {
	if r.State != trigger.PendingApproval || r.AmendedBy == "" {
		return ""
	}
	return r.StateReason
}

// CanReviewAmendment reports whether u may approve or reject the pending
// amendment: a trader who neither created the condition nor proposed the
// amendment. The buttons are hidden otherwise, and the server refuses anyway.
func (r ConditionRow) CanReviewAmendment(u *CurrentUser) bool {
	a := r.PendingAmendment()
	return a != nil && u != nil && u.Has(user.Trader) && !sameName(u.Name, r.CreatedBy) && !sameName(u.Name, a.By)
}

// CanWithdrawAmendment reports whether u proposed the pending amendment and
// may take it back.
func (r ConditionRow) CanWithdrawAmendment(u *CurrentUser) bool {
	a := r.PendingAmendment()
	return a != nil && u != nil && u.Has(pmOrTrader()...) && sameName(u.Name, a.By)
}

// Proposed is the row as its pending amendment would make it, to show the
// proposed terms beside the approved ones.
func (r ConditionRow) Proposed() ConditionRow {
	p := r
	p.Condition = r.Condition.Proposed()
	return p
}

// OrderText is the order the condition would create: "market", or
// "limit, collar 50 bps".
func (r ConditionRow) OrderText() string {
	if r.OrderType == trigger.OrderLimit {
		return "limit, collar " + strconv.Itoa(r.CollarBps) + " bps"
	}
	return "market"
}

// AmendmentNote tells how the condition's latest amendment ended when it did
// not become its terms (rejected, withdrawn or void), or is empty.
func (r ConditionRow) AmendmentNote() string {
	a := r.Amendment
	if a == nil || (a.State != trigger.AmendmentRejected && a.State != trigger.AmendmentWithdrawn && a.State != trigger.AmendmentVoid) {
		return ""
	}
	return "Amendment by " + a.By + " (" + When(a.At) + "): " + a.Reason
}

// ColSpan is the number of columns of a conditions table.
func ColSpan(showHolding bool) string {
	if showHolding {
		return "11"
	}
	return "9"
}

// Waiting reports whether the condition can still be modified or cancelled.
func (r ConditionRow) Waiting() bool {
	return r.State == trigger.PendingApproval || r.State == trigger.Active
}

// Terms describes what the condition watches: "level 90.00", "5% from high
// (activates at 100.00)", "quantity all".
func (r ConditionRow) Terms() string {
	c := r.Condition
	var s string
	switch {
	case c.Kind == trigger.TrailingStop && c.Percent.IsPositive():
		s = c.Percent.String() + "% below the high"
	case c.Kind == trigger.TrailingStop:
		s = Price(c.Amount) + " below the high"
	case c.Percent.IsPositive():
		s = c.Percent.String() + "% from cost → " + Price(c.Level)
	default:
		s = "at " + Price(c.Level)
	}
	if c.Kind == trigger.TrailingStop && c.ActivationPrice.IsPositive() {
		s += ", from " + Price(c.ActivationPrice)
	}
	if c.Tracking() {
		s += "; high " + Price(c.High) + ", stop " + Price(c.StopLevel())
	}
	return s
}

// QuantityText is the quantity, or "all" for a sell of the whole holding.
func (r ConditionRow) QuantityText() string {
	if r.Quantity.IsZero() {
		return "all"
	}
	return Quantity(r.Quantity)
}

// DistanceText is the distance to the trigger at the last price.
func (r ConditionRow) DistanceText() string {
	if !r.Waiting() || !r.Price.IsPositive() {
		return ""
	}
	return ConditionDistance(r.Condition, r.Price)
}

// ConditionDistance is how far price is from firing c; for a trailing stop
// not yet tracking, how far it is from activating.
func ConditionDistance(c trigger.Condition, price decimal.Decimal) string {
	if c.Kind == trigger.TrailingStop && !c.Tracking() {
		if !c.ActivationPrice.IsPositive() || !price.LessThan(c.ActivationPrice) {
			return "activates on the next price"
		}
		return "activates in " + Distance(c.ActivationPrice.Sub(price), price)
	}
	return Distance(c.DistanceTo(price), price)
}

// DecText is a decimal for a form field: empty when zero.
func DecText(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// DateText is a date for a form field or a table.
func DateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// IDText formats an id for URLs and labels.
func IDText(id int64) string { return strconv.FormatInt(id, 10) }

// ConditionFilters is what the conditions list is filtered by.
type ConditionFilters struct {
	State, Portfolio, Symbol, Kind string
}

// ConditionForm is a condition form as typed, with its problems by field.
type ConditionForm struct {
	ID              int64 // zero for a new condition
	Version         int64
	Portfolio       string
	Symbol          string
	Kind            string
	TriggerPrice    string
	Percent         string
	Amount          string
	ActivationPrice string
	Quantity        string
	ValidUntil      string
	// ValidUntilWas is the condition's validity to the second (RFC 3339)
	// when the form edits one: the date the form shows, sent back
	// unchanged, keeps it (the date alone would mean the end of that day).
	ValidUntilWas string
	OrderType     string
	CollarBps     string
	OCOWith       string
	Amends        bool // the condition is active: saving proposes an amendment
	Problems      map[string]string
}

// Holding is one position with its conditions, for the auto-orders panel.
type Holding struct {
	Symbol     string
	Quantity   decimal.Decimal
	Price      decimal.Decimal
	Conditions []ConditionRow
	Form       ConditionForm // the add form (kept as typed after a refusal)
}

// AutoOrders is a portfolio's auto-orders panel.
type AutoOrders struct {
	Portfolio string
	Holdings  []Holding
	Problem   string // a refusal shown above the panel
}

// DefaultRow is one of a portfolio's default conditions.
type DefaultRow struct {
	trigger.Template
	Version int64
}

// CanApprove reports whether u may approve the default.
func (d DefaultRow) CanApprove(u *CurrentUser) bool {
	return d.ApprovedBy == "" && u != nil && u.Has(user.Trader) && u.Name != d.CreatedBy
}

// Describe is the default's terms.
func (d DefaultRow) Describe() string {
	t := d.Terms
	s := ""
	switch {
	case d.Kind == trigger.TrailingStop && t.Percent.IsPositive():
		s = t.Percent.String() + "% below the high"
	case d.Kind == trigger.TrailingStop:
		s = Price(t.Amount) + " below the high"
	default:
		s = t.Percent.String() + "% from average cost"
	}
	days := int(d.Validity.Hours() / 24)
	if days == 0 {
		days = int(trigger.MaxValidity.Hours() / 24)
	}
	return s + ", valid " + strconv.Itoa(days) + " days"
}

// Defaults is the per-portfolio defaults page.
type Defaults struct {
	Portfolio  string
	Portfolios []string
	Rows       []DefaultRow
	Problem    string
}

// Kinds lists the condition kinds for forms.
func Kinds() []string {
	out := []string{}
	for _, k := range trigger.Kinds() {
		out = append(out, string(k))
	}
	return out
}

// States lists the condition states for the list's filter.
func States() []string {
	return []string{"waiting", string(trigger.PendingApproval), string(trigger.Active), string(trigger.Triggered),
		string(trigger.Expired), string(trigger.Cancelled)}
}

func pmOrTrader() []user.Role { return []user.Role{user.PM, user.Trader} }

// formAction is where a condition form posts: a new condition or an edit.
func formAction(f ConditionForm) templ.SafeURL {
	if f.ID == 0 {
		return templ.SafeURL("/conditions")
	}
	return templ.SafeURL("/conditions/" + IDText(f.ID))
}

// formOf fills the edit form of a condition: with its pending amendment's
// terms when it has one, since saving replaces that amendment.
func formOf(r ConditionRow, pf string) ConditionForm {
	c := r.Proposed()
	f := ConditionForm{ID: c.ID, Version: c.Version, Portfolio: pf, Symbol: c.Symbol, Kind: string(c.Kind), Amends: c.State == trigger.Active,
		TriggerPrice: DecText(c.TriggerPrice), Percent: DecText(c.Percent), Amount: DecText(c.Amount),
		ActivationPrice: DecText(c.ActivationPrice), Quantity: DecText(c.Quantity), ValidUntil: DateText(c.ValidUntil),
		ValidUntilWas: c.ValidUntil.UTC().Format(time.RFC3339), OrderType: string(c.OrderType)}
	if c.CollarBps != 0 {
		f.CollarBps = strconv.Itoa(c.CollarBps)
	}
	if c.OCOWith != 0 {
		f.OCOWith = IDText(c.OCOWith)
	}
	return f
}
