package rebalance

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// fx is an exact decimal number, c·10^e, that costs no allocation: the
// planner keeps its per-line quantities and values in it and makes a
// decimal.Decimal (a big.Int and its digits on the heap) only for what
// leaves in the Result. Its arithmetic gives the very numbers decimal
// arithmetic gives, exponent included: a sum or difference has the smaller
// exponent of the two, a product the sum of both. A coefficient that would
// reach 2^62 in magnitude is never wrapped: the number is then held as a
// decimal (w) and computed with decimal arithmetic, exactly, at the cost of
// allocating again. The zero fx is 0, as decimal.Zero is.
type fx struct {
	c int64            // coefficient, |c| < 2^62, when w is nil
	e int32            // exponent, when w is nil
	w *decimal.Decimal // the number, when its coefficient does not fit
}

// fxOf returns d as an fx.
func fxOf(d decimal.Decimal) fx {
	if c := d.CoefficientInt64(); fits(d, c) {
		return fx{c: c, e: d.Exponent()}
	}
	w := d // on the heap only when the coefficient does not fit
	return fx{w: &w}
}

// fxCoef returns c·10^e, held as a decimal when c does not fit.
func fxCoef(c int64, e int32) fx {
	if c >= smallLimit || c <= -smallLimit {
		return fxOf(decimal.New(c, e))
	}
	return fx{c: c, e: e}
}

// dec returns x as a decimal; it allocates unless x is held as one or is
// zero (decimal.Zero, or its Shift, which shares its big.Int).
func (x fx) dec() decimal.Decimal {
	switch {
	case x.w != nil:
		return *x.w
	case x.c == 0 && x.e == 0:
		return decimal.Zero
	case x.c == 0:
		return decimal.Zero.Shift(x.e)
	}
	return decimal.New(x.c, x.e)
}

func (x fx) sign() int {
	switch {
	case x.w != nil:
		return x.w.Sign()
	case x.c > 0:
		return 1
	case x.c < 0:
		return -1
	}
	return 0
}

func (x fx) isZero() bool { return x.w == nil && x.c == 0 }

// shift returns x·10^k, as decimal's Shift does.
func (x fx) shift(k int32) fx {
	if e := int64(x.e) + int64(k); x.w == nil && e >= math.MinInt32 && e <= math.MaxInt32 {
		return fx{c: x.c, e: int32(e)}
	}
	return fxOf(x.dec().Shift(k))
}

// add returns x+y, as decimal's Add does.
func (x fx) add(y fx) fx {
	if x.w == nil && y.w == nil {
		if a, b, e, ok := align(x.c, x.e, y.c, y.e); ok {
			return fxCoef(a+b, e)
		}
	}
	return fxOf(x.dec().Add(y.dec()))
}

// sub returns x−y, as decimal's Sub does.
func (x fx) sub(y fx) fx {
	if x.w == nil && y.w == nil {
		if a, b, e, ok := align(x.c, x.e, y.c, y.e); ok {
			return fxCoef(a-b, e)
		}
	}
	return fxOf(x.dec().Sub(y.dec()))
}

// mul returns x·y, as decimal's Mul does.
func (x fx) mul(y fx) fx {
	if x.w == nil && y.w == nil {
		hi, lo := bits.Mul64(absU(x.c), absU(y.c))
		e := int64(x.e) + int64(y.e)
		if hi == 0 && lo < smallLimit && e >= math.MinInt32 && e <= math.MaxInt32 {
			c := int64(lo)
			if (x.c < 0) != (y.c < 0) {
				c = -c
			}
			return fx{c: c, e: int32(e)}
		}
	}
	return fxOf(x.dec().Mul(y.dec()))
}

// mulInt returns x·n, as x.Mul(decimal.NewFromInt(n)) does.
func (x fx) mulInt(n int64) fx {
	if n >= smallLimit || n <= -smallLimit {
		return fxOf(x.dec().Mul(decimal.NewFromInt(n)))
	}
	return x.mul(fx{c: n})
}

// cmp compares x and y like decimal's Cmp.
func (x fx) cmp(y fx) int {
	if x.w != nil || y.w != nil {
		return x.dec().Cmp(y.dec())
	}
	sx, sy := x.sign(), y.sign()
	switch {
	case sx != sy:
		if sx < sy {
			return -1
		}
		return 1
	case sx == 0:
		return 0
	}
	// compare the magnitudes at the smaller exponent, in 128 bits
	a, b := u128{0, absU(x.c)}, u128{0, absU(y.c)}
	r := 0
	if x.e > y.e {
		var ok bool
		if a, ok = a.mulPow10(int(x.e) - int(y.e)); !ok {
			r = 1 // a ≥ 2^128 > b
		}
	} else if y.e > x.e {
		var ok bool
		if b, ok = b.mulPow10(int(y.e) - int(x.e)); !ok {
			r = -1
		}
	}
	if r == 0 {
		r = a.cmp(b)
	}
	return r * sx
}

// floorDiv returns ⌊x/y⌋ for y > 0, and 0 when x ≤ 0, as the package floorDiv does.
func (x fx) floorDiv(y fx) int64 {
	if x.sign() <= 0 {
		return 0
	}
	if x.w == nil && y.w == nil {
		if q, _, ok := quoCoef(x.c, x.e, y.c, y.e); ok {
			return q
		}
	}
	return floorDiv(x.dec(), y.dec())
}

// ceilDiv returns ⌈x/y⌉ for y > 0, and 0 when x ≤ 0, as the package ceilDiv does.
func (x fx) ceilDiv(y fx) int64 {
	if x.sign() <= 0 {
		return 0
	}
	if x.w == nil && y.w == nil {
		if q, exact, ok := quoCoef(x.c, x.e, y.c, y.e); ok {
			if !exact {
				q++
			}
			return q
		}
	}
	return ceilDiv(x.dec(), y.dec())
}

// productAbove reports whether a·b > c·d, exactly.
func productAbove(a, b, c, d fx) bool {
	if a.w != nil || b.w != nil || c.w != nil || d.w != nil {
		return a.dec().Mul(b.dec()).GreaterThan(c.dec().Mul(d.dec()))
	}
	sl, sr := a.sign()*b.sign(), c.sign()*d.sign()
	if sl != sr || sl == 0 {
		return sl > sr
	}
	// compare the magnitudes at the smaller exponent, in 128 bits
	x, ex := mul64(absU(a.c), absU(b.c)), int(a.e)+int(b.e)
	y, ey := mul64(absU(c.c), absU(d.c)), int(c.e)+int(d.e)
	r := 0
	if ex > ey {
		var ok bool
		if x, ok = x.mulPow10(ex - ey); !ok {
			r = 1 // x·10^k ≥ 2^128 > y
		}
	} else if ey > ex {
		var ok bool
		if y, ok = y.mulPow10(ey - ex); !ok {
			r = -1
		}
	}
	if r == 0 {
		r = x.cmp(y)
	}
	return r*sl > 0
}

// smallLimit bounds an fx coefficient: a sum or difference of two stays in an int64.
const smallLimit = 1 << 62

// scaleUp returns c·10^k, false when that reaches 2^62 in magnitude.
func scaleUp(c int64, k int32) (int64, bool) {
	for ; k > 0 && c != 0; k-- {
		if c >= smallLimit/10 || c <= -smallLimit/10 {
			return 0, false
		}
		c *= 10
	}
	return c, true
}

// align returns the coefficients of a = ca·10^e and b = cb·10^e at the
// smaller of their exponents, as decimal.RescalePair does.
func align(ca int64, ea int32, cb int64, eb int32) (int64, int64, int32, bool) {
	var ok bool
	switch {
	case ea > eb:
		ca, ok = scaleUp(ca, ea-eb)
		return ca, cb, eb, ok
	case eb > ea:
		cb, ok = scaleUp(cb, eb-ea)
		return ca, cb, ea, ok
	}
	return ca, cb, ea, true
}

func absU(c int64) uint64 {
	if c < 0 {
		return uint64(-c)
	}
	return uint64(c)
}
