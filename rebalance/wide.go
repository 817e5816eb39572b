package rebalance

import (
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// u128 is an unsigned 128-bit integer, for exact comparisons and sums of
// decimal coefficients without allocating.
type u128 struct{ hi, lo uint64 }

func mul64(a, b uint64) u128 { hi, lo := bits.Mul64(a, b); return u128{hi, lo} }

// mulPow10 returns x·10^k and false when it does not fit in 128 bits.
func (x u128) mulPow10(k int) (u128, bool) {
	for k > 0 {
		step := min(k, 19)
		p, _ := pow10(step)
		h1, l1 := bits.Mul64(x.lo, p)
		h2, l2 := bits.Mul64(x.hi, p)
		mid, carry := bits.Add64(h1, l2, 0)
		if h2 != 0 || carry != 0 {
			return u128{}, false
		}
		x, k = u128{mid, l1}, k-step
	}
	return x, true
}

func (x u128) cmp(y u128) int {
	switch {
	case x.hi != y.hi:
		if x.hi < y.hi {
			return -1
		}
		return 1
	case x.lo < y.lo:
		return -1
	case x.lo > y.lo:
		return 1
	}
	return 0
}

// sumValues returns start plus the values of the active lines, adding the
// coefficients in 128 bits when they fit (one decimal instead of one per line).
func sumValues(start decimal.Decimal, lines []line) decimal.Decimal {
	e := 0
	first := true
	for i := range lines {
		v := &lines[i].v
		if !lines[i].active() || v.isZero() {
			continue
		}
		if v.w != nil || v.c < 0 {
			return slowSum(start, lines)
		}
		if first || int(v.e) < e {
			e, first = int(v.e), false
		}
	}
	var acc u128
	for i := range lines {
		v := &lines[i].v
		if !lines[i].active() || v.isZero() {
			continue
		}
		x, ok := u128{0, uint64(v.c)}.mulPow10(int(v.e) - e)
		if !ok {
			return slowSum(start, lines)
		}
		var carry uint64
		acc.lo, carry = bits.Add64(acc.lo, x.lo, 0)
		acc.hi, carry = bits.Add64(acc.hi, x.hi, carry)
		if carry != 0 {
			return slowSum(start, lines)
		}
	}
	if acc.hi != 0 || acc.lo > 1<<62 {
		return slowSum(start, lines)
	}
	return start.Add(decimal.New(int64(acc.lo), int32(e)))
}

func slowSum(start decimal.Decimal, lines []line) decimal.Decimal {
	for i := range lines {
		if lines[i].active() {
			start = start.Add(lines[i].v.dec())
		}
	}
	return start
}

// productSum adds products a·b of non-negative numbers in 128 bits, exactly,
// and switches to decimal arithmetic for good once a term does not fit.
type productSum struct {
	acc  u128
	exp  int
	used bool
	slow bool
	dec  decimal.Decimal
}

func (s *productSum) add(a, b fx) {
	if a.isZero() || b.isZero() {
		return
	}
	if !s.slow {
		if a.w == nil && b.w == nil && a.c > 0 && b.c > 0 && s.addWide(mul64(uint64(a.c), uint64(b.c)), int(a.e)+int(b.e)) {
			return
		}
		s.slow, s.dec = true, s.wideTotal().dec()
	}
	s.dec = s.dec.Add(a.dec().Mul(b.dec()))
}

// addInt adds a·n for a non-negative number a and n ≥ 0.
func (s *productSum) addInt(a fx, n int64) {
	if a.isZero() || n == 0 {
		return
	}
	if !s.slow {
		if a.w == nil && a.c > 0 && s.addWide(mul64(uint64(a.c), uint64(n)), int(a.e)) {
			return
		}
		s.slow, s.dec = true, s.wideTotal().dec()
	}
	s.dec = s.dec.Add(a.dec().Mul(decimal.NewFromInt(n)))
}

func (s *productSum) addWide(x u128, e int) bool {
	acc, ae := s.acc, s.exp
	if !s.used {
		acc, ae = u128{}, e
	}
	var ok bool
	if e < ae {
		if acc, ok = acc.mulPow10(ae - e); !ok {
			return false
		}
		ae = e
	} else if x, ok = x.mulPow10(e - ae); !ok {
		return false
	}
	lo, carry := bits.Add64(acc.lo, x.lo, 0)
	hi, carry := bits.Add64(acc.hi, x.hi, carry)
	if carry != 0 {
		return false
	}
	s.acc, s.exp, s.used = u128{hi, lo}, ae, true
	return true
}

func (s *productSum) wideTotal() fx {
	if !s.used {
		return fx{}
	}
	if s.acc.hi == 0 && s.acc.lo < smallLimit {
		return fx{c: int64(s.acc.lo), e: int32(s.exp)}
	}
	b := new(big.Int).SetUint64(s.acc.hi)
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(s.acc.lo))
	return fxOf(decimal.NewFromBigInt(b, int32(s.exp)))
}

func (s *productSum) total() fx {
	if s.slow {
		return fxOf(s.dec)
	}
	return s.wideTotal()
}
