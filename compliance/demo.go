package compliance

import "github.com/shopspring/decimal"

// DemoRules returns the demo desk's rule set, every rule at version 1:
// long-only (hard), cash floor 0 (hard), a no-buy restricted list of the given
// symbols (hard; left out when none are given), issuer 10% except the demo's
// sovereign issuers (hard, warn at 90%),
// sector 30% (soft, warn at 90%), UCITS 5/10/40 on portfolios tagged "ucits"
// (hard), price collar (soft 500 bps, hard 1,000 bps), order notional at most
// 5,000,000 (soft, warn at 80%), at most 25% of ADV per order (soft) and no
// duplicate order within 10 minutes (soft).
func DemoRules(restricted ...string) []Rule {
	return demoRules(restricted)
}

// DemoSovereigns are the demo desk's government issuers, left out of its
// issuer cap as sovereign debt usually is (UCITS Art. 52(3) allows 35%).
func DemoSovereigns() []string {
	return []string{"United States Treasury", "United Kingdom", "Federal Republic of Germany", "French Republic"}
}

func demoRules(restricted []string) []Rule {
	n := decimal.NewFromInt
	rules := []Rule{
		{ID: "long-only", Name: "Long only", Kind: KindLongOnly, Severity: Hard},
		{ID: "cash-floor", Name: "No overdraft", Kind: KindCashFloor, Severity: Hard},
	}
	if len(restricted) > 0 {
		rules = append(rules, Rule{ID: "restricted", Name: "Restricted list", Kind: KindRestricted, Severity: Hard,
			Params: Params{Mode: NoBuy, Symbols: append([]string(nil), restricted...)}})
	}
	rules = append(rules,
		Rule{ID: "issuer-10", Name: "Issuer at most 10% (sovereigns excepted)", Kind: KindMaxWeight, Severity: Hard,
			Params: Params{Dimension: ByIssuer, Limit: n(10), WarnPct: n(90), Except: DemoSovereigns()}},
		Rule{ID: "sector-30", Name: "Sector at most 30%", Kind: KindMaxWeight, Severity: Soft,
			Params: Params{Dimension: BySector, Limit: n(30), WarnPct: n(90)}},
		Rule{ID: "ucits-5-10-40", Name: "UCITS 5/10/40", Kind: KindUCITS, Severity: Hard, Scope: Scope{Tag: "ucits"}},
		Rule{ID: "price-collar", Name: "Price collar", Kind: KindPriceCollar,
			Params: Params{SoftBps: n(500), HardBps: n(1000)}},
		Rule{ID: "max-notional", Name: "Order notional at most 5,000,000", Kind: KindMaxNotional, Severity: Soft,
			Params: Params{Limit: n(5_000_000), WarnPct: n(80)}},
		Rule{ID: "max-adv", Name: "Order at most 25% of ADV", Kind: KindMaxADV, Severity: Soft,
			Params: Params{Limit: n(25)}},
		Rule{ID: "duplicate-order", Name: "No duplicate order within 10 minutes", Kind: KindDuplicate, Severity: Soft,
			Params: Params{Minutes: 10}},
	)
	for i := range rules {
		rules[i].Version = 1
	}
	return rules
}
