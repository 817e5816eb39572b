package compliance

import (
	"fmt"
	"slices"
	"sort"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// upperCheck compares group amounts against a percent-of-NAV maximum before
// and after the basket, in amounts (no division per group).
type upperCheck struct {
	limit, warn     decimal.Decimal // percent
	hasWarn         bool
	navB, navA      decimal.Decimal
	limB, limA, wrn decimal.Decimal // the same as amounts of each NAV
}

func newUpperCheck(r Rule, limit decimal.Decimal, navB, navA decimal.Decimal) upperCheck {
	c := upperCheck{limit: limit, navB: navB, navA: navA, limB: ofNAV(navB, limit), limA: ofNAV(navA, limit)}
	c.warn, c.hasWarn = r.warnLevel(limit, true)
	c.wrn = ofNAV(navA, c.warn)
	return c
}

// status classifies amounts vB (before) and vA (after) for severity sev.
func (c upperCheck) status(sev Severity, vB, vA decimal.Decimal) Status {
	bB := c.navB.IsPositive() && vB.Cmp(c.limB) > 0
	bA := c.navA.IsPositive() && vA.Cmp(c.limA) > 0
	w := c.hasWarn && c.navA.IsPositive() && vA.Cmp(c.wrn) >= 0
	worse := bB && bA && vA.Mul(c.navB).Cmp(vB.Mul(c.navA)) > 0
	return classify(sev, bB, bA, worse, w)
}

// result builds a percent result for one group.
func (c upperCheck) result(r Rule, s Status, group string, vB, vA decimal.Decimal) Result {
	res := newResult(r, s, group)
	res.Unit, res.Limit = UnitPercent, c.limit
	res.WarnLevel, res.HasWarn = c.warn, c.hasWarn
	res.Value, res.Before = pct(vA, c.navA, true), pct(vB, c.navB, true)
	return res
}

// quiet reports whether an after amount v is below the warning level and the
// limit, so no group at or below v needs a closer look.
func (c upperCheck) quiet(v decimal.Decimal) bool {
	if !c.navA.IsPositive() {
		return true
	}
	return v.Cmp(c.limA) <= 0 && (!c.hasWarn || v.Cmp(c.wrn) < 0)
}

// topOf returns the largest amount of m among keys, or among all keys when
// keys is empty, and its key (ties to the smaller key).
func topOf(m sums, keys []string) (string, decimal.Decimal) {
	if len(keys) == 0 {
		return m.max()
	}
	var s summary
	for _, k := range keys {
		s.see(k, m.get(k))
	}
	return s.top, s.topV
}

// topExcept returns the largest group of m outside except, and its key.
func topExcept(m sums, except []string) (string, decimal.Decimal) {
	var s summary
	m.each(func(k string, v decimal.Decimal) {
		if !slices.Contains(except, k) {
			s.see(k, v)
		}
	})
	return s.top, s.topV
}

// maxWeight: each group's market value ≤ limit % of NAV. The largest group is
// found first; when it is quiet, every group passes and one result says so.
// Groups in Params.Except are not measured.
func (e *eval) maxWeight(r Rule) []Result {
	d := r.Params.Dimension
	gB, gA := e.before.group(d), e.after.group(d)
	c := newUpperCheck(r, r.Params.Limit, e.before.nav, e.after.nav)
	top, topV := topOf(gA, r.Params.Keys)
	if len(r.Params.Except) > 0 {
		top, topV = topExcept(gA, r.Params.Except)
	}
	var out []Result
	visit := func(k string, vA decimal.Decimal) {
		if slices.Contains(r.Params.Except, k) {
			return
		}
		vB := gB.get(k)
		s := c.status(r.Severity, vB, vA)
		if s == Pass {
			return
		}
		res := c.result(r, s, k, vB, vA)
		res.attribute(func() []int { return e.buysIn(func(sym string) bool { return e.st.groupKey(d, sym) == k }) })
		res.describe(fmt.Sprintf("%s %s", d, k), true, true)
		out = append(out, res)
	}
	switch {
	case c.quiet(topV):
	case len(r.Params.Keys) > 0:
		for _, k := range r.Params.Keys {
			visit(k, gA.get(k))
		}
	default:
		gA.each(visit)
	}
	if len(out) == 0 {
		res := c.result(r, Pass, top, gB.get(top), topV)
		res.describe(fmt.Sprintf("largest %s %s", d, top), true, false)
		out = append(out, res)
	}
	return out
}

// minHoldings: the number of positions ≥ limit.
func (e *eval) minHoldings(r Rule) []Result {
	lim := r.Params.Limit
	nB, nA := decimal.NewFromInt(int64(e.before.positions)), decimal.NewFromInt(int64(e.after.positions))
	warn, hasWarn := r.warnLevel(lim, false)
	s := classify(r.Severity, nB.LessThan(lim), nA.LessThan(lim), nA.LessThan(nB), hasWarn && nA.Cmp(warn) <= 0)
	res := newResult(r, s, "")
	res.Unit, res.Value, res.Before, res.Limit, res.WarnLevel, res.HasWarn = UnitCount, nA, nB, lim, warn, hasWarn
	res.attribute(func() []int {
		return e.tradesIn(func(t portfolio.Trade) bool {
			return t.Side != portfolio.Buy && e.after.qty.get(t.Symbol).IsZero()
		})
	})
	res.describe("number of holdings", false, true)
	return []Result{res}
}

// cashFloor: projected cash ≥ limit. By default the breach test is every order
// filled, so a sale funds a buy in the same basket, and the worst-case path
// (buys filled, sells not) below the floor is a warning; with WorstCase set the
// worst-case path is the breach test.
func (e *eval) cashFloor(r Rule) []Result {
	floor := r.Params.Limit
	cB, cA, wB, wA := e.before.cash, e.after.cash, e.before.cashWorst, e.after.cashWorst
	if r.Params.WorstCase {
		cB, cA = wB, wA
	}
	warn, hasWarn := r.warnLevel(floor, false)
	w := (hasWarn && cA.Cmp(warn) <= 0) || wA.LessThan(floor)
	s := classify(r.Severity, cB.LessThan(floor), cA.LessThan(floor), cA.LessThan(cB), w)
	res := newResult(r, s, "")
	res.Unit, res.Value, res.Before, res.Limit, res.WarnLevel, res.HasWarn = UnitAmount, cA, cB, floor, warn, hasWarn
	res.attribute(func() []int { return e.buysIn(func(string) bool { return true }) })
	res.describe("projected cash", false, true)
	if res.Status == Warn && wA.LessThan(floor) && !r.Params.WorstCase {
		res.Message = fmt.Sprintf("projected cash: %s, but %s on the worst-case path (buys filled, sells not), floor %s: the buys rely on sale proceeds, release the sells first",
			cA.StringFixed(2), wA.StringFixed(2), floor.StringFixed(2))
	}
	return []Result{res}
}

// longOnly: no position below zero after the basket.
func (e *eval) longOnly(r Rule) []Result {
	var out []Result
	each := e.after.qty.each
	if !e.after.qty.hasNegative() {
		each = func(func(string, decimal.Decimal)) {}
	}
	each(func(sym string, qA decimal.Decimal) {
		if !qA.IsNegative() {
			return
		}
		qB := e.before.qty.get(sym)
		s := classify(r.Severity, qB.IsNegative(), true, qA.LessThan(qB), false)
		res := newResult(r, s, sym)
		res.Unit, res.Value, res.Before = UnitQuantity, qA, qB
		res.attribute(func() []int {
			return e.tradesIn(func(t portfolio.Trade) bool { return t.Symbol == sym && t.Side != portfolio.Buy })
		})
		res.describe("position "+sym, false, true)
		out = append(out, res)
	})
	if len(out) == 0 {
		res := newResult(r, Pass, "")
		res.Unit = UnitQuantity
		res.Message = "no position below zero"
		out = append(out, res)
	}
	return out
}

// maxGross: Σ|market value| ≤ limit % of NAV on the worst-case path for gross
// exposure (book.grossWorst), which fills what raises it: buys, short sales and
// sales that take a position further below zero than it was above. The trades
// that path fills are the contributors.
func (e *eval) maxGross(r Rule) []Result {
	gB, navB, _ := e.before.grossWorst()
	gA, navA, salesFill := e.after.grossWorst()
	c := newUpperCheck(r, r.Params.Limit, navB, navA)
	s := c.status(r.Severity, gB, gA)
	res := c.result(r, s, "", gB, gA)
	res.attribute(func() []int {
		return e.tradesIn(func(t portfolio.Trade) bool { return (t.Side == portfolio.Buy) != salesFill[t.Symbol] })
	})
	res.describe("gross exposure (worst case)", true, true)
	return []Result{res}
}

// sortedKeys returns m's keys in order, for deterministic iteration.
func sortedKeys(m map[string]decimal.Decimal) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
