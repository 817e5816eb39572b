package portfolio

import "github.com/shopspring/decimal"

// Totals is a portfolio with its positions valued at one set of prices and
// counted, without the lines: what a list of portfolios shows. A position
// without a price adds nothing to MarketValue, as in Value.
type Totals struct {
	Portfolio   Portfolio
	MarketValue decimal.Decimal
	Positions   int
}

// Valuation is t as Value's totals: NAV, cash and cash weight, no lines.
func (t Totals) Valuation() Valuation {
	v := Valuation{Portfolio: t.Portfolio.Code, Cash: t.Portfolio.Cash, MarketValue: t.MarketValue}
	v.NAV = v.MarketValue.Add(v.Cash)
	v.CashWeight = WeightOf(v.Cash, v.NAV)
	return v
}

// TotalsOf values h's positions at prices (a position without a price adds
// nothing) and counts them.
func TotalsOf(h Holdings, prices map[string]decimal.Decimal) Totals {
	t := Totals{Portfolio: h.Portfolio, Positions: len(h.Positions)}
	for _, p := range h.Positions {
		if px, ok := prices[p.Symbol]; ok {
			t.MarketValue = t.MarketValue.Add(p.Quantity.Mul(px))
		}
	}
	return t
}
