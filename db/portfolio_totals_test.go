package db

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// AllTotals gives, for every portfolio of the demo desk, the totals
// portfolio.Value computes from its holdings and the latest prices.
func TestAllTotalsMatchTheFullValuation(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.SeedDemo(ctx, "hash"); err != nil {
		t.Fatal(err)
	}
	// A position in a security with no price counts, and adds nothing.
	mustExec(t, d, `INSERT INTO securities (symbol, name, issuer, sector, country, currency, asset_class, lot_size)
		VALUES ('NOPX', 'No Price', 'Nobody', 'Other', 'US', 'USD', 'equity', '1')`)
	mustExec(t, d, `INSERT INTO positions (portfolio, symbol, quantity, avg_cost) VALUES ('EU-LEAD', 'NOPX', '5', '1')`)
	totals, err := d.AllTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, err := d.AllHoldings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := d.LatestPrices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prices := map[string]decimal.Decimal{}
	for sym, p := range latest {
		prices[sym] = p.Value
	}
	if len(totals) != len(all) || len(all) == 0 {
		t.Fatalf("%d totals for %d portfolios", len(totals), len(all))
	}
	for i, h := range all {
		want := portfolio.Value(h, prices)
		got := totals[i].Valuation()
		if totals[i].Portfolio.Code != h.Portfolio.Code || totals[i].Positions != len(h.Positions) ||
			!got.NAV.Equal(want.NAV) || !got.MarketValue.Equal(want.MarketValue) || !got.Cash.Equal(want.Cash) ||
			!got.CashWeight.Equal(want.CashWeight) {
			t.Errorf("%s: totals %d positions, NAV %s, MV %s, cash %s (%s%%); value %d positions, NAV %s, MV %s, cash %s (%s%%)",
				h.Portfolio.Code, totals[i].Positions, got.NAV, got.MarketValue, got.Cash, got.CashWeight,
				len(h.Positions), want.NAV, want.MarketValue, want.Cash, want.CashWeight)
		}
	}
}
