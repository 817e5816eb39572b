package compliance

import (
	"fmt"
	"math"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

// pct is amount as a percent of base, rounded to 4 places away from the limit's
// safe side: up for maximum limits, down for minimum limits, so a breach never
// displays as equal to its limit.
func pct(amount, base decimal.Decimal, upper bool) decimal.Decimal {
	if !base.IsPositive() {
		return decimal.Zero
	}
	if q, ok := quotient(amount, base, 6, upper); ok {
		return q
	}
	w := portfolio.WeightOf(amount, base)
	if upper {
		return w.RoundCeil(4)
	}
	return w.RoundFloor(4)
}

// ofNAV is p percent of nav, as an amount (exact: a shift, not a division).
func ofNAV(nav, p decimal.Decimal) decimal.Decimal { return nav.Mul(p).Shift(-2) }

// show formats a value in its unit.
func show(v decimal.Decimal, u Unit) string {
	switch u {
	case UnitPercent:
		return v.String() + "%"
	case UnitAmount:
		return v.StringFixed(2)
	case UnitBps:
		return v.String() + " bps"
	case UnitMinutes:
		return v.String() + " min"
	}
	return v.String()
}

// passiveSuffix ends the message of a passive breach (Batch strips it).
const passiveSuffix = ": passive breach, no trade of the basket adds to it, allowed"

// describe writes the result's one-line message: subject, value against the
// limit and what the status means. upper says whether the limit is a maximum;
// withBefore adds the value before the basket.
func (res *Result) describe(subject string, upper, withBefore bool) {
	v, l := show(res.Value, res.Unit), show(res.Limit, res.Unit)
	dir, side := "above", "at most"
	if !upper {
		dir, side = "below", "at least"
	}
	was := ""
	if withBefore && !res.Before.Equal(res.Value) {
		was = fmt.Sprintf(" (was %s)", show(res.Before, res.Unit))
	}
	switch res.Status {
	case Fail:
		res.Message = fmt.Sprintf("%s: %s %s the limit %s%s: blocked", subject, v, dir, l, was)
	case NeedsOverride:
		res.Message = fmt.Sprintf("%s: %s %s the limit %s%s: needs a compliance override", subject, v, dir, l, was)
	case Passive:
		res.Message = fmt.Sprintf("%s: %s %s the limit %s%s%s", subject, v, dir, l, was, passiveSuffix)
	case Warn:
		res.Message = fmt.Sprintf("%s: %s inside the warning band (warn at %s, limit %s)%s", subject, v, show(res.WarnLevel, res.Unit), l, was)
	default:
		res.Message = fmt.Sprintf("%s: %s, limit %s %s", subject, v, side, l)
	}
}

// tradeLabel names a basket trade for messages: "trade 3 buy 100 ACME".
func tradeLabel(i int, t portfolio.Trade) string {
	return fmt.Sprintf("trade %d %s %s %s", i, t.Side, t.Quantity, t.Symbol)
}

// quotient returns num / den × 10^(shift−4) rounded to 4 places (up when
// upper, else down), exactly, in int64 arithmetic; ok is false when the
// numbers are too large for it (the caller then divides decimals). den > 0.
func quotient(num, den decimal.Decimal, shift int, upper bool) (decimal.Decimal, bool) {
	if num.NumDigits() > 17 || den.NumDigits() > 17 {
		return decimal.Zero, false
	}
	a, n := num.CoefficientInt64(), den.CoefficientInt64()
	const limit = math.MaxInt64 / 10
	for k := int(num.Exponent()) - int(den.Exponent()) + shift; k != 0; {
		switch {
		case k > 0 && a <= limit && a >= -limit:
			a, k = a*10, k-1
		case k < 0 && n <= limit:
			n, k = n*10, k+1
		default:
			return decimal.Zero, false
		}
	}
	q, r := a/n, a%n
	switch {
	case upper && r > 0:
		q++
	case !upper && r < 0:
		q--
	}
	return decimal.New(q, -4), true
}
