package rebalance

import "github.com/shopspring/decimal"

// boxes makes the decimals of a worker's results from fx, one big.Int per
// coefficient: a slot keeps the last coefficient that fell into it as a
// decimal, and Shift gives it any exponent without copying the big.Int
// (decimals are immutable, so results may share it, as they share weights).
// Many figures of a run repeat: the target in money of every line of an
// equal-weight model, a trade's few lots, a quantity after the trade that
// lands on the same lots as in the portfolio before; each repeat saves a
// big.Int and its digits. A nil boxes shares nothing.
type boxes struct {
	slots [1 << 12]boxSlot
}

type boxSlot struct {
	c int64 // 0: empty (zero is never boxed here)
	d decimal.Decimal
}

// dec returns x as a decimal, as x.dec() does.
func (b *boxes) dec(x fx) decimal.Decimal {
	if b == nil || x.w != nil || x.c == 0 {
		return x.dec()
	}
	s := &b.slots[uint64(x.c)*0x9e3779b97f4a7c15>>(64-12)] // Fibonacci hashing: nearby coefficients spread
	if s.c != x.c {
		*s = boxSlot{c: x.c, d: decimal.New(x.c, 0)}
	}
	return s.d.Shift(x.e)
}
