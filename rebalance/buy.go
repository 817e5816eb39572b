package rebalance

import (
	"slices"
)

// want is one buy competing for cash: up to n more lots of line i, which
// already buys have lots; prio is its shortfall to target in money.
type want struct {
	i        int
	n, have  int64
	got      int64
	minLots  int64 // a new buy of fewer lots is worth less than the minimum trade
	lotCost  fx    // one lot at the buy limit
	base     fx    // the line's value the buy starts from
	shortfal fx    // target − base, worked out only when cash is short
}

// primaryBuys buys every out-of-band underweight security to its target
// (target mode) or lower band edge (band mode), within the cash above the
// effective cash target: spending cash below its own target would only move
// drift from the security to cash (and the collar cost would make it worse).
func (p *planner) primaryBuys() error {
	if p.opts.Raise.IsPositive() {
		return nil
	}
	ws := p.wants[:0]
	for i := range p.lines {
		l := &p.lines[i]
		if !l.active() || l.r.DoNotBuy || l.pos >= 0 {
			continue
		}
		p.buyLimitOf(l)
		n := l.T.sub(l.v).floorDiv(l.lotVal)
		if p.mode == ModeBand {
			p.edges(l)
			n = min(l.lo.sub(l.v).ceilDiv(l.lotVal), n)
		}
		if w := p.newWant(i, l, n, l.v); w.n > 0 {
			ws = append(ws, w)
		}
	}
	p.wants = ws
	scaled := p.allocate(p.proj.sub(fxOf(p.cashTarget)), ws, true)
	for _, w := range ws {
		if l := &p.lines[w.i]; w.got > 0 {
			l.setBuy(l.buyLots + w.got)
			l.primary = true
			l.scaled = scaled && w.got < w.n
		}
	}
	return nil
}

// secondaryBuys invests the cash above its high destination in underweight
// securities, toward (never above) target, most underweight first: cash is
// brought back with the fewest trades rather than a sliver of everything.
func (p *planner) secondaryBuys() error {
	ws := p.wants[:0]
	for i := range p.lines {
		l := &p.lines[i]
		if !l.active() || l.r.DoNotBuy {
			continue
		}
		va := l.valueAfter()
		if va.cmp(l.T) >= 0 {
			continue
		}
		p.buyLimitOf(l)
		if w := p.newWant(i, l, l.T.sub(va).floorDiv(l.lotVal), va); w.n > 0 {
			ws = append(ws, w)
		}
	}
	p.wants = ws
	p.allocate(p.proj.sub(fxOf(p.destHigh)), ws, false)
	for _, w := range ws {
		if l := &p.lines[w.i]; w.got > 0 {
			l.setBuy(l.buyLots + w.got)
			l.secondary = true
		}
	}
	return nil
}

// newWant returns the want for n more lots of l, whose value is now base,
// with n = 0 when the whole buy would be worth less than the minimum trade.
func (p *planner) newWant(i int, l *line, n int64, base fx) want {
	w := want{i: i, n: n, have: l.buyLots, lotCost: l.qt.lotCost, minLots: l.qt.minBuyLots, base: base}
	if n > 0 && w.have == 0 && n < w.minLots {
		w.n = 0
	}
	return w
}

// allocate spends at most budget on ws and reports whether it had to scale
// down. When everything fits every buy gets its lots. Otherwise, with
// proRata, each buy first gets ⌊budget × n / total⌋ lots (rounded down) and a
// new buy then worth less than the minimum trade gets none; then (and
// without proRata, only then) the cash left buys further whole lots in order
// of largest shortfall (ties by symbol), each up to its n, a new buy only if
// what fits reaches the minimum trade.
func (p *planner) allocate(budget fx, ws []want, proRata bool) bool {
	if len(ws) == 0 {
		return false
	}
	if budget.sign() <= 0 {
		return true
	}
	var sum productSum
	for _, w := range ws {
		sum.addInt(w.lotCost, w.n)
	}
	total := sum.total()
	if total.cmp(budget) <= 0 {
		for k := range ws {
			ws[k].got = ws[k].n
		}
		p.proj = p.proj.sub(total)
		return false
	}
	rest := budget
	for k := range ws {
		ws[k].shortfal = p.lines[ws[k].i].T.sub(ws[k].base)
	}
	for k := range ws {
		w := &ws[k]
		if w.got = 0; !proRata {
			continue
		}
		w.got = budget.mulInt(w.n).floorDiv(total)
		if w.got > 0 && p.belowMin(w, w.got) {
			w.got = 0
		}
		rest = rest.sub(w.lotCost.mulInt(w.got))
	}
	byNeed := slices.Clone(ws)
	slices.SortStableFunc(byNeed, func(a, b want) int { return b.shortfal.cmp(a.shortfal) })
	for _, w := range byNeed {
		k := p.wantIndex(ws, w.i)
		extra := min(w.n-ws[k].got, rest.floorDiv(w.lotCost))
		if extra <= 0 || p.belowMin(&ws[k], ws[k].got+extra) {
			continue
		}
		ws[k].got += extra
		rest = rest.sub(w.lotCost.mulInt(extra))
	}
	p.proj = p.proj.sub(budget.sub(rest))
	return true
}

// belowMin reports whether w's whole trade with got more lots is a new trade worth less than the minimum.
func (p *planner) belowMin(w *want, got int64) bool {
	return w.have == 0 && got < w.minLots
}

func (p *planner) wantIndex(ws []want, i int) int {
	k, _ := slices.BinarySearchFunc(ws, i, func(w want, i int) int { return w.i - i })
	return k
}
