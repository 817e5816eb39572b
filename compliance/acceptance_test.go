package compliance

import (
	"fmt"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

// The cases COMPLIANCE.md names: evaluate the basket, not the order.

func TestASaleFundsABuyInTheSameBasket(t *testing.T) {
	cash := rule("cash", KindCashFloor, Hard, Params{})
	st := desk("0", map[string]string{"C1": "1000"})
	alone := Check(st, []portfolio.Trade{buy("A1", "400")}, []Rule{cash})
	if !alone.Blocked() {
		t.Fatalf("the buy alone overdraws: %s", alone.Summary())
	}
	rep := Check(st, []portfolio.Trade{sell("C1", "500"), buy("A1", "400")}, []Rule{cash})
	res := worst(t, rep, "cash")
	if rep.Blocked() || !rep.Status.Allowed() || res.Status == Fail || !res.Value.Equal(d("10000")) {
		t.Fatalf("the sale funds the buy, the basket passes the cash rule: %s %+v", rep.Summary(), res)
	}
	// Partial fills happen: the worst-case path (buys filled, sells not) is shown.
	if res.Status != Warn || !rep.CashWorstCase.Equal(d("-40000")) {
		t.Fatalf("want a worst-case warning at -40000: %s, %s", res.Status, rep.CashWorstCase)
	}
	for _, s := range rep.Trades {
		if s.Status == "fail" {
			t.Fatalf("no trade of the basket fails: %+v", rep.Trades)
		}
	}
}

func TestTenBuysThatEachPassBreachTheSectorCapTogether(t *testing.T) {
	sector := rule("sector-30", KindMaxWeight, Hard, Params{Dimension: BySector, Limit: d("30")})
	st := desk("800000", map[string]string{"H11": "2000"}) // Health Care at 20%
	var basket []portfolio.Trade
	for i := 1; i <= 10; i++ {
		b := buy(fmt.Sprintf("H%d", i), "150") // 1.5% each
		basket = append(basket, b)
		if one := Check(st, []portfolio.Trade{b}, []Rule{sector}); one.Status != Pass {
			t.Fatalf("buy %d alone should pass: %s", i, one.Summary())
		}
	}
	rep := Check(st, basket, []Rule{sector})
	res := worst(t, rep, "sector-30")
	if res.Status != Fail || res.Group != "Health Care" || !res.Value.Equal(d("35")) {
		t.Fatalf("together they breach: %+v", res)
	}
	if !sameInts(res.Trades, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("the breach is attributed to all ten buys, got %v", res.Trades)
	}
	for i, s := range rep.Trades {
		if s.Status != "fail" || len(s.Breaches) != 1 || s.Breaches[0].Rule != "sector-30" {
			t.Fatalf("trade %d summary %+v", i, s)
		}
	}
}

func TestAPassiveBreachTheBasketImprovesIsAllowed(t *testing.T) {
	issuer := rule("issuer-10", KindMaxWeight, Hard, Params{Dimension: ByIssuer, Limit: d("10")})
	st := desk("880000", map[string]string{"A1": "1200"}) // 12% after a market move
	rep := Check(st, []portfolio.Trade{sell("A1", "100")}, []Rule{issuer})
	res := worst(t, rep, "issuer-10")
	if res.Status != Passive || rep.Blocked() || !rep.Status.Allowed() || len(res.Trades) != 0 {
		t.Fatalf("improved passive breach is allowed and noted: %s %+v", rep.Summary(), res)
	}
	if !res.Before.Equal(d("12")) || !res.Value.Equal(d("11")) || rep.Trades[0].Status != "pass" {
		t.Fatalf("before/after %s/%s, trade %+v", res.Before, res.Value, rep.Trades[0])
	}
	worse := Check(st, []portfolio.Trade{buy("A1", "1")}, []Rule{issuer})
	if !worse.Blocked() {
		t.Fatalf("a buy that worsens the breach is blocked: %s", worse.Summary())
	}
}

func TestScopeByTagAndByPortfolio(t *testing.T) {
	held := map[string]string{"A1": "900", "B1": "900", "C1": "900", "H1": "900", "H2": "900"} // bucket 45%
	ucits := Rule{ID: "ucits", Name: "UCITS", Version: 1, Kind: KindUCITS, Severity: Hard, Scope: Scope{Tag: "ucits"}}
	basket := []portfolio.Trade{buy("H3", "10")}
	if rep := Check(desk("550000", held), basket, []Rule{ucits}); len(rep.Results) != 0 {
		t.Fatalf("an untagged portfolio is out of scope: %+v", rep.Results)
	}
	if rep := Check(desk("550000", held, "ucits"), basket, []Rule{ucits}); worst(t, rep, "ucits").Status != Passive {
		t.Fatalf("a tagged portfolio is checked: %s", rep.Summary())
	}
	one := ucits
	one.Scope = Scope{Portfolio: "EUR"}
	if rep := Check(desk("550000", held, "ucits"), basket, []Rule{one}); len(rep.Results) != 0 {
		t.Fatalf("a rule for portfolio EUR does not apply to GLB")
	}
	one.Scope = Scope{Portfolio: "GLB", Tag: "ucits"}
	if rep := Check(desk("550000", held, "ucits"), basket, []Rule{one}); len(rep.Results) == 0 {
		t.Fatalf("portfolio and tag both match")
	}
}

func TestSoftSectorWarnsAt90PercentOfTheLimit(t *testing.T) {
	rules := DemoRules("B1", "C1")
	cases := []struct {
		qty  string
		want Status
	}{{"2699", Pass}, {"2700", Warn}, {"3000", Warn}, {"3001", NeedsOverride}}
	for _, c := range cases {
		st := desk("1000000", nil)
		var basket []portfolio.Trade
		for i, n := 0, d(c.qty); n.IsPositive(); i++ { // spread over issuers to stay under 10% each
			q := d("900")
			if n.LessThan(q) {
				q = n
			}
			basket = append(basket, buy(fmt.Sprintf("H%d", i+1), q.String()))
			n = n.Sub(q)
		}
		rep := Check(st, basket, rules)
		if res := worst(t, rep, "sector-30"); res.Status != c.want {
			t.Fatalf("health care %s shares: got %s, want %s (%s)", c.qty, res.Status, c.want, res.Message)
		}
	}
}

func TestDemoRestrictedBuyIsBlockedWithTheReason(t *testing.T) {
	rep := Check(desk("1000000", nil), []portfolio.Trade{buy("A1", "10"), buy("C1", "10")}, DemoRules("C1", "B1"))
	if !rep.Blocked() || rep.Trades[1].Status != "fail" || rep.Trades[0].Status != "pass" {
		t.Fatalf("buying a restricted name is blocked: %s %+v", rep.Summary(), rep.Trades)
	}
	if b := rep.Trades[1].Breaches[0]; b.Rule != "restricted" || b.Severity != Hard || b.Message == "" {
		t.Fatalf("reason: %+v", b)
	}
}

func TestNAVMovesAloneDoNotMakeABreachActive(t *testing.T) {
	issuer := rule("issuer-10", KindMaxWeight, Hard, Params{Dimension: ByIssuer, Limit: d("10")})
	// Alpha at 12%; buying H3 above the last price lowers NAV, so Alpha's weight creeps up.
	rep := Check(desk("180000", map[string]string{"A1": "1200", "C1": "7000"}), []portfolio.Trade{trade(portfolio.Buy, "H3", "300", "106")}, []Rule{issuer})
	for _, res := range only(t, rep, "issuer-10") {
		if res.Group == "Alpha" && (res.Status != Passive || !res.Value.GreaterThan(res.Before)) {
			t.Fatalf("no trade adds to Alpha: %+v", res)
		}
	}
	// Alpha at exactly 10%; a sale below the last price elsewhere pushes it over.
	rep = Check(desk("800000", map[string]string{"A1": "1000", "C1": "1000"}), []portfolio.Trade{trade(portfolio.Sell, "C1", "100", "50")}, []Rule{issuer})
	if res := worst(t, rep, "issuer-10"); res.Status != Passive || res.Group != "Alpha" || !res.Value.Equal(d("10.0503")) {
		t.Fatalf("a breach with no contributing trade is passive: %+v", res)
	}
}
