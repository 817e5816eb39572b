package rebalance

import (
	"math/big"

	"github.com/shopspring/decimal"
)

// trimForCollar keeps every buy at or below its target weight after the
// trades: trading at limit rather than last prices lowers NAV, which raises
// every weight. Each buy whose weight would end above target loses lots.
func (p *planner) trimForCollar() {
	p.cost = p.tradingCost()
	if p.cost.isZero() {
		return
	}
	after := p.navx.sub(p.cost)
	for i := range p.lines {
		l := &p.lines[i]
		if l.buyLots == 0 || !productAbove(l.valueAfter(), p.navx, l.T, after) {
			continue
		}
		n, ok := p.trim.maxLots(l, after, p.navx)
		if !ok {
			T, v, lotVal, after := l.T.dec(), l.v.dec(), l.lotVal.dec(), after.dec()
			n = floorDiv(T.Mul(after).Div(p.nav).Sub(v), lotVal)
			for n > 0 && v.Add(lotVal.Mul(decimal.NewFromInt(n))).Mul(p.nav).GreaterThan(T.Mul(after)) {
				n--
			}
		}
		l.trimmed = true
		was := l.buyQty()
		l.setBuy(min(n, l.buyLots))
		if l.buyLots > 0 && l.buyLots < l.qt.minBuyLots {
			l.setBuy(0)
		}
		p.cost = p.cost.sub(was.sub(l.buyQty()).mul(l.qt.buyCost))
	}
}

// trimScratch holds the integers of maxLots, reused from one line to the next.
type trimScratch struct {
	num, den, x, f, q, r big.Int
	pow                  []big.Int // pow[k] = 10^k, made when first needed
}

// maxLots returns the most whole lots n ≥ 0 that l may hold above its
// current value v and keep its weight at or below target after the collar:
// (v + n·lotVal)·nav ≤ T·after, or 0 when even v is above. It is
// ⌊(T·after − v·nav) / (lotVal·nav)⌋ worked out exactly on the coefficients.
// That is also what the decimal form — ⌊(T·after/nav − v) / lotVal⌋ with the
// quotient rounded to DivisionPrecision places, then lowered while still
// above — gives whenever v and lotVal have no more places than that: the
// rounded quotient stays at or above every such value that the exact one
// is at or above. ok is false when a coefficient does not fit in 62 bits
// or v or lotVal has more places; the caller uses the decimal form then.
func (s *trimScratch) maxLots(l *line, after, nav fx) (int64, bool) {
	places := -int32(decimal.DivisionPrecision)
	if l.T.w != nil || after.w != nil || l.v.w != nil || nav.w != nil || l.lotVal.w != nil ||
		l.v.e < places || l.lotVal.e < places || l.lotVal.c <= 0 || nav.c <= 0 {
		return 0, false
	}
	cT, eT, cA, eA, cV, eV := l.T.c, l.T.e, after.c, after.e, l.v.c, l.v.e
	cN, eN, cL, eL := nav.c, nav.e, l.lotVal.c, l.lotVal.e
	e := min(eT+eA, eV+eN, eL+eN)
	s.product(&s.num, cT, cA, eT+eA-e)
	s.product(&s.x, cV, cN, eV+eN-e)
	s.num.Sub(&s.num, &s.x)
	if s.num.Sign() <= 0 {
		return 0, true
	}
	s.product(&s.den, cL, cN, eL+eN-e)
	s.q.QuoRem(&s.num, &s.den, &s.r)
	if !s.q.IsInt64() {
		return 0, false
	}
	return s.q.Int64(), true
}

// product sets z to a·b·10^k.
func (s *trimScratch) product(z *big.Int, a, b int64, k int32) {
	for int(k) >= len(s.pow) {
		p := big.NewInt(1)
		if n := len(s.pow); n > 0 {
			p.Mul(&s.pow[n-1], big.NewInt(10))
		}
		s.pow = append(s.pow, *p)
	}
	z.SetInt64(a)
	s.f.SetInt64(b)
	z.Mul(z, &s.f)
	z.Mul(z, &s.pow[k])
}

// tradingCost is what trading at limit rather than last prices costs.
func (p *planner) tradingCost() fx {
	var s productSum
	for i := range p.lines {
		l := &p.lines[i]
		if q := l.sellQty(); !q.isZero() {
			s.add(q, l.qt.sellCost)
		}
		if l.buyLots > 0 {
			s.add(l.buyQty(), l.qt.buyCost)
		}
	}
	return s.total()
}
