package views

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// EventName is the server-sent event (and htmx sse-swap) name of one live
// value: kind ("price", "mv", "dist") and a symbol or condition id, with any
// character outside letters, digits, '.', '_' and '-' replaced by '_'.
func EventName(kind, key string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, key)
	return kind + "-" + clean
}

// ConditionEvent is the event name of a condition's distance to its trigger.
func ConditionEvent(id int64) string { return EventName("dist", strconv.FormatInt(id, 10)) }

// Distance formats how far a price is from a condition's trigger, as a price
// difference and a percentage of the price: "5.20 (4.33%)". A zero or
// negative distance reads "at trigger".
func Distance(dist, price decimal.Decimal) string {
	if !dist.IsPositive() {
		return "at trigger"
	}
	if !price.IsPositive() {
		return Price(dist)
	}
	return Price(dist) + " (" + Weight(dist.Div(price).Shift(2)) + "%)"
}
