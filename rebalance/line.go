package rebalance

import "github.com/shopspring/decimal"

// sellBelowMin reports whether l sells nothing or less than the minimum trade.
func (p *planner) sellBelowMin(l *line) bool {
	if l.sellAll {
		return l.q.IsZero() || l.q.Mul(l.sellLimit).LessThan(p.opts.MinTrade)
	}
	return l.sellLots == 0 || l.sellLots < l.qt.minSellLots
}

// setSell makes l sell lots whole lots, or everything held when all is set.
func (l *line) setSell(lots int64, all bool) {
	l.sellLots, l.sellAll = lots, all
	switch {
	case all:
		l.sq = l.q
	case lots == 0:
		l.sq = decimal.Zero
	default:
		l.sq = mulInt(l.lot, lots)
	}
	l.revalue()
}

// setBuy makes l buy lots whole lots.
func (l *line) setBuy(lots int64) {
	l.buyLots = lots
	l.bq = decimal.Zero
	if lots > 0 {
		l.bq = mulInt(l.lot, lots)
	}
	l.revalue()
}

func (l *line) revalue() {
	sells, buys := l.sellLots != 0 || l.sellAll, l.buyLots != 0
	switch {
	case sells && buys:
		l.qa = add(sub(l.q, l.sq), l.bq)
	case sells:
		l.qa = sub(l.q, l.sq)
	case buys:
		l.qa = add(l.q, l.bq)
	default:
		l.qa, l.va = l.q, l.v
		return
	}
	l.va = mul(l.qa, l.price)
}

// sellQty is the quantity l sells: whole lots, or everything held.
func (l *line) sellQty() decimal.Decimal { return l.sq }

// buyQty is the quantity l buys.
func (l *line) buyQty() decimal.Decimal { return l.bq }

// valueAfter is the line's value at last price after its trades so far.
func (l *line) valueAfter() decimal.Decimal { return l.va }

// traded reports whether l trades at all.
func (l *line) traded() bool { return l.sellLots != 0 || l.sellAll || l.buyLots != 0 }
