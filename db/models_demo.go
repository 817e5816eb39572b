package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// demoModel is a demo model (or a portfolio's own targets when own is set)
// derived from its lead portfolio's seeded weights, rounded to half a point,
// with tilts that move some targets away from the holdings so that drift is
// visible out of the box. CASH takes up the rest of 100.
type demoModel struct {
	name      string
	lead      string            // the demo portfolio whose weights the targets start from
	own       bool              // the lead's own targets rather than a shared model
	band      portfolio.Band    // the model's band
	tilts     map[string]string // symbol → target weight replacing the seeded one ("0" drops it)
	followers []string          // portfolios that follow the shared model
}

// demoModels are three shared models and two portfolios' own targets:
// Growth (US-TECH), Balanced (US-BAL and the family account, whose holdings
// differ, so it drifts most), Income (UK-INC, relative bands), and the own
// targets of US-LC (tilted) and EU-LEAD (in band).
func demoModels() []demoModel {
	pts := func(s string) portfolio.Band { return portfolio.AbsoluteBand(decimal.RequireFromString(s)) }
	return []demoModel{
		{name: "Growth", lead: "US-TECH", band: pts("1"), followers: []string{"US-TECH"},
			tilts: map[string]string{"NVDA": "15", "AAPL": "8.5", "SPY": "4"}},
		{name: "Balanced", lead: "US-BAL", band: pts("1.5"), followers: []string{"US-BAL", "FAM-01"},
			tilts: map[string]string{"UST-2030": "14", "SPY": "2", "CVX": "0"}},
		{name: "Income", lead: "UK-INC", band: portfolio.RelativeBand(decimal.NewFromInt(15)), followers: []string{"UK-INC"},
			tilts: map[string]string{"SHEL": "9", "NG": "8.5"}},
		{name: "US-LC", lead: "US-LC", own: true, band: pts("0.75"),
			tilts: map[string]string{"MSFT": "8", "NVDA": "3.5", "PFE": "0"}},
		{name: "EU-LEAD", lead: "EU-LEAD", own: true, band: pts("1")},
	}
}

// seedModels writes the demo models and points the demo portfolios at them.
// It runs inside SeedDemo's transaction, after the portfolios are written.
func seedModels(ctx context.Context, tx *sql.Tx) error {
	leads := make(map[string]demoPortfolio, len(demoPortfolios))
	for _, p := range demoPortfolios {
		leads[p.code] = p
	}
	for _, dm := range demoModels() {
		m, err := dm.model(leads[dm.lead])
		if err != nil {
			return fmt.Errorf("model %s: %w", dm.name, err)
		}
		owner := ""
		if dm.own {
			owner = dm.lead
		}
		if err := saveModel(ctx, tx, m, owner); err != nil {
			return fmt.Errorf("model %s: %w", dm.name, err)
		}
		for _, code := range dm.followers {
			if _, err := tx.ExecContext(ctx, `UPDATE portfolios SET model = ? WHERE code = ?`, dm.name, code); err != nil {
				return fmt.Errorf("model %s: follower %s: %w", dm.name, code, err)
			}
		}
	}
	return nil
}

// model builds the targets: the lead's seeded weights (see seedPortfolio)
// rounded to half a point, the tilts applied, and CASH the remainder.
func (dm demoModel) model(lead demoPortfolio) (portfolio.Model, error) {
	m := portfolio.Model{Name: dm.name, Band: dm.band}
	n := int64(len(lead.symbols))
	total := decimal.NewFromInt((3*n + 1) * n / 2)
	invested := decimal.NewFromInt(100 - lead.cashPct)
	half := decimal.New(5, -1)
	sum := decimal.Zero
	for i, sym := range lead.symbols {
		w := invested.Mul(decimal.NewFromInt(2*n - int64(i))).Div(total).Div(half).Round(0).Mul(half)
		if t, ok := dm.tilts[sym]; ok {
			w = decimal.RequireFromString(t)
		}
		if w.IsZero() {
			continue
		}
		m.Targets = append(m.Targets, portfolio.Target{Symbol: sym, Weight: w})
		sum = sum.Add(w)
	}
	cash := decimal.NewFromInt(100).Sub(sum)
	if cash.IsNegative() {
		return m, fmt.Errorf("targets sum to %s, over 100", sum)
	}
	m.Targets = append(m.Targets, portfolio.Target{Symbol: portfolio.CashSymbol, Weight: cash})
	return m, m.Validate()
}
