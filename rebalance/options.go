package rebalance

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// Mode says how far an out-of-band security is traded.
type Mode string

// The rebalancing modes.
const (
	// ModeTarget trades every out-of-band security back to its target.
	ModeTarget Mode = "target"
	// ModeBand trades an out-of-band security only to the nearest edge of its band.
	ModeBand Mode = "band"
)

// ParseMode accepts "target" and "band".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case ModeTarget, ModeBand:
		return Mode(s), nil
	}
	return "", fmt.Errorf("mode %q is not target or band", s)
}

// Reserve is a cash reserve the plan never spends: a percentage of NAV or an amount.
type Reserve struct {
	Percent bool            // Value is a percentage of NAV when true, an amount otherwise
	Value   decimal.Decimal // non-negative
}

// ParseReserve reads "2%" (of NAV) or "10000" (an amount in the base currency).
func ParseReserve(s string) (Reserve, error) {
	t := strings.TrimSpace(s)
	r := Reserve{Percent: strings.HasSuffix(t, "%")}
	v, err := decimal.NewFromString(strings.TrimSpace(strings.TrimSuffix(t, "%")))
	if err != nil {
		return Reserve{}, fmt.Errorf("cash reserve %q is not a percentage (2%%) or an amount (10000)", s)
	}
	r.Value = v
	return r, r.validate()
}

// Amount returns the reserve in money for a NAV.
func (r Reserve) Amount(nav decimal.Decimal) decimal.Decimal {
	if r.Percent {
		return nav.Mul(r.Value).Shift(-2)
	}
	return r.Value
}

// String renders the reserve as ParseReserve reads it.
func (r Reserve) String() string {
	if r.Percent {
		return r.Value.String() + "%"
	}
	return r.Value.String()
}

func (r Reserve) validate() error {
	switch {
	case r.Value.IsNegative():
		return fmt.Errorf("cash reserve %s is negative", r)
	case r.Percent && r.Value.GreaterThan(decimal.NewFromInt(100)):
		return fmt.Errorf("cash reserve %s is more than 100%%", r)
	}
	return nil
}

// Options shape a plan. The zero Options rebalance to target with no reserve,
// no minimum trade and no collar.
type Options struct {
	Mode        Mode            // ModeTarget when empty
	CashReserve Reserve         // cash the plan leaves untouched (see package doc)
	BuyOnly     bool            // invest cash without selling anything
	Raise       decimal.Decimal // raise this much cash above the cash target: sells only
	MinTrade    decimal.Decimal // trades worth less than this at their limit price are not proposed
	CollarBps   int64           // limit = last ± CollarBps basis points, rounded to the tick
	// TradesOnly leaves Result.Lines empty: the trades and the portfolio's
	// cash and NAV figures are planned as always, but not each security's
	// weights before and after. Whole-book runs that print or save trades
	// set it; building a hundred lines of eleven decimals a portfolio was
	// about half of planning's work, for figures they never read.
	TradesOnly bool
}

// Validate reports contradictory or out-of-range options.
func (o Options) Validate() error {
	var errs []error
	if o.Mode != "" {
		if _, err := ParseMode(string(o.Mode)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := o.CashReserve.validate(); err != nil {
		errs = append(errs, err)
	}
	if o.Raise.IsNegative() {
		errs = append(errs, fmt.Errorf("raise %s is negative", o.Raise))
	}
	if o.BuyOnly && o.Raise.IsPositive() {
		errs = append(errs, errors.New("buy-only and raise cannot be combined: raising cash needs sales"))
	}
	if o.MinTrade.IsNegative() {
		errs = append(errs, fmt.Errorf("minimum trade %s is negative", o.MinTrade))
	}
	if o.CollarBps < 0 || o.CollarBps >= 10000 {
		errs = append(errs, fmt.Errorf("collar %d bps is not between 0 and 9999", o.CollarBps))
	}
	return errors.Join(errs...)
}

func (o Options) mode() Mode {
	if o.Mode == "" {
		return ModeTarget
	}
	return o.Mode
}

// Restriction limits how rebalancing may trade one security in one portfolio.
type Restriction struct {
	DoNotBuy  bool // never bought
	DoNotSell bool // never sold (held)
	Excluded  bool // left out entirely: not traded, and its value and target leave the calculation
}

// Input is everything Plan needs for one portfolio. Prices are last prices by
// symbol; Securities give lot sizes and ticks; Restrictions are by symbol.
// The maps may be shared between inputs: Plan only reads them.
type Input struct {
	Holdings     portfolio.Holdings
	Model        portfolio.Model
	Prices       map[string]decimal.Decimal
	Securities   map[string]portfolio.Security
	Restrictions map[string]Restriction
}
