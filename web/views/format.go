// Package views holds Ballast's HTML: templ components for every page and
// fragment, the view models they take, and the number formatting they share.
package views

import (
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// Money formats an amount rounded half away from zero to 2 decimal places, with
// thousands separators: 1234567.891 → "1,234,567.89".
func Money(d decimal.Decimal) string {
	return group(d.Round(2).StringFixed(2))
}

// Weight formats a percentage rounded to 2 decimal places: 12.3456 → "12.35".
func Weight(d decimal.Decimal) string {
	return d.Round(2).StringFixed(2)
}

// Quantity formats a quantity exactly, without trailing zeros, with thousands
// separators: 1500.000 → "1,500"; 0.250 → "0.25".
func Quantity(d decimal.Decimal) string {
	return group(d.String())
}

// Price formats a price with at least 2 and at most 6 decimal places, rounded
// half away from zero at the sixth: 101.5 → "101.50"; 0.123456789 → "0.123457".
func Price(d decimal.Decimal) string {
	s := d.Round(6).String()
	if dot := strings.IndexByte(s, '.'); dot < 0 || len(s)-dot-1 < 2 {
		s = d.Round(6).StringFixed(2)
	}
	return group(s)
}

// group inserts thousands separators into the integer part of a plain decimal string.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac := s, ""
	if dot := strings.IndexByte(s, '.'); dot >= 0 {
		intPart, frac = s[:dot], s[dot:]
	}
	if len(intPart) <= 3 {
		return sign + intPart + frac
	}
	var b strings.Builder
	b.Grow(len(intPart) + len(intPart)/3 + len(frac) + 1)
	b.WriteString(sign)
	first := len(intPart) % 3
	if first > 0 {
		b.WriteString(intPart[:first])
	}
	for i := first; i < len(intPart); i += 3 {
		if b.Len() > len(sign) {
			b.WriteByte(',')
		}
		b.WriteString(intPart[i : i+3])
	}
	b.WriteString(frac)
	return b.String()
}

// Signed returns "pos", "neg" or "" as a CSS class for the sign of d.
func Signed(d decimal.Decimal) string {
	switch d.Sign() {
	case 1:
		return "pos"
	case -1:
		return "neg"
	}
	return ""
}

var (
	hundred = decimal.NewFromInt(100)
	cent    = decimal.New(1, -2)
)

// RoundWeights rounds percentages to 2 decimal places so that, when their exact
// sum is 100, the rounded ones also add up to exactly 100.00 (largest remainder
// method: round everything down, then give the missing hundredths to the
// weights that lost the most). Otherwise each weight is rounded on its own.
func RoundWeights(ws []decimal.Decimal) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ws))
	exact, floors := decimal.Zero, decimal.Zero
	for i, w := range ws {
		exact = exact.Add(w)
		out[i] = w.RoundFloor(2)
		floors = floors.Add(out[i])
	}
	if len(ws) == 0 || !exact.Round(8).Equal(hundred) {
		for i, w := range ws {
			out[i] = w.Round(2)
		}
		return out
	}
	missing := int(hundred.Sub(floors).Div(cent).Round(0).IntPart())
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	rem := make([]decimal.Decimal, len(ws))
	for i := range ws {
		rem[i] = ws[i].Sub(out[i])
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]].GreaterThan(rem[order[b]]) })
	for k := 0; k < missing && k < len(order); k++ {
		out[order[k]] = out[order[k]].Add(cent)
	}
	return out
}
