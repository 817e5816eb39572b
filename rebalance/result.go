package rebalance

import (
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// CashState is where cash stood against its band once the out-of-band
// securities were traded; it decides whether securities inside their band trade.
type CashState string

// The cash states.
const (
	// CashInBand: only out-of-band securities trade.
	CashInBand CashState = "in"
	// CashUnder: cash is below its floor, so overweight securities inside their band are sold toward target.
	CashUnder CashState = "under"
	// CashOver: cash is above its band, so underweight securities inside their band are bought toward target.
	CashOver CashState = "over"
)

// Result is the plan for one portfolio. Amounts are in the portfolio's base
// currency; NAV and weights leave excluded securities out. "After" figures
// assume every trade fills at its limit price and value positions at last prices.
type Result struct {
	Portfolio  string
	Model      string
	Trades     []portfolio.Trade // sells first, then buys; each group by symbol
	NAV        decimal.Decimal   // before the trades
	NAVAfter   decimal.Decimal   // NAV minus the cost of trading at limit rather than last prices
	CashBefore decimal.Decimal
	CashAfter  decimal.Decimal
	Reserve    decimal.Decimal // the reserve as an amount
	CashTarget decimal.Decimal // the effective cash target (see package doc)
	CashFloor  decimal.Decimal // below this (reserve or band edge; the cash target when raising) cash is under: in-band overweights are sold
	CashState  CashState
	Shortfall  decimal.Decimal // how far cash after stays below max(reserve, raise floor); zero when met
	Lines      []Line          // one per security in symbol order, then CASH
}

// Line is one security (or CASH, last) before and after the plan. Weights are
// percentages of NAV (before) and NAVAfter (after), rounded to 4 places;
// TargetValue is the exact effective target in money; Lower and Upper are
// the band edges as weights (for CASH: its floor and upper edge).
type Line struct {
	Symbol        string
	Restriction   Restriction
	Price         decimal.Decimal // last price; zero for CASH and unpriced excluded securities
	Quantity      decimal.Decimal
	QuantityAfter decimal.Decimal
	Value         decimal.Decimal
	ValueAfter    decimal.Decimal
	Target        decimal.Decimal // effective target weight
	Weight        decimal.Decimal
	WeightAfter   decimal.Decimal
	TargetValue   decimal.Decimal
	Lower         decimal.Decimal
	Upper         decimal.Decimal
	InBand        bool // before the plan
}

// Bought reports whether any trade in the result buys symbol, and Sold whether one sells it.
func (r Result) Bought(symbol string) bool { return r.traded(symbol, portfolio.Buy) }

// Sold reports whether any trade in the result sells symbol.
func (r Result) Sold(symbol string) bool { return r.traded(symbol, portfolio.Sell) }

func (r Result) traded(symbol string, side portfolio.Side) bool {
	for _, t := range r.Trades {
		if t.Symbol == symbol && t.Side == side {
			return true
		}
	}
	return false
}
