package rebalance

import (
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// result assembles the Result: trades (sells, then buys, each by symbol),
// cash and NAV before and after, and a line per security plus CASH.
func (p *planner) result() Result {
	code := p.in.Holdings.Portfolio.Code
	r := Result{Portfolio: code, Model: p.in.Model.Name, NAV: p.nav, CashBefore: p.cash,
		Reserve: p.reserve, CashTarget: p.cashTarget, CashFloor: p.cashFloor, CashState: p.state}
	navAfter := p.navx.sub(p.cost)
	r.NAVAfter = navAfter.dec()
	var proceeds, spent productSum
	nTrades := 0
	for i := range p.lines {
		if l := &p.lines[i]; l.sellAll || l.sellLots > 0 || l.buyLots > 0 {
			nTrades++
		}
	}
	r.Trades = make([]portfolio.Trade, 0, nTrades)
	for i := range p.lines {
		if l := &p.lines[i]; l.sellAll || l.sellLots > 0 {
			q := l.sellQty()
			proceeds.add(q, l.sellLimit)
			r.Trades = append(r.Trades, portfolio.Trade{Portfolio: code, Symbol: l.sym, Side: portfolio.Sell,
				Quantity: p.boxes.dec(q), LimitPrice: l.qt.sellLimit, Reason: p.reason(l, portfolio.Sell, p.navx)})
		}
	}
	for i := range p.lines {
		if l := &p.lines[i]; l.buyLots > 0 {
			q := l.buyQty()
			spent.add(q, l.buyLim)
			r.Trades = append(r.Trades, portfolio.Trade{Portfolio: code, Symbol: l.sym, Side: portfolio.Buy,
				Quantity: p.boxes.dec(q), LimitPrice: l.qt.buyLimit, Reason: p.reason(l, portfolio.Buy, p.navx)})
		}
	}
	cashx := fxOf(p.cash).add(proceeds.total()).sub(spent.total())
	cash := cashx.dec()
	r.CashAfter = cash
	need := p.reserve
	if p.opts.Raise.IsPositive() {
		need = p.cashTarget
	}
	if cashx.cmp(fxOf(need)) < 0 {
		r.Shortfall = need.Sub(cash)
	}
	if p.opts.TradesOnly {
		return r
	}
	r.Lines = make([]Line, len(p.lines), len(p.lines)+1)
	for i := range p.lines {
		p.outLine(&r.Lines[i], &p.lines[i], navAfter)
	}
	nav := p.nav
	r.Lines = append(r.Lines, Line{Symbol: portfolio.CashSymbol, Quantity: p.cash, QuantityAfter: cash,
		Value: p.cash, ValueAfter: cash, Target: pct(p.cashTarget, nav), Weight: pct(p.cash, nav), WeightAfter: pct(cash, r.NAVAfter),
		TargetValue: p.cashTarget, Lower: pct(p.cashFloor, nav), Upper: pct(p.cashUpper, nav),
		InBand: fxOf(p.cash).cmp(fxOf(p.cashFloor)) >= 0 && fxOf(p.cash).cmp(fxOf(p.cashUpper)) <= 0})
	return r
}

// outLine fills o, a zero Line, from l.
func (p *planner) outLine(o *Line, l *line, navAfter fx) {
	o.Symbol, o.Restriction, o.Price = l.sym, l.r, l.price
	o.Quantity, o.QuantityAfter = l.q, l.q
	o.Value = p.boxes.dec(l.v)
	o.ValueAfter = o.Value
	if !l.active() {
		o.InBand = !l.r.Excluded
		return
	}
	o.TargetValue, o.InBand = p.boxes.dec(l.T), l.pos == 0
	nav := p.navx
	if p.plainScale {
		o.Lower, o.Upper = l.loW, l.hiW
	} else {
		o.Lower, o.Upper = p.weights.pct(l.lo, nav), p.weights.pct(l.hi, nav)
	}
	o.Target, o.Weight = l.t, p.weights.pct(l.v, nav)
	if !p.plainScale {
		o.Target = p.weights.pct(l.T, nav)
	}
	if l.traded() {
		o.QuantityAfter = p.boxes.dec(l.qa)
		o.ValueAfter = p.boxes.dec(l.va)
	}
	o.WeightAfter = o.Weight
	if l.traded() || !p.cost.isZero() {
		o.WeightAfter = p.weights.pct(l.va, navAfter)
	}
}

// pct returns value as a percentage of nav, rounded to 4 places.
func pct(value, nav decimal.Decimal) decimal.Decimal { return pctOf(value, nav, 4) }
