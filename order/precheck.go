package order

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/portfolio"
)

// PrecheckStore is what pre-trade compliance reads and writes.
type PrecheckStore interface {
	// ActiveRules returns the rules in force: the latest enabled version of each.
	ActiveRules(ctx context.Context) ([]compliance.Rule, error)
	// PreTradeStates returns each portfolio's state by code: holdings and cash,
	// last prices, the securities master, the unfilled remainder of its working
	// orders and its recent orders, leaving out the orders in skip. Now is not set.
	PreTradeStates(ctx context.Context, codes []string, skip []int64) (map[string]compliance.State, error)
	// AddPreTradeOrders fills in each state (by portfolio code) the unfilled
	// remainder of its working orders and its recent orders, as
	// PreTradeStates does, leaving out the orders in skip.
	AddPreTradeOrders(ctx context.Context, states map[string]compliance.State, skip []int64) error
	// PreTradeOrders lists the orders of proposal in portfolio that still wait
	// for approval (blocked, awaiting_override, ready).
	PreTradeOrders(ctx context.Context, proposalID int64, portfolio string) ([]Order, error)
	// OrderOverrides lists an order's overrides, each with Voided set when
	// the order was amended after it was given (Override.VoidedBy).
	OrderOverrides(ctx context.Context, orderID int64) ([]Override, error)
	// SaveChecks stores checks with their results.
	SaveChecks(ctx context.Context, checks []CheckRecord) error
}

// Precheck runs pre-trade compliance for every proposal path (rebalance,
// manual order, API) and again at approval: each portfolio's orders are
// checked together as one basket on the pro-forma state (holdings + working
// orders + the basket), and each order gets its own verdict from the
// findings attributed to it.
type Precheck struct {
	Store PrecheckStore
	Clock Clock
	// Observe, when set, hears how long each CheckTrades took, by Clock
	// (serve's /metrics).
	Observe func(time.Duration)

	pinned []compliance.Rule // the rules every check uses, once PinRules has read them
	pin    bool
}

// PinRules reads the rules in force once: every check after it uses them
// instead of reading the store's again. A run checked in parts (a rebalance
// of the whole book, saved as one proposal) is so checked under one rule
// set, even when a compliance officer changes the rules while it runs.
func (p *Precheck) PinRules(ctx context.Context) error {
	rules, err := p.Store.ActiveRules(ctx)
	if err != nil {
		return fmt.Errorf("compliance: pre-trade: %w", err)
	}
	p.pinned, p.pin = rules, true
	return nil
}

// rules are the rules to check against: the pinned ones, or those in force now.
func (p *Precheck) rules(ctx context.Context) ([]compliance.Rule, error) {
	if p.pin {
		return p.pinned, nil
	}
	return p.Store.ActiveRules(ctx)
}

// TradeCheck is one trade's compliance outcome within its basket.
type TradeCheck struct {
	Check   Check                   // what Service.Propose and Approve take
	Summary compliance.TradeSummary // pass / warn / fail with its breaches, for the CLI and API
	Results []ResultRecord          // the findings attributed to the trade, most severe first
}

// CheckTrades checks trades, grouped by portfolio into baskets, and returns
// one TradeCheck per trade in order, and each portfolio's report by code.
// skip lists stored orders the trades stand for (left out of working orders).
func (p *Precheck) CheckTrades(ctx context.Context, trades []portfolio.Trade, skip []int64) ([]TradeCheck, map[string]compliance.Report, error) {
	if p.Observe != nil {
		defer func(t0 time.Time) { p.Observe(p.Clock.Now().Sub(t0)) }(p.Clock.Now())
	}
	if len(trades) == 0 {
		return nil, map[string]compliance.Report{}, nil
	}
	rules, err := p.rules(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("compliance: pre-trade: %w", err)
	}
	codes, idx := groupByPortfolio(trades)
	states, err := p.Store.PreTradeStates(ctx, codes, skip)
	if err != nil {
		return nil, nil, fmt.Errorf("compliance: pre-trade: %w", err)
	}
	return p.checkBaskets(trades, codes, idx, states, rules)
}

// groupByPortfolio returns the portfolios of trades in order of first
// appearance and, by code, the indexes of their trades.
func groupByPortfolio(trades []portfolio.Trade) ([]string, map[string][]int) {
	var codes []string
	idx := map[string][]int{}
	for i, t := range trades {
		if _, ok := idx[t.Portfolio]; !ok {
			codes = append(codes, t.Portfolio)
		}
		idx[t.Portfolio] = append(idx[t.Portfolio], i)
	}
	return codes, idx
}

// checkBaskets checks each portfolio's basket on its state and maps the
// findings to the trades.
func (p *Precheck) checkBaskets(trades []portfolio.Trade, codes []string, idx map[string][]int,
	states map[string]compliance.State, rules []compliance.Rule) ([]TradeCheck, map[string]compliance.Report, error) {
	now := p.Clock.Now().UTC()
	sts := make([]compliance.State, len(codes))
	baskets := make([][]portfolio.Trade, len(codes))
	for k, code := range codes {
		st, ok := states[code]
		if !ok {
			return nil, nil, fmt.Errorf("compliance: pre-trade: portfolio %q: %w", code, ErrNotFound)
		}
		st.Now = now
		sts[k] = st
		for _, i := range idx[code] {
			baskets[k] = append(baskets[k], trades[i])
		}
	}
	reports := compliance.CheckAll(sts, baskets, rules, 0)
	out := make([]TradeCheck, len(trades))
	byCode := make(map[string]compliance.Report, len(codes))
	for k, code := range codes {
		byCode[code] = reports[k]
		for local, i := range idx[code] {
			out[i] = tradeCheck(reports[k], local, nil)
		}
	}
	return out, byCode, nil
}

// tradeCheck maps the findings attributed to basket trade i to its verdict;
// overrides clear the soft breaches they match.
func tradeCheck(rep compliance.Report, i int, ovs []Override) TradeCheck {
	tc := TradeCheck{Summary: rep.Trades[i]}
	for _, b := range rep.Trades[i].Breaches {
		if b.Rule == "input" {
			tc.Results = append(tc.Results, ResultRecord{RuleID: "input", RuleName: b.Name, Severity: compliance.Hard,
				Status: compliance.Fail, Message: b.Message})
		}
	}
	for _, r := range rep.Results {
		if r.Status == compliance.Pass || !attributed(r, i) {
			continue
		}
		rec := ResultRecord{RuleID: r.RuleID, RuleName: r.RuleName, Version: r.Version, Severity: r.Severity,
			Status: r.Status, Group: r.Group, Value: r.Value, Limit: r.Limit, Unit: r.Unit, Message: r.Message}
		rec.Overridden = rec.Status == compliance.NeedsOverride && slices.ContainsFunc(ovs, func(o Override) bool { return o.Matches(rec) })
		tc.Results = append(tc.Results, rec)
	}
	tc.Check = verdict(tc.Results)
	return tc
}

// attributed reports whether result r concerns trade i: it names the trade,
// or it is a breach the basket caused without naming any trade.
func attributed(r compliance.Result, i int) bool {
	if slices.Contains(r.Trades, i) {
		return true
	}
	return len(r.Trades) == 0 && (r.Status == compliance.Fail || r.Status == compliance.NeedsOverride)
}

// verdict is fail for a hard breach, warn for a soft breach not overridden,
// else pass; the findings line counts them and names the first few.
func verdict(rs []ResultRecord) Check {
	c := Check{Verdict: VerdictPass}
	var fails, softs, warns int
	var lines []string
	for _, r := range rs {
		switch {
		case r.Status == compliance.Fail:
			fails++
			c.Verdict = VerdictFail
		case r.NeedsOverride():
			softs++
			if c.Verdict == VerdictPass {
				c.Verdict = VerdictWarn
			}
		case r.Status == compliance.Warn:
			warns++
		default:
			continue
		}
		if len(lines) < 3 {
			lines = append(lines, fmt.Sprintf("%s %s: %s", r.Status, r.RuleID, r.Message))
		}
	}
	if fails+softs+warns == 0 {
		c.Findings = "compliance: every rule passed"
		return c
	}
	c.Findings = fmt.Sprintf("compliance: %d hard breach(es), %d soft breach(es) to override, %d warning(s): %s",
		fails, softs, warns, strings.Join(lines, "; "))
	if n := fails + softs + warns - len(lines); n > 0 {
		c.Findings += fmt.Sprintf("; and %d more", n)
	}
	return c
}

// TradeOf is the trade an order stands for: its limit price, or none for a
// market or stop order (compliance then uses the last price).
func TradeOf(o Order) portfolio.Trade {
	t := portfolio.Trade{Portfolio: o.Portfolio, Symbol: o.Symbol, Side: o.Side, Quantity: o.Quantity, Reason: o.Notes}
	if o.Type == Limit || o.Type == StopLimit {
		t.LimitPrice = o.LimitPrice
	}
	return t
}

func record(id int64, phase Phase, tc TradeCheck, clock Clock) CheckRecord {
	return CheckRecord{OrderID: id, Phase: phase, Verdict: tc.Check.Verdict, Summary: tc.Check.Findings,
		At: clock.Now().UTC(), Results: tc.Results}
}

// Recheck checks order o again with current prices, in a basket with the
// other orders of its proposal that still wait for approval, counting the
// overrides already given. It stores the check (phase approve) and returns it.
func (p *Precheck) Recheck(ctx context.Context, o Order) (TradeCheck, error) {
	return p.recheck(ctx, o, PhaseApprove)
}

// StoreCheck checks order o as Recheck does and stores the result as its proposal
// check (phase propose): for orders proposed with a Check computed before
// they had an id (manual entry), so that their findings can be shown and
// overridden.
func (p *Precheck) StoreCheck(ctx context.Context, o Order) (TradeCheck, error) {
	return p.recheck(ctx, o, PhasePropose)
}

func (p *Precheck) recheck(ctx context.Context, o Order, phase Phase) (TradeCheck, error) {
	basket := []Order{o}
	if o.ProposalID != 0 {
		sibs, err := p.Store.PreTradeOrders(ctx, o.ProposalID, o.Portfolio)
		if err != nil {
			return TradeCheck{}, fmt.Errorf("compliance: recheck %d: %w", o.ID, err)
		}
		for _, s := range sibs {
			if s.ID != o.ID {
				basket = append(basket, s)
			}
		}
	}
	trades := make([]portfolio.Trade, len(basket))
	skip := make([]int64, len(basket))
	for i, b := range basket {
		trades[i], skip[i] = TradeOf(b), b.ID
	}
	_, reports, err := p.CheckTrades(ctx, trades, skip)
	if err != nil {
		return TradeCheck{}, err
	}
	ovs, err := p.Store.OrderOverrides(ctx, o.ID)
	if err != nil {
		return TradeCheck{}, fmt.Errorf("compliance: recheck %d: %w", o.ID, err)
	}
	tc := tradeCheck(reports[o.Portfolio], 0, ovs)
	if err := p.Store.SaveChecks(ctx, []CheckRecord{record(o.ID, phase, tc, p.Clock)}); err != nil {
		return tc, fmt.Errorf("compliance: recheck %d: %w", o.ID, err)
	}
	return tc, nil
}

// Approve approves order id for actor after re-checking it with current
// prices (Recheck); overrides count, but Service.Approve's own override
// reason is never used: only compliance overrides, per breach. A trader who
// may not approve the order is refused before anything is checked.
func (p *Precheck) Approve(ctx context.Context, svc *Service, id int64, actor Actor) (Order, error) {
	var o Order
	err := svc.Store.InTx(ctx, func(tx Tx) error {
		var err error
		o, err = tx.Order(ctx, id)
		return err
	})
	if err != nil {
		return Order{}, fmt.Errorf("order: approve %d: %w", id, err)
	}
	if err := checkApprover(o, actor.Name, actor.Roles); err != nil {
		return Order{}, err
	}
	tc, err := p.Recheck(ctx, o)
	if err != nil {
		return Order{}, err
	}
	return svc.Approve(ctx, id, actor, &tc.Check)
}
