package rebalance

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// sameDecimal reports whether a and b have the same coefficient and exponent.
func sameDecimal(a, b decimal.Decimal) bool {
	return a.Exponent() == b.Exponent() && a.Coefficient().Cmp(b.Coefficient()) == 0
}

func TestSmallArithmeticMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	rnd := func() decimal.Decimal {
		c := rng.Int64N([]int64{100, 1e9, 1e17, 4e18}[rng.IntN(4)])
		if rng.IntN(4) == 0 {
			c = -c
		}
		return decimal.New(c, int32(rng.IntN(14))-10)
	}
	for i := 0; i < 50000; i++ {
		a, b, c := rnd(), rnd(), rnd()
		if got, want := add(a, b), a.Add(b); !sameDecimal(got, want) {
			t.Fatalf("add(%s, %s) = %s (exp %d), want %s (exp %d)", a, b, got, got.Exponent(), want, want.Exponent())
		}
		if got, want := sub(a, b), a.Sub(b); !sameDecimal(got, want) {
			t.Fatalf("sub(%s, %s) = %s (exp %d), want %s (exp %d)", a, b, got, got.Exponent(), want, want.Exponent())
		}
		if got, want := addMul(a, b, c), a.Add(b.Mul(c)); !sameDecimal(got, want) {
			t.Fatalf("addMul(%s, %s, %s) = %s (exp %d), want %s (exp %d)", a, b, c, got, got.Exponent(), want, want.Exponent())
		}
		y := c.Abs()
		if y.IsZero() {
			continue
		}
		if got, want := floorDivDiff(a, b, y), floorDiv(a.Sub(b), y); got != want {
			t.Fatalf("floorDivDiff(%s, %s, %s) = %d, want %d", a, b, y, got, want)
		}
		if got, want := ceilDivDiff(a, b, y), ceilDiv(a.Sub(b), y); got != want {
			t.Fatalf("ceilDivDiff(%s, %s, %s) = %d, want %d", a, b, y, got, want)
		}
	}
}

func TestProductSumAddIntMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 18))
	for round := 0; round < 300; round++ {
		var s productSum
		want := decimal.Zero
		for k := rng.IntN(60); k > 0; k-- {
			a := decimal.New(rng.Int64N([]int64{10, 1e9, 1e18}[rng.IntN(3)]), -int32(rng.IntN(12)))
			n := rng.Int64N([]int64{10, 1e6, 1e18}[rng.IntN(3)])
			s.addInt(a, n)
			want = want.Add(a.Mul(decimal.NewFromInt(n)))
		}
		if got := s.total(); !got.Equal(want) {
			t.Fatalf("round %d: sum %s, want %s", round, got, want)
		}
	}
}

func TestInternedWeightsMatchPct(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 19))
	w := &weights{}
	for i := 0; i < 100000; i++ {
		v := decimal.New(rng.Int64N(2e9)-1e9, -int32(rng.IntN(6)))
		nav := decimal.New(1+rng.Int64N([]int64{1e9, 1<<62 + 1<<61}[rng.IntN(2)]), -int32(rng.IntN(6)))
		if i%3 == 0 {
			v = decimal.Zero
		}
		if got, want := w.pct(v, nav), pct(v, nav); !sameDecimal(got, want) {
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
		l := line{T: decimal.New(rng.Int64N(1e12), -int32(rng.IntN(8))), v: decimal.New(rng.Int64N(1e12), -int32(rng.IntN(6))),
			lotVal: decimal.New(1+rng.Int64N(1e7), -int32(rng.IntN(6)))}
		if i%5 == 0 { // a value just on a lot boundary of the target
			k := l.T.Mul(after).Div(nav).Sub(l.v).Div(l.lotVal).Floor()
			l.v = l.T.Mul(after).Div(nav).Sub(k.Mul(l.lotVal)).Round(6)
		}
		want := floorDiv(l.T.Mul(after).Div(nav).Sub(l.v), l.lotVal)
		for want > 0 && l.v.Add(l.lotVal.Mul(decimal.NewFromInt(want))).Mul(nav).GreaterThan(l.T.Mul(after)) {
			want--
		}
		got, ok := s.maxLots(&l, after, nav)
		if !ok {
			continue
		}
		checked++
		if got != want {
			t.Fatalf("maxLots(T %s, v %s, lot value %s, after %s, nav %s) = %d, want %d", l.T, l.v, l.lotVal, after, nav, got, want)
		}
	}
	if checked < 20000 {
		t.Errorf("only %d of 30000 cases took the exact path", checked)
	}
}
