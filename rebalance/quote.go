package rebalance

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// quote is what a plan derives from one security's last price, lot and tick
// under a collar: the limit prices and the value of one lot at each price.
type quote struct {
	price, lot, tick decimal.Decimal
	lotVal           decimal.Decimal // one lot at last
	sellLimit        decimal.Decimal // last − collar, rounded down to the tick
	buyLimit         decimal.Decimal // last + collar, rounded up to the tick
	lotProceeds      decimal.Decimal // one lot at the sell limit
	lotCost          decimal.Decimal // one lot at the buy limit
	sellCost         decimal.Decimal // last − sell limit: what selling one unit at the limit costs
	buyCost          decimal.Decimal // buy limit − last: what buying one unit at the limit costs
	minSellLots      int64           // fewest lots worth the minimum trade at the sell limit
	minBuyLots       int64           // fewest lots worth the minimum trade at the buy limit
	sellErr          error
}

func newQuote(sym string, price, lot, tick decimal.Decimal, collarBps int64, minTrade decimal.Decimal) *quote {
	q := &quote{price: price, lot: lot, tick: tick, lotVal: lot.Mul(price)}
	sell := price.Mul(decimal.New(10000-collarBps, -4))
	q.sellLimit = tick.Mul(decimal.NewFromInt(floorDiv(sell, tick)))
	buy := price.Mul(decimal.New(10000+collarBps, -4))
	q.buyLimit = tick.Mul(decimal.NewFromInt(ceilDiv(buy, tick)))
	if !q.sellLimit.IsPositive() {
		q.sellErr = fmt.Errorf("%s: sell limit rounds to zero (last %s, tick %s)", sym, price, tick)
	}
	q.lotProceeds, q.lotCost = lot.Mul(q.sellLimit), lot.Mul(q.buyLimit)
	q.sellCost, q.buyCost = price.Sub(q.sellLimit), q.buyLimit.Sub(price)
	if q.sellErr == nil {
		q.minSellLots = ceilDiv(minTrade, q.lotProceeds) // n lots are worth less than minTrade iff n < this
	}
	q.minBuyLots = ceilDiv(minTrade, q.lotCost)
	return q
}

// quotes caches quotes by symbol for one collar and minimum trade. PlanAll gives each worker
// one, so a book that shares prices computes each security's limits once; a
// hit is checked against the price, lot and tick, so inputs with their own
// prices stay correct. The zero quotes caches nothing.
type quotes struct {
	collar   int64
	minTrade decimal.Decimal
	m        map[string]*quote
}

func (qs *quotes) get(sym string, price, lot, tick decimal.Decimal) *quote {
	if q, ok := qs.m[sym]; ok && q.price.Equal(price) && q.lot.Equal(lot) && q.tick.Equal(tick) {
		return q
	}
	q := newQuote(sym, price, lot, tick, qs.collar, qs.minTrade)
	if qs.m != nil {
		qs.m[sym] = q
	}
	return q
}
