package compliance

import (
	"fmt"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// eval is one Check in progress: the state, the basket and the two books.
type eval struct {
	st     *State
	basket []portfolio.Trade
	ok     []bool            // basket trades that passed input validation
	px     []decimal.Decimal // each trade's assumed fill price (limit, else last)
	before *book
	after  *book
}

// Check evaluates rules against one portfolio's pro-forma state: before is the
// portfolio with its working orders, trades the proposed basket. Rules whose
// scope does not cover the portfolio are skipped. Check is pure and
// deterministic: the same input gives the same Report.
func Check(before State, trades []portfolio.Trade, rules []Rule) Report {
	return check(before, trades, rules, &workspace{})
}

// check is Check working in ws.
func check(before State, trades []portfolio.Trade, rules []Rule, ws *workspace) Report {
	e := newEval(&before, trades, ws)
	rep := Report{
		Portfolio:     before.Holdings.Portfolio.Code,
		NAVBefore:     e.before.nav,
		NAVAfter:      e.after.nav,
		CashBefore:    e.before.cash,
		CashAfter:     e.after.cash,
		CashWorstCase: e.after.cashWorst,
		Problems:      e.problems(),
		Results:       make([]Result, 0, len(rules)+8),
	}
	for i, r := range rules {
		if !r.AppliesTo(before.Holdings.Portfolio) {
			continue
		}
		for _, res := range e.rule(r) {
			res.order = i
			rep.Results = append(rep.Results, res)
		}
	}
	sortResults(rep.Results)
	rep.Trades = e.summaries(rep.Results)
	rep.Status = overall(rep)
	return rep
}

func newEval(st *State, basket []portfolio.Trade, ws *workspace) *eval {
	e := &eval{st: st, basket: basket, ok: make([]bool, len(basket)), px: make([]decimal.Decimal, len(basket))}
	valid := make([]portfolio.Trade, 0, len(basket))
	for i, t := range basket {
		if e.problem(t) == "" {
			e.ok[i] = true
			e.px[i], _ = st.tradePrice(t)
			valid = append(valid, t)
		}
	}
	e.before = newBefore(st, st.Working, ws)
	e.after = newAfter(e.before, valid)
	return e
}

// problem says what is wrong with a basket trade, or "".
func (e *eval) problem(t portfolio.Trade) string {
	code := e.st.Holdings.Portfolio.Code
	switch {
	case t.Portfolio != "" && t.Portfolio != code:
		return fmt.Sprintf("trade for portfolio %q checked against %q", t.Portfolio, code)
	case t.Side != portfolio.Buy && t.Side != portfolio.Sell && t.Side != portfolio.SellShort:
		return fmt.Sprintf("side %q is not buy, sell or sell_short", t.Side)
	case !t.Quantity.IsPositive():
		return fmt.Sprintf("quantity %s is not positive", t.Quantity)
	case t.LimitPrice.IsNegative():
		return fmt.Sprintf("limit price %s is negative", t.LimitPrice)
	}
	if _, known := e.st.Securities[t.Symbol]; !known {
		return fmt.Sprintf("security %q is not in the securities master", t.Symbol)
	}
	if _, priced := e.st.tradePrice(t); !priced {
		return fmt.Sprintf("no limit price and no last price for %s", t.Symbol)
	}
	return ""
}

func (e *eval) problems() []string {
	out := []string{}
	for i, t := range e.basket {
		if !e.ok[i] {
			out = append(out, fmt.Sprintf("trade %d (%s %s): %s", i, t.Side, t.Symbol, e.problem(t)))
		}
	}
	return out
}

// rule evaluates one rule; every rule yields at least one result.
func (e *eval) rule(r Rule) []Result {
	switch r.Kind {
	case KindRestricted:
		return e.restricted(r)
	case KindMaxWeight:
		return e.maxWeight(r)
	case KindMinHoldings:
		return e.minHoldings(r)
	case KindCashFloor:
		return e.cashFloor(r)
	case KindLongOnly:
		return e.longOnly(r)
	case KindMaxGross:
		return e.maxGross(r)
	case KindMaxNotional:
		return e.maxNotional(r)
	case KindMaxQuantity:
		return e.maxQuantity(r)
	case KindPriceCollar:
		return e.priceCollar(r)
	case KindMaxADV:
		return e.maxADV(r)
	case KindDuplicate:
		return e.duplicate(r)
	case KindUCITS:
		return e.ucits(r)
	case KindAct1940:
		return e.act1940(r)
	}
	res := newResult(r, Fail, "")
	res.Severity = Hard
	res.Message = fmt.Sprintf("rule kind %q is unknown", r.Kind)
	return []Result{res}
}

// summaries attaches every attributed breach or warning to its trades.
func (e *eval) summaries(results []Result) []TradeSummary {
	out := make([]TradeSummary, len(e.basket))
	for i, t := range e.basket {
		out[i] = TradeSummary{Index: i, Symbol: t.Symbol, Status: "pass", Breaches: []Breach{}}
		if !e.ok[i] {
			out[i].Status = "fail"
			out[i].Breaches = append(out[i].Breaches, Breach{Rule: "input", Name: "valid order",
				Severity: Hard, Status: Fail, Message: e.problem(t)})
		}
	}
	for _, res := range results {
		if res.Status != Fail && res.Status != NeedsOverride && res.Status != Warn {
			continue
		}
		for _, i := range res.Trades {
			s := &out[i]
			s.Breaches = append(s.Breaches, Breach{Rule: res.RuleID, Name: res.RuleName, Severity: res.Severity,
				Status: res.Status, Value: res.Value, Limit: res.Limit, Unit: res.Unit, Message: res.Message})
			switch {
			case res.Status == Fail:
				s.Status = "fail"
			case s.Status == "pass":
				s.Status = "warn"
			}
		}
	}
	return out
}

func overall(rep Report) Status {
	if len(rep.Problems) > 0 {
		return Fail
	}
	s := Pass
	for _, r := range rep.Results {
		if r.Status.Rank() > s.Rank() {
			s = r.Status
		}
	}
	return s
}

// Allowed reports whether a status lets the basket proceed without an override.
func (s Status) Allowed() bool { return s.Rank() <= Passive.Rank() }

// classify turns a state rule's before/after comparison into a status: a
// breach the basket causes or worsens blocks (hard) or needs an override
// (soft); a breach it does not worsen is passive.
func classify(sev Severity, breachBefore, breachAfter, worse, warn bool) Status {
	switch {
	case !breachAfter && warn:
		return Warn
	case !breachAfter:
		return Pass
	case breachBefore && !worse:
		return Passive
	}
	return breachStatus(sev)
}

// attribute sets the trades that contributed to a breach or warning, and
// makes a breach no trade contributed to passive: only a trade of the basket
// causes or worsens a breach, a move of NAV alone (fills assumed at limit
// prices, trades elsewhere) does not.
func (res *Result) attribute(contributors func() []int) {
	if res.Status == Pass || res.Status == Passive {
		return
	}
	res.Trades = contributors()
	if (res.Status == Fail || res.Status == NeedsOverride) && len(res.Trades) == 0 {
		res.Status = Passive
	}
}

// breachStatus is the status of a breach caused by the basket.
func breachStatus(sev Severity) Status {
	if sev == Soft {
		return NeedsOverride
	}
	return Fail
}

// newResult starts a result carrying the rule's identity.
func newResult(r Rule, s Status, group string) Result {
	return Result{RuleID: r.ID, RuleName: r.Name, Version: r.Version, Kind: r.Kind, Severity: r.Severity, Status: s, Group: group}
}

// buysIn returns the indexes of valid basket buys whose symbol satisfies in.
func (e *eval) buysIn(in func(sym string) bool) []int {
	return e.tradesIn(func(t portfolio.Trade) bool { return t.Side == portfolio.Buy && in(t.Symbol) })
}

// tradesIn returns the indexes of valid basket trades satisfying in.
func (e *eval) tradesIn(in func(t portfolio.Trade) bool) []int {
	var out []int
	for i, t := range e.basket {
		if e.ok[i] && in(t) {
			out = append(out, i)
		}
	}
	return out
}
