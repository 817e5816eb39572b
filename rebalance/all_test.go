package rebalance

import (
	"fmt"
	"maps"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"
)

func TestPlanAllMatchesPlanInOrder(t *testing.T) {
	inputs := Synthetic(300, 30, 7)
	bad := inputs[5]
	bad.Prices = map[string]decimal.Decimal{} // every price missing: this one fails
	inputs[5] = bad
	var calls atomic.Int64
	var last atomic.Int64
	results, errs := PlanAllProgress(inputs, benchOptions(), 3, func(done int) {
		calls.Add(1)
		for {
			prev := last.Load()
			if int64(done) <= prev || last.CompareAndSwap(prev, int64(done)) {
				break
			}
		}
	})
	if len(results) != len(inputs) || len(errs) != len(inputs) {
		t.Fatalf("got %d results, %d errors for %d inputs", len(results), len(errs), len(inputs))
	}
	if last.Load() != int64(len(inputs)) || calls.Load() == 0 {
		t.Errorf("progress reached %d in %d calls, want %d", last.Load(), calls.Load(), len(inputs))
	}
	for i, in := range inputs {
		want, wantErr := Plan(in, benchOptions())
		if fmt.Sprint(wantErr) != fmt.Sprint(errs[i]) {
			t.Fatalf("input %d: error %v, Plan gives %v", i, errs[i], wantErr)
		}
		if a, b := fmt.Sprintf("%+v", results[i]), fmt.Sprintf("%+v", want); a != b {
			t.Fatalf("input %d: PlanAll and Plan differ", i)
		}
	}
	if errs[5] == nil || !strings.Contains(errs[5].Error(), "rebalance P000005") {
		t.Errorf("errs[5] = %v, want the failing portfolio named", errs[5])
	}
}

func TestPlanAllNoErrorsIsNil(t *testing.T) {
	inputs := Synthetic(50, 10, 1)
	results, errs := PlanAll(inputs, Options{}, 0)
	if errs != nil {
		t.Fatalf("errs = %v, want nil", errs)
	}
	if CountTrades(results) == 0 {
		t.Error("a drifted synthetic book planned no trades")
	}
	_, errs = PlanAll(inputs, Options{CollarBps: -1}, 2)
	if len(errs) != len(inputs) || errs[0] == nil {
		t.Errorf("bad options: errs = %v", errs)
	}
}

func TestSyntheticIsDeterministic(t *testing.T) {
	a, b := Synthetic(20, 15, 42), Synthetic(20, 15, 42)
	if fmt.Sprintf("%+v", a[7].Holdings) != fmt.Sprintf("%+v", b[7].Holdings) || fmt.Sprintf("%+v", a[3].Model) != fmt.Sprintf("%+v", b[3].Model) {
		t.Fatal("same seed, different books")
	}
	if fmt.Sprintf("%+v", a[7].Holdings) == fmt.Sprintf("%+v", Synthetic(20, 15, 43)[7].Holdings) {
		t.Error("different seeds, same book")
	}
	if len(a) != 20 || len(a[0].Holdings.Positions) != 15 {
		t.Errorf("got %d portfolios of %d positions, want 20 of 15", len(a), len(a[0].Holdings.Positions))
	}
	for _, in := range a {
		if err := in.Model.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	ra, _ := PlanAll(a, benchOptions(), 2)
	rb, _ := PlanAll(b, benchOptions(), 1)
	if fmt.Sprintf("%+v", ra) != fmt.Sprintf("%+v", rb) {
		t.Error("same book, different plans on 2 and 1 workers")
	}
}

// TestPlanAllInputsWithTheirOwnMaps alternates, within one model, inputs
// that share the book's price and security maps with inputs that bring
// their own (other prices, other lots), so that what a worker remembers of
// one map is never used for another.
func TestPlanAllInputsWithTheirOwnMaps(t *testing.T) {
	inputs := Synthetic(200, 20, 11)
	for i := range inputs {
		if i%3 != 1 {
			continue
		}
		prices := make(map[string]decimal.Decimal, len(inputs[i].Prices))
		secs := maps.Clone(inputs[i].Securities)
		for sym, px := range inputs[i].Prices {
			prices[sym] = px.Mul(decimal.New(int64(90+i%20), -2)).Round(2)
			if i%2 == 0 {
				s := secs[sym]
				s.LotSize = decimal.NewFromInt(5)
				secs[sym] = s
			}
		}
		inputs[i].Prices, inputs[i].Securities = prices, secs
	}
	results, errs := PlanAll(inputs, benchOptions(), 1)
	if errs != nil {
		t.Fatal(errs)
	}
	for i, in := range inputs {
		want, err := Plan(in, benchOptions())
		if err != nil {
			t.Fatal(err)
		}
		if a, b := fmt.Sprintf("%+v", results[i]), fmt.Sprintf("%+v", want); a != b {
			t.Fatalf("input %d: PlanAll and Plan differ", i)
		}
	}
}

// PlanAll's per-worker model cache tells apart models that share name and
// targets but not band: the band edges it keeps come from Model.Band, so the
// second portfolio must be planned against its own band, as Plan does.
func TestPlanAllModelCacheTellsBandsApart(t *testing.T) {
	wide := mdl("5", "AAA=50", "BBB=50") // ±5 points: 53% is inside the band
	narrow := wide
	narrow.Band = mdl("1").Band // the same name and targets, ±1 point: 53% is above it
	a := hold("0", wide, "AAA 530@10", "BBB 470@10")
	b := hold("0", narrow, "AAA 530@10", "BBB 470@10")
	want, err := Plan(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Trades) == 0 {
		t.Fatal("fixture: Plan should trade the portfolio with the ±1 band")
	}
	results, errs := PlanAll([]Input{a, b}, Options{}, 1)
	if errs != nil {
		t.Fatal(errs)
	}
	if got := tradesString(results[1]); got != tradesString(want) {
		t.Errorf("PlanAll gives\n%swant (Plan)\n%s", got, tradesString(want))
	}
}
