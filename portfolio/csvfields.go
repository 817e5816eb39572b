package portfolio

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Digits a number may have: MaxIntegerDigits before the point and
// MaxFractionDigits after it. Larger or finer numbers are typing or export
// mistakes (a 400-digit cash balance, a quantity of 1e-30 shares), and the
// bound keeps a huge field from costing time to parse.
const (
	MaxIntegerDigits  = 20
	MaxFractionDigits = 18
)

// ErrTooManyDigits is matched by ParseDecimal's refusal of a number with
// more digits than MaxIntegerDigits or MaxFractionDigits.
var ErrTooManyDigits = errors.New("too many digits for a number")

// ParseDecimal parses a plain decimal number as written in import files and
// forms: an optional sign, digits, and optionally a point followed by digits,
// at most MaxIntegerDigits before the point and MaxFractionDigits after.
// Exponents, NaN, infinities, thousands separators and currency signs are refused.
func ParseDecimal(s string) (decimal.Decimal, error) {
	if !plainDecimal(s) {
		return decimal.Zero, fmt.Errorf("%q is not a plain decimal number", shorten(s))
	}
	intPart, frac, _ := strings.Cut(strings.TrimLeft(s, "+-"), ".")
	if n := len(strings.TrimLeft(intPart, "0")); n > MaxIntegerDigits {
		return decimal.Zero, fmt.Errorf("%q has %d digits before the point, at most %d: %w", shorten(s), n, MaxIntegerDigits, ErrTooManyDigits)
	}
	if n := len(frac); n > MaxFractionDigits {
		return decimal.Zero, fmt.Errorf("%q has %d decimal places, at most %d: %w", shorten(s), n, MaxFractionDigits, ErrTooManyDigits)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not a number: %w", s, err)
	}
	return d, nil
}

// shorten cuts a long field for an error message.
func shorten(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 40
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// plainDecimal reports whether s is [+-]digits[.digits] (".5" is allowed).
func plainDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if hasPoint && frac == "" {
		return false
	}
	return allDigits(intPart) && allDigits(frac) && (intPart != "" || frac != "")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseAsOf parses a price time: RFC 3339 ("2026-03-02T16:30:00Z", any offset)
// or a date ("2026-03-02", midnight UTC). The result is in UTC.
func ParseAsOf(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("as_of %q is neither RFC 3339 (2026-03-02T16:30:00Z) nor a date (2026-03-02)", s)
}

// fieldCheck collects the problems of one line while its fields are parsed.
type fieldCheck struct {
	rec     csvRecord
	reasons []string
}

func (c *fieldCheck) fail(format string, args ...any) {
	c.reasons = append(c.reasons, fmt.Sprintf(format, args...))
}

// text returns a column's value; a required one may not be empty.
func (c *fieldCheck) text(col string, required bool) string {
	v := c.rec.get(col)
	if required && v == "" {
		c.fail("empty %s", col)
	}
	return v
}

// key reads a required identifier column, a symbol or a portfolio code. It
// may not hold a control or invisible character (a zero-width space, a
// direction mark, a BOM): "AAA" followed by one would be a different
// security that looks the same on every page.
func (c *fieldCheck) key(col string) string {
	v := c.text(col, true)
	if r, bad := InvisibleRune(v); bad {
		c.fail("%s %q holds an invisible or control character (U+%04X)", col, v, r)
	}
	return v
}

// InvisibleRune returns the first rune of s that is a control or format
// character (invisible on a page), if there is one.
func InvisibleRune(s string) (rune, bool) {
	for _, r := range s {
		if !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) {
			return r, true
		}
	}
	return 0, false
}

// sign says which decimals a column accepts.
type sign int

const (
	anySign sign = iota
	nonNegative
	positive
)

// number parses a required decimal column and checks its sign.
func (c *fieldCheck) number(col string, want sign) decimal.Decimal {
	v := c.text(col, true)
	if v == "" {
		return decimal.Zero
	}
	d, err := ParseDecimal(v)
	if err != nil {
		c.fail("bad %s: %v", col, err)
		return decimal.Zero
	}
	switch {
	case want >= nonNegative && d.IsNegative():
		c.fail("negative %s %s", strings.ReplaceAll(col, "_", " "), v)
	case want == positive && d.IsZero():
		c.fail("%s must be more than zero", strings.ReplaceAll(col, "_", " "))
	}
	return d
}

// optionalNumber parses a decimal column that may be absent or empty (zero).
func (c *fieldCheck) optionalNumber(col string, want sign) decimal.Decimal {
	if c.rec.get(col) == "" {
		return decimal.Zero
	}
	return c.number(col, want)
}

// code returns an upper-cased letter code of length n (currency, country).
func (c *fieldCheck) code(col string, n int) string {
	v := strings.ToUpper(c.text(col, true))
	if v == "" {
		return v
	}
	if len(v) != n || strings.IndexFunc(v, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		c.fail("%s %q is not a %d-letter code", col, v, n)
	}
	return v
}
