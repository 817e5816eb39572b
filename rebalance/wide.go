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

// coef returns d's coefficient and exponent when it is positive and fits in 18 digits.
func coef(d decimal.Decimal) (uint64, int, bool) {
	c := d.CoefficientInt64()
	if c <= 0 || !fits(d, c) {
		return 0, 0, false
	}
	return uint64(c), int(d.Exponent()), true
}

// cexp is a decimal's coefficient and exponent as coef gives them (ok:
// positive and fits), or zero; kept beside a decimal that is compared often,
// so that comparing does not read the decimal's big.Int again.
type cexp struct {
	c    uint64
	e    int
	ok   bool
	zero bool
}

func cexpOf(d decimal.Decimal) cexp {
	c, e, ok := coef(d)
	return cexp{c: c, e: e, ok: ok, zero: !ok && d.IsZero()}
}

// mulCmp compares a·b with c·d for positive decimals, exactly and without
// allocating; ok is false when a coefficient is too long (use decimals then).
func mulCmp(a, b, c, d decimal.Decimal) (r int, ok bool) {
	ca, ea, ok1 := coef(a)
	cb, eb, ok2 := coef(b)
	cc, ec, ok3 := coef(c)
	cd, ed, ok4 := coef(d)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, false
	}
	return mulCmpC(cexp{c: ca, e: ea}, cexp{c: cb, e: eb}, cexp{c: cc, e: ec}, cexp{c: cd, e: ed}), true
}

// mulCmpC is mulCmp on coefficients that fit.
func mulCmpC(a, b, c, d cexp) int {
	x, ex := mul64(a.c, b.c), a.e+b.e
	y, ey := mul64(c.c, d.c), c.e+d.e
	var ok bool
	if ex > ey {
		if x, ok = x.mulPow10(ex - ey); !ok {
			return 1 // x·10^k ≥ 2^128 > y
		}
	} else if ey > ex {
		if y, ok = y.mulPow10(ey - ex); !ok {
			return -1
		}
	}
	return x.cmp(y)
}

// productAbove reports whether a·b > c·d, exactly.
func productAbove(a, b, c, d decimal.Decimal) bool {
	if a.IsZero() || b.IsZero() {
		return c.Sign()*d.Sign() < 0
	}
	if r, ok := mulCmp(a, b, c, d); ok {
		return r > 0
	}
	return a.Mul(b).GreaterThan(c.Mul(d))
}

// sumValues returns start plus the values of the active lines, adding the
// coefficients in 128 bits when they fit (one decimal instead of one per line).
func sumValues(start decimal.Decimal, lines []line) decimal.Decimal {
	e := 0
	first := true
	for i := range lines {
		if !lines[i].active() || lines[i].v.IsZero() {
			continue
		}
		_, ev, ok := coef(lines[i].v)
		if !ok {
			return slowSum(start, lines)
		}
		if first || ev < e {
			e, first = ev, false
		}
	}
	var acc u128
	for i := range lines {
		if !lines[i].active() || lines[i].v.IsZero() {
			continue
		}
		c, ev, _ := coef(lines[i].v)
		x, ok := u128{0, c}.mulPow10(ev - e)
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
			start = start.Add(lines[i].v)
		}
	}
	return start
}

// cmpDec compares a and b like a.Cmp(b) but without allocating when their
// coefficients fit in 18 digits (decimal.Cmp rescales, and so allocates,
// whenever the exponents differ).
func cmpDec(a, b decimal.Decimal) int {
	sa, sb := a.Sign(), b.Sign()
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 || a.Exponent() == b.Exponent() {
		return a.Cmp(b)
	}
	ca, cb := a.CoefficientInt64(), b.CoefficientInt64()
	if !fits(a, ca) || !fits(b, cb) {
		return a.Cmp(b)
	}
	if sa < 0 {
		ca, cb = -ca, -cb
	}
	x, y := u128{0, uint64(ca)}, u128{0, uint64(cb)}
	r := 0
	if ea, eb := int(a.Exponent()), int(b.Exponent()); ea > eb {
		var ok bool
		if x, ok = x.mulPow10(ea - eb); !ok {
			r = 1
		}
	} else {
		var ok bool
		if y, ok = y.mulPow10(eb - ea); !ok {
			r = -1
		}
	}
	if r == 0 {
		r = x.cmp(y)
	}
	return r * sa
}

// productSum adds products a·b of non-negative decimals in 128 bits, exactly,
// and switches to decimal arithmetic for good once a term does not fit.
type productSum struct {
	acc  u128
	exp  int
	used bool
	slow bool
	dec  decimal.Decimal
}

func (s *productSum) add(a, b decimal.Decimal) {
	if a.IsZero() || b.IsZero() {
		return
	}
	if !s.slow {
		ca, ea, ok1 := coef(a)
		cb, eb, ok2 := coef(b)
		if ok1 && ok2 && s.addWide(mul64(ca, cb), ea+eb) {
			return
		}
		s.slow, s.dec = true, s.wideTotal()
	}
	s.dec = s.dec.Add(a.Mul(b))
}

// addInt adds a·n for a non-negative decimal a and n ≥ 0.
func (s *productSum) addInt(a decimal.Decimal, n int64) {
	if a.IsZero() || n == 0 {
		return
	}
	if !s.slow {
		if ca, ea, ok := coef(a); ok && s.addWide(mul64(ca, uint64(n)), ea) {
			return
		}
		s.slow, s.dec = true, s.wideTotal()
	}
	s.dec = s.dec.Add(a.Mul(decimal.NewFromInt(n)))
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

func (s *productSum) wideTotal() decimal.Decimal {
	if !s.used {
		return decimal.Zero
	}
	if s.acc.hi == 0 && s.acc.lo <= 1<<62 {
		return decimal.New(int64(s.acc.lo), int32(s.exp))
	}
	b := new(big.Int).SetUint64(s.acc.hi)
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(s.acc.lo))
	return decimal.NewFromBigInt(b, int32(s.exp))
}

func (s *productSum) total() decimal.Decimal {
	if s.slow {
		return s.dec
	}
	return s.wideTotal()
}

// mul returns a·b, exactly, multiplying the coefficients in 64 bits when the
// product fits (decimal.Mul always goes through math/big).
func mul(a, b decimal.Decimal) decimal.Decimal {
	ca, cb := a.CoefficientInt64(), b.CoefficientInt64()
	if !fits(a, ca) || !fits(b, cb) {
		return a.Mul(b)
	}
	neg := (ca < 0) != (cb < 0)
	ua, ub := uint64(ca), uint64(cb)
	if ca < 0 {
		ua = uint64(-ca)
	}
	if cb < 0 {
		ub = uint64(-cb)
	}
	hi, lo := bits.Mul64(ua, ub)
	if hi != 0 || lo > 1<<62 {
		return a.Mul(b)
	}
	c := int64(lo)
	if neg {
		c = -c
	}
	return decimal.New(c, a.Exponent()+b.Exponent())
}

// mulInt returns d·n, exactly, without going through math/big when it fits.
func mulInt(d decimal.Decimal, n int64) decimal.Decimal {
	c := d.CoefficientInt64()
	if n >= 0 && n <= 1<<31 && fits(d, c) && c >= -(1<<31) && c <= 1<<31 {
		return decimal.New(c*n, d.Exponent())
	}
	return d.Mul(decimal.NewFromInt(n))
}
