package compliance

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// syntheticUniverse is the number of securities in a synthetic master (a
// prime, so a stride through it visits distinct securities).
const syntheticUniverse = 2003

// Synthetic generates a deterministic desk for benchmarks (`ballast bench
// compliance`): portfolios states sharing one securities master and price
// map, each with positions positions worth about 10,000,000 with 5% cash, two
// working orders, three recent orders, and a basket of trades trades (half
// sales, half purchases, some outside the collar or above limits). Every third
// portfolio is tagged "ucits". The same seed gives the same desk.
func Synthetic(portfolios, positions, trades int, seed uint64) ([]State, [][]portfolio.Trade) {
	rng := rand.New(rand.NewPCG(seed, 0xba11a57))
	secs, prices, cents := syntheticMaster(rng)
	master := NewMaster(secs)
	names := make([]string, syntheticUniverse) // shared symbol strings: a smaller heap to scan
	for i := range names {
		names[i] = secs[fmt.Sprintf("S%04d", i)].Symbol
	}
	now := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	qcache := map[int64]decimal.Decimal{}
	qty := func(q int64) decimal.Decimal {
		d, ok := qcache[q]
		if !ok {
			d = decimal.NewFromInt(q)
			qcache[q] = d
		}
		return d
	}
	positions = min(positions, syntheticUniverse-1)
	states := make([]State, portfolios)
	baskets := make([][]portfolio.Trade, portfolios)
	for p := range portfolios {
		code := fmt.Sprintf("P%05d", p)
		start, step := rng.IntN(syntheticUniverse), 1+rng.IntN(syntheticUniverse-1)
		sym := func(k int) string { return names[(start+k*step)%syntheticUniverse] }
		h := portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: code, Name: code, BaseCurrency: "USD",
			Cash: decimal.NewFromInt(500_000)}}
		if p%3 == 0 {
			h.Portfolio.Tags = []string{"ucits"}
		}
		h.Positions = make([]portfolio.Position, positions)
		for k := range positions {
			s := sym(k)
			target := int64(9_500_000_00/positions) * int64(50+rng.IntN(100)) / 100 // cents
			h.Positions[k] = portfolio.Position{Portfolio: code, Symbol: s, Quantity: qty(max(1, target/cents[s]))}
		}
		st := State{Holdings: h, Prices: prices, Securities: secs, Now: now, Master: master}
		for k := range 2 {
			st.Working = append(st.Working, portfolio.Trade{Portfolio: code, Symbol: sym(k), Side: portfolio.Sell, Quantity: qty(10)})
		}
		for k := range 3 {
			st.Recent = append(st.Recent, RecentOrder{ID: fmt.Sprintf("%s-%d", code, k), Portfolio: code, Symbol: sym(k * 7),
				Side: portfolio.Buy, Quantity: qty(100), At: now.Add(-time.Duration(k*7) * time.Minute)})
		}
		states[p] = st
		baskets[p] = syntheticBasket(rng, code, trades, h.Positions, sym, cents, qty)
	}
	return states, baskets
}

// syntheticBasket makes half sales of held securities and half purchases.
func syntheticBasket(rng *rand.Rand, code string, n int, held []portfolio.Position, sym func(int) string,
	cents map[string]int64, qty func(int64) decimal.Decimal) []portfolio.Trade {
	out := make([]portfolio.Trade, n)
	for i := range n {
		t := portfolio.Trade{Portfolio: code, Side: portfolio.Buy}
		k := rng.IntN(len(held) + 20)
		if i%2 == 0 {
			k = rng.IntN(len(held))
			t.Side = portfolio.Sell
		}
		t.Symbol = sym(k)
		c := cents[t.Symbol]
		bps := int64(rng.IntN(600)) // up to 6% away: a few outside the soft collar
		if t.Side == portfolio.Buy {
			c += c * bps / 10000
		} else {
			c -= c * bps / 10000
		}
		t.LimitPrice = decimal.New(c, -2)
		t.Quantity = qty(max(1, int64(3_000_000+rng.IntN(20_000_000))/c))
		if t.Side == portfolio.Sell {
			t.Quantity = qty(max(1, held[k].Quantity.IntPart()/2))
		}
		out[i] = t
	}
	return out
}

// syntheticMaster builds the shared securities master and prices: mostly
// equities, some government and corporate bonds and funds.
func syntheticMaster(rng *rand.Rand) (map[string]portfolio.Security, map[string]decimal.Decimal, map[string]int64) {
	sectors := []string{"Technology", "Financials", "Health Care", "Energy", "Industrials", "Utilities",
		"Materials", "Consumer Staples", "Consumer Discretionary", "Real Estate", "Communication"}
	countries := []string{"US", "GB", "DE", "FR", "JP", "CH", "NL", "CA"}
	secs := make(map[string]portfolio.Security, syntheticUniverse)
	prices := make(map[string]decimal.Decimal, syntheticUniverse)
	cents := make(map[string]int64, syntheticUniverse)
	for i := range syntheticUniverse {
		s := portfolio.Security{Symbol: fmt.Sprintf("S%04d", i), Issuer: fmt.Sprintf("Issuer %04d", i/2),
			Sector: sectors[i%len(sectors)], Country: countries[(i/3)%len(countries)], Currency: "USD",
			AssetClass: portfolio.AssetEquity, LotSize: decimal.NewFromInt(1),
			ADV:               decimal.NewFromInt(int64(50_000 + rng.IntN(5_000_000))),
			SharesOutstanding: decimal.NewFromInt(int64(1_000_000 + rng.IntN(1_000_000_000)))}
		switch i % 20 {
		case 1:
			s.AssetClass, s.Issuer, s.Sector = portfolio.AssetGovernmentBond, "Government of "+s.Country, "Government"
		case 2:
			s.AssetClass = portfolio.AssetCorporateBond
		case 3:
			s.AssetClass, s.Issuer = portfolio.AssetFund, fmt.Sprintf("Fund %04d", i)
		}
		s.Name = s.Symbol + " " + s.Issuer
		c := int64(1_000 + rng.IntN(49_000))
		secs[s.Symbol], prices[s.Symbol], cents[s.Symbol] = s, decimal.New(c, -2), c
	}
	return secs, prices, cents
}

// SyntheticRules returns the 15 rules the benchmark checks: every kind of the
// library, with the weight limit in four dimensions.
func SyntheticRules() []Rule {
	n := decimal.NewFromInt
	rules := []Rule{
		{ID: "long-only", Kind: KindLongOnly, Severity: Hard},
		{ID: "cash-floor", Kind: KindCashFloor, Severity: Hard},
		{ID: "restricted", Kind: KindRestricted, Severity: Hard, Params: Params{Mode: NoBuy, Symbols: []string{"S0007", "S0011"}}},
		{ID: "security-8", Kind: KindMaxWeight, Severity: Hard, Params: Params{Dimension: BySecurity, Limit: n(8), WarnPct: n(90)}},
		{ID: "issuer-10", Kind: KindMaxWeight, Severity: Hard, Params: Params{Dimension: ByIssuer, Limit: n(10), WarnPct: n(90)}},
		{ID: "sector-30", Kind: KindMaxWeight, Severity: Soft, Params: Params{Dimension: BySector, Limit: n(30), WarnPct: n(90)}},
		{ID: "country-50", Kind: KindMaxWeight, Severity: Soft, Params: Params{Dimension: ByCountry, Limit: n(50)}},
		{ID: "min-holdings", Kind: KindMinHoldings, Severity: Soft, Params: Params{Limit: n(20)}},
		{ID: "max-notional", Kind: KindMaxNotional, Severity: Soft, Params: Params{Limit: n(300_000), WarnPct: n(80)}},
		{ID: "max-quantity", Kind: KindMaxQuantity, Severity: Hard, Params: Params{Limit: n(40_000)}},
		{ID: "price-collar", Kind: KindPriceCollar, Params: Params{SoftBps: n(500), HardBps: n(1000)}},
		{ID: "max-adv", Kind: KindMaxADV, Severity: Soft, Params: Params{Limit: n(25)}},
		{ID: "duplicate", Kind: KindDuplicate, Severity: Soft, Params: Params{Minutes: 10}},
		{ID: "ucits", Kind: KindUCITS, Severity: Hard, Scope: Scope{Tag: "ucits"}},
		{ID: "act1940", Kind: KindAct1940, Severity: Hard},
	}
	for i := range rules {
		rules[i].Name, rules[i].Version = rules[i].ID, 1
	}
	return rules
}
