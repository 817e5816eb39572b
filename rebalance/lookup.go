package rebalance

import (
	"reflect"

	"github.com/shopspring/decimal"
)

// lookups remembers, per model target, what an input's price and security
// maps gave, for as long as the inputs share those two maps (the portfolios
// of a book usually do): it saves two map look-ups (a string hash and
// compare each) per line. A worker's modelInfo holds one; inputs must not
// change while PlanAll runs.
type lookups struct {
	prices, securities uintptr // the maps the entries came from
	byTarget           []lookup
}

// lookup is one symbol's price and its security's lot and tick.
type lookup struct {
	set       bool
	priced    bool
	hasSec    bool
	price     decimal.Decimal
	lot, tick decimal.Decimal
}

// forInput returns the lookups valid for in's maps, emptied when they are
// not the maps of the entries kept.
func (ls *lookups) forInput(in *Input, targets int) *lookups {
	prices, securities := reflect.ValueOf(in.Prices).Pointer(), reflect.ValueOf(in.Securities).Pointer()
	if ls.byTarget == nil || prices != ls.prices || securities != ls.securities {
		ls.prices, ls.securities = prices, securities
		if ls.byTarget == nil {
			ls.byTarget = make([]lookup, targets)
		} else {
			clear(ls.byTarget)
		}
	}
	return ls
}

// get returns target k's lookup (k < 0: a security outside the model,
// looked up every time into scratch).
func (ls *lookups) get(in *Input, k int, sym string, scratch *lookup) *lookup {
	lk := scratch
	if k >= 0 && ls != nil {
		lk = &ls.byTarget[k]
		if lk.set {
			return lk
		}
	}
	px, priced := in.Prices[sym]
	sec, ok := in.Securities[sym]
	*lk = lookup{set: true, priced: priced, hasSec: ok, price: px}
	if ok {
		lk.lot, lk.tick = sec.LotSize, sec.Tick()
	}
	return lk
}
