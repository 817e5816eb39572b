package rebalance

import (
	"cmp"
	"slices"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// modelInfo is what a plan derives from a model alone: whether it is valid,
// its targets in symbol order, and each target's band edges as weights.
// PlanAll works it out once per model and shares it between portfolios.
type modelInfo struct {
	err     error
	targets []portfolio.Target // securities in symbol order; CASH may sit anywhere
	lo, hi  []decimal.Decimal  // band edges in percent of NAV, parallel to targets
	lox     []fx               // lo and hi
	hix     []fx
	offHi   decimal.Decimal // upper edge of a held security outside the model (target 0)
	offHix  fx
	shared  bool    // one worker's, for many portfolios (PlanAll): look is used
	look    lookups // per target: price, lot and tick, while inputs share their maps
}

func newModelInfo(m portfolio.Model) *modelInfo {
	mi := &modelInfo{err: m.Validate(), targets: sortedTargets(m.Targets)}
	if mi.err != nil {
		return mi
	}
	mb := m.Band
	if !mb.IsSet() {
		mb = portfolio.DefaultBand()
	}
	mi.lo, mi.hi = make([]decimal.Decimal, len(mi.targets)), make([]decimal.Decimal, len(mi.targets))
	mi.lox, mi.hix = make([]fx, len(mi.targets)), make([]fx, len(mi.targets))
	for k, t := range mi.targets {
		b := mb
		if t.Band.IsSet() {
			b = t.Band
		}
		mi.lo[k], mi.hi[k] = b.Lower(t.Weight), b.Upper(t.Weight)
		mi.lox[k], mi.hix[k] = fxOf(mi.lo[k]), fxOf(mi.hi[k])
	}
	mi.offHi = mb.Upper(decimal.Zero)
	mi.offHix = fxOf(mi.offHi)
	return mi
}

// sortedTargets returns the targets with the securities in symbol order
// (CASH may sit anywhere: the merge skips it), sorting a copy only when needed.
func sortedTargets(ts []portfolio.Target) []portfolio.Target {
	prev := ""
	for _, t := range ts {
		if t.Symbol == portfolio.CashSymbol {
			continue
		}
		if t.Symbol < prev {
			return slices.SortedFunc(slices.Values(ts), func(a, b portfolio.Target) int { return cmp.Compare(a.Symbol, b.Symbol) })
		}
		prev = t.Symbol
	}
	return ts
}

// edges makes sure l.lo and l.hi, its band in money, are set.
func (p *planner) edges(l *line) {
	if !l.hasEdges {
		l.lo, l.hi = l.loWx.mul(p.hNavx), l.hiWx.mul(p.hNavx)
		l.hasEdges = true
	}
}

// classify sets l.pos: −1 below its band, +1 above, 0 inside. With
// targets that are the model's weights of NAV it compares value·100 with
// edge weight·NAV exactly, without working out the edges in money.
func (p *planner) classify(l *line) {
	l.pos = 0
	if l.hasEdges {
		switch {
		case l.v.cmp(l.hi) > 0:
			l.pos = 1
		case l.v.cmp(l.lo) < 0:
			l.pos = -1
		}
		return
	}
	switch {
	case productAbove(l.v, hundredx, l.hiWx, p.navx):
		l.pos = 1
	case productAbove(l.loWx, p.navx, l.v, hundredx):
		l.pos = -1
	}
}
