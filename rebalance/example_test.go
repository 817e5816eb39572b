package rebalance_test

import (
	"fmt"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/shopspring/decimal"
)

// Cash sits on its 5% target, so the buy may spend only the sale proceeds
// (100 EQTY at the 99.50 sell limit): 99 BOND at the 100.50 buy limit.
func ExamplePlan() {
	d := decimal.RequireFromString
	model := portfolio.Model{Name: "balanced", Band: portfolio.AbsoluteBand(d("1")), Targets: []portfolio.Target{
		{Symbol: "BOND", Weight: d("45")}, {Symbol: "EQTY", Weight: d("50")}, {Symbol: portfolio.CashSymbol, Weight: d("5")},
	}}
	in := rebalance.Input{
		Holdings: portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "P1", Cash: d("5000")}, Positions: []portfolio.Position{
			{Symbol: "EQTY", Quantity: d("600")}, {Symbol: "BOND", Quantity: d("350")},
		}},
		Model:  model,
		Prices: map[string]decimal.Decimal{"EQTY": d("100"), "BOND": d("100")},
		Securities: map[string]portfolio.Security{
			"EQTY": {Symbol: "EQTY", LotSize: d("10")}, "BOND": {Symbol: "BOND", LotSize: d("1")},
		},
	}
	r, err := rebalance.Plan(in, rebalance.Options{CollarBps: 50})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range r.Trades {
		fmt.Printf("%s %s %s @ %s: %s\n", t.Side, t.Quantity, t.Symbol, t.LimitPrice, t.Reason)
	}
	fmt.Printf("cash %s -> %s\n", r.CashBefore, r.CashAfter)
	// Output:
	// sell 100 EQTY @ 99.5: overweight 60.00% vs target 50.00% (band ±1)
	// buy 99 BOND @ 100.5: underweight 35.00% vs target 45.00% (band ±1); scaled down: not enough cash
	// cash 5000 -> 5000.5
}
