package trigger

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Snapshot is what validation needs to know about the holding and the market
// at the moment a condition is created or modified.
type Snapshot struct {
	Price   decimal.Decimal // last price; zero when none is known (level-vs-price checks are skipped)
	AvgCost decimal.Decimal // the position's average cost; needed for percent levels
	Holding decimal.Decimal // the quantity held (available to sell)
	Tick    decimal.Decimal // the security's price increment; zero means 0.01
	Now     time.Time       // from the injected clock
}

func (s Snapshot) tick() decimal.Decimal {
	if s.Tick.IsPositive() {
		return s.Tick
	}
	return decimal.New(1, -2)
}

// Validate checks c against the rules of its kind and returns it normalised:
// defaults filled in (order type market, valid until now + MaxValidity) and
// Level resolved (percent levels are taken from the average cost and rounded to
// the nearest tick). On failure it returns FieldErrors listing every problem.
//
// A level the current price has already crossed is refused, because the
// condition would fire on the next tick: a stop-loss or buy-limit at or above
// the price, a take-profit or buy-stop at or below it. Use an ordinary order
// instead. A trailing stop whose activation price is at or below the price is
// accepted: it starts tracking on the next tick.
func Validate(c Condition, s Snapshot) (Condition, error) {
	var errs FieldErrors
	if s.Now.IsZero() {
		return c, fmt.Errorf("trigger: validate: no clock time: %w", ErrInvalid)
	}
	if strings.TrimSpace(c.Portfolio) == "" {
		errs.add("portfolio", "is empty")
	}
	if strings.TrimSpace(c.Symbol) == "" {
		errs.add("symbol", "is empty")
	}
	if _, err := ParseKind(string(c.Kind)); err != nil {
		errs.add("kind", err.Error())
		return c, errs
	}
	noNegatives(c.Terms, &errs)
	if c.Kind == TrailingStop {
		validateTrailing(c, s, &errs)
	} else {
		c.Level = validateLevel(c, s, &errs)
	}
	validateQuantity(c, s, &errs)
	c.Terms = validateOrder(c.Terms, &errs)
	c.ValidUntil = validateUntil(c.ValidUntil, s.Now, &errs)
	if c.OCOWith < 0 || (c.OCOWith != 0 && c.OCOWith == c.ID) {
		errs.add("oco_with", "must name another condition")
	}
	return c, errs.err()
}

func noNegatives(t Terms, errs *FieldErrors) {
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"trigger_price", t.TriggerPrice}, {"percent", t.Percent}, {"amount", t.Amount},
		{"activation_price", t.ActivationPrice}, {"quantity", t.Quantity}} {
		if f.v.IsNegative() {
			errs.add(f.name, "is negative")
		}
	}
}

// validateLevel checks a fixed-level kind and returns its resolved level.
func validateLevel(c Condition, s Snapshot, errs *FieldErrors) decimal.Decimal {
	if !c.Amount.IsZero() {
		errs.add("amount", "applies only to trailing stops")
	}
	if !c.ActivationPrice.IsZero() {
		errs.add("activation_price", "applies only to trailing stops")
	}
	field, level := "trigger_price", c.TriggerPrice
	switch {
	case c.TriggerPrice.IsPositive() && c.Percent.IsPositive():
		errs.add("percent", "give a trigger price or a percent, not both")
		return decimal.Zero
	case c.Percent.IsPositive():
		field = "percent"
		level = percentLevel(c.Kind, c.Percent, s, errs)
	case !c.TriggerPrice.IsPositive():
		errs.add("trigger_price", "is required")
		return decimal.Zero
	}
	if level.IsPositive() {
		checkNotCrossed(c.Kind, field, level, s.Price, errs)
	}
	return level
}

func percentLevel(k Kind, pct decimal.Decimal, s Snapshot, errs *FieldErrors) decimal.Decimal {
	if !k.Sells() {
		errs.add("percent", "buy conditions take a trigger price")
		return decimal.Zero
	}
	if !s.AvgCost.IsPositive() {
		errs.add("percent", "the position has no average cost to measure from")
		return decimal.Zero
	}
	one := decimal.NewFromInt(1)
	factor := one.Add(pct.Shift(-2))
	if k == StopLoss {
		if pct.GreaterThanOrEqual(decimal.NewFromInt(100)) {
			errs.add("percent", "a stop-loss percent must be below 100")
			return decimal.Zero
		}
		factor = one.Sub(pct.Shift(-2))
	}
	return roundToTick(s.AvgCost.Mul(factor), s.tick())
}

func checkNotCrossed(k Kind, field string, level, price decimal.Decimal, errs *FieldErrors) {
	if !price.IsPositive() {
		return
	}
	if k.FiresDown() && level.GreaterThanOrEqual(price) {
		errs.add(field, fmt.Sprintf("level %s is at or above the current price %s: it would fire at once", level, price))
	}
	if !k.FiresDown() && level.LessThanOrEqual(price) {
		errs.add(field, fmt.Sprintf("level %s is at or below the current price %s: it would fire at once", level, price))
	}
}

// CheckStillUncrossed refuses (ErrConflict) to put c's fixed level in force
// when the price has crossed it since the level was proposed: approved, the
// condition would fire at the next tick on terms no one chose at this
// price. Approving a condition or an amendment calls it with the last price
// (for an amendment, on Proposed()). A trailing stop, whose level follows
// the price, and an unknown price (zero) pass.
func (c Condition) CheckStillUncrossed(price decimal.Decimal) error {
	if c.Kind == TrailingStop || !c.Level.IsPositive() {
		return nil
	}
	var errs FieldErrors
	checkNotCrossed(c.Kind, "trigger_price", c.Level, price, &errs)
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("trigger: %d: the price has moved since these terms were proposed: %s; have them modified, or reject them: %w",
		c.ID, errs[0].Problem, ErrConflict)
}

func validateTrailing(c Condition, s Snapshot, errs *FieldErrors) {
	if !c.TriggerPrice.IsZero() {
		errs.add("trigger_price", "a trailing stop takes a percent or an amount")
	}
	switch {
	case c.Percent.IsPositive() && c.Amount.IsPositive():
		errs.add("amount", "give a percent or an amount, not both")
	case c.Percent.IsPositive():
		if c.Percent.GreaterThanOrEqual(decimal.NewFromInt(100)) {
			errs.add("percent", "a trailing percent must be below 100")
		}
	case c.Amount.IsPositive():
		ref := c.ActivationPrice
		if !ref.IsPositive() {
			ref = s.Price
		}
		if ref.IsPositive() && c.Amount.GreaterThanOrEqual(ref) {
			errs.add("amount", fmt.Sprintf("distance %s is not below the price %s", c.Amount, ref))
		}
	default:
		errs.add("percent", "a trailing stop needs a percent or an amount")
	}
}

func validateQuantity(c Condition, s Snapshot, errs *FieldErrors) {
	if !c.Kind.Sells() {
		if !c.Quantity.IsPositive() {
			errs.add("quantity", "a buy condition needs a quantity")
		}
		return
	}
	if !s.Holding.IsPositive() {
		errs.add("quantity", fmt.Sprintf("there is no holding of %s in %s to sell", c.Symbol, c.Portfolio))
	} else if c.Quantity.GreaterThan(s.Holding) {
		errs.add("quantity", fmt.Sprintf("%s is more than the holding of %s", c.Quantity, s.Holding))
	}
}

func validateOrder(t Terms, errs *FieldErrors) Terms {
	switch t.OrderType {
	case "", OrderMarket:
		t.OrderType = OrderMarket
		if t.CollarBps != 0 {
			errs.add("collar_bps", "applies only to limit orders")
		}
	case OrderLimit:
		if t.CollarBps <= 0 || t.CollarBps > MaxCollarBps {
			errs.add("collar_bps", fmt.Sprintf("must be between 1 and %d basis points", MaxCollarBps))
		}
	default:
		errs.add("order_type", fmt.Sprintf("%q is not market or limit", t.OrderType))
	}
	return t
}

func validateUntil(until, now time.Time, errs *FieldErrors) time.Time {
	if until.IsZero() {
		return now.Add(MaxValidity).UTC()
	}
	switch {
	case !until.After(now):
		errs.add("valid_until", "is not in the future")
	case until.After(now.Add(MaxValidity)):
		errs.add("valid_until", fmt.Sprintf("is more than %d days ahead", int(MaxValidity.Hours()/24)))
	}
	return until.UTC()
}

// roundToTick rounds x to the nearest multiple of tick (half away from zero).
func roundToTick(x, tick decimal.Decimal) decimal.Decimal {
	return x.DivRound(tick, 0).Mul(tick)
}

// New validates a new condition from creator and returns it pending approval,
// at version 1, created at s.Now.
func New(c Condition, creator string, s Snapshot) (Condition, error) {
	c, err := Validate(c, s)
	if fe, ok := err.(FieldErrors); (ok || err == nil) && strings.TrimSpace(creator) == "" {
		fe.add("created_by", "is empty")
		err = fe
	}
	if err != nil {
		return c, fmt.Errorf("trigger: new %s on %s/%s: %w", c.Kind, c.Portfolio, c.Symbol, err)
	}
	c.CreatedBy, c.State, c.Version = creator, PendingApproval, 1
	c.CreatedAt, c.UpdatedAt = s.Now.UTC(), s.Now.UTC()
	c.ApprovedBy, c.AmendedBy, c.High, c.StateReason, c.Amendment = "", "", decimal.Zero, "", nil
	return c, nil
}
