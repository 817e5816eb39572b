package rebalance

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

func TestInternedWeightsMatchPct(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 19))
	w := &weights{}
	for i := 0; i < 100000; i++ {
		v := decimal.New(rng.Int64N(2e9)-1e9, -int32(rng.IntN(6)))
		nav := decimal.New(1+rng.Int64N([]int64{1e9, 1<<62 + 1<<61}[rng.IntN(2)]), -int32(rng.IntN(6)))
		if i%3 == 0 {
			v = decimal.Zero
		}
		if got, want := w.pct(fxOf(v), fxOf(nav)), pct(v, nav); !sameDecimal(got, want) {
			t.Fatalf("weights.pct(%s, %s) = %s (exp %d), want %s (exp %d)", v, nav, got, got.Exponent(), want, want.Exponent())
		}
	}
}

func TestMaxLotsMatchesDecimalForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 20))
	var s trimScratch
	checked := 0
	for i := 0; i < 30000; i++ {
		nav := decimal.New(1e6+rng.Int64N(1e12), -int32(rng.IntN(4)))
		after := nav.Sub(decimal.New(rng.Int64N(1e6), -int32(rng.IntN(5))))
		T, v := decimal.New(rng.Int64N(1e12), -int32(rng.IntN(8))), decimal.New(rng.Int64N(1e12), -int32(rng.IntN(6)))
		lotVal := decimal.New(1+rng.Int64N(1e7), -int32(rng.IntN(6)))
		if i%5 == 0 { // a value just on a lot boundary of the target
			k := T.Mul(after).Div(nav).Sub(v).Div(lotVal).Floor()
			v = T.Mul(after).Div(nav).Sub(k.Mul(lotVal)).Round(6)
		}
		want := floorDiv(T.Mul(after).Div(nav).Sub(v), lotVal)
		for want > 0 && v.Add(lotVal.Mul(decimal.NewFromInt(want))).Mul(nav).GreaterThan(T.Mul(after)) {
			want--
		}
		l := line{T: fxOf(T), v: fxOf(v), lotVal: fxOf(lotVal)}
		got, ok := s.maxLots(&l, fxOf(after), fxOf(nav))
		if !ok {
			continue
		}
		checked++
		if got != want {
			t.Fatalf("maxLots(T %s, v %s, lot value %s, after %s, nav %s) = %d, want %d", T, v, lotVal, after, nav, got, want)
		}
	}
	if checked < 20000 {
		t.Errorf("only %d of 30000 cases took the exact path", checked)
	}
}
