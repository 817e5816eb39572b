package order

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// Order is one portfolio's instruction to trade one security. A trader approves
// it (four eyes), gathers it into a Block, and the block goes to a broker; the
// block's fills are allocated back to its orders.
type Order struct {
	ID          int64
	ProposalID  int64 // the rebalance proposal it came from; 0 for a manual order
	Portfolio   string
	Symbol      string
	Side        portfolio.Side
	Quantity    decimal.Decimal
	Type        OrdType
	LimitPrice  decimal.Decimal // limit and stop_limit only
	StopPrice   decimal.Decimal // stop and stop_limit only
	TimeInForce TimeInForce
	ExpireDate  time.Time // GTD only: the last day the order works
	Broker      string    // preferred broker; the block's broker wins
	Notes       string
	ProposedBy  string
	AmendedBy   string // last user to amend it before approval; may not approve it either
	Amendments  int    // how many times it was amended; each voids the compliance overrides given before it
	ApprovedBy  string
	Override    string // reason a trader gave to approve over a soft compliance warning
	Status      Status
	FilledQty   decimal.Decimal // allocated from its block
	AvgPx       decimal.Decimal // the block's average price
	CreatedAt   time.Time
	ExpiresAt   time.Time // approval deadline; default: end of the trading day
	BlockID     int64     // 0 until it joins a block
}

// Leaves is the quantity still to fill: zero once the order can no longer fill.
func (o Order) Leaves() decimal.Decimal { return leaves(o.Status, o.Quantity, o.FilledQty) }

// FieldError is one problem with one field of an order; Field is the API's
// JSON name of the field.
type FieldError struct {
	Field  string
	Reason string
}

// FieldErrors lists every problem found in an order; Validate returns it.
type FieldErrors []FieldError

// Error lists the problems as "field: reason; …".
func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Reason
	}
	return "order: " + strings.Join(parts, "; ")
}

// Is makes FieldErrors match ErrInvalid.
func (e FieldErrors) Is(target error) bool { return target == ErrInvalid }

// Validate checks the order's fields at time now and returns FieldErrors
// (matching ErrInvalid) listing every problem, or nil.
func (o Order) Validate(now time.Time) error {
	var fe FieldErrors
	add := func(field, format string, args ...any) {
		fe = append(fe, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(o.Portfolio) == "" {
		add("portfolio", "is required")
	}
	if strings.TrimSpace(o.Symbol) == "" {
		add("symbol", "is required")
	}
	if _, err := portfolio.ParseSide(string(o.Side)); err != nil {
		add("side", "%q is not buy, sell or sell_short", o.Side)
	}
	if !o.Quantity.IsPositive() {
		add("quantity", "%s must be positive", o.Quantity)
	}
	o.validatePrices(add)
	o.validateTimeInForce(now, add)
	return errOrNil(fe)
}

func errOrNil(fe FieldErrors) error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func (o Order) validatePrices(add func(field, format string, args ...any)) {
	needLimit, needStop := false, false
	switch o.Type {
	case Market:
	case Limit:
		needLimit = true
	case Stop:
		needStop = true
	case StopLimit:
		needLimit, needStop = true, true
	default:
		add("order_type", "%q is not market, limit, stop or stop_limit", o.Type)
		return
	}
	checkPrice(add, "limit_price", o.LimitPrice, needLimit, o.Type)
	checkPrice(add, "stop_price", o.StopPrice, needStop, o.Type)
}

func checkPrice(add func(string, string, ...any), field string, px decimal.Decimal, need bool, t OrdType) {
	switch {
	case need && !px.IsPositive():
		add(field, "a positive price is required for a %s order", t)
	case !need && !px.IsZero():
		add(field, "must be empty for a %s order", t)
	}
}

func (o Order) validateTimeInForce(now time.Time, add func(string, string, ...any)) {
	switch o.TimeInForce {
	case Day, GTC, IOC, FOK, OPG, CLS:
		if !o.ExpireDate.IsZero() {
			add("expire_date", "only a gtd order has an expire date")
		}
	case GTD:
		if o.ExpireDate.IsZero() {
			add("expire_date", "is required for a gtd order")
		} else if !dateOf(o.ExpireDate).After(dateOf(now)) {
			add("expire_date", "%s must be after today (%s)", o.ExpireDate.Format(time.DateOnly), now.Format(time.DateOnly))
		}
	default:
		add("time_in_force", "%q is not day, gtc, ioc, fok, gtd, opg or cls", o.TimeInForce)
	}
}

// dateOf is t's calendar date (in t's own location) as midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CanApprove says whether approver, holding roles, may approve o at now:
// nil, or an error matching ErrForbidden (four eyes, not a trader) or
// ErrConflict (wrong status, no override reason, past the approval expiry).
func CanApprove(o Order, approver string, roles []user.Role, now time.Time) error {
	if err := checkApprover(o, approver, roles); err != nil {
		return err
	}
	return checkApprovable(o, now)
}

func approveError(o Order, kind error, format string, args ...any) error {
	return fmt.Errorf("order: approve %d: %s: %w", o.ID, fmt.Sprintf(format, args...), kind)
}

// checkApprover enforces four eyes and the trader role.
func checkApprover(o Order, approver string, roles []user.Role) error {
	switch {
	case strings.TrimSpace(approver) == "":
		return approveError(o, ErrForbidden, "no approver")
	case strings.EqualFold(strings.TrimSpace(approver), strings.TrimSpace(o.ProposedBy)):
		return approveError(o, ErrForbidden, "%s proposed it and cannot also approve it (four eyes)", approver)
	case strings.EqualFold(strings.TrimSpace(approver), strings.TrimSpace(o.AmendedBy)):
		return approveError(o, ErrForbidden, "%s amended it and cannot also approve it (four eyes)", approver)
	case !(user.User{Roles: roles}).Has(user.Trader):
		return approveError(o, ErrForbidden, "%s is not a trader", approver)
	}
	return nil
}

// checkApprovable checks the order's status and its approval expiry.
func checkApprovable(o Order, now time.Time) error {
	switch o.Status {
	case Ready:
	case AwaitingOverride:
		return approveError(o, ErrConflict, "a soft compliance breach awaits a compliance officer's override")
	default:
		return approveError(o, ErrConflict, "status is %s, not ready", o.Status)
	}
	if o.ExpiresAt.IsZero() {
		return approveError(o, ErrConflict, "it has no approval expiry")
	}
	if !now.Before(o.ExpiresAt) {
		return approveError(o, ErrConflict, "the proposal expired at %s", o.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}
