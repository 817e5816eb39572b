package web

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

func TestValueTotalsEqualsValue(t *testing.T) {
	d := decimal.RequireFromString
	prices := map[string]decimal.Decimal{"AAA": d("12.34"), "BBB": d("0.5")}
	pos := func(sym, qty string) portfolio.Position {
		return portfolio.Position{Portfolio: "P", Symbol: sym, Quantity: d(qty), AvgCost: d("1")}
	}
	for _, tc := range []struct {
		name string
		h    portfolio.Holdings
	}{
		{"priced", portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "P", Cash: d("1000.01")}, Positions: []portfolio.Position{pos("BBB", "3"), pos("AAA", "100")}}},
		{"unpriced line", portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "P", Cash: d("7")}, Positions: []portfolio.Position{pos("ZZZ", "10"), pos("AAA", "1")}}},
		{"zero NAV", portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "P"}}},
		{"cash only", portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "P", Cash: d("-5")}}},
	} {
		want, got := portfolio.Value(tc.h, prices), valueTotals(tc.h, prices)
		if !got.NAV.Equal(want.NAV) || !got.MarketValue.Equal(want.MarketValue) || !got.Cash.Equal(want.Cash) || !got.CashWeight.Equal(want.CashWeight) {
			t.Errorf("%s: totals %+v, Value %+v", tc.name, got, want)
		}
	}
}
