package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/portfolio"
)

func TestRestrictedModes(t *testing.T) {
	held := map[string]string{"A1": "100", "C1": "100"}
	short := trade(portfolio.SellShort, "C1", "1", "100")
	cases := []struct {
		name  string
		mode  Mode
		t     portfolio.Trade
		want  Status
		byIss bool
	}{
		{"no_trade blocks a buy", NoTrade, buy("C1", "1"), Fail, false},
		{"no_trade blocks a sale", NoTrade, sell("C1", "1"), Fail, false},
		{"no_buy blocks a buy", NoBuy, buy("C1", "1"), Fail, false},
		{"no_buy allows a sale", NoBuy, sell("C1", "100"), Pass, false},
		{"sell_only allows a sale down to zero", SellOnly, sell("C1", "100"), Pass, false},
		{"sell_only blocks a sale past zero", SellOnly, sell("C1", "101"), Fail, false},
		{"sell_only blocks a short sale", SellOnly, short, Fail, false},
		{"sell_only blocks a buy", SellOnly, buy("C1", "1"), Fail, false},
		{"by issuer: another security of the issuer", NoBuy, buy("A2", "1"), Fail, true},
		{"by issuer: other issuers pass", NoBuy, buy("B1", "1"), Pass, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Params{Mode: c.mode, Symbols: []string{"C1"}}
			if c.byIss {
				p = Params{Mode: c.mode, Issuers: []string{"Alpha"}}
			}
			rep := Check(desk("100000", held), []portfolio.Trade{c.t}, []Rule{rule("rl", KindRestricted, Hard, p)})
			res := worst(t, rep, "rl")
			if res.Status != c.want {
				t.Fatalf("got %s, want %s: %s", res.Status, c.want, res.Message)
			}
			if c.want == Fail && (!sameInts(res.Trades, []int{0}) || rep.Trades[0].Status != "fail") {
				t.Fatalf("breach not attributed to the trade: %+v / %+v", res, rep.Trades[0])
			}
		})
	}
}

func TestPerOrderLimits(t *testing.T) {
	cases := []struct {
		name string
		r    Rule
		t    portfolio.Trade
		want Status
	}{
		{"notional at the limit", rule("x", KindMaxNotional, Hard, Params{Limit: d("10000")}), buy("A1", "100"), Pass},
		{"notional just over, hard", rule("x", KindMaxNotional, Hard, Params{Limit: d("10000")}), trade(portfolio.Buy, "A1", "100", "100.01"), Fail},
		{"notional just over, soft", rule("x", KindMaxNotional, Soft, Params{Limit: d("10000")}), buy("A1", "101"), NeedsOverride},
		{"notional in the warning band", rule("x", KindMaxNotional, Soft, Params{Limit: d("10000"), WarnPct: d("80")}), buy("A1", "80"), Warn},
		{"notional under the warning band", rule("x", KindMaxNotional, Soft, Params{Limit: d("10000"), WarnPct: d("80")}), buy("A1", "79"), Pass},
		{"market order valued at the last price", rule("x", KindMaxNotional, Hard, Params{Limit: d("10000")}), trade(portfolio.Sell, "A1", "101", "0"), Fail},
		{"quantity at the limit", rule("x", KindMaxQuantity, Hard, Params{Limit: d("100")}), sell("A1", "100"), Pass},
		{"quantity just over", rule("x", KindMaxQuantity, Hard, Params{Limit: d("100")}), sell("A1", "101"), Fail},
		{"ADV at the limit", rule("x", KindMaxADV, Hard, Params{Limit: d("10")}), buy("A1", "10000"), Pass},
		{"ADV just over", rule("x", KindMaxADV, Hard, Params{Limit: d("10")}), buy("A1", "10001"), Fail},
		{"no ADV in the master warns", rule("x", KindMaxADV, Hard, Params{Limit: d("10")}), buy("Z1", "1"), Warn},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(desk("10000000", map[string]string{"A1": "1000"}), []portfolio.Trade{c.t}, []Rule{c.r})
			if res := worst(t, rep, "x"); res.Status != c.want {
				t.Fatalf("got %s, want %s: %s", res.Status, c.want, res.Message)
			}
		})
	}
}

func TestPriceCollarBands(t *testing.T) {
	collar := Rule{ID: "collar", Name: "collar", Version: 1, Kind: KindPriceCollar,
		Params: Params{SoftBps: d("500"), HardBps: d("1000"), WarnPct: d("80")}}
	cases := []struct {
		name, limit string
		side        portfolio.Side
		want        Status
		sev         Severity
	}{
		{"market order", "0", portfolio.Buy, Pass, ""},
		{"inside", "101", portfolio.Buy, Pass, ""},
		{"warning band of the soft band", "104", portfolio.Buy, Warn, Soft},
		{"exactly at the soft band", "105", portfolio.Buy, Warn, Soft},
		{"just past the soft band", "105.01", portfolio.Buy, NeedsOverride, Soft},
		{"sell below, past the soft band", "94.99", portfolio.Sell, NeedsOverride, Soft},
		{"exactly at the hard band", "110", portfolio.Buy, NeedsOverride, Soft},
		{"just past the hard band", "110.01", portfolio.Buy, Fail, Hard},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(desk("1000000", map[string]string{"A1": "100"}), []portfolio.Trade{trade(c.side, "A1", "1", c.limit)}, []Rule{collar})
			res := worst(t, rep, "collar")
			if res.Status != c.want || (c.sev != "" && res.Severity != c.sev) {
				t.Fatalf("got %s/%s, want %s/%s: %s", res.Status, res.Severity, c.want, c.sev, res.Message)
			}
		})
	}
}

func TestDuplicateOrders(t *testing.T) {
	dup := rule("dup", KindDuplicate, Soft, Params{Minutes: 10})
	recent := func(portfolioCode string, side portfolio.Side, ago time.Duration) []RecentOrder {
		return []RecentOrder{{ID: "77", Portfolio: portfolioCode, Symbol: "A1", Side: side, Quantity: d("5"), At: testNow.Add(-ago)}}
	}
	cases := []struct {
		name   string
		recent []RecentOrder
		basket []portfolio.Trade
		want   Status
		trades []int
	}{
		{"same side exactly 10 minutes ago", recent("GLB", portfolio.Buy, 10*time.Minute), []portfolio.Trade{buy("A1", "5")}, NeedsOverride, []int{0}},
		{"just outside the window", recent("GLB", portfolio.Buy, 10*time.Minute+time.Second), []portfolio.Trade{buy("A1", "5")}, Pass, nil},
		{"other side", recent("GLB", portfolio.Sell, time.Minute), []portfolio.Trade{buy("A1", "5")}, Pass, nil},
		{"other portfolio", recent("EUR", portfolio.Buy, time.Minute), []portfolio.Trade{buy("A1", "5")}, Pass, nil},
		{"twice in one basket: the second", nil, []portfolio.Trade{buy("A1", "5"), buy("B1", "1"), buy("A1", "5")}, NeedsOverride, []int{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := desk("1000000", nil)
			st.Recent = c.recent
			res := worst(t, Check(st, c.basket, []Rule{dup}), "dup")
			if res.Status != c.want || !sameInts(res.Trades, c.trades) {
				t.Fatalf("got %s %v, want %s %v: %s", res.Status, res.Trades, c.want, c.trades, res.Message)
			}
		})
	}
}

func TestRestrictedHoldingsAreNoted(t *testing.T) {
	held := map[string]string{"C1": "100", "A1": "50"}
	cases := []struct {
		name   string
		p      Params
		basket []portfolio.Trade
		groups []string
	}{
		{"sell_only symbol held", Params{Mode: SellOnly, Symbols: []string{"C1"}}, nil, []string{"C1"}},
		{"sold out in the basket", Params{Mode: SellOnly, Symbols: []string{"C1"}}, []portfolio.Trade{sell("C1", "100")}, nil},
		{"no_trade issuer held", Params{Mode: NoTrade, Issuers: []string{"Alpha"}}, nil, []string{"Alpha"}},
		{"no_buy asks for no sale", Params{Mode: NoBuy, Symbols: []string{"C1"}}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(desk("100000", held), c.basket, []Rule{rule("rl", KindRestricted, Hard, c.p)})
			var got []string
			for _, r := range only(t, rep, "rl") {
				if r.Status == Warn {
					got = append(got, r.Group)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.groups, ",") {
				t.Fatalf("warned for %v, want %v", got, c.groups)
			}
		})
	}
	alerts := Batch([]State{desk("100000", held)}, []Rule{rule("rl", KindRestricted, Hard, Params{Mode: SellOnly, Symbols: []string{"C1"}})})
	if len(alerts) != 1 || alerts[0].Level != AlertWarning || alerts[0].Message != "holds 100 C1, on the sell_only list" {
		t.Fatalf("%+v", alerts)
	}
}
