package compliance

import (
	"fmt"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// d parses a decimal literal or fails the test binary loudly.
func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var testNow = time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)

// master is the test securities master; every security is priced at 100.
func master() map[string]portfolio.Security {
	eq := func(sym, issuer, sector, country string) portfolio.Security {
		return portfolio.Security{Symbol: sym, Name: sym, Issuer: issuer, Sector: sector, Country: country,
			Currency: "USD", AssetClass: portfolio.AssetEquity, LotSize: d("1"), ADV: d("100000"),
			SharesOutstanding: d("1000000")}
	}
	m := map[string]portfolio.Security{}
	add := func(s portfolio.Security) { m[s.Symbol] = s }
	add(eq("A1", "Alpha", "Technology", "US"))
	add(eq("A2", "Alpha", "Technology", "US"))
	add(eq("B1", "Beta", "Technology", "US"))
	add(eq("C1", "Gamma", "Energy", "GB"))
	for i := 1; i <= 12; i++ {
		add(eq(fmt.Sprintf("H%d", i), fmt.Sprintf("Health %d", i), "Health Care", "DE"))
	}
	small := eq("S1", "Small Co", "Industrials", "US")
	small.SharesOutstanding = d("1000")
	add(small)
	noADV := eq("Z1", "Zeta", "Industrials", "US")
	noADV.ADV = decimal.Zero
	add(noADV)
	gov := eq("G1", "US Treasury", "Government", "US")
	gov.AssetClass = portfolio.AssetGovernmentBond
	add(gov)
	gov2 := eq("G2", "Bund", "Government", "DE")
	gov2.AssetClass = portfolio.AssetGovernmentBond
	add(gov2)
	eib := eq("E1", "European Investment Bank", "Supranational", "LU")
	eib.AssetClass = portfolio.AssetCorporateBond
	add(eib)
	fund := eq("F1", "Index Fund Co", "Funds", "US")
	fund.AssetClass = portfolio.AssetFund
	add(fund)
	return m
}

// desk builds a state with cash and quantities per symbol, every price 100.
func desk(cash string, qty map[string]string, tags ...string) State {
	secs := master()
	prices := map[string]decimal.Decimal{}
	for sym := range secs {
		prices[sym] = d("100")
	}
	h := portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "GLB", Name: "Global", BaseCurrency: "USD", Cash: d(cash), Tags: tags}}
	for _, sym := range sortedStrings(qty) {
		h.Positions = append(h.Positions, portfolio.Position{Portfolio: "GLB", Symbol: sym, Quantity: d(qty[sym])})
	}
	return State{Holdings: h, Prices: prices, Securities: secs, Now: testNow}
}

func sortedStrings(m map[string]string) []string {
	dm := map[string]decimal.Decimal{}
	for k := range m {
		dm[k] = decimal.Zero
	}
	return sortedKeys(dm)
}

func trade(side portfolio.Side, sym, qty, limit string) portfolio.Trade {
	return portfolio.Trade{Portfolio: "GLB", Symbol: sym, Side: side, Quantity: d(qty), LimitPrice: d(limit)}
}

func buy(sym, qty string) portfolio.Trade  { return trade(portfolio.Buy, sym, qty, "100") }
func sell(sym, qty string) portfolio.Trade { return trade(portfolio.Sell, sym, qty, "100") }

func rule(id string, k Kind, sev Severity, p Params) Rule {
	return Rule{ID: id, Name: id, Version: 1, Kind: k, Severity: sev, Params: p}
}

// only returns the results of rule id, failing when there are none.
func only(t *testing.T, rep Report, id string) []Result {
	t.Helper()
	var out []Result
	for _, r := range rep.Results {
		if r.RuleID == id {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no result for rule %s in %+v", id, rep.Results)
	}
	return out
}

// worst returns the most severe result of rule id (results come sorted).
func worst(t *testing.T, rep Report, id string) Result {
	t.Helper()
	return only(t, rep, id)[0]
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
