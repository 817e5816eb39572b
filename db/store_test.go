package db

import (
	"context"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

func seedSmall(t *testing.T, d *DB) {
	t.Helper()
	mustExec(t, d, `INSERT INTO securities (symbol, name, issuer, sector, country, currency, asset_class, lot_size, adv, shares_outstanding)
		VALUES ('AAA', 'Alpha Inc', 'Alpha', 'Technology', 'US', 'USD', 'equity', '1', '1000', '50000'),
		       ('BBB', 'Beta_Corp 100%', 'Beta', 'Energy', 'GB', 'GBP', 'equity', '100', '0', '0'),
		       ('CCC', 'Gamma Plc', 'Gamma', 'Utilities', 'GB', 'GBP', 'equity', '10', '5', '7')`)
	mustExec(t, d, `INSERT INTO portfolios (code, name, base_currency, cash, tags, default_broker)
		VALUES ('P2', 'Two', 'USD', '100.50', 'ucits esg', 'SIM'), ('P1', 'One', 'GBP', '0', '', '')`)
	mustExec(t, d, `INSERT INTO positions (portfolio, symbol, quantity, avg_cost) VALUES
		('P1', 'BBB', '200', '1.5'), ('P1', 'AAA', '10', '99.125'), ('P2', 'CCC', '30', '4')`)
	mustExec(t, d, `INSERT INTO prices (symbol, price, as_of, source) VALUES ('AAA', '101.25', '2026-03-01T00:00:00.000000Z', 'csv')`)
}

func TestSecuritiesFilter(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	tests := []struct {
		filter string
		want   []string
	}{
		{"", []string{"AAA", "BBB", "CCC"}},
		{"alpha", []string{"AAA"}},
		{"GAMMA", []string{"CCC"}},
		{"energy", []string{"BBB"}},
		{"%", []string{"BBB"}},
		{"_", []string{"BBB"}},
		{"zzz", nil},
	}
	for _, tc := range tests {
		got, err := d.Securities(ctx, tc.filter)
		if err != nil {
			t.Fatalf("Securities(%q): %v", tc.filter, err)
		}
		var syms []string
		for _, s := range got {
			syms = append(syms, s.Symbol)
		}
		if len(syms) != len(tc.want) {
			t.Errorf("Securities(%q) = %v, want %v", tc.filter, syms, tc.want)
			continue
		}
		for i := range syms {
			if syms[i] != tc.want[i] {
				t.Errorf("Securities(%q) = %v, want %v", tc.filter, syms, tc.want)
			}
		}
	}
	s, err := d.Security(ctx, "BBB")
	if err != nil {
		t.Fatal(err)
	}
	if !s.LotSize.Equal(decimal.NewFromInt(100)) || s.Country != "GB" || s.AssetClass != portfolio.AssetEquity {
		t.Errorf("Security(BBB) = %+v", s)
	}
}

func TestHoldings(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	ps, err := d.Portfolios(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Code != "P1" || ps[1].Code != "P2" {
		t.Fatalf("Portfolios = %+v", ps)
	}
	if !ps[1].HasTag("ucits") || ps[1].DefaultBroker != "SIM" || !ps[1].Cash.Equal(decimal.RequireFromString("100.5")) {
		t.Errorf("P2 = %+v", ps[1])
	}
	h, err := d.Holdings(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Positions) != 2 || h.Positions[0].Symbol != "AAA" || !h.Positions[0].AvgCost.Equal(decimal.RequireFromString("99.125")) {
		t.Errorf("Holdings(P1) = %+v", h)
	}
	all, err := d.AllHoldings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || len(all[0].Positions) != 2 || len(all[1].Positions) != 1 || all[1].Positions[0].Symbol != "CCC" {
		t.Errorf("AllHoldings = %+v", all)
	}
	prices, err := d.LatestPrices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := prices["AAA"]; len(prices) != 1 || !p.Value.Equal(decimal.RequireFromString("101.25")) || p.AsOf.Day() != 1 || p.Source != "csv" {
		t.Errorf("LatestPrices = %+v", prices)
	}
}
