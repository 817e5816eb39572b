package views

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/trigger"
)

func TestEventName(t *testing.T) {
	for _, c := range []struct{ kind, key, want string }{
		{"price", "AAPL", "price-AAPL"},
		{"mv", "BRK.B", "mv-BRK.B"},
		{"price", "UST-2030", "price-UST-2030"},
		{"price", "A B\"<x>", "price-A_B__x_"},
	} {
		if got := EventName(c.kind, c.key); got != c.want {
			t.Errorf("EventName(%q, %q) = %q, want %q", c.kind, c.key, got, c.want)
		}
	}
}

func TestConditionDistance(t *testing.T) {
	d := decimal.RequireFromString
	cases := []struct {
		name  string
		c     trigger.Condition
		price string
		want  string
	}{
		{"stop-loss below", trigger.Condition{Kind: trigger.StopLoss, Level: d("90")}, "100", "10.00 (10.00%)"},
		{"take-profit above", trigger.Condition{Kind: trigger.TakeProfit, Level: d("120")}, "100", "20.00 (20.00%)"},
		{"crossed", trigger.Condition{Kind: trigger.StopLoss, Level: d("90")}, "89", "at trigger"},
		{"tracking trailing", trigger.Condition{Kind: trigger.TrailingStop, Terms: trigger.Terms{Percent: d("5")}, High: d("120")}, "116", "2.00 (1.72%)"},
		{"waiting for activation", trigger.Condition{Kind: trigger.TrailingStop, Terms: trigger.Terms{Percent: d("5"), ActivationPrice: d("100")}}, "95", "activates in 5.00 (5.26%)"},
		{"activates next", trigger.Condition{Kind: trigger.TrailingStop, Terms: trigger.Terms{Amount: d("3")}}, "95", "activates on the next price"},
	}
	for _, c := range cases {
		if got := ConditionDistance(c.c, d(c.price)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
