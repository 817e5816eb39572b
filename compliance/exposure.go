package compliance

import (
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// WorstCase returns cash, gross exposure (Σ|market value|) and NAV on the
// worst-case path of a basket: current holdings plus every buy of the working
// orders and of trades filled, no sale filled. Check reports the cash as
// Report.CashWorstCase; the max_gross_exposure rule limits gross / NAV.
func WorstCase(before State, trades []portfolio.Trade) (cash, gross, nav decimal.Decimal) {
	e := newEval(&before, trades, &workspace{})
	gross, nav = e.after.grossWorst()
	return e.after.cashWorst, gross, nav
}
