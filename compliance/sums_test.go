package compliance

import (
	"math/rand/v2"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

func TestAccIsExactDecimalAddition(t *testing.T) {
	cases := [][]string{
		{},
		{"1.25"},
		{"1.25", "2.50", "-0.75"},
		{"1.5", "2.25", "3"}, // mixed exponents
		{"9000000000000000000", "9000000000000000000"},      // beyond int64
		{"90000000000000000", "90000000000000000", "1"},     // 17 digits, then overflow-safe
		{"0.00000000000000001", "123456789012345678901234"}, // tiny and huge
	}
	for _, c := range cases {
		var a acc
		want := decimal.Zero
		for _, s := range c {
			a.add(d(s))
			want = want.Add(d(s))
		}
		if got := a.value(); !got.Equal(want) {
			t.Errorf("%v: got %s, want %s", c, got, want)
		}
	}
}

func TestMulIsExact(t *testing.T) {
	for _, c := range [][2]string{{"123", "45.67"}, {"-3", "0.01"}, {"999999999", "9999999999.99"}, {"0", "5"}} {
		if got, want := mul(d(c[0]), d(c[1])), d(c[0]).Mul(d(c[1])); !got.Equal(want) || got.Exponent() != want.Exponent() {
			t.Errorf("%v: got %s, want %s", c, got, want)
		}
	}
}

func TestPercentFastPathMatchesDecimalDivision(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for range 20000 {
		amount := decimal.New(rng.Int64N(2_000_000_000)-500_000_000, -int32(rng.IntN(5)))
		base := decimal.New(1+rng.Int64N(5_000_000_000), -int32(rng.IntN(5)))
		for _, upper := range []bool{true, false} {
			q, ok := quotient(amount, base, 6, upper)
			if !ok {
				continue // too large for int64: pct divides decimals
			}
			fast++
			w := portfolio.WeightOf(amount, base)
			slow := w.RoundFloor(4)
			if upper {
				slow = w.RoundCeil(4)
			}
			if !q.Equal(slow) {
				t.Fatalf("%s / %s upper=%v: fast %s, decimal %s", amount, base, upper, q, slow)
			}
		}
	}
	if fast < 20000 {
		t.Fatalf("only %d of 40000 on the fast path", fast)
	}
	if _, ok := quotient(d("123456789012345678901"), d("3"), 6, true); ok {
		t.Fatal("too large for int64 must fall back")
	}
}
