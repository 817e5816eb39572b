package rebalance

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

func TestPctOfMatchesDecimalDivision(t *testing.T) {
	tests := []struct{ v, nav, want string }{
		{"600", "990", "60.6061"},
		{"-50", "1000", "-5"},
		{"1", "3", "33.3333"},
		{"2", "3", "66.6667"},
		{"0.00005", "100", "0.0001"}, // half rounds away from zero
		{"123456789012345678901234", "1", "12345678901234567890123400"},
	}
	for _, tt := range tests {
		if got := pctOf(d(tt.v), d(tt.nav), 4); !got.Equal(d(tt.want)) {
			t.Errorf("pctOf(%s, %s) = %s, want %s", tt.v, tt.nav, got, tt.want)
		}
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 20000; i++ {
		v := decimal.New(rng.Int64N(1e12)-1e11, -int32(rng.IntN(8)))
		nav := decimal.New(1+rng.Int64N(1e13), -int32(rng.IntN(8)))
		want := v.Mul(hundred).DivRound(nav, 12).Round(4)
		if got := pctOf(v, nav, 4); !got.Equal(want) {
			t.Fatalf("pctOf(%s, %s) = %s, want %s", v, nav, got, want)
		}
	}
}

func TestFloorCeilDivMatchQuoRem(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for i := 0; i < 20000; i++ {
		x := decimal.New(rng.Int64N(1e15), -int32(rng.IntN(10)))
		y := decimal.New(1+rng.Int64N(1e9), -int32(rng.IntN(10)))
		q, r := x.QuoRem(y, 0)
		wantFloor, wantCeil := q.IntPart(), q.IntPart()
		if r.IsPositive() {
			wantCeil++
		}
		if x.IsZero() {
			wantFloor, wantCeil = 0, 0
		}
		if got := floorDiv(x, y); got != wantFloor {
			t.Fatalf("floorDiv(%s, %s) = %d, want %d", x, y, got, wantFloor)
		}
		if got := ceilDiv(x, y); got != wantCeil {
			t.Fatalf("ceilDiv(%s, %s) = %d, want %d", x, y, got, wantCeil)
		}
	}
}

func TestWideArithmeticMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	rnd := func() decimal.Decimal {
		return decimal.New(1+rng.Int64N([]int64{1e3, 1e9, 1e17}[rng.IntN(3)]), -int32(rng.IntN(20)))
	}
	for i := 0; i < 20000; i++ {
		a, b, c, e := rnd(), rnd(), rnd(), rnd()
		if i%7 == 0 {
			c, e = a, b.Add(decimal.New(int64(rng.IntN(3)-1), b.Exponent())) // near-equal products
		}
		if got, want := productAbove(a, b, c, e), a.Mul(b).GreaterThan(c.Mul(e)); got != want {
			t.Fatalf("productAbove(%s, %s, %s, %s) = %v, want %v", a, b, c, e, got, want)
		}
	}
	lines := make([]line, 50)
	want := d("-12.5")
	for i := range lines {
		lines[i].v = rnd()
		lines[i].inert = i%9 == 0
		if !lines[i].inert {
			want = want.Add(lines[i].v)
		}
	}
	if got := sumValues(d("-12.5"), lines); !got.Equal(want) {
		t.Errorf("sumValues = %s, want %s", got, want)
	}
}

func TestCmpDecMatchesCmp(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	for i := 0; i < 50000; i++ {
		a := decimal.New(rng.Int64N(2e6)-1e6, -int32(rng.IntN(25)))
		b := decimal.New(rng.Int64N(2e6)-1e6, -int32(rng.IntN(25)))
		if i%5 == 0 {
			b = a.Round(int32(rng.IntN(10)))
		}
		if i%11 == 0 {
			b = decimal.New(rng.Int64N(1e17), -int32(rng.IntN(3)))
		}
		if got, want := cmpDec(a, b), a.Cmp(b); got != want {
			t.Fatalf("cmpDec(%s, %s) = %d, want %d", a, b, got, want)
		}
	}
}

func TestProductSumMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	for round := 0; round < 300; round++ {
		var s productSum
		want := decimal.Zero
		for k := rng.IntN(60); k > 0; k-- {
			a := decimal.New(rng.Int64N([]int64{10, 1e9, 1e18}[rng.IntN(3)]), -int32(rng.IntN(12)))
			b := decimal.New(rng.Int64N(1e12), -int32(rng.IntN(30)))
			s.add(a, b)
			want = want.Add(a.Mul(b))
		}
		if got := s.total(); !got.Equal(want) {
			t.Fatalf("round %d: sum %s, want %s", round, got, want)
		}
	}
}

func TestMulMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	for i := 0; i < 50000; i++ {
		a := decimal.New(rng.Int64N(2e12)-1e12, -int32(rng.IntN(12)))
		b := decimal.New(rng.Int64N([]int64{100, 1e9, 1e17}[rng.IntN(3)])-50, int32(rng.IntN(6))-4)
		if got, want := mul(a, b), a.Mul(b); !got.Equal(want) || got.Exponent() != want.Exponent() {
			t.Fatalf("mul(%s, %s) = %s (exp %d), want %s (exp %d)", a, b, got, got.Exponent(), want, want.Exponent())
		}
	}
}

func TestMulIntMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 16))
	for i := 0; i < 20000; i++ {
		d := decimal.New(rng.Int64N([]int64{100, 1e9, 1e17}[rng.IntN(3)])-40, -int32(rng.IntN(8)))
		n := rng.Int64N([]int64{10, 1e6, 1e12}[rng.IntN(3)])
		if got, want := mulInt(d, n), d.Mul(decimal.NewFromInt(n)); !got.Equal(want) {
			t.Fatalf("mulInt(%s, %d) = %s, want %s", d, n, got, want)
		}
	}
}
