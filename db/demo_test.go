package db

import (
	"context"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/shopspring/decimal"
)

func TestSeedDemo(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if empty, err := d.Empty(ctx); err != nil || !empty {
		t.Fatalf("Empty on a new database = %v, %v", empty, err)
	}
	desk, err := d.SeedDemo(ctx, "hash")
	if err != nil {
		t.Fatal(err)
	}
	if empty, _ := d.Empty(ctx); empty {
		t.Error("Empty after seeding = true")
	}
	secs, err := d.Securities(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	sectors, countries, issuers, classes := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]int{}
	for _, s := range secs {
		if err := s.Validate(); err != nil {
			t.Errorf("demo security %s: %v", s.Symbol, err)
		}
		sectors[s.Sector], countries[s.Country], issuers[s.Issuer] = true, true, true
		classes[s.AssetClass]++
	}
	if len(secs) < 45 || len(sectors) < 7 || len(countries) < 3 || len(issuers) >= len(secs) || classes[portfolio.AssetFund] != 2 || classes[portfolio.AssetCorporateBond] < 2 {
		t.Errorf("securities %d, sectors %d, countries %d, issuers %d, classes %v", len(secs), len(sectors), len(countries), len(issuers), classes)
	}
	prices, err := d.LatestPrices(ctx)
	if err != nil || len(prices) != len(secs) {
		t.Fatalf("prices: %d, %v", len(prices), err)
	}
	all, err := d.AllHoldings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != desk.Portfolios || len(all) < 6 {
		t.Fatalf("portfolios = %d", len(all))
	}
	px := map[string]decimal.Decimal{}
	for s, p := range prices {
		px[s] = p.Value
	}
	minNAV, maxNAV, ucits := decimal.NewFromInt(1e12), decimal.Zero, 0
	for _, h := range all {
		v := portfolio.Value(h, px)
		if n := len(h.Positions); n < 10 || n > 30 {
			t.Errorf("%s has %d positions", h.Portfolio.Code, n)
		}
		if !h.Portfolio.Cash.IsPositive() || h.Portfolio.DefaultBroker != "SIM" {
			t.Errorf("%s: cash %s broker %q", h.Portfolio.Code, h.Portfolio.Cash, h.Portfolio.DefaultBroker)
		}
		sum := v.CashWeight
		for _, l := range v.Lines {
			sum = sum.Add(l.Weight)
			if !l.Priced {
				t.Errorf("%s %s unpriced", h.Portfolio.Code, l.Symbol)
			}
		}
		if sum.Sub(decimal.NewFromInt(100)).Abs().GreaterThan(decimal.New(1, -9)) {
			t.Errorf("%s weights sum to %s", h.Portfolio.Code, sum)
		}
		minNAV, maxNAV = decimal.Min(minNAV, v.NAV), decimal.Max(maxNAV, v.NAV)
		if h.Portfolio.HasTag("ucits") {
			ucits++
		}
	}
	if minNAV.GreaterThan(decimal.NewFromInt(3e6)) || maxNAV.LessThan(decimal.NewFromInt(400e6)) || ucits != 1 {
		t.Errorf("NAV range %s..%s, ucits portfolios %d", minNAV, maxNAV, ucits)
	}
	for _, name := range []string{"pm", "trader", "trader2", "compliance", "admin"} {
		u, err := d.UserByName(ctx, name)
		if err != nil || u.PasswordHash != "hash" || len(u.Roles) != 1 {
			t.Errorf("user %s = %+v, %v", name, u, err)
		}
	}
	if u, _ := d.UserByName(ctx, "trader2"); !u.Has(user.Trader) {
		t.Errorf("trader2 roles = %v", u.Roles)
	}
	if _, err := d.SeedDemo(ctx, "hash"); err == nil {
		t.Error("seeding twice succeeded")
	}
}

func BenchmarkSeedDemo(b *testing.B) {
	ctx := context.Background()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		d, err := Open(ctx, b.TempDir()+"/seed.db")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := d.SeedDemo(ctx, "hash"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		d.Close()
		b.StartTimer()
	}
}
