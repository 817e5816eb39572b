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
