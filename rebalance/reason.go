package rebalance

import (
	"strconv"

	"github.com/ballast-oms/ballast/portfolio"
)

// reason explains a trade in words a PM reads: where the security stood
// against its target and band, and why it trades this far, e.g.
// "overweight 7.43% vs target 5.00% (band ±1)".
func (p *planner) reason(l *line, side portfolio.Side, nav fx) string {
	b := p.buf[:0]
	if !l.inModel {
		b = append(b, "not in model, "...)
	}
	if l.v.cmp(l.T) > 0 {
		b = append(b, "overweight "...)
	} else {
		b = append(b, "underweight "...)
	}
	b = appendPct(b, l.v, nav)
	b = append(b, " vs target "...)
	b = appendPct(b, l.T, nav)
	b = append(b, " (band "...)
	b = append(b, p.bandString(l.band)...)
	b = append(b, ')')
	if l.pos == 0 {
		b = append(b, ", in band"...)
	}
	switch {
	case side == portfolio.Sell && l.sellAll:
		b = append(b, "; sell the whole position"...)
	case l.primary && p.mode == ModeBand && side == portfolio.Sell:
		b = appendPct(append(b, "; to the band edge "...), l.hi, nav)
	case l.primary && p.mode == ModeBand:
		b = appendPct(append(b, "; to the band edge "...), l.lo, nav)
	}
	if l.secondary {
		b = p.appendCashReason(b, side, nav)
	}
	if l.scaled {
		b = append(b, "; scaled down: not enough cash"...)
	}
	if l.trimmed {
		b = append(b, "; trimmed to stay at or below target after the price collar"...)
	}
	p.buf = b
	return p.reasons.intern(b)
}

// reasonTable interns the reasons of a worker's trades: the portfolios of
// a model mostly trade the same securities from and to the same rounded
// weights, so most reasons are words already written; sharing the string
// saves allocating (and the garbage collector marking) one per trade. The
// table is emptied when it reaches maxReasons entries. A nil table interns
// nothing.
type reasonTable map[string]string

const maxReasons = 1 << 15

func (rs reasonTable) intern(b []byte) string {
	if rs == nil {
		return string(b)
	}
	if s, ok := rs[string(b)]; ok {
		return s
	}
	if len(rs) >= maxReasons {
		clear(rs)
	}
	s := string(b)
	rs[s] = s
	return s
}

func (p *planner) appendCashReason(b []byte, side portfolio.Side, nav fx) []byte {
	switch {
	case side == portfolio.Sell && p.opts.Raise.IsPositive():
		return append(append(append(b, "; raising "...), p.opts.Raise.String()...), " cash, most overweight first"...)
	case side == portfolio.Sell:
		b = appendPct(append(b, "; cash "...), p.stateCash, nav)
		return appendPct(append(b, " after the out-of-band trades is below its floor "...), fxOf(p.cashFloor), nav)
	default:
		b = appendPct(append(b, "; cash "...), p.stateCash, nav)
		return appendPct(append(b, " after the out-of-band trades is above its band "...), fxOf(p.cashUpper), nav)
	}
}

// bandString renders a band, remembering the model's own band's rendering.
func (p *planner) bandString(b portfolio.Band) string {
	if b.Kind == p.in.Model.Band.Kind && b.Width.Equal(p.in.Model.Band.Width) {
		if p.modelBand == "" {
			p.modelBand = b.String()
		}
		return p.modelBand
	}
	return b.String()
}

// appendPct appends value as a percentage of nav with 2 decimals and a "%".
func appendPct(b []byte, value, nav fx) []byte {
	q, ok := pctInt(value, nav, 2)
	if !ok {
		return append(append(b, pctOf(value.dec(), nav.dec(), 2).StringFixed(2)...), '%')
	}
	if q < 0 {
		b, q = append(b, '-'), -q
	}
	b = strconv.AppendInt(b, q/100, 10)
	b = append(b, '.', byte('0'+q%100/10), byte('0'+q%10), '%')
	return b
}
