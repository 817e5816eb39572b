package rebalance

import "github.com/shopspring/decimal"

// weights interns the weights (4 places) that a worker's results hold.
// The portfolios of a model sit near the same weights, and after a plan
// nearer still, so most weights of a run are ones already made: sharing them
// (decimals are immutable) saves allocating, and the garbage collector
// marking, two objects per weight of every line. A slot keeps the last
// weight that fell into it; the output is the same decimal either way.
type weights struct {
	slots [1 << 14]weightSlot
}

type weightSlot struct {
	set bool
	q   int64
	d   decimal.Decimal
}

// pct is the package pct (value as a percentage of nav, rounded to 4
// places) for fx, interned when w is not nil.
func (w *weights) pct(value, nav fx) decimal.Decimal {
	if value.isZero() {
		return decimal.Zero
	}
	q, ok := pctInt(value, nav, 4)
	if !ok {
		return pct(value.dec(), nav.dec())
	}
	if w == nil {
		return decimal.New(q, -4)
	}
	s := &w.slots[uint64(q)%uint64(len(w.slots))]
	if !s.set || s.q != q {
		*s = weightSlot{set: true, q: q, d: decimal.New(q, -4)}
	}
	return s.d
}
