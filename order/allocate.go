package order

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
)

// Leg is one account's order inside a block: the quantity it asked for.
type Leg struct {
	OrderID   int64
	Portfolio string
	Ordered   decimal.Decimal
}

// Allocation is the quantity of a block's fills given to one leg, at the
// block's average price.
type Allocation struct {
	OrderID   int64
	Portfolio string
	Quantity  decimal.Decimal
	Price     decimal.Decimal
}

// Allocate shares filled units of a block among its legs at price avgPx:
//
//   - each leg's ideal share is filled × ordered / Σ ordered (kept exact: no
//     division is ever rounded);
//   - each leg first gets the whole lots that fit in its ideal share;
//   - the whole lots still unallocated go one each to the legs with the
//     largest remainders (ideal share − allocated), ties broken by the
//     lower order id, skipping a leg that a further lot would overfill;
//   - what is left — the odd lot, smaller than lot — goes to the leg with the
//     largest remainder after that (ties: lower order id), then the next, each
//     taking at most what it has not yet received of its order.
//
// The result sums exactly to filled, gives no leg more than it ordered, gives
// at most one leg an odd lot beyond the legs whose own order is an odd lot, and
// does not depend on the order of legs. It comes back in the order of legs.
//
// Allocate is meant for the block's cumulative filled quantity, not for each
// fill on its own: the allocation after the last fill is then by construction
// the one-shot allocation of the total. A leg's allocation can shrink from one
// fill to the next (largest-remainder methods are not monotone), so whoever
// books it reverses the leg's previous allocation and books the new one.
func Allocate(legs []Leg, filled, lot, avgPx decimal.Decimal) ([]Allocation, error) {
	total, err := checkLegs(legs, filled, lot)
	if err != nil {
		return nil, err
	}
	n := len(legs)
	alloc := make([]decimal.Decimal, n)
	ideal := make([]decimal.Decimal, n) // filled × ordered: the ideal share times total
	lotT := lot.Mul(total)
	left := filled
	for i, l := range legs {
		ideal[i] = filled.Mul(l.Ordered)
		lots, _ := ideal[i].QuoRem(lotT, 0)
		alloc[i] = lots.Mul(lot)
		left = left.Sub(alloc[i])
	}
	for _, i := range byRemainder(legs, ideal, alloc, total) {
		if left.LessThan(lot) {
			break
		}
		if !alloc[i].Add(lot).GreaterThan(legs[i].Ordered) {
			alloc[i] = alloc[i].Add(lot)
			left = left.Sub(lot)
		}
	}
	for _, i := range byRemainder(legs, ideal, alloc, total) {
		if !left.IsPositive() {
			break
		}
		give := decimal.Min(left, legs[i].Ordered.Sub(alloc[i]))
		alloc[i] = alloc[i].Add(give)
		left = left.Sub(give)
	}
	out := make([]Allocation, n)
	for i, l := range legs {
		out[i] = Allocation{OrderID: l.OrderID, Portfolio: l.Portfolio, Quantity: alloc[i], Price: avgPx}
	}
	return out, nil
}

// byRemainder returns leg indexes by largest remainder first, then lower order id.
// The remainder ideal/total − alloc is compared as ideal − alloc × total (total > 0).
func byRemainder(legs []Leg, ideal, alloc []decimal.Decimal, total decimal.Decimal) []int {
	idx := make([]int, len(legs))
	rem := make([]decimal.Decimal, len(legs))
	for i := range legs {
		idx[i] = i
		rem[i] = ideal[i].Sub(alloc[i].Mul(total))
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if c := rem[ia].Cmp(rem[ib]); c != 0 {
			return c > 0
		}
		return legs[ia].OrderID < legs[ib].OrderID
	})
	return idx
}

func checkLegs(legs []Leg, filled, lot decimal.Decimal) (decimal.Decimal, error) {
	bad := func(format string, args ...any) (decimal.Decimal, error) {
		return decimal.Zero, fmt.Errorf("order: allocate: %s: %w", fmt.Sprintf(format, args...), ErrInvalid)
	}
	if len(legs) == 0 {
		return bad("no legs")
	}
	if !lot.IsPositive() {
		return bad("lot size %s must be positive", lot)
	}
	if filled.IsNegative() {
		return bad("filled quantity %s is negative", filled)
	}
	total := decimal.Zero
	seen := make(map[int64]bool, len(legs))
	for _, l := range legs {
		if seen[l.OrderID] {
			return bad("order %d appears twice", l.OrderID)
		}
		seen[l.OrderID] = true
		if !l.Ordered.IsPositive() {
			return bad("order %d has ordered quantity %s", l.OrderID, l.Ordered)
		}
		total = total.Add(l.Ordered)
	}
	if filled.GreaterThan(total) {
		return bad("filled %s exceeds the %s ordered", filled, total)
	}
	return total, nil
}
