package portfolio

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// BandKind says how a tolerance band's width is measured.
type BandKind string

// The tolerance band kinds.
const (
	// BandAbsolute is ± Width percentage points around the target.
	BandAbsolute BandKind = "absolute"
	// BandRelative is ± Width percent of the target itself.
	BandRelative BandKind = "relative"
)

// Band is a tolerance band around a target weight: a security is in band
// while Lower(target) ≤ weight ≤ Upper(target). The zero Band (no Kind) means
// "not set": a target without its own band uses its model's band.
type Band struct {
	Kind  BandKind
	Width decimal.Decimal // percentage points (absolute) or percent of target (relative)
}

// AbsoluteBand returns a band of ± points percentage points.
func AbsoluteBand(points decimal.Decimal) Band { return Band{Kind: BandAbsolute, Width: points} }

// RelativeBand returns a band of ± pct percent of the target.
func RelativeBand(pct decimal.Decimal) Band { return Band{Kind: BandRelative, Width: pct} }

// IsSet reports whether the band has a kind (the zero Band is unset).
func (b Band) IsSet() bool { return b.Kind != "" }

// HalfWidth returns the band's half width in percentage points for target (a weight in percent).
func (b Band) HalfWidth(target decimal.Decimal) decimal.Decimal {
	if b.Kind == BandRelative {
		return target.Mul(b.Width).Div(hundred)
	}
	return b.Width
}

// Lower returns the lowest in-band weight for target, never below zero.
func (b Band) Lower(target decimal.Decimal) decimal.Decimal {
	lo := target.Sub(b.HalfWidth(target))
	if lo.IsNegative() {
		return decimal.Zero
	}
	return lo
}

// Upper returns the highest in-band weight for target.
func (b Band) Upper(target decimal.Decimal) decimal.Decimal {
	return target.Add(b.HalfWidth(target))
}

// String renders the band as people write it: "±1" (points) or "±10%" (of target).
func (b Band) String() string {
	switch b.Kind {
	case BandAbsolute:
		return "±" + b.Width.String()
	case BandRelative:
		return "±" + b.Width.String() + "%"
	}
	return ""
}

// ParseBand reads a band as written in a models file or form: "1" or "±1" is
// ±1 percentage point; "10%" or "±10%" is ±10 percent of the target.
func ParseBand(s string) (Band, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "±")
	kind := BandAbsolute
	if strings.HasSuffix(t, "%") {
		kind, t = BandRelative, strings.TrimSuffix(t, "%")
	}
	w, err := decimal.NewFromString(strings.TrimSpace(t))
	if err != nil {
		return Band{}, fmt.Errorf("band %q is not a number of points (1) or a percent of target (10%%)", s)
	}
	b := Band{Kind: kind, Width: w}
	return b, b.Validate()
}

// Validate reports a band with an unknown kind or a negative width.
func (b Band) Validate() error {
	switch {
	case b.Kind != BandAbsolute && b.Kind != BandRelative:
		return fmt.Errorf("band kind %q is not %s or %s", b.Kind, BandAbsolute, BandRelative)
	case b.Width.IsNegative():
		return fmt.Errorf("band width %s is negative", b.Width)
	}
	return nil
}

// Target is one line of a model: a security (or CashSymbol) and its target
// weight in percent of NAV, with an optional band overriding the model's.
type Target struct {
	Symbol string
	Weight decimal.Decimal
	Band   Band // unset (zero) means the model's band
}

// Model is a named target allocation. Its targets, including the cash target
// under CashSymbol, are non-negative and sum to exactly 100. A portfolio
// follows one model, or has its own targets as a model named after it.
type Model struct {
	Name    string
	Targets []Target
	Band    Band // tolerance band for every target without its own; unset means DefaultBand
}

// Target returns the target for symbol and whether the model has one.
func (m Model) Target(symbol string) (Target, bool) {
	for _, t := range m.Targets {
		if t.Symbol == symbol {
			return t, true
		}
	}
	return Target{}, false
}

// CashWeight returns the cash target in percent (zero when the model has no CASH line).
func (m Model) CashWeight() decimal.Decimal {
	t, _ := m.Target(CashSymbol)
	return t.Weight
}

// DefaultBand is the band of a model that sets none: ±1 percentage point.
func DefaultBand() Band { return AbsoluteBand(decimal.NewFromInt(1)) }

// BandFor returns the band that applies to symbol: its own override, else the
// model's band, else DefaultBand.
func (m Model) BandFor(symbol string) Band {
	if t, ok := m.Target(symbol); ok && t.Band.IsSet() {
		return t.Band
	}
	if m.Band.IsSet() {
		return m.Band
	}
	return DefaultBand()
}

// Sum returns the sum of the target weights, cash included.
func (m Model) Sum() decimal.Decimal {
	sum := decimal.Zero
	for _, t := range m.Targets {
		sum = sum.Add(t.Weight)
	}
	return sum
}

// Validate reports every problem with the model, joined: an empty name, an
// invalid model band, empty, duplicate or badly cased symbols, negative
// weights, invalid band overrides, and weights that do not sum to exactly 100
// ("weights sum to 99.5, 0.5 short of 100").
func (m Model) Validate() error {
	var errs []error
	if strings.TrimSpace(m.Name) == "" {
		errs = append(errs, errors.New("model name is empty"))
	}
	if m.Band.IsSet() {
		if err := m.Band.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("model band: %w", err))
		}
	}
	seen := make(map[string]bool, len(m.Targets))
	for _, t := range m.Targets {
		errs = append(errs, t.problems(seen)...)
	}
	if sum := m.Sum(); !sum.Equal(hundred) {
		errs = append(errs, sumError(sum))
	}
	return errors.Join(errs...)
}

func (t Target) problems(seen map[string]bool) []error {
	var errs []error
	switch {
	case strings.TrimSpace(t.Symbol) == "":
		errs = append(errs, errors.New("a target has an empty symbol"))
	case seen[t.Symbol]:
		errs = append(errs, fmt.Errorf("%s: listed more than once", t.Symbol))
	case strings.EqualFold(t.Symbol, CashSymbol) && t.Symbol != CashSymbol:
		errs = append(errs, fmt.Errorf("%s: write the cash target as %s", t.Symbol, CashSymbol))
	}
	seen[t.Symbol] = true
	if t.Weight.IsNegative() {
		errs = append(errs, fmt.Errorf("%s: weight %s is negative", t.Symbol, t.Weight))
	}
	if t.Band.IsSet() {
		if err := t.Band.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.Symbol, err))
		}
	}
	return errs
}

func sumError(sum decimal.Decimal) error {
	if sum.LessThan(hundred) {
		return fmt.Errorf("weights sum to %s, %s short of 100", sum, hundred.Sub(sum))
	}
	return fmt.Errorf("weights sum to %s, %s over 100", sum, sum.Sub(hundred))
}
