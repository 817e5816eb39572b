package portfolio

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestMeasureDrift(t *testing.T) {
	model := Model{Name: "growth", Band: AbsoluteBand(dec("1")), Targets: []Target{
		{Symbol: "AAA", Weight: dec("50")},
		{Symbol: "BBB", Weight: dec("45"), Band: RelativeBand(dec("10"))},
		{Symbol: CashSymbol, Weight: dec("5")},
	}}
	h := Holdings{
		Portfolio: Portfolio{Code: "P1", Cash: dec("100")},
		Positions: []Position{
			{Symbol: "ZZZ", Quantity: dec("10")},  // 100: not in the model
			{Symbol: "AAA", Quantity: dec("100")}, // 800
		},
	}
	prices := map[string]decimal.Decimal{"AAA": dec("8"), "ZZZ": dec("10"), "BBB": dec("20")}
	d := MeasureDrift(h, model, prices)
	if !d.NAV.Equal(dec("1000")) {
		t.Fatalf("NAV = %s, want 1000", d.NAV)
	}
	want := []struct {
		sym                           string
		inModel                       bool
		target, weight, drift, lo, hi string
		out                           bool
	}{
		{"AAA", true, "50", "80", "30", "49", "51", true},
		{"BBB", true, "45", "0", "-45", "40.5", "49.5", true},
		{"ZZZ", false, "0", "10", "10", "0", "1", true},
		{"CASH", true, "5", "10", "5", "4", "6", true},
	}
	if len(d.Lines) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(d.Lines), len(want), d.Lines)
	}
	for i, w := range want {
		l := d.Lines[i]
		if l.Symbol != w.sym || l.InModel != w.inModel || l.OutOfBand != w.out ||
			!l.Target.Equal(dec(w.target)) || !l.Weight.Equal(dec(w.weight)) || !l.Drift.Equal(dec(w.drift)) ||
			!l.Lower.Equal(dec(w.lo)) || !l.Upper.Equal(dec(w.hi)) {
			t.Errorf("line %d = %+v, want %+v", i, l, w)
		}
	}
	if !d.MaxAbsDrift.Equal(dec("45")) || d.MaxSymbol != "BBB" || !d.SumAbsDrift.Equal(dec("90")) || d.OutOfBand != 4 {
		t.Errorf("summary = max %s (%s), sum %s, out %d; want 45 (BBB), 90, 4", d.MaxAbsDrift, d.MaxSymbol, d.SumAbsDrift, d.OutOfBand)
	}
}

func TestMeasureDriftInBand(t *testing.T) {
	model := Model{Name: "m", Band: AbsoluteBand(dec("1")), Targets: []Target{{Symbol: "AAA", Weight: dec("95")}, {Symbol: CashSymbol, Weight: dec("5")}}}
	h := Holdings{Portfolio: Portfolio{Code: "P", Cash: dec("55")}, Positions: []Position{{Symbol: "AAA", Quantity: dec("945")}}}
	d := MeasureDrift(h, model, map[string]decimal.Decimal{"AAA": dec("1")})
	if d.OutOfBand != 0 || !d.SumAbsDrift.Equal(dec("1")) {
		t.Errorf("OutOfBand = %d, SumAbsDrift = %s; want 0 and 1 (94.5 vs 95, cash 5.5 vs 5)", d.OutOfBand, d.SumAbsDrift)
	}
}

func TestSortByLargestDrift(t *testing.T) {
	ds := []Drift{
		{Portfolio: "C", Model: "x", MaxAbsDrift: dec("2"), SumAbsDrift: dec("3")},
		{Portfolio: "A", Model: "y", MaxAbsDrift: dec("5"), SumAbsDrift: dec("5")},
		{Portfolio: "B", Model: "x", MaxAbsDrift: dec("2"), SumAbsDrift: dec("4")},
		{Portfolio: "D", Model: "x", MaxAbsDrift: dec("2"), SumAbsDrift: dec("4")},
	}
	SortByLargestDrift(ds)
	got := ""
	for _, d := range ds {
		got += d.Portfolio
	}
	if got != "ABDC" {
		t.Errorf("order = %s, want ABDC", got)
	}
	if x := FilterByModel(ds, "x"); len(x) != 3 || x[0].Portfolio != "B" {
		t.Errorf("FilterByModel(x) = %v", x)
	}
}
