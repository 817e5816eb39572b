package rebalance

import (
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

func TestPlanTable(t *testing.T) {
	ab := mdl("1", "AAA=50", "BBB=50")
	tests := []struct {
		name   string
		in     Input
		opts   Options
		want   string   // tradesString
		reason []string // substrings of the trades' reasons, in trade order
		state  CashState
	}{
		{"target mode: whole lots rounded down, odd-lot sale of a whole off-model position",
			hold("0", ab, "AAA 650@10 lot 10", "BBB 335@10 lot 10", "ZZZ 15@10 lot 10"), Options{},
			"sell AAA 150 @10\nsell ZZZ 15 @10\nbuy BBB 160 @10\n",
			[]string{"overweight 65.00% vs target 50.00% (band ±1)", "not in model, overweight 1.50% vs target 0.00% (band ±1); sell the whole position", "underweight 33.50% vs target 50.00% (band ±1)"}, CashInBand},
		{"band mode: to the nearest band edge, rounded into the band",
			hold("0", ab, "AAA 650@10 lot 10", "BBB 335@10 lot 10", "ZZZ 15@10 lot 10"), Options{Mode: ModeBand},
			"sell AAA 140 @10\nsell ZZZ 10 @10\nbuy BBB 150 @10\n",
			[]string{"; to the band edge 51.00%", "; to the band edge 1.00%", "; to the band edge 49.00%; scaled down: not enough cash"}, CashInBand},
		{"reserve as a percentage shrinks the targets",
			hold("1000", mdl("1", "AAA=100"), "AAA 900@10"), Options{CashReserve: Reserve{Percent: true, Value: d("5")}},
			"buy AAA 50 @10\n", []string{"underweight 90.00% vs target 95.00%"}, CashInBand},
		{"reserve as an amount",
			hold("1000", mdl("1", "AAA=100"), "AAA 900@10"), Options{CashReserve: Reserve{Value: d("800")}},
			"buy AAA 20 @10\n", nil, CashInBand},
		{"a reserve above cash sells to fund it",
			hold("0", mdl("1", "AAA=100"), "AAA 1000@10"), Options{CashReserve: Reserve{Percent: true, Value: d("5")}},
			"sell AAA 50 @10\n", []string{"overweight 100.00% vs target 95.00%"}, CashInBand},
		{"buy-only invests cash, sells nothing, scales down",
			hold("2000", ab, "AAA 600@10", "BBB 200@10"), Options{BuyOnly: true},
			"buy BBB 200 @10\n", []string{"scaled down: not enough cash"}, CashInBand},
		{"raise sells the most overweight first",
			hold("0", mdl("5", "AAA=40", "BBB=40", "CCC=20"), "AAA 4300@1", "BBB 4100@1", "CCC 1600@1"), Options{Raise: d("500")},
			"sell AAA 500 @1\n", []string{"overweight 43.00% vs target 38.00% (band ±5), in band; raising 500 cash, most overweight first"}, CashUnder},
		{"do-not-buy",
			hold("0", ab, "AAA 600@10", "BBB 400@10"), Options{},
			"sell AAA 100 @10\nbuy BBB 100 @10\n", nil, CashInBand},
		{"do-not-sell holds an overweight security",
			withRestriction(hold("0", ab, "AAA 600@10", "BBB 400@10"), "AAA", Restriction{DoNotSell: true}), Options{},
			"", nil, CashInBand},
		{"excluded security leaves NAV; the other targets are rescaled",
			withRestriction(hold("0", mdl("1", "AAA=40", "BBB=40", "XXX=20"), "AAA 5000@1", "BBB 3000@1", "XXX 2000@1"), "XXX", Restriction{Excluded: true}), Options{},
			"sell AAA 1000 @1\nbuy BBB 1000 @1\n", []string{"overweight 62.50% vs target 50.00%", "underweight 37.50% vs target 50.00%"}, CashInBand},
		{"collar: sells round down to the tick, buys up; buys scaled to the sale proceeds",
			hold("0", ab, "AAA 600@10.03 tick 0.05", "BBB 400@10.03 tick 0.05"), Options{CollarBps: 50},
			"sell AAA 100 @9.95\nbuy BBB 98 @10.1\n", nil, CashInBand},
		{"minimum trade",
			hold("0", ab, "AAA 5200@1", "BBB 4800@1"), Options{MinTrade: d("500")},
			"", nil, CashInBand},
		{"below the minimum trade it trades",
			hold("0", ab, "AAA 5200@1", "BBB 4800@1"), Options{MinTrade: d("200")},
			"sell AAA 200 @1\nbuy BBB 200 @1\n", nil, CashInBand},
		{"cash above its band buys underweights inside their band (target mode: to target)",
			hold("1500", mdl("3", "AAA=45", "BBB=45", "CASH=10"), "AAA 4300@1", "BBB 4200@1"), Options{},
			"buy AAA 200 @1\nbuy BBB 300 @1\n", []string{"in band; cash 15.00% after the out-of-band trades is above its band 13.00%"}, CashOver},
		{"cash above its band (band mode: down to the band edge, most underweight first)",
			hold("1500", mdl("3", "AAA=45", "BBB=45", "CASH=10"), "AAA 4300@1", "BBB 4200@1"), Options{Mode: ModeBand},
			"buy BBB 200 @1\n", nil, CashOver},
		{"cash under its floor sells overweights inside their band, most overweight first",
			hold("500", mdl("3", "AAA=45", "BBB=45", "CASH=10"), "AAA 4800@1", "BBB 4700@1"), Options{},
			"sell AAA 300 @1\nsell BBB 200 @1\n", []string{"below its floor 7.00%"}, CashUnder},
		{"cash under its floor, band mode: up to the floor only",
			hold("500", mdl("3", "AAA=45", "BBB=45", "CASH=10"), "AAA 4800@1", "BBB 4700@1"), Options{Mode: ModeBand},
			"sell AAA 200 @1\n", nil, CashUnder},
		{"scaling: pro rata in whole lots, then the rest by largest shortfall",
			withRestriction(hold("1000", mdl("1", "AAA=30", "BBB=30", "CCC=40"), "AAA 2000@1 lot 100", "BBB 2500@1", "CCC 4500@1"), "CCC", Restriction{DoNotSell: true}), Options{},
			"buy AAA 600 @1\nbuy BBB 400 @1\n", nil, CashInBand},
		{"nothing to do inside the bands",
			hold("50", mdl("1", "AAA=50", "BBB=45", "CASH=5"), "AAA 50@10", "BBB 45@10"), Options{},
			"", nil, CashInBand},
	}
	tests[7].in = withRestriction(tests[7].in, "BBB", Restriction{DoNotBuy: true})
	tests[7].want = "sell AAA 100 @10\n"
	tests[7].state = CashOver
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustPlan(t, tt.in, tt.opts)
			if got := tradesString(r); got != tt.want {
				t.Fatalf("trades:\n%s\nwant:\n%s\nreasons: %v", got, tt.want, reasons(r))
			}
			for k, sub := range tt.reason {
				if !strings.Contains(r.Trades[k].Reason, sub) {
					t.Errorf("trade %d reason %q, want it to contain %q", k, r.Trades[k].Reason, sub)
				}
			}
			if r.CashState != tt.state {
				t.Errorf("CashState = %s, want %s", r.CashState, tt.state)
			}
		})
	}
}

func withRestriction(in Input, sym string, r Restriction) Input {
	if in.Restrictions == nil {
		in.Restrictions = map[string]Restriction{}
	}
	in.Restrictions[sym] = r
	return in
}

func reasons(r Result) []string {
	var out []string
	for _, t := range r.Trades {
		out = append(out, t.Reason)
	}
	return out
}

func TestPlanResultFigures(t *testing.T) {
	in := withRestriction(hold("0", mdl("1", "AAA=40", "BBB=40", "XXX=20"), "AAA 5000@1", "BBB 3000@1", "XXX 2000@1"), "XXX", Restriction{Excluded: true})
	r := mustPlan(t, in, Options{})
	if !r.NAV.Equal(d("8000")) || !r.NAVAfter.Equal(d("8000")) || !r.CashBefore.IsZero() || !r.CashAfter.IsZero() {
		t.Errorf("NAV %s→%s, cash %s→%s; want 8000→8000 and 0→0", r.NAV, r.NAVAfter, r.CashBefore, r.CashAfter)
	}
	aaa := lineOf(r, "AAA")
	if !aaa.TargetValue.Equal(d("4000")) || !aaa.Target.Equal(d("50")) || !aaa.Weight.Equal(d("62.5")) || !aaa.WeightAfter.Equal(d("50")) || !aaa.QuantityAfter.Equal(d("4000")) {
		t.Errorf("AAA line = %+v", aaa)
	}
	if x := lineOf(r, "XXX"); !x.Restriction.Excluded || !x.QuantityAfter.Equal(d("2000")) {
		t.Errorf("XXX line = %+v", x)
	}
	if last := r.Lines[len(r.Lines)-1]; last.Symbol != portfolio.CashSymbol {
		t.Errorf("last line %s, want CASH", last.Symbol)
	}
}

func TestRaiseShortfall(t *testing.T) {
	in := withRestriction(hold("0", mdl("5", "AAA=40", "BBB=40", "CCC=20"), "AAA 4300@1", "BBB 4100@1", "CCC 1600@1"), "AAA", Restriction{DoNotSell: true})
	r := mustPlan(t, in, Options{Raise: d("500")})
	if got := tradesString(r); got != "sell BBB 300 @1\n" {
		t.Fatalf("trades %q, want BBB sold to its target and no further", got)
	}
	if !r.Shortfall.Equal(d("200")) {
		t.Errorf("Shortfall = %s, want 200", r.Shortfall)
	}
}

func TestPlanErrors(t *testing.T) {
	ab := mdl("1", "AAA=50", "BBB=50")
	noPrice := hold("0", ab, "AAA 10@10", "BBB 10@10")
	delete(noPrice.Prices, "BBB")
	noSec := hold("0", ab, "AAA 10@10", "BBB 10@10")
	delete(noSec.Securities, "AAA")
	excludedNoPrice := withRestriction(hold("0", mdl("1", "AAA=50", "BBB=50"), "AAA 10@10", "BBB 10@10", "XXX 5@1"), "XXX", Restriction{Excluded: true})
	delete(excludedNoPrice.Prices, "XXX")
	tests := []struct {
		name string
		in   Input
		opts Options
		want string // "" means no error
	}{
		{"missing price is an error, not a skip", noPrice, Options{}, "BBB: no positive price"},
		{"missing security", noSec, Options{}, "AAA: no security with a positive lot size"},
		{"short position", hold("0", ab, "AAA -10@10", "BBB 10@10"), Options{}, "AAA: quantity -10 is short"},
		{"bad model", hold("0", mdl("1", "AAA=50", "BBB=49.5"), "AAA 10@10"), Options{}, "weights sum to 99.5, 0.5 short of 100"},
		{"bad options", hold("0", ab, "AAA 10@10"), Options{BuyOnly: true, Raise: d("1")}, "buy-only and raise cannot be combined"},
		{"bad mode", hold("0", ab, "AAA 10@10"), Options{Mode: "drift"}, `mode "drift" is not target or band`},
		{"raise above NAV", hold("0", ab, "AAA 10@10", "BBB 10@10"), Options{Raise: d("201")}, "reserve and raise exceed NAV"},
		{"every target excluded", withRestriction(hold("10", mdl("1", "AAA=100"), "AAA 10@10"), "AAA", Restriction{Excluded: true}), Options{}, "every target is excluded"},
		{"no NAV", hold("0", ab, "AAA 0@10", "BBB 0@10"), Options{}, "NAV 0 is not positive"},
		{"an excluded security needs no price", excludedNoPrice, Options{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Plan(tt.in, tt.opts)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Plan: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Plan error = %v, want %q", err, tt.want)
			case err != nil && !strings.HasPrefix(err.Error(), "rebalance P1: "):
				t.Errorf("error %q does not name the portfolio", err)
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	if r, err := ParseReserve("2%"); err != nil || !r.Percent || !r.Value.Equal(d("2")) || r.String() != "2%" {
		t.Errorf("ParseReserve(2%%) = %+v, %v", r, err)
	}
	if r, err := ParseReserve("10000"); err != nil || r.Percent || !r.Amount(d("1")).Equal(d("10000")) {
		t.Errorf("ParseReserve(10000) = %+v, %v", r, err)
	}
	for _, bad := range []string{"", "x", "-1", "101%"} {
		if _, err := ParseReserve(bad); err == nil {
			t.Errorf("ParseReserve(%q) succeeded", bad)
		}
	}
	if m, err := ParseMode("band"); err != nil || m != ModeBand {
		t.Errorf("ParseMode(band) = %v, %v", m, err)
	}
}
