package rebalance

import (
	"strings"

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
	inv := hundred.Div(p.nav)
	invAfter := inv
	if !p.cost.IsZero() {
		invAfter = hundred.Div(r.NAVAfter)
	}
	cash := p.cash
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
			cash = cash.Add(q.Mul(l.sellLimit))
			r.Trades = append(r.Trades, portfolio.Trade{Portfolio: code, Symbol: l.sym, Side: portfolio.Sell,
				Quantity: q, LimitPrice: l.sellLimit, Reason: p.reason(l, portfolio.Sell, inv)})
		}
	}
	for i := range p.lines {
		if l := &p.lines[i]; l.buyLots > 0 {
			q := l.buyQty()
			cash = cash.Sub(q.Mul(l.buyLim))
			r.Trades = append(r.Trades, portfolio.Trade{Portfolio: code, Symbol: l.sym, Side: portfolio.Buy,
				Quantity: q, LimitPrice: l.buyLim, Reason: p.reason(l, portfolio.Buy, inv)})
		}
	}
	r.CashAfter = cash
	need := p.reserve
	if p.opts.Raise.IsPositive() {
		need = p.cashTarget
	}
	if cash.LessThan(need) {
		r.Shortfall = need.Sub(cash)
	}
	r.Lines = make([]Line, 0, len(p.lines)+1)
	for i := range p.lines {
		r.Lines = append(r.Lines, p.outLine(&p.lines[i], inv, invAfter))
	}
	r.Lines = append(r.Lines, Line{Symbol: portfolio.CashSymbol, Quantity: p.cash, QuantityAfter: cash,
		Value: p.cash, ValueAfter: cash, Target: pct(p.cashTarget, inv), Weight: pct(p.cash, inv), WeightAfter: pct(cash, invAfter),
		TargetValue: p.cashTarget, LowerValue: p.cashFloor, UpperValue: p.cashUpper,
		InBand: p.cash.Cmp(p.cashFloor) >= 0 && p.cash.Cmp(p.cashUpper) <= 0})
	return r
}

func (p *planner) outLine(l *line, inv, invAfter decimal.Decimal) Line {
	o := Line{Symbol: l.sym, Restriction: l.r, Price: l.price, Quantity: l.q, QuantityAfter: l.q, Value: l.v, ValueAfter: l.v}
	if !l.active() {
		o.InBand = !l.r.Excluded
		return o
	}
	o.TargetValue, o.LowerValue, o.UpperValue = l.T, l.lo, l.hi
	o.InBand = l.v.Cmp(l.lo) >= 0 && l.v.Cmp(l.hi) <= 0
	o.Target, o.Weight = pct(l.T, inv), pct(l.v, inv)
	if l.sellAll || l.sellLots > 0 || l.buyLots > 0 {
		o.QuantityAfter = l.q.Sub(l.sellQty()).Add(l.buyQty())
		o.ValueAfter = o.QuantityAfter.Mul(l.price)
	}
	o.WeightAfter = pct(o.ValueAfter, invAfter)
	return o
}

// pct returns value as a percentage of NAV given inv = 100/NAV, rounded to 4 places.
func pct(value, inv decimal.Decimal) decimal.Decimal {
	if value.IsZero() {
		return decimal.Zero
	}
	return value.Mul(inv).Round(4)
}

// reason explains a trade in words a PM reads: where the security stood
// against its target and band, and why it trades this far.
func (p *planner) reason(l *line, side portfolio.Side, inv decimal.Decimal) string {
	var b strings.Builder
	if !l.inModel {
		b.WriteString("not in model, ")
	}
	w, t := l.v.Mul(inv).StringFixed(2), l.T.Mul(inv).StringFixed(2)
	if l.v.GreaterThan(l.T) {
		b.WriteString("overweight ")
	} else {
		b.WriteString("underweight ")
	}
	b.WriteString(w + "% vs target " + t + "% (band " + l.band.String() + ")")
	inBand := l.v.Cmp(l.lo) >= 0 && l.v.Cmp(l.hi) <= 0
	if inBand {
		b.WriteString(", in band")
	}
	switch {
	case side == portfolio.Sell && l.sellAll:
		b.WriteString("; sell the whole position")
	case l.primary && p.mode == ModeBand && side == portfolio.Sell:
		b.WriteString("; to the band edge " + l.hi.Mul(inv).StringFixed(2) + "%")
	case l.primary && p.mode == ModeBand:
		b.WriteString("; to the band edge " + l.lo.Mul(inv).StringFixed(2) + "%")
	}
	if l.secondary {
		p.cashReason(&b, side, inv)
	}
	if l.scaled {
		b.WriteString("; scaled down: not enough cash")
	}
	if l.trimmed {
		b.WriteString("; trimmed to stay at or below target after the price collar")
	}
	return b.String()
}

func (p *planner) cashReason(b *strings.Builder, side portfolio.Side, inv decimal.Decimal) {
	cash := p.stateCash.Mul(inv).StringFixed(2)
	switch {
	case side == portfolio.Sell && p.opts.Raise.IsPositive():
		b.WriteString("; raising " + p.opts.Raise.String() + " cash, most overweight first")
	case side == portfolio.Sell:
		b.WriteString("; cash " + cash + "% after the out-of-band trades is below its floor " + p.cashFloor.Mul(inv).StringFixed(2) + "%")
	default:
		b.WriteString("; cash " + cash + "% after the out-of-band trades is above its band " + p.cashUpper.Mul(inv).StringFixed(2) + "%")
	}
}
