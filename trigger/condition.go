package trigger

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// Kind is what a condition watches for.
type Kind string

// The kinds of condition Ballast watches.
const (
	StopLoss     Kind = "stop_loss"     // sell when the price falls to a level
	TakeProfit   Kind = "take_profit"   // sell when the price rises to a level
	TrailingStop Kind = "trailing_stop" // sell when the price falls a distance from its high
	BuyStop      Kind = "buy_stop"      // buy when the price rises through a level
	BuyLimit     Kind = "buy_limit"     // buy when the price falls to a level
)

// Kinds lists every kind in display order.
func Kinds() []Kind { return []Kind{StopLoss, TakeProfit, TrailingStop, BuyStop, BuyLimit} }

// ParseKind accepts the kinds' names, e.g. "stop_loss".
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if Kind(s) == k {
			return k, nil
		}
	}
	return "", fmt.Errorf("kind %q is not one of stop_loss, take_profit, trailing_stop, buy_stop, buy_limit", s)
}

// Sells reports whether the kind sells from a holding when it fires.
func (k Kind) Sells() bool { return k == StopLoss || k == TakeProfit || k == TrailingStop }

// Side is the side of the order the kind creates when it fires.
func (k Kind) Side() portfolio.Side {
	if k.Sells() {
		return portfolio.Sell
	}
	return portfolio.Buy
}

// FiresDown reports whether the kind fires when the price is at or below its
// level (stop-loss, buy-limit, trailing stop) rather than at or above it.
func (k Kind) FiresDown() bool { return k == StopLoss || k == BuyLimit || k == TrailingStop }

// State is where a condition is in its life.
type State string

// The states of a condition. Triggered, Expired and Cancelled are final.
const (
	PendingApproval State = "pending_approval"
	Active          State = "active"
	Triggered       State = "triggered"
	Expired         State = "expired"
	Cancelled       State = "cancelled"
)

// Final reports whether no further change is possible in state s.
func (s State) Final() bool { return s == Triggered || s == Expired || s == Cancelled }

// OrderType is the order a condition creates when it fires. The values match
// order.Market and order.Limit.
type OrderType string

// The order types a condition can create.
const (
	OrderMarket OrderType = "market"
	OrderLimit  OrderType = "limit" // marketable limit: the firing price moved by CollarBps against us
)

// MaxValidity is how far ahead a condition may be valid; it is also the default.
const MaxValidity = 90 * 24 * time.Hour

// MaxCollarBps is the widest collar a marketable limit may take (10%).
const MaxCollarBps = 1000

// Terms are the parts of a condition its owner chooses and may modify while it
// waits. Which fields apply depends on the Kind (see Validate).
type Terms struct {
	TriggerPrice    decimal.Decimal // the level as a price; zero when Percent sets it
	Percent         decimal.Decimal // stop-loss/take-profit: % loss/gain from average cost; trailing: distance in %
	Amount          decimal.Decimal // trailing: distance as a price amount
	ActivationPrice decimal.Decimal // trailing: start tracking when the price reaches it; zero = at once
	Quantity        decimal.Decimal // sells: zero = all of the holding; buys: required
	OrderType       OrderType       // empty means market
	CollarBps       int             // limit only: how far through the firing price the limit sits
	ValidUntil      time.Time       // zero means MaxValidity from now
	OCOWith         int64           // one-cancels-other partner; zero = none
}

// Condition is a conditional order on one holding (portfolio + security),
// watched on the server until it fires, expires or is cancelled.
type Condition struct {
	ID        int64
	Portfolio string
	Symbol    string
	Kind      Kind
	Terms

	// Level is the resolved trigger level of a stop-loss, take-profit or buy
	// condition: TriggerPrice, or the percentage applied to the average cost
	// when the condition was validated. Unused by trailing stops.
	Level decimal.Decimal
	// High is a trailing stop's highest price since activation; zero until
	// activated. Changing it does not change Version.
	High decimal.Decimal

	CreatedBy   string
	AmendedBy   string // the last to modify its current terms (an approved amendment's author); may not approve them either
	ApprovedBy  string // the trader who approved its current terms; empty while they await approval
	State       State
	StateReason string // why it was cancelled, expired or fired
	Version     int64  // bumped on every change of terms or state, for optimistic updates

	CreatedAt  time.Time
	ApprovedAt time.Time
	UpdatedAt  time.Time
	FiredPrice decimal.Decimal
	FiredAt    time.Time

	// Amendment is the latest change of terms proposed while the condition
	// was active, nil when there has been none. While it is pending the
	// condition stays active and is watched on its approved terms above.
	// An Amendment is never changed in place: every change makes a new one,
	// so copies of a Condition may share it.
	Amendment *Amendment
}

// AmendmentState is where a proposed amendment is in its life.
type AmendmentState string

// The states of an amendment. Only a pending amendment can change; the others
// say how it ended.
const (
	AmendmentPending   AmendmentState = "pending"   // awaits a trader's approval
	AmendmentApproved  AmendmentState = "approved"  // its terms became the condition's
	AmendmentRejected  AmendmentState = "rejected"  // a trader turned it down
	AmendmentWithdrawn AmendmentState = "withdrawn" // its author took it back
	AmendmentReplaced  AmendmentState = "replaced"  // a later modification took its place
	AmendmentVoid      AmendmentState = "void"      // the condition fired, was cancelled or expired first
)

// Amendment is new terms proposed for an active condition. They take effect
// only when a trader who neither created the condition nor proposed the
// amendment approves them (Condition.ApproveAmendment); until then the
// condition keeps its approved terms and approver and is watched on them.
type Amendment struct {
	ID    int64 // assigned by storage; zero until stored
	Terms       // the proposed terms; OCOWith is not among them, the condition's pair stays
	// Level is the proposed terms' resolved level, as Condition.Level.
	Level decimal.Decimal
	By    string // who proposed it; may not approve it
	At    time.Time
	State AmendmentState
	// DecidedBy is who approved, rejected or withdrew it (empty when it was
	// replaced or void), at DecidedAt; Reason says how it ended.
	DecidedBy string
	DecidedAt time.Time
	Reason    string
}

// PendingAmendment returns the amendment awaiting approval, or nil.
func (c Condition) PendingAmendment() *Amendment {
	if c.Amendment == nil || c.Amendment.State != AmendmentPending {
		return nil
	}
	return c.Amendment
}

// Proposed is c as it would be with its pending amendment's terms approved:
// what the amendment would make it watch. Without one it is c.
func (c Condition) Proposed() Condition {
	a := c.PendingAmendment()
	if a == nil {
		return c
	}
	oco := c.OCOWith
	c.Terms, c.Level, c.OCOWith = a.Terms, a.Level, oco
	return c
}

// Tracking reports whether a trailing stop has been activated and follows its high.
func (c Condition) Tracking() bool { return c.Kind == TrailingStop && c.High.IsPositive() }

// StopLevel is the price at which the condition fires now: Level for fixed
// levels; for a trailing stop, High less the distance (zero while not yet
// activated).
func (c Condition) StopLevel() decimal.Decimal {
	if c.Kind != TrailingStop {
		return c.Level
	}
	if !c.Tracking() {
		return decimal.Zero
	}
	return trailLevel(c.High, c.Percent, c.Amount)
}

// DistanceTo is how far price is from firing, as a price difference that is
// positive while the condition has not fired (price − level for conditions that
// fire on the way down, level − price for the others). For a trailing stop that
// is not yet active it is the distance to its activation price.
func (c Condition) DistanceTo(price decimal.Decimal) decimal.Decimal {
	if c.Kind == TrailingStop && !c.Tracking() {
		return c.ActivationPrice.Sub(price)
	}
	if c.Kind.FiresDown() {
		return price.Sub(c.StopLevel())
	}
	return c.StopLevel().Sub(price)
}

// trailLevel is high less a percentage or an amount.
func trailLevel(high, percent, amount decimal.Decimal) decimal.Decimal {
	if percent.IsPositive() {
		return high.Mul(decimal.NewFromInt(1).Sub(percent.Shift(-2)))
	}
	return high.Sub(amount)
}
