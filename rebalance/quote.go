package rebalance

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// quote is what a plan derives from one security's last price, lot and tick
// under a collar: the limit prices and the value of one lot at each price.
type quote struct {
	price, lot, tick      decimal.Decimal
	sellLimit, buyLimit   decimal.Decimal // as trades carry them
	sellLimitx, buyLimitx fx              // last − collar, rounded down to the tick; last + collar, rounded up
	lotVal                fx              // one lot at last
	lotProceeds           fx              // one lot at the sell limit
	lotCost               fx              // one lot at the buy limit
	sellCost              fx              // last − sell limit: what selling one unit at the limit costs
	buyCost               fx              // buy limit − last: what buying one unit at the limit costs
	minSellLots           int64           // fewest lots worth the minimum trade at the sell limit
	minBuyLots            int64           // fewest lots worth the minimum trade at the buy limit
	sellErr               error
}

func newQuote(sym string, price, lot, tick decimal.Decimal, collarBps int64, minTrade decimal.Decimal) *quote {
	px, lx, tx := fxOf(price), fxOf(lot), fxOf(tick)
	q := &quote{price: price, lot: lot, tick: tick, lotVal: lx.mul(px)}
	sell := px.mul(fx{c: 10000 - collarBps, e: -4})
	q.sellLimitx = tx.mulInt(sell.floorDiv(tx))
	buy := px.mul(fx{c: 10000 + collarBps, e: -4})
	q.buyLimitx = tx.mulInt(buy.ceilDiv(tx))
	q.sellLimit, q.buyLimit = q.sellLimitx.dec(), q.buyLimitx.dec()
	if q.sellLimitx.sign() <= 0 {
		q.sellErr = fmt.Errorf("%s: sell limit rounds to zero (last %s, tick %s)", sym, price, tick)
	}
	q.lotProceeds, q.lotCost = lx.mul(q.sellLimitx), lx.mul(q.buyLimitx)
	q.sellCost, q.buyCost = px.sub(q.sellLimitx), q.buyLimitx.sub(px)
	if q.sellErr == nil {
		q.minSellLots = fxOf(minTrade).ceilDiv(q.lotProceeds) // n lots are worth less than minTrade iff n < this
	}
	q.minBuyLots = fxOf(minTrade).ceilDiv(q.lotCost)
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
