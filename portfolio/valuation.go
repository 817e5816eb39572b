package portfolio

import (
	"sort"

	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

// Line is one valued position.
type Line struct {
	Position
	Price         decimal.Decimal // zero when no price is known
	Priced        bool
	MarketValue   decimal.Decimal
	Weight        decimal.Decimal // percent of NAV, unrounded
	UnrealisedPnL decimal.Decimal
}

// Valuation is a portfolio valued at a set of prices.
type Valuation struct {
	Portfolio   string
	Cash        decimal.Decimal
	MarketValue decimal.Decimal // sum of the lines' market values
	NAV         decimal.Decimal // market value + cash
	CashWeight  decimal.Decimal // percent of NAV
	Lines       []Line          // ordered by symbol
}

// Value values holdings at prices (symbol → price). A position with no price is
// valued at zero and marked unpriced. Weights are percent of NAV; when NAV is zero
// every weight is zero. Lines come back ordered by symbol.
func Value(h Holdings, prices map[string]decimal.Decimal) Valuation {
	v := Valuation{Portfolio: h.Portfolio.Code, Cash: h.Portfolio.Cash}
	v.Lines = make([]Line, 0, len(h.Positions))
	for _, p := range h.Positions {
		l := Line{Position: p}
		if px, ok := prices[p.Symbol]; ok {
			l.Price, l.Priced = px, true
			l.MarketValue = p.Quantity.Mul(px)
			l.UnrealisedPnL = px.Sub(p.AvgCost).Mul(p.Quantity)
		}
		v.MarketValue = v.MarketValue.Add(l.MarketValue)
		v.Lines = append(v.Lines, l)
	}
	sort.Slice(v.Lines, func(i, j int) bool { return v.Lines[i].Symbol < v.Lines[j].Symbol })
	v.NAV = v.MarketValue.Add(v.Cash)
	if !v.NAV.IsZero() {
		for i := range v.Lines {
			v.Lines[i].Weight = WeightOf(v.Lines[i].MarketValue, v.NAV)
		}
		v.CashWeight = WeightOf(v.Cash, v.NAV)
	}
	return v
}

// WeightOf returns amount as a percentage of nav (zero when nav is zero).
func WeightOf(amount, nav decimal.Decimal) decimal.Decimal {
	if nav.IsZero() {
		return decimal.Zero
	}
	return amount.Mul(hundred).Div(nav)
}
