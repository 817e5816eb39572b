package rebalance

import (
	"math/bits"

	"github.com/shopspring/decimal"
)

// The helpers here give exactly the decimals that decimal.Add, Sub and Mul
// give (the same coefficient and exponent: the smaller exponent for a sum,
// the sum of exponents for a product), working on the int64 coefficients
// when every number fits in 62 bits, so that an intermediate result costs
// one decimal instead of the several that rescaling through math/big makes.

// smallLimit bounds the coefficients worked on: a sum or difference of two stays in an int64.
const smallLimit = 1 << 62

// small returns d's coefficient and exponent when the coefficient fits.
func small(d decimal.Decimal) (int64, int32, bool) {
	c := d.CoefficientInt64()
	return c, d.Exponent(), fits(d, c)
}

// scaleUp returns c·10^k, false when that reaches 2^62 in magnitude.
func scaleUp(c int64, k int32) (int64, bool) {
	for ; k > 0; k-- {
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

// aligned is align for two decimals.
func aligned(a, b decimal.Decimal) (int64, int64, int32, bool) {
	ca, ea, ok1 := small(a)
	cb, eb, ok2 := small(b)
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	return align(ca, ea, cb, eb)
}

// add returns a+b, as a.Add(b) does.
func add(a, b decimal.Decimal) decimal.Decimal {
	if ca, cb, e, ok := aligned(a, b); ok {
		return decimal.New(ca+cb, e)
	}
	return a.Add(b)
}

// sub returns a−b, as a.Sub(b) does.
func sub(a, b decimal.Decimal) decimal.Decimal {
	if ca, cb, e, ok := aligned(a, b); ok {
		return decimal.New(ca-cb, e)
	}
	return a.Sub(b)
}

// mulSmall returns the coefficient and exponent of a·b when it fits.
func mulSmall(a, b decimal.Decimal) (int64, int32, bool) {
	ca, ea, ok1 := small(a)
	cb, eb, ok2 := small(b)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	neg := (ca < 0) != (cb < 0)
	hi, lo := bits.Mul64(absU(ca), absU(cb))
	if hi != 0 || lo >= smallLimit {
		return 0, 0, false
	}
	c := int64(lo)
	if neg {
		c = -c
	}
	return c, ea + eb, true
}

func absU(c int64) uint64 {
	if c < 0 {
		return uint64(-c)
	}
	return uint64(c)
}

// addMul returns s + a·b, as s.Add(a.Mul(b)) does.
func addMul(s, a, b decimal.Decimal) decimal.Decimal {
	cs, es, ok1 := small(s)
	cp, ep, ok2 := mulSmall(a, b)
	if ok1 && ok2 {
		if cs, cp, e, ok := align(cs, es, cp, ep); ok {
			return decimal.New(cs+cp, e)
		}
	}
	return s.Add(a.Mul(b))
}

// floorDivDiff returns ⌊(x−y)/d⌋ for d > 0, and 0 when x ≤ y, as floorDiv(x.Sub(y), d).
func floorDivDiff(x, y, d decimal.Decimal) int64 {
	if cx, cy, e, ok := aligned(x, y); ok {
		if cx <= cy {
			return 0
		}
		if q, _, ok := quoCoef(cx-cy, int(e), d); ok {
			return q
		}
	}
	return floorDiv(x.Sub(y), d)
}

// ceilDivDiff returns ⌈(x−y)/d⌉ for d > 0, and 0 when x ≤ y, as ceilDiv(x.Sub(y), d).
func ceilDivDiff(x, y, d decimal.Decimal) int64 {
	if cx, cy, e, ok := aligned(x, y); ok {
		if cx <= cy {
			return 0
		}
		if q, exact, ok := quoCoef(cx-cy, int(e), d); ok {
			if !exact {
				q++
			}
			return q
		}
	}
	return ceilDiv(x.Sub(y), d)
}

// mulC returns a·b, as mul does, and its coefficient for comparisons.
func mulC(a, b decimal.Decimal) (decimal.Decimal, cexp) {
	if c, e, ok := mulSmall(a, b); ok {
		return decimal.New(c, e), cexp{c: uint64(max(c, 0)), e: int(e), ok: c > 0, zero: c == 0}
	}
	d := a.Mul(b)
	return d, cexpOf(d)
}
