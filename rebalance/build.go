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
	r.NAVAfter = p.nav.Sub(p.cost)
	nav, navAfter := p.nav, r.NAVAfter
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
				Quantity: q, LimitPrice: l.sellLimit, Reason: p.reason(l, portfolio.Sell, nav)})
		}
	}
	for i := range p.lines {
		if l := &p.lines[i]; l.buyLots > 0 {
			q := l.buyQty()
			spent.add(q, l.buyLim)
			r.Trades = append(r.Trades, portfolio.Trade{Portfolio: code, Symbol: l.sym, Side: portfolio.Buy,
				Quantity: q, LimitPrice: l.buyLim, Reason: p.reason(l, portfolio.Buy, nav)})
		}
	}
	cash := p.cash.Add(proceeds.total()).Sub(spent.total())
	r.CashAfter = cash
	need := p.reserve
	if p.opts.Raise.IsPositive() {
		need = p.cashTarget
	}
	if cmpDec(cash, need) < 0 {
		r.Shortfall = need.Sub(cash)
	}
	r.Lines = make([]Line, len(p.lines), len(p.lines)+1)
	for i := range p.lines {
		p.outLine(&r.Lines[i], &p.lines[i], nav, navAfter)
	}
	r.Lines = append(r.Lines, Line{Symbol: portfolio.CashSymbol, Quantity: p.cash, QuantityAfter: cash,
		Value: p.cash, ValueAfter: cash, Target: pct(p.cashTarget, nav), Weight: pct(p.cash, nav), WeightAfter: pct(cash, navAfter),
		TargetValue: p.cashTarget, Lower: pct(p.cashFloor, nav), Upper: pct(p.cashUpper, nav),
		InBand: cmpDec(p.cash, p.cashFloor) >= 0 && cmpDec(p.cash, p.cashUpper) <= 0})
	return r
}

// outLine fills o, a zero Line, from l.
func (p *planner) outLine(o *Line, l *line, nav, navAfter decimal.Decimal) {
	o.Symbol, o.Restriction, o.Price = l.sym, l.r, l.price
	o.Quantity, o.QuantityAfter, o.Value, o.ValueAfter = l.q, l.q, l.v, l.v
	if !l.active() {
		o.InBand = !l.r.Excluded
		return
	}
	o.TargetValue, o.InBand = l.T, l.pos == 0
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
		o.QuantityAfter = l.qa
		o.ValueAfter = l.valueAfter()
	}
	o.WeightAfter = o.Weight
	if l.traded() || !p.cost.IsZero() {
		o.WeightAfter = p.weights.pct(o.ValueAfter, navAfter)
	}
}

// pct returns value as a percentage of nav, rounded to 4 places.
func pct(value, nav decimal.Decimal) decimal.Decimal { return pctOf(value, nav, 4) }
