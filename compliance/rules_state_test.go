package compliance

import (
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

// NAV is 1,000,000 in every case (all cash, buys at the last price), so 1,000
// shares at 100 are exactly 10%.
func TestMaxWeightEveryDimensionAtAndOverTheLimit(t *testing.T) {
	for _, dim := range Dimensions {
		cases := []struct {
			name  string
			qty   string
			sev   Severity
			warn  string
			want  Status
			value string
		}{
			{"exactly at the limit", "1000", Hard, "0", Pass, "10"},
			{"just over the limit, hard", "1001", Hard, "0", Fail, "10.01"},
			{"just over the limit, soft", "1001", Soft, "0", NeedsOverride, "10.01"},
			{"at the warning level", "900", Hard, "90", Warn, "9"},
			{"just under the warning level", "899", Hard, "90", Pass, "8.99"},
			{"at the limit inside the band", "1000", Hard, "90", Warn, "10"},
		}
		for _, c := range cases {
			t.Run(string(dim)+"/"+c.name, func(t *testing.T) {
				r := rule("w", KindMaxWeight, c.sev, Params{Dimension: dim, Limit: d("10"), WarnPct: d(c.warn)})
				rep := Check(desk("1000000", nil), []portfolio.Trade{buy("C1", c.qty)}, []Rule{r})
				res := worst(t, rep, "w")
				if res.Status != c.want || !res.Value.Equal(d(c.value)) {
					t.Fatalf("status %s value %s, want %s %s (%s)", res.Status, res.Value, c.want, c.value, res.Message)
				}
				if c.want != Pass && !sameInts(res.Trades, []int{0}) {
					t.Fatalf("trades %v, want [0]", res.Trades)
				}
			})
		}
	}
}

func TestMaxWeightGroupsIssuerAcrossSecuritiesAndHonoursKeys(t *testing.T) {
	issuer := rule("issuer", KindMaxWeight, Hard, Params{Dimension: ByIssuer, Limit: d("10")})
	rep := Check(desk("1000000", nil), []portfolio.Trade{buy("A1", "600"), buy("A2", "500")}, []Rule{issuer})
	res := worst(t, rep, "issuer")
	if res.Status != Fail || res.Group != "Alpha" || !res.Value.Equal(d("11")) || !sameInts(res.Trades, []int{0, 1}) {
		t.Fatalf("got %+v", res)
	}
	energyOnly := rule("energy", KindMaxWeight, Hard, Params{Dimension: BySector, Limit: d("10"), Keys: []string{"Energy"}})
	rep = Check(desk("1000000", nil), []portfolio.Trade{buy("A1", "2000")}, []Rule{energyOnly})
	if res := worst(t, rep, "energy"); res.Status != Pass {
		t.Fatalf("technology at 20%% should not count against an energy-only limit: %+v", res)
	}
}

func TestMinHoldings(t *testing.T) {
	held := map[string]string{"A1": "10", "B1": "10", "C1": "10"}
	cases := []struct {
		name   string
		basket []portfolio.Trade
		want   Status
		trades []int
	}{
		{"exactly at the minimum", nil, Pass, nil},
		{"a partial sale keeps the count", []portfolio.Trade{sell("A1", "5")}, Pass, nil},
		{"closing a position goes under", []portfolio.Trade{sell("A1", "10"), buy("B1", "1")}, Fail, []int{0}},
		{"a new position replaces a closed one", []portfolio.Trade{sell("A1", "10"), buy("H1", "1")}, Pass, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rule("min", KindMinHoldings, Hard, Params{Limit: d("3")})
			res := worst(t, Check(desk("1000", held), c.basket, []Rule{r}), "min")
			if res.Status != c.want || !sameInts(res.Trades, c.trades) {
				t.Fatalf("got %s trades %v, want %s %v (%s)", res.Status, res.Trades, c.want, c.trades, res.Message)
			}
		})
	}
}

func TestCashFloor(t *testing.T) {
	floor := rule("cash", KindCashFloor, Hard, Params{})
	strict := rule("cash", KindCashFloor, Hard, Params{WorstCase: true})
	cases := []struct {
		name   string
		cash   string
		held   map[string]string
		basket []portfolio.Trade
		r      Rule
		want   Status
	}{
		{"spends exactly all the cash", "10000", nil, []portfolio.Trade{buy("A1", "100")}, floor, Pass},
		{"spends one share too many", "10000", nil, []portfolio.Trade{buy("A1", "101")}, floor, Fail},
		{"a sale funds a buy: warned for the worst-case path", "0", map[string]string{"C1": "1000"},
			[]portfolio.Trade{sell("C1", "500"), buy("A1", "400")}, floor, Warn},
		{"worst-case path as the breach test", "0", map[string]string{"C1": "1000"},
			[]portfolio.Trade{sell("C1", "500"), buy("A1", "400")}, strict, Fail},
		{"an overdraft the basket reduces is passive", "-5000", map[string]string{"C1": "1000"},
			[]portfolio.Trade{sell("C1", "20")}, floor, Passive},
		{"an overdraft the basket deepens fails", "-5000", map[string]string{"C1": "1000"},
			[]portfolio.Trade{buy("A1", "1")}, floor, Fail},
		{"warning band on a positive floor", "10000", nil, []portfolio.Trade{buy("A1", "5")},
			rule("cash", KindCashFloor, Soft, Params{Limit: d("9000"), WarnPct: d("90")}), Warn},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := worst(t, Check(desk(c.cash, c.held), c.basket, []Rule{c.r}), "cash")
			if res.Status != c.want {
				t.Fatalf("got %s, want %s: %s", res.Status, c.want, res.Message)
			}
		})
	}
}

func TestWorkingOrdersCountBeforeTheBasket(t *testing.T) {
	st := desk("10000", nil)
	st.Working = []portfolio.Trade{buy("A1", "100")}
	rep := Check(st, []portfolio.Trade{buy("B1", "1")}, []Rule{rule("cash", KindCashFloor, Hard, Params{})})
	res := worst(t, rep, "cash")
	if res.Status != Fail || !res.Before.IsZero() || !res.Value.Equal(d("-100")) {
		t.Fatalf("the working buy spends the cash first: %+v", res)
	}
	if !rep.CashWorstCase.Equal(d("-100")) {
		t.Fatalf("worst-case cash %s", rep.CashWorstCase)
	}
}

func TestLongOnly(t *testing.T) {
	cases := []struct {
		name   string
		held   map[string]string
		basket []portfolio.Trade
		want   Status
	}{
		{"sell the whole position", map[string]string{"A1": "100"}, []portfolio.Trade{sell("A1", "100")}, Pass},
		{"sell one more than held", map[string]string{"A1": "100"}, []portfolio.Trade{sell("A1", "101")}, Fail},
		{"sell short", nil, []portfolio.Trade{trade(portfolio.SellShort, "A1", "1", "100")}, Fail},
		{"a short the basket reduces is passive", map[string]string{"A1": "-100"}, []portfolio.Trade{buy("A1", "50")}, Passive},
		{"a short the basket deepens fails", map[string]string{"A1": "-100"}, []portfolio.Trade{sell("A1", "1")}, Fail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(desk("100000", c.held), c.basket, []Rule{rule("long", KindLongOnly, Hard, Params{})})
			if res := worst(t, rep, "long"); res.Status != c.want {
				t.Fatalf("got %s, want %s: %s", res.Status, c.want, res.Message)
			}
		})
	}
}

func TestMaxGrossOnTheWorstCasePath(t *testing.T) {
	held := map[string]string{"A1": "9000"} // 900,000 + 100,000 cash: gross 90%
	cases := []struct {
		name   string
		basket []portfolio.Trade
		want   Status
		trades []int
	}{
		{"exactly 100%", []portfolio.Trade{buy("B1", "1000")}, Pass, nil},
		{"just over", []portfolio.Trade{buy("B1", "1001")}, Fail, []int{0}},
		{"sales do not count until filled", []portfolio.Trade{sell("A1", "5000"), buy("B1", "2000")}, Fail, []int{1}},
		{"a short sale counts filled", []portfolio.Trade{trade(portfolio.SellShort, "B1", "1001", "100")}, Fail, []int{0}},
		{"a sale that leaves a short larger than the long counts filled", []portfolio.Trade{sell("A1", "19010")}, Fail, []int{0}},
		{"a sale that leaves a smaller short does not", []portfolio.Trade{sell("A1", "15000")}, Pass, nil},
		{"a buy against the sales of the same security does not", []portfolio.Trade{buy("A1", "100"), sell("A1", "19300")}, Fail, []int{1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(desk("100000", held), c.basket, []Rule{rule("gross", KindMaxGross, Hard, Params{Limit: d("100")})})
			if res := worst(t, rep, "gross"); res.Status != c.want || !sameInts(res.Trades, c.trades) {
				t.Fatalf("got %s %v, want %s %v: %s", res.Status, res.Trades, c.want, c.trades, res.Message)
			}
		})
	}
}

// Gross exposure Σ|market value| on its worst-case path counts a short sale as
// filled: a short sale adds to gross exposure, so a basket that sells short
// half the NAV breaks a 100% gross limit.
func TestGrossExposureCountsShortSales(t *testing.T) {
	held := map[string]string{"A1": "9000"}                                      // 900,000 + 100,000 cash: gross 90%
	basket := []portfolio.Trade{trade(portfolio.SellShort, "B1", "5000", "100")} // a 500,000 short: gross 140% once filled
	rep := Check(desk("100000", held), basket, []Rule{rule("gross", KindMaxGross, Hard, Params{Limit: d("100")})})
	if res := worst(t, rep, "gross"); res.Status != Fail {
		t.Fatalf("got %s, want fail: a 500,000 short sale takes gross exposure to 140%%: %s", res.Status, res.Message)
	}
}

func TestMaxWeightLeavesExceptedGroupsOut(t *testing.T) {
	basket := []portfolio.Trade{buy("A1", "600"), buy("A2", "500"), buy("C1", "1050")}
	// Alpha (A1+A2) at 11% would breach; excepted, the largest measured group is C1's issuer at 10.5%.
	r := rule("issuer", KindMaxWeight, Hard, Params{Dimension: ByIssuer, Limit: d("10"), Except: []string{"Alpha"}})
	res := worst(t, Check(desk("1000000", nil), basket, []Rule{r}), "issuer")
	if res.Status != Fail || res.Group == "Alpha" || !res.Value.Equal(d("10.5")) || !sameInts(res.Trades, []int{2}) {
		t.Fatalf("got %s %q %s trades %v, want the non-excepted issuer failing at 10.5 for trade 2", res.Status, res.Group, res.Value, res.Trades)
	}
	r.Params.Except = []string{"Alpha", res.Group}
	if res := worst(t, Check(desk("1000000", nil), basket, []Rule{r}), "issuer"); res.Status != Pass {
		t.Fatalf("every breaching issuer excepted: %+v", res)
	}
	r.Params.Keys = []string{"Alpha"}
	if err := r.Validate(); err == nil {
		t.Error("keys and except together were accepted")
	}
}
