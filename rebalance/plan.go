package rebalance

import (
	"fmt"
	"slices"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// planner holds one portfolio's plan while it is built.
type planner struct {
	in    *Input
	mi    *modelInfo
	opts  Options
	mode  Mode
	lines []line

	cash, nav, hNav     decimal.Decimal
	navx, hNavx         fx              // nav and hNav
	touched             int64           // see touchQuantities
	look                *lookups        // nil: every line looks its price and security up
	exclT, cashT        decimal.Decimal // excluded target points; model cash target points
	cashBand            portfolio.Band
	reserve, cashTarget decimal.Decimal
	cashFloor           decimal.Decimal
	cashUpper           decimal.Decimal
	destLow, destHigh   decimal.Decimal
	proj                fx // cash after the trades decided so far, at limit prices
	quotes              *quotes
	weights             *weights    // nil: weights are not interned
	boxes               *boxes      // nil: values are not shared
	reasons             reasonTable // nil: reasons are not interned
	trim                *trimScratch
	state               CashState
	stateCash           fx // projected cash that decided state
	cost                fx // money lost trading at limit rather than last prices
	minTrade            fx // opts.MinTrade

	order     []int  // scratch: candidate line indices
	wants     []want // scratch: buy allocation
	buf       []byte // scratch: a reason being written
	modelBand string // the model band, rendered

	bandKind   portfolio.BandKind // the model band and its factor (see cacheBand)
	bandWidth  decimal.Decimal
	bandFactor fx
	scaleLo    fx // scale·(1 − f) and scale·(1 + f) for the model's relative band
	scaleHi    fx
	plainScale bool // targets are exactly the model weights (no exclusion, reserve or raise)
}

// workspace is memory a worker reuses from one portfolio to the next: the
// quote cache and the scratch slices. Results never point into it.
type workspace struct {
	quotes  quotes
	weights *weights
	boxes   *boxes
	reasons reasonTable
	trim    trimScratch
	lines   []line
	order   []int
	wants   []want
}

// Plan proposes the trades that bring one portfolio back to its model, as the
// package doc describes. It is pure and deterministic: the same input gives
// the same result, byte for byte. Bad input (an invalid model or options, a
// missing price or security, a short position) is an error and no plan.
func Plan(in Input, opts Options) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, fmt.Errorf("rebalance %s: options: %w", in.Holdings.Portfolio.Code, err)
	}
	mi := newModelInfo(in.Model)
	if mi.err != nil {
		return Result{}, fmt.Errorf("rebalance %s: model %s: %w", in.Holdings.Portfolio.Code, in.Model.Name, mi.err)
	}
	return plan(&in, mi, opts, &workspace{quotes: quotes{collar: opts.CollarBps, minTrade: opts.MinTrade}})
}

func plan(in *Input, mi *modelInfo, opts Options, ws *workspace) (Result, error) {
	p := planner{in: in, mi: mi, opts: opts, mode: opts.mode(), cash: in.Holdings.Portfolio.Cash, minTrade: fxOf(opts.MinTrade), quotes: &ws.quotes, weights: ws.weights, boxes: ws.boxes, reasons: ws.reasons, trim: &ws.trim,
		lines: ws.lines[:0], order: ws.order[:0], wants: ws.wants[:0]}
	defer func() { ws.lines, ws.order, ws.wants = p.lines[:0], p.order[:0], p.wants[:0] }()
	if err := p.setup(); err != nil {
		return Result{}, fmt.Errorf("rebalance %s: %w", in.Holdings.Portfolio.Code, err)
	}
	if err := p.targets(); err != nil {
		return Result{}, fmt.Errorf("rebalance %s: %w", in.Holdings.Portfolio.Code, err)
	}
	if err := p.run(); err != nil {
		return Result{}, fmt.Errorf("rebalance %s: %w", in.Holdings.Portfolio.Code, err)
	}
	return p.result(), nil
}

// run decides the trades: primary sells, secondary sells when cash is under
// its floor, primary buys within the budget, secondary buys when cash is over
// its band, then the collar trim.
func (p *planner) run() error {
	p.proj = fxOf(p.cash)
	if err := p.primarySells(); err != nil {
		return err
	}
	p.state, p.stateCash = CashInBand, p.proj
	if p.proj.cmp(fxOf(p.cashFloor)) < 0 {
		p.state = CashUnder
		if err := p.secondarySells(); err != nil {
			return err
		}
	}
	if err := p.primaryBuys(); err != nil {
		return err
	}
	if p.state == CashInBand && p.proj.cmp(fxOf(p.cashUpper)) > 0 && !p.opts.Raise.IsPositive() {
		p.state, p.stateCash = CashOver, p.proj
		if err := p.secondaryBuys(); err != nil {
			return err
		}
	}
	p.trimForCollar()
	return nil
}

// primarySells sells every out-of-band overweight security to its target
// (target mode) or its upper band edge (band mode).
func (p *planner) primarySells() error {
	if p.opts.BuyOnly {
		return nil
	}
	for i := range p.lines {
		l := &p.lines[i]
		if !l.active() || l.r.DoNotSell || l.pos <= 0 {
			continue
		}
		if err := p.sellLimitOf(l); err != nil {
			return err
		}
		dest := l.T
		if p.mode == ModeBand {
			p.edges(l)
			dest = l.hi
		}
		switch {
		case dest.isZero():
			l.setSell(0, true)
		case p.mode == ModeBand:
			l.setSell(min(l.v.sub(dest).ceilDiv(l.lotVal), l.v.sub(l.T).floorDiv(l.lotVal)), false)
		default:
			l.setSell(l.v.sub(dest).floorDiv(l.lotVal), false)
		}
		if p.sellBelowMin(l) {
			l.setSell(0, false)
			continue
		}
		l.primary = true
		p.proj = p.proj.add(l.sellQty().mul(l.sellLimit))
	}
	return nil
}

// secondarySells raises cash to its low destination by selling overweight
// securities toward (never below) target, most overweight first.
func (p *planner) secondarySells() error {
	if p.opts.BuyOnly {
		return nil
	}
	p.order = p.order[:0]
	for i := range p.lines {
		l := &p.lines[i]
		if l.active() && !l.r.DoNotSell && !l.sellAll && l.valueAfter().cmp(l.T) > 0 {
			l.excess = l.valueAfter().sub(l.T)
			p.order = append(p.order, i)
		}
	}
	slices.SortStableFunc(p.order, func(a, b int) int { // most overweight first; lines are in symbol order
		return p.lines[b].excess.cmp(p.lines[a].excess)
	})
	for _, i := range p.order {
		need := fxOf(p.destLow).sub(p.proj)
		if need.sign() <= 0 {
			break
		}
		if err := p.sellMore(&p.lines[i], need); err != nil {
			return err
		}
	}
	return nil
}

// sellMore sells whole lots of l toward its target to raise need (rounding
// up to a lot, capped at the target); a target-0 security may be sold out.
func (p *planner) sellMore(l *line, need fx) error {
	if err := p.sellLimitOf(l); err != nil {
		return err
	}
	lots, all := l.sellLots, false
	want := need.ceilDiv(l.qt.lotProceeds)
	if l.T.isZero() {
		left := l.qx.sub(l.lotx.mulInt(lots))
		if l.lotx.mulInt(want).cmp(left) >= 0 {
			all = true
		} else {
			lots += want
		}
	} else {
		lots += min(want, l.valueAfter().sub(l.T).floorDiv(l.lotVal))
	}
	if !all && lots == l.sellLots {
		return nil
	}
	before := l.sellQty()
	old, oldAll := l.sellLots, l.sellAll
	l.setSell(lots, all)
	if p.sellBelowMin(l) {
		l.setSell(old, oldAll)
		return nil
	}
	l.secondary = true
	p.proj = p.proj.add(l.sellQty().sub(before).mul(l.sellLimit))
	return nil
}

// sellLimitOf sets l's quote; it fails when the sell limit rounds to zero.
func (p *planner) sellLimitOf(l *line) error {
	p.quoteOf(l)
	return l.qt.sellErr
}

// buyLimitOf sets l's quote.
func (p *planner) buyLimitOf(l *line) { p.quoteOf(l) }

func (p *planner) quoteOf(l *line) {
	if l.qt == nil {
		l.qt = p.quotes.get(l.sym, l.price, l.lot, l.tick)
		l.lotVal, l.sellLimit, l.buyLim = l.qt.lotVal, l.qt.sellLimitx, l.qt.buyLimitx
	}
}

// floorDiv returns ⌊x/y⌋ for y > 0, and 0 when x ≤ 0.
func floorDiv(x, y decimal.Decimal) int64 {
	if !x.IsPositive() {
		return 0
	}
	if q, _, ok := quoInt(x, y); ok {
		return q
	}
	q, _ := x.QuoRem(y, 0)
	return q.IntPart()
}

// ceilDiv returns ⌈x/y⌉ for y > 0, and 0 when x ≤ 0.
func ceilDiv(x, y decimal.Decimal) int64 {
	if !x.IsPositive() {
		return 0
	}
	if q, exact, ok := quoInt(x, y); ok {
		if !exact {
			q++
		}
		return q
	}
	q, r := x.QuoRem(y, 0)
	if r.IsPositive() {
		return q.IntPart() + 1
	}
	return q.IntPart()
}
