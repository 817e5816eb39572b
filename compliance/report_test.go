package compliance

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// mixed is a basket with two hard issuer breaches, a soft notional breach and
// warnings, for the display helpers.
func mixed() (State, []portfolio.Trade, []Rule) {
	rules := []Rule{
		rule("issuer-10", KindMaxWeight, Hard, Params{Dimension: ByIssuer, Limit: d("10"), WarnPct: d("50")}),
		rule("notional", KindMaxNotional, Soft, Params{Limit: d("100000")}),
		rule("long", KindLongOnly, Hard, Params{}),
	}
	basket := []portfolio.Trade{buy("A1", "1100"), buy("B1", "1200"), buy("C1", "600"), buy("H1", "700")}
	return desk("1000000", nil), basket, rules
}

func TestGroupsMostSevereFirstWithCounts(t *testing.T) {
	st, basket, rules := mixed()
	rep := Check(st, basket, rules)
	got := []string{}
	for _, g := range rep.Groups() {
		got = append(got, g.RuleID+" "+string(g.Status)+" "+string(rune('0'+g.Count)))
	}
	want := []string{"issuer-10 fail 2", "notional override 2", "issuer-10 warn 2", "long pass 1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	if rep.Status != Fail || !rep.Blocked() || len(rep.Breaches()) != 4 || len(rep.Overridable()) != 2 {
		t.Fatalf("status %s breaches %d overridable %d", rep.Status, len(rep.Breaches()), len(rep.Overridable()))
	}
	if s := rep.Summary(); s != "fail: 2 fail, 2 override, 2 warn" {
		t.Fatalf("summary %q", s)
	}
	if k := rep.Breaches()[0].Key(); k != "issuer-10:Alpha#0" {
		t.Fatalf("key %q", k)
	}
}

func TestTradeSummaryJSON(t *testing.T) {
	st, basket, rules := mixed()
	rep := Check(st, basket, rules)
	b, err := json.Marshal(rep.Trades[0])
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Status   string `json:"status"`
		Breaches []map[string]any
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Status != "fail" || len(v.Breaches) != 2 {
		t.Fatalf("%s", b)
	}
	first := v.Breaches[0]
	if first["rule"] != "issuer-10" || first["severity"] != "hard" || first["value"] != "11" || first["limit"] != "10" {
		t.Fatalf("%s", b)
	}
	if rep.Trades[3].Status != "warn" || rep.Trades[3].Breaches[0].Status != Warn {
		t.Fatalf("a warning makes the trade warn: %+v", rep.Trades[3])
	}
	if b, _ := json.Marshal(Check(st, nil, rules).Trades); string(b) != "[]" {
		t.Fatalf("no trades: %s", b)
	}
}

func TestCheckIsDeterministic(t *testing.T) {
	states, baskets := Synthetic(20, 60, 12, 7)
	rules := SyntheticRules()
	for i := range states {
		a, b := Check(states[i], baskets[i], rules), Check(states[i], baskets[i], rules)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("portfolio %d: two checks differ", i)
		}
	}
	for i := range states {
		plain := states[i]
		plain.Master = nil
		if !reflect.DeepEqual(Check(plain, baskets[i], rules), Check(states[i], baskets[i], rules)) {
			t.Fatalf("portfolio %d: the shared Master index changes the result", i)
		}
	}
	plain := make([]State, len(states)) // one shared Securities map, no index: CheckAll builds one
	for i := range states {
		plain[i] = states[i]
		plain[i].Master = nil
	}
	for _, set := range [][]State{states, plain} {
		par := CheckAll(set, baskets, rules, 2)
		for i := range set {
			if !reflect.DeepEqual(par[i], Check(set[i], baskets[i], rules)) {
				t.Fatalf("CheckAll differs for portfolio %d", i)
			}
		}
	}
	if m := sharedMasters(plain); m[0] == nil || m[0] != m[len(m)-1] {
		t.Fatal("states sharing a master map share one index")
	}
}

func TestBadTradesBlockAndAreNamed(t *testing.T) {
	bad := []portfolio.Trade{
		buy("NOPE", "1"),
		{Portfolio: "EUR", Symbol: "A1", Side: portfolio.Buy, Quantity: d("1"), LimitPrice: d("100")},
		buy("A1", "0"),
		{Portfolio: "GLB", Symbol: "B1", Side: "hold", Quantity: d("1")},
		buy("C1", "10"),
	}
	rep := Check(desk("1000000", nil), bad, []Rule{rule("long", KindLongOnly, Hard, Params{})})
	if !rep.Blocked() || len(rep.Problems) != 4 {
		t.Fatalf("problems %v", rep.Problems)
	}
	for i, s := range rep.Trades {
		want := "fail"
		if i == 4 {
			want = "pass"
		}
		if s.Status != want {
			t.Fatalf("trade %d: %+v", i, s)
		}
	}
	if !strings.Contains(rep.Problems[0], "not in the securities master") || !rep.CashAfter.Equal(d("999000")) {
		t.Fatalf("%v, cash %s: only the good trade moves cash", rep.Problems, rep.CashAfter)
	}
}

func TestBatchAlertsOnCurrentHoldings(t *testing.T) {
	rules := []Rule{
		rule("issuer-10", KindMaxWeight, Hard, Params{Dimension: ByIssuer, Limit: d("10"), WarnPct: d("90")}),
		rule("notional", KindMaxNotional, Soft, Params{Limit: d("1")}),
	}
	over := desk("880000", map[string]string{"A1": "1200"})
	near := desk("905000", map[string]string{"B1": "950"})
	near.Holdings.Portfolio.Code = "EUR"
	clean := desk("990000", map[string]string{"C1": "100"})
	clean.Holdings.Portfolio.Code = "USA"
	alerts := Batch([]State{over, near, clean}, rules)
	if len(alerts) != 2 {
		t.Fatalf("want 2 alerts, got %+v", alerts)
	}
	a, b := alerts[0], alerts[1]
	if a.Portfolio != "GLB" || a.Level != AlertBreach || a.Group != "Alpha" || a.Value != "12" || a.Limit != "10" || a.Key != "GLB|issuer-10|Alpha" {
		t.Fatalf("breach alert %+v", a)
	}
	if strings.Contains(a.Message, "basket") {
		t.Fatalf("a batch message does not talk about a basket: %q", a.Message)
	}
	if b.Portfolio != "EUR" || b.Level != AlertWarning || b.Value != "9.5" {
		t.Fatalf("warning alert %+v", b)
	}
}

func TestDomainImportsNoAdapters(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	// database/sql/driver is allowed: decimal implements driver.Valuer.
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"database/sql", "net/http", "github.com/go-chi/", "github.com/a-h/templ", "github.com/quickfixgo/"} {
			if pkg == banned || strings.HasPrefix(pkg, banned) && pkg != "database/sql/driver" {
				t.Errorf("compliance depends on %s", pkg)
			}
		}
	}
}

// TestProFormaMatchesValuation recomputes the after state of large synthetic
// baskets (repeated symbols, more than 32 of them) with portfolio.Value.
func TestProFormaMatchesValuation(t *testing.T) {
	states, baskets := Synthetic(5, 80, 90, 3)
	for i, st := range states {
		h := st.Holdings
		h.Portfolio.Cash = h.Portfolio.Cash.Copy()
		qty := map[string]decimal.Decimal{}
		for _, p := range h.Positions {
			qty[p.Symbol] = qty[p.Symbol].Add(p.Quantity)
		}
		for _, tr := range append(append([]portfolio.Trade{}, st.Working...), baskets[i]...) {
			px := tr.LimitPrice
			if !px.IsPositive() {
				px = st.Prices[tr.Symbol]
			}
			qty[tr.Symbol] = qty[tr.Symbol].Add(tr.Delta())
			h.Portfolio.Cash = h.Portfolio.Cash.Sub(tr.Delta().Mul(px))
		}
		h.Positions = nil
		for sym, q := range qty {
			h.Positions = append(h.Positions, portfolio.Position{Symbol: sym, Quantity: q})
		}
		want := portfolio.Value(h, st.Prices)
		rep := Check(st, baskets[i], SyntheticRules())
		if !rep.NAVAfter.Equal(want.NAV) || !rep.CashAfter.Equal(want.Cash) {
			t.Fatalf("portfolio %d: NAV %s cash %s, want %s %s", i, rep.NAVAfter, rep.CashAfter, want.NAV, want.Cash)
		}
	}
}

func TestWorstCaseExposure(t *testing.T) {
	st := desk("100000", map[string]string{"A1": "9000"})
	st.Working = []portfolio.Trade{buy("C1", "100")}
	cash, gross, nav := WorstCase(st, []portfolio.Trade{sell("A1", "5000"), buy("B1", "2000")})
	if !cash.Equal(d("-110000")) || !gross.Equal(d("1110000")) || !nav.Equal(d("1000000")) {
		t.Fatalf("cash %s gross %s nav %s", cash, gross, nav)
	}
	// A short sale: the cash path leaves it unfilled, the gross path fills it.
	cash, gross, nav = WorstCase(st, []portfolio.Trade{trade(portfolio.SellShort, "B1", "5000", "100")})
	if !cash.Equal(d("90000")) || !gross.Equal(d("1410000")) || !nav.Equal(d("1000000")) {
		t.Fatalf("short sale: cash %s gross %s nav %s", cash, gross, nav)
	}
}
