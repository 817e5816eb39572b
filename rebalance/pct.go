package rebalance

import (
	"math/bits"

	"github.com/shopspring/decimal"
)

// pow10 returns 10^k for 0 ≤ k ≤ 19, and false beyond uint64.
func pow10(k int) (uint64, bool) {
	if k < 0 || k > 19 {
		return 0, false
	}
	p := uint64(1)
	for ; k > 0; k-- {
		p *= 10
	}
	return p, true
}

// pctOf returns 100·v/nav rounded half away from zero to places decimals.
// It is exact: the division is done on the decimals' integer coefficients
// (128-bit), falling back to decimal division when they do not fit.
// nav must be positive.
func pctOf(v, nav decimal.Decimal, places int32) decimal.Decimal {
	if v.IsZero() {
		return decimal.Zero
	}
	if q, ok := pctInt(fxOf(v), fxOf(nav), places); ok {
		return decimal.New(q, -places)
	}
	return v.Mul(hundred).Div(nav).Round(places)
}

// pctInt computes round(v·10^(2+places)/nav) on 64/128-bit integers.
func pctInt(v, nav fx, places int32) (int64, bool) {
	if v.w != nil || nav.w != nil || nav.c <= 0 {
		return 0, false
	}
	cv := v.c
	neg := cv < 0
	uv := uint64(cv)
	if neg {
		uv = uint64(-cv)
	}
	// result = uv·10^k / un·10^j with k, j ≥ 0
	k := int(v.e) - int(nav.e) + 2 + int(places)
	den := uint64(nav.c)
	if k < 0 {
		p, ok := pow10(-k)
		if !ok {
			return 0, false
		}
		hi, lo := bits.Mul64(den, p)
		if hi != 0 {
			return 0, false
		}
		den, k = lo, 0
	}
	p, ok := pow10(k)
	if !ok {
		return 0, false
	}
	hi, lo := bits.Mul64(uv, p)
	if hi >= den {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, den)
	if r >= den-r { // 2r ≥ den without overflow
		q++
	}
	if q > 1<<62 {
		return 0, false
	}
	if neg {
		return -int64(q), true
	}
	return int64(q), true
}

// fits reports whether d's coefficient (c) fits in an int64: at most 18 digits.
func fits(d decimal.Decimal, c int64) bool {
	return d.NumDigits() <= 18 && c <= 1<<62 && c >= -(1<<62)
}

// quoInt returns ⌊x/y⌋ and whether the division is exact, for x ≥ 0 and
// y > 0, on 64/128-bit integers; ok is false when the numbers do not fit.
func quoInt(x, y decimal.Decimal) (q int64, exact, ok bool) {
	cx, cy := x.CoefficientInt64(), y.CoefficientInt64()
	if !fits(x, cx) || !fits(y, cy) {
		return 0, false, false
	}
	return quoCoef(cx, x.Exponent(), cy, y.Exponent())
}

// quoCoef is quoInt for x = cx·10^ex and y = cy·10^ey.
func quoCoef(cx int64, ex int32, cy int64, ey int32) (q int64, exact, ok bool) {
	if cx < 0 || cy <= 0 {
		return 0, false, false
	}
	num, den := uint64(cx), uint64(cy)
	k := int(ex) - int(ey)
	if k < 0 {
		p, ok := pow10(-k)
		if !ok {
			return 0, false, false
		}
		hi, lo := bits.Mul64(den, p)
		if hi != 0 {
			return 0, false, false
		}
		den, k = lo, 0
	}
	p, ok := pow10(k)
	if !ok {
		return 0, false, false
	}
	hi, lo := bits.Mul64(num, p)
	if hi >= den {
		return 0, false, false
	}
	uq, r := bits.Div64(hi, lo, den)
	if uq > 1<<62 {
		return 0, false, false
	}
	return int64(uq), r == 0, true
}
