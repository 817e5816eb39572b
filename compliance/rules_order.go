package compliance

import (
	"fmt"
	"slices"
	"time"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// restricted: trades in listed securities or issuers, by mode.
func (e *eval) restricted(r Rule) []Result {
	var out []Result
	for i, t := range e.basket {
		if !e.ok[i] {
			continue
		}
		sec := e.st.security(t.Symbol)
		if !slices.Contains(r.Params.Symbols, t.Symbol) && !slices.Contains(r.Params.Issuers, sec.Issuer) {
			continue
		}
		if !forbidden(r.Params.Mode, t, e.after.qty.get(t.Symbol)) {
			continue
		}
		res := newResult(r, breachStatus(r.Severity), t.Symbol)
		res.Unit, res.Value, res.Trades = UnitQuantity, t.Quantity, []int{i}
		res.Message = fmt.Sprintf("%s: %s (issuer %s) is on the %s list: %s", tradeLabel(i, t), t.Symbol, sec.Issuer, r.Params.Mode, verdict(res.Status))
		out = append(out, res)
	}
	out = append(out, e.restrictedHoldings(r, out)...)
	if len(out) == 0 {
		res := newResult(r, Pass, "")
		res.Unit = UnitQuantity
		res.Message = "no trade on the restricted list"
		out = append(out, res)
	}
	return out
}

// restrictedHoldings warns of long positions left after the basket in what a
// no_trade or sell_only list names (a no_buy list does not ask for a sale), so
// the post-trade batch reminds that they are frozen or to be sold. Symbols a
// trade already breaches (in found) are not repeated.
func (e *eval) restrictedHoldings(r Rule, found []Result) []Result {
	if r.Params.Mode != NoTrade && r.Params.Mode != SellOnly {
		return nil
	}
	var out []Result
	warn := func(group string, v decimal.Decimal, unit Unit, what string) {
		if !v.IsPositive() || slices.ContainsFunc(found, func(x Result) bool { return x.Group == group }) {
			return
		}
		res := newResult(r, Warn, group)
		res.Unit, res.Value = unit, v
		res.Message = fmt.Sprintf("holds %s %s, on the %s list", show(v, unit), what, r.Params.Mode)
		out = append(out, res)
	}
	for _, sym := range r.Params.Symbols {
		warn(sym, e.after.qty.get(sym), UnitQuantity, sym)
	}
	for _, issuer := range r.Params.Issuers {
		warn(issuer, e.after.group(ByIssuer).get(issuer), UnitAmount, "of issuer "+issuer)
	}
	return out
}

// forbidden reports whether mode forbids trade t, given the position after the basket.
func forbidden(m Mode, t portfolio.Trade, after decimal.Decimal) bool {
	switch m {
	case NoTrade:
		return true
	case NoBuy:
		return t.Side == portfolio.Buy
	case SellOnly:
		return t.Side != portfolio.Sell || after.IsNegative()
	}
	return true
}

func verdict(s Status) string {
	switch s {
	case Fail:
		return "blocked"
	case NeedsOverride:
		return "needs a compliance override"
	case Warn:
		return "warning"
	}
	return "allowed"
}

// ratio is a measured value num / den, compared without dividing; a zero den means 1.
type ratio struct{ num, den decimal.Decimal }

// cmp compares the ratio with level.
func (q ratio) cmp(level decimal.Decimal) int {
	if q.den.IsZero() {
		return q.num.Cmp(level)
	}
	return q.num.Cmp(level.Mul(q.den))
}

// greater reports whether q > o.
func (q ratio) greater(o ratio) bool {
	if q.den.IsZero() && o.den.IsZero() {
		return q.num.Cmp(o.num) > 0
	}
	return q.num.Mul(one(o.den)).Cmp(o.num.Mul(one(q.den))) > 0
}

// value divides, rounding up to 4 places (exact when den is 1).
func (q ratio) value() decimal.Decimal {
	if q.den.IsZero() {
		return q.num
	}
	if v, ok := quotient(q.num, q.den, 4, true); ok {
		return v
	}
	return q.num.Div(q.den).RoundCeil(4)
}

func one(d decimal.Decimal) decimal.Decimal {
	if d.IsZero() {
		return decimal.NewFromInt(1)
	}
	return d
}

// perTrade checks each valid trade's measure against an upper limit. measure
// returns ok false when it cannot be computed, with a note for a warning.
func (e *eval) perTrade(r Rule, unit Unit, what string, measure func(i int, t portfolio.Trade) (v ratio, ok bool, note string)) []Result {
	lim := r.Params.Limit
	warn, hasWarn := r.warnLevel(lim, true)
	var out []Result
	top := -1
	var topV ratio
	for i, t := range e.basket {
		if !e.ok[i] {
			continue
		}
		v, ok, note := measure(i, t)
		if !ok {
			if note != "" {
				res := newResult(r, Warn, t.Symbol)
				res.Unit, res.Trades, res.Limit = unit, []int{i}, lim
				res.Message = fmt.Sprintf("%s: %s", tradeLabel(i, t), note)
				out = append(out, res)
			}
			continue
		}
		if top < 0 || v.greater(topV) {
			top, topV = i, v
		}
		s := classify(r.Severity, false, v.cmp(lim) > 0, true, hasWarn && v.cmp(warn) >= 0)
		if s == Pass {
			continue
		}
		res := newResult(r, s, t.Symbol)
		res.Unit, res.Value, res.Limit, res.WarnLevel, res.HasWarn, res.Trades = unit, v.value(), lim, warn, hasWarn, []int{i}
		res.describe(tradeLabel(i, t)+" "+what, true, false)
		out = append(out, res)
	}
	if len(out) == 0 {
		res := newResult(r, Pass, "")
		res.Unit, res.Limit, res.WarnLevel, res.HasWarn = unit, lim, warn, hasWarn
		res.Message = fmt.Sprintf("no trade above %s", show(lim, unit))
		if top >= 0 {
			res.Group, res.Value = e.basket[top].Symbol, topV.value()
			res.describe("largest "+what, true, false)
		}
		out = append(out, res)
	}
	return out
}

// maxNotional: quantity × fill price ≤ limit.
func (e *eval) maxNotional(r Rule) []Result {
	return e.perTrade(r, UnitAmount, "notional", func(i int, t portfolio.Trade) (ratio, bool, string) {
		return ratio{num: t.Quantity.Mul(e.px[i])}, true, ""
	})
}

// maxQuantity: quantity ≤ limit.
func (e *eval) maxQuantity(r Rule) []Result {
	return e.perTrade(r, UnitQuantity, "quantity", func(_ int, t portfolio.Trade) (ratio, bool, string) {
		return ratio{num: t.Quantity}, true, ""
	})
}

// maxADV: quantity ≤ limit % of the security's average daily volume.
func (e *eval) maxADV(r Rule) []Result {
	return e.perTrade(r, UnitPercent, "% of ADV", func(_ int, t portfolio.Trade) (ratio, bool, string) {
		adv := e.st.security(t.Symbol).ADV
		if !adv.IsPositive() {
			return ratio{}, false, "no average daily volume in the securities master, cannot check"
		}
		return ratio{num: t.Quantity.Shift(2), den: adv}, true, ""
	})
}

// priceCollar: the limit price within SoftBps (soft) and HardBps (hard) of the
// last price. Market orders are not collared.
func (e *eval) priceCollar(r Rule) []Result {
	soft, hard := r.Params.SoftBps, r.Params.HardBps
	bps := decimal.NewFromInt(10000)
	var out []Result
	for i, t := range e.basket {
		if !e.ok[i] || !t.LimitPrice.IsPositive() {
			continue
		}
		last, ok := e.st.Prices[t.Symbol]
		if !ok || !last.IsPositive() {
			res := newResult(r, Warn, t.Symbol)
			res.Severity, res.Unit, res.Trades = Soft, UnitBps, []int{i}
			res.Message = fmt.Sprintf("%s: no last price to collar the limit against", tradeLabel(i, t))
			out = append(out, res)
			continue
		}
		// Compare |limit − last|·10000 with band·last: no division unless reported.
		gap := t.LimitPrice.Sub(last).Abs().Mul(bps)
		outside := func(band decimal.Decimal) bool { return band.IsPositive() && gap.Cmp(band.Mul(last)) > 0 }
		res := newResult(r, Pass, t.Symbol)
		res.Unit, res.Trades = UnitBps, []int{i}
		switch {
		case outside(hard):
			res.Status, res.Severity, res.Limit = Fail, Hard, hard
		case outside(soft):
			res.Status, res.Severity, res.Limit = NeedsOverride, Soft, soft
		default:
			res.Severity, res.Limit = Soft, soft
			if !soft.IsPositive() {
				res.Severity, res.Limit = Hard, hard
			}
			res.WarnLevel, res.HasWarn = r.warnLevel(res.Limit, true)
			if !res.HasWarn || gap.Cmp(res.WarnLevel.Mul(last)) < 0 {
				continue
			}
			res.Status = Warn
		}
		res.Value = gap.Div(last).RoundCeil(2)
		res.describe(fmt.Sprintf("%s limit %s vs last %s", tradeLabel(i, t), t.LimitPrice, last), true, false)
		out = append(out, res)
	}
	if len(out) == 0 {
		res := newResult(r, Pass, "")
		res.Severity, res.Unit, res.Limit = Soft, UnitBps, soft
		if !soft.IsPositive() {
			res.Severity, res.Limit = Hard, hard
		}
		res.Message = fmt.Sprintf("every limit price within %s bps of the last price", res.Limit)
		out = append(out, res)
	}
	return out
}

// duplicate: a trade with the same portfolio, security and side as a recent
// order within Minutes, or as an earlier trade of the same basket.
func (e *eval) duplicate(r Rule) []Result {
	window := decimal.NewFromInt(int64(r.Params.Minutes))
	code := e.st.Holdings.Portfolio.Code
	var out []Result
	for i, t := range e.basket {
		if !e.ok[i] {
			continue
		}
		what, ago, found := e.duplicateOf(i, t, code, r.Params.Minutes)
		if !found {
			continue
		}
		res := newResult(r, breachStatus(r.Severity), t.Symbol)
		res.Unit, res.Value, res.Limit, res.Trades = UnitMinutes, ago, window, []int{i}
		res.Message = fmt.Sprintf("%s duplicates %s: %s", tradeLabel(i, t), what, verdict(res.Status))
		out = append(out, res)
	}
	if len(out) == 0 {
		res := newResult(r, Pass, "")
		res.Unit, res.Limit = UnitMinutes, window
		res.Message = fmt.Sprintf("no duplicate within %d minutes", r.Params.Minutes)
		out = append(out, res)
	}
	return out
}

// duplicateOf finds what trade i duplicates and how many minutes ago.
func (e *eval) duplicateOf(i int, t portfolio.Trade, code string, minutes int) (string, decimal.Decimal, bool) {
	for j := 0; j < i; j++ {
		u := e.basket[j]
		if e.ok[j] && u.Symbol == t.Symbol && u.Side == t.Side {
			return fmt.Sprintf("trade %d of the same basket", j), decimal.Zero, true
		}
	}
	for _, o := range e.st.Recent {
		if o.Symbol != t.Symbol || o.Side != t.Side || (o.Portfolio != "" && o.Portfolio != code) {
			continue
		}
		age := e.st.Now.Sub(o.At)
		if age < 0 || age > time.Duration(minutes)*time.Minute {
			continue
		}
		ago := decimal.NewFromInt(int64(age.Seconds())).Div(decimal.NewFromInt(60)).Round(1)
		return fmt.Sprintf("order %s placed %s minutes ago", o.ID, ago), ago, true
	}
	return "", decimal.Zero, false
}
