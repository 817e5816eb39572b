package rebalance

// sellBelowMin reports whether l sells nothing or less than the minimum trade.
func (p *planner) sellBelowMin(l *line) bool {
	if l.sellAll {
		return l.qx.isZero() || l.qx.mul(l.sellLimit).cmp(p.minTrade) < 0
	}
	return l.sellLots == 0 || l.sellLots < l.qt.minSellLots
}

// setSell makes l sell lots whole lots, or everything held when all is set.
func (l *line) setSell(lots int64, all bool) {
	l.sellLots, l.sellAll = lots, all
	switch {
	case all:
		l.sq = l.qx
	case lots == 0:
		l.sq = fx{}
	default:
		l.sq = l.lotx.mulInt(lots)
	}
	l.revalue()
}

// setBuy makes l buy lots whole lots.
func (l *line) setBuy(lots int64) {
	l.buyLots = lots
	l.bq = fx{}
	if lots > 0 {
		l.bq = l.lotx.mulInt(lots)
	}
	l.revalue()
}

func (l *line) revalue() {
	sells, buys := l.sellLots != 0 || l.sellAll, l.buyLots != 0
	switch {
	case sells && buys:
		l.qa = l.qx.sub(l.sq).add(l.bq)
	case sells:
		l.qa = l.qx.sub(l.sq)
	case buys:
		l.qa = l.qx.add(l.bq)
	default:
		l.qa, l.va = l.qx, l.v
		return
	}
	l.va = l.qa.mul(l.px)
}

// sellQty is the quantity l sells: whole lots, or everything held.
func (l *line) sellQty() fx { return l.sq }

// buyQty is the quantity l buys.
func (l *line) buyQty() fx { return l.bq }

// valueAfter is the line's value at last price after its trades so far.
func (l *line) valueAfter() fx { return l.va }

// traded reports whether l trades at all.
func (l *line) traded() bool { return l.sellLots != 0 || l.sellAll || l.buyLots != 0 }
