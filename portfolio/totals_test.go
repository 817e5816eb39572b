package portfolio

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TotalsOf gives Value's totals: NAV, market value, cash and cash weight.
func TestTotalsOfEqualsValue(t *testing.T) {
	d := decimal.RequireFromString
	prices := map[string]decimal.Decimal{"AAA": d("12.34"), "BBB": d("0.5")}
	pos := func(sym, qty string) Position {
		return Position{Portfolio: "P", Symbol: sym, Quantity: d(qty), AvgCost: d("1")}
	}
	for _, tc := range []struct {
		name string
		h    Holdings
	}{
		{"priced", Holdings{Portfolio: Portfolio{Code: "P", Cash: d("1000.01")}, Positions: []Position{pos("BBB", "3"), pos("AAA", "100")}}},
		{"unpriced line", Holdings{Portfolio: Portfolio{Code: "P", Cash: d("7")}, Positions: []Position{pos("ZZZ", "10"), pos("AAA", "1")}}},
		{"zero NAV", Holdings{Portfolio: Portfolio{Code: "P"}}},
		{"cash only", Holdings{Portfolio: Portfolio{Code: "P", Cash: d("-5")}}},
	} {
		want, got := Value(tc.h, prices), TotalsOf(tc.h, prices).Valuation()
		if !got.NAV.Equal(want.NAV) || !got.MarketValue.Equal(want.MarketValue) || !got.Cash.Equal(want.Cash) || !got.CashWeight.Equal(want.CashWeight) {
			t.Errorf("%s: totals %+v, Value %+v", tc.name, got, want)
		}
	}
}
