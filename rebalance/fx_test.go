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

// rndFx returns a random decimal, now and then one whose coefficient is
// near or beyond 2^62, so that fx's sums and products overflow to decimals.
func rndFx(rng *rand.Rand) decimal.Decimal {
	c := rng.Int64N([]int64{100, 1e9, 1e17, 4e18, 1 << 62, 1<<63 - 1}[rng.IntN(6)])
	if rng.IntN(4) == 0 {
		c = -c
	}
	d := decimal.New(c, int32(rng.IntN(14))-10)
	if rng.IntN(20) == 0 {
		d = d.Mul(d) // a coefficient beyond int64
	}
	return d
}

func TestFxArithmeticMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	check := func(op string, a, b, got, want decimal.Decimal) {
		t.Helper()
		if !sameDecimal(got, want) {
			t.Fatalf("%s(%s, %s) = %s (exp %d), want %s (exp %d)", op, a, b, got, got.Exponent(), want, want.Exponent())
		}
	}
	for i := 0; i < 100000; i++ {
		a, b := rndFx(rng), rndFx(rng)
		if i%5 == 0 {
			b = a.Round(int32(rng.IntN(10)) - 5) // near-equal numbers
		}
		x, y := fxOf(a), fxOf(b)
		check("add", a, b, x.add(y).dec(), a.Add(b))
		check("sub", a, b, x.sub(y).dec(), a.Sub(b))
		check("mul", a, b, x.mul(y).dec(), a.Mul(b))
		if got, want := x.cmp(y), a.Cmp(b); got != want {
			t.Fatalf("cmp(%s, %s) = %d, want %d", a, b, got, want)
		}
		k := int32(rng.IntN(9)) - 4
		check("shift", a, decimal.NewFromInt(int64(k)), x.shift(k).dec(), a.Shift(k))
		n := rng.Int64N([]int64{10, 1e6, 1 << 62, 1<<63 - 1}[rng.IntN(4)])
		check("mulInt", a, decimal.NewFromInt(n), x.mulInt(n).dec(), a.Mul(decimal.NewFromInt(n)))
		if y := b.Abs(); !y.IsZero() {
			if got, want := x.floorDiv(fxOf(y)), floorDiv(a, y); got != want {
				t.Fatalf("floorDiv(%s, %s) = %d, want %d", a, y, got, want)
			}
			if got, want := x.ceilDiv(fxOf(y)), ceilDiv(a, y); got != want {
				t.Fatalf("ceilDiv(%s, %s) = %d, want %d", a, y, got, want)
			}
		}
	}
}

// An fx sum or product that reaches 2^62 is held as a decimal, not wrapped.
func TestFxOverflowIsExact(t *testing.T) {
	big := fx{c: smallLimit - 1}
	if got, want := big.add(big).dec(), decimal.New(smallLimit-1, 0).Mul(decimal.NewFromInt(2)); !sameDecimal(got, want) || big.add(big).w == nil {
		t.Errorf("(2^62−1)·2 = %s, want %s held as a decimal", got, want)
	}
	if got := big.mul(big).sub(big.mul(big)); !got.isZero() && got.sign() != 0 {
		t.Errorf("x² − x² = %s", got.dec())
	}
	if got, want := big.mulInt(1<<40).dec().String(), decimal.New(smallLimit-1, 0).Mul(decimal.NewFromInt(1<<40)).String(); got != want {
		t.Errorf("(2^62−1)·2^40 = %s, want %s", got, want)
	}
	neg := fx{c: -(smallLimit - 1)}
	if got := neg.sub(big); got.w == nil || got.sign() >= 0 {
		t.Errorf("−(2^62−1) − (2^62−1) = %s", got.dec())
	}
}

func TestProductAboveMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	rnd := func() decimal.Decimal {
		c := rng.Int64N([]int64{1e3, 1e9, 1e17, 1 << 62}[rng.IntN(4)])
		if rng.IntN(5) == 0 {
			c = -c
		}
		return decimal.New(c, -int32(rng.IntN(20)))
	}
	for i := 0; i < 50000; i++ {
		a, b, c, e := rnd(), rnd(), rnd(), rnd()
		if i%7 == 0 {
			c, e = a, b.Add(decimal.New(int64(rng.IntN(3)-1), b.Exponent())) // near-equal products
		}
		if got, want := productAbove(fxOf(a), fxOf(b), fxOf(c), fxOf(e)), a.Mul(b).GreaterThan(c.Mul(e)); got != want {
			t.Fatalf("productAbove(%s, %s, %s, %s) = %v, want %v", a, b, c, e, got, want)
		}
	}
}

func TestSumValuesMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	for round := 0; round < 200; round++ {
		lines := make([]line, 50)
		want := d("-12.5")
		for i := range lines {
			v := decimal.New(1+rng.Int64N([]int64{1e3, 1e9, 1e17, 1 << 62}[rng.IntN(4)]), -int32(rng.IntN(20)))
			lines[i].v = fxOf(v)
			lines[i].inert = i%9 == 0
			if !lines[i].inert {
				want = want.Add(v)
			}
		}
		if got := sumValues(d("-12.5"), lines); !sameDecimal(got, want) {
			t.Fatalf("sumValues = %s (exp %d), want %s (exp %d)", got, got.Exponent(), want, want.Exponent())
		}
	}
}

// productSum gives the decimal sum of its terms; it leaves out zero terms
// (which in a decimal sum could only lower the exponent), and so does want.
func TestProductSumMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	for round := 0; round < 600; round++ {
		var s productSum
		want := decimal.Zero
		for k := rng.IntN(60); k > 0; k-- {
			a := decimal.New(rng.Int64N([]int64{10, 1e9, 1e18, 1 << 62}[rng.IntN(4)]), -int32(rng.IntN(12)))
			if round%2 == 0 {
				b := decimal.New(rng.Int64N(1e12), -int32(rng.IntN(30)))
				s.add(fxOf(a), fxOf(b))
				if !a.IsZero() && !b.IsZero() {
					want = want.Add(a.Mul(b))
				}
			} else {
				n := rng.Int64N([]int64{10, 1e6, 1e18}[rng.IntN(3)])
				s.addInt(fxOf(a), n)
				if !a.IsZero() && n != 0 {
					want = want.Add(a.Mul(decimal.NewFromInt(n)))
				}
			}
		}
		if got := s.total().dec(); !sameDecimal(got, want) {
			t.Fatalf("round %d: sum %s (exp %d), want %s (exp %d)", round, got, got.Exponent(), want, want.Exponent())
		}
	}
}

// A shared decimal is the decimal dec makes, and stays so when its slot is
// taken by another coefficient.
func TestBoxesMatchDec(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	b := &boxes{}
	type made struct {
		x fx
		d decimal.Decimal
	}
	var kept []made
	for i := 0; i < 100000; i++ {
		x := fxOf(decimal.New(rng.Int64N([]int64{3, 1000, 1 << 40, 1 << 62}[rng.IntN(4)])-1, int32(rng.IntN(12))-8))
		if i%50 == 0 {
			x = fxOf(rndFx(rng))
		}
		got := b.dec(x)
		if want := x.dec(); !sameDecimal(got, want) {
			t.Fatalf("boxes.dec(%s) = %s (exp %d), want exp %d", want, got, got.Exponent(), want.Exponent())
		}
		if i%100 == 0 {
			kept = append(kept, made{x, got})
		}
	}
	for _, m := range kept {
		if want := m.x.dec(); !sameDecimal(m.d, want) {
			t.Fatalf("a shared decimal changed to %s, want %s", m.d, want)
		}
	}
}
