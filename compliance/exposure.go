package compliance

import (
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// WorstCase returns cash, gross exposure (Σ|market value|) and NAV on the
// worst-case paths of a basket, from current holdings through the working
// orders and trades. The cash is on the cash path: every buy filled, no sale
// (Report.CashWorstCase). Gross exposure and NAV are on the gross path, which
// fills whatever raises gross exposure: in each security either its buys or,
// when they take the position further from zero, its sales (a short sale, a
// sale leaving a short larger than the long); the max_gross_exposure rule
// limits gross / NAV.
func WorstCase(before State, trades []portfolio.Trade) (cash, gross, nav decimal.Decimal) {
	e := newEval(&before, trades, &workspace{})
	gross, nav, _ = e.after.grossWorst()
	return e.after.cashWorst, gross, nav
}
