package rebalance

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

var hundredx = fx{c: 100}

// ErrCashAboveNAV is returned (wrapped) when the reserve and the amount to
// raise ask for more cash than the portfolio is worth: Plan will not liquidate
// a portfolio on a typo.
var ErrCashAboveNAV = errors.New("reserve and raise exceed NAV")

// line is the working state of one security while planning. Its quantities
// and values are fx: they change with every lot decided, and only the few
// that leave in the Result become decimals.
type line struct {
	sym     string
	r       Restriction
	inModel bool
	inert   bool // not held and target 0: nothing to value or trade
	t       decimal.Decimal
	band    portfolio.Band
	price   decimal.Decimal
	lot     decimal.Decimal
	tick    decimal.Decimal
	q       decimal.Decimal
	qx, px  fx // q and price
	lotx    fx // lot
	v       fx
	// effective target and band, in money
	T, lo, hi fx
	// limit prices and lot values, computed when first needed
	qt                 *quote
	lotVal             fx
	sellLimit, buyLim  fx
	sellLots, buyLots  int64
	sq, bq, qa, va     fx              // sell and buy quantities, quantity and value after: kept by setSell and setBuy
	excess             fx              // scratch: value above target when selling most-overweight first
	loW, hiW           decimal.Decimal // the model's band edges in percent (valid when the targets are not rescaled)
	loWx, hiWx         fx              // loW and hiW, for classify and edges
	hasEdges           bool            // lo and hi are set (see planner.edges)
	pos                int8            // −1 below its band, 0 inside, +1 above (before the plan)
	sellAll            bool
	primary, secondary bool
	scaled, trimmed    bool
}

func (l *line) active() bool { return !l.r.Excluded && !l.inert }

// setup builds the lines: model targets merged with held positions, in symbol order.
func (p *planner) setup() error {
	targets := p.mi.targets
	positions, err := sortedPositions(p.in.Holdings.Positions)
	if err != nil {
		return err
	}
	p.touched = touchQuantities(positions)
	if p.mi.shared {
		p.look = p.mi.look.forInput(p.in, len(targets))
	}
	i, j := 0, 0
	for i < len(targets) || j < len(positions) {
		switch {
		case i < len(targets) && targets[i].Symbol == portfolio.CashSymbol:
			p.cashT = targets[i].Weight
			p.cashBand = targets[i].Band
			i++
			continue
		case j == len(positions) || (i < len(targets) && targets[i].Symbol < positions[j].Symbol):
			err = p.addLine(targets[i].Symbol, i, decimal.Zero)
			i++
		case i == len(targets) || positions[j].Symbol < targets[i].Symbol:
			err = p.addLine(positions[j].Symbol, -1, positions[j].Quantity)
			j++
		default:
			err = p.addLine(targets[i].Symbol, i, positions[j].Quantity)
			i, j = i+1, j+1
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addLine adds the line for sym, the k-th model target (k < 0: not in the model).
func (p *planner) addLine(sym string, k int, q decimal.Decimal) error {
	p.lines = append(p.lines, line{sym: sym, q: q, qx: fxOf(q), r: p.in.Restrictions[sym], band: p.in.Model.Band, hiW: p.mi.offHi, hiWx: p.mi.offHix})
	l := &p.lines[len(p.lines)-1]
	if k >= 0 {
		t := &p.mi.targets[k]
		l.inModel, l.t, l.loW, l.hiW = true, t.Weight, p.mi.lo[k], p.mi.hi[k]
		l.loWx, l.hiWx = p.mi.lox[k], p.mi.hix[k]
		if t.Band.IsSet() {
			l.band = t.Band
		}
	}
	if !l.band.IsSet() {
		l.band = portfolio.DefaultBand()
	}
	if q.IsNegative() {
		return fmt.Errorf("%s: quantity %s is short; rebalancing handles long positions only", sym, q)
	}
	var scratch lookup
	lk := p.look.get(p.in, k, sym, &scratch)
	px, priced := lk.price, lk.priced
	if l.r.Excluded {
		p.exclT = p.exclT.Add(l.t)
		if priced {
			l.price, l.px = px, fxOf(px)
			l.v = l.qx.mul(l.px)
			l.va = l.v
		}
		return nil
	}
	if q.IsZero() && l.t.IsZero() {
		l.inert = true
		return nil
	}
	if !priced || !px.IsPositive() {
		return fmt.Errorf("%s: no positive price (missing prices are an error: NAV and trades would be wrong)", sym)
	}
	if !lk.hasSec || !lk.lot.IsPositive() {
		return fmt.Errorf("%s: no security with a positive lot size", sym)
	}
	l.price, l.lot, l.tick = px, lk.lot, lk.tick
	l.px, l.lotx = fxOf(px), fxOf(lk.lot)
	l.v = l.qx.mul(l.px)
	l.va = l.v
	return nil
}

func sortedPositions(ps []portfolio.Position) ([]portfolio.Position, error) {
	less := func(a, b portfolio.Position) int { return cmp.Compare(a.Symbol, b.Symbol) }
	if !slices.IsSortedFunc(ps, less) {
		ps = slices.SortedFunc(slices.Values(ps), less)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Symbol == ps[i-1].Symbol {
			return nil, fmt.Errorf("%s: held twice", ps[i].Symbol)
		}
	}
	return ps, nil
}

// touchQuantities reads every position's quantity coefficient in one
// tight loop of independent loads, before the merge works on them one by
// one: the quantities are scattered on the heap, and read this way the
// processor overlaps their cache misses instead of waiting for each in turn.
// It returns a value that depends on the reads, so that they are kept.
func touchQuantities(ps []portfolio.Position) int64 {
	var sum int64
	for i := range ps {
		sum += ps[i].Quantity.CoefficientInt64()
	}
	return sum
}

// targets computes the effective NAV, cash target, floor and band, and every
// line's effective target and band in money (see the package doc).
func (p *planner) targets() error {
	p.nav = sumValues(p.cash, p.lines)
	p.navx = fxOf(p.nav)
	if !p.nav.IsPositive() {
		return fmt.Errorf("NAV %s is not positive", p.nav)
	}
	srem := hundred.Sub(p.exclT)
	if !srem.IsPositive() {
		return fmt.Errorf("every target is excluded: nothing to rebalance against")
	}
	p.hNav = p.nav.Shift(-2)
	p.hNavx = fxOf(p.hNav)
	cashT := p.hNav.Mul(p.cashT) // cash target before the reserve and raise
	if !p.exclT.IsZero() {
		cashT = p.nav.Mul(p.cashT).Div(srem)
	}
	p.reserve = p.opts.CashReserve.Amount(p.nav)
	p.cashTarget = decimal.Max(cashT, p.reserve).Add(p.opts.Raise)
	if fxOf(p.cashTarget).cmp(p.navx) > 0 {
		return fmt.Errorf("%w: cash target %s (with reserve and raise) exceeds NAV %s", ErrCashAboveNAV, p.cashTarget.StringFixed(2), p.nav.StringFixed(2))
	}
	scale := p.hNav // money per target point
	switch rest := srem.Sub(p.cashT); {
	case !rest.IsPositive():
		scale = decimal.Zero
	case !p.exclT.IsZero() || !p.cashTarget.Equal(cashT):
		scale = p.nav.Sub(p.cashTarget).Div(rest)
	}
	mb := p.in.Model.Band
	if !mb.IsSet() {
		mb = portfolio.DefaultBand()
	}
	p.cacheBand(mb)
	p.plainScale = scale.Equal(p.hNav) // targets are the model's weights of NAV
	if mb.Kind == portfolio.BandRelative {
		one, f := decimal.NewFromInt(1), p.bandFactor.dec()
		p.scaleLo, p.scaleHi = fxOf(scale.Mul(one.Sub(f))), fxOf(scale.Mul(one.Add(f)))
	}
	scalex := fxOf(scale)
	for i := range p.lines {
		p.lineTargets(&p.lines[i], scalex)
	}
	p.cashBounds()
	return nil
}

func (p *planner) lineTargets(l *line, scale fx) {
	if !l.active() {
		return
	}
	t := fxOf(l.t)
	l.T = t.mul(scale)
	if p.plainScale {
		p.classify(l) // the model's band edges are the edges; money only when needed
		return
	}
	if p.bandKind == portfolio.BandRelative && l.band.Kind == p.bandKind && l.band.Width.Equal(p.bandWidth) {
		// the model's relative band: t·scale·(1 ± f), exactly T ± T·f
		l.lo, l.hi = t.mul(p.scaleLo), t.mul(p.scaleHi)
	} else {
		hw := p.halfWidth(l.band, l.T)
		l.lo, l.hi = l.T.sub(hw), l.T.add(hw)
	}
	if l.lo.sign() < 0 {
		l.lo = fx{}
	}
	l.hasEdges = true
	p.classify(l)
}

// halfWidth returns a band's half width in money around a target in money.
// For the model's own band it reuses what it worked out for the last line:
// the absolute half width, or the relative band's fraction.
func (p *planner) halfWidth(b portfolio.Band, target fx) fx {
	mb := b.Kind == p.bandKind && b.Width.Equal(p.bandWidth)
	if b.Kind == portfolio.BandRelative {
		if !mb {
			return target.mul(fxOf(b.Width)).shift(-2)
		}
		return target.mul(p.bandFactor)
	}
	if !mb {
		return p.hNavx.mul(fxOf(b.Width))
	}
	return p.bandFactor
}

// cacheBand remembers the model band's factor: the absolute half width in money, or the relative fraction.
func (p *planner) cacheBand(b portfolio.Band) {
	p.bandKind, p.bandWidth = b.Kind, b.Width
	if b.Kind == portfolio.BandRelative {
		p.bandFactor = fxOf(b.Width).shift(-2)
	} else {
		p.bandFactor = p.hNavx.mul(fxOf(b.Width))
	}
}

func (p *planner) cashBounds() {
	b := p.cashBand
	if !b.IsSet() {
		b = p.in.Model.Band
	}
	if !b.IsSet() {
		b = portfolio.DefaultBand()
	}
	hw := p.halfWidth(b, fxOf(p.cashTarget)).dec()
	p.cashUpper = p.cashTarget.Add(hw)
	p.cashFloor = decimal.Max(p.cashTarget.Sub(hw), p.reserve)
	if p.opts.Raise.IsPositive() {
		p.cashFloor = p.cashTarget
	}
	p.destLow, p.destHigh = p.cashTarget, p.cashTarget
	if p.mode == ModeBand {
		p.destHigh = p.cashUpper
		if !p.opts.Raise.IsPositive() {
			p.destLow = p.cashFloor
		}
	}
}
