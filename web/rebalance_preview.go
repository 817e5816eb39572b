package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/web/views"
)

// maxPreviewLines is how many trades a preview shows for editing; the rest
// of a large run is submitted as planned.
const maxPreviewLines = 500

// maxPreviewPortfolios is how many portfolios without shown trades a preview lists.
const maxPreviewPortfolios = 200

// tradeEdit is what the PM changed on one proposed trade.
type tradeEdit struct {
	qty, limit string
	removed    bool
}

// review builds the preview of job j with edits applied (nil: as planned),
// re-validating every edited line (positive whole lots, no sale of more than
// is held, limits on the tick) and each portfolio's cash (never below zero,
// nor below the reserve unless the plan itself could not keep it). It returns
// the preview, the trades to save, and whether everything is valid.
func (s *server) review(j *rebalanceJob, edits map[string]tradeEdit) (views.RebalancePreview, []portfolio.Trade, bool) {
	j.mu.Lock()
	results, errs, saved := j.results, j.errs, j.saved
	j.mu.Unlock()
	p := views.RebalancePreview{ID: j.id, Skipped: j.skipped, Errors: map[string]string{}, CanSave: s.proposals != nil, Saved: saved}
	var trades []portfolio.Trade
	ok := true
	for i, res := range results {
		if errs != nil && errs[i] != nil {
			p.Failed = append(p.Failed, errs[i].Error())
			continue
		}
		pf, ts, good := reviewPortfolio(&j.inputs[i], res, j.opts, i, edits, &p)
		p.Planned++
		if len(pf.Lines) > 0 || pf.Problem != "" || len(p.Portfolios) < maxPreviewPortfolios {
			p.Portfolios = append(p.Portfolios, pf)
		}
		trades = append(trades, ts...)
		ok = ok && good
	}
	s.markResting(&p)
	return p, trades, ok && len(p.Failed) == 0
}

// reviewPortfolio applies edits to one portfolio's trades and checks them.
func reviewPortfolio(in *rebalance.Input, res rebalance.Result, opts rebalance.Options, pi int, edits map[string]tradeEdit, p *views.RebalancePreview) (views.PreviewPortfolio, []portfolio.Trade, bool) {
	h := in.Holdings
	pf := views.PreviewPortfolio{Code: res.Portfolio, Model: res.Model, Currency: h.Portfolio.BaseCurrency,
		NAV: views.Money(res.NAV), CashBefore: views.Money(res.CashBefore)}
	lines := make(map[string]rebalance.Line, len(res.Lines))
	after := make(map[string]decimal.Decimal, len(res.Lines))
	for _, l := range res.Lines {
		lines[l.Symbol], after[l.Symbol] = l, l.Quantity
	}
	held := make(map[string]decimal.Decimal, len(h.Positions))
	for _, pos := range h.Positions {
		held[pos.Symbol] = held[pos.Symbol].Add(pos.Quantity)
	}
	cash, ok := res.CashBefore, true
	var out []portfolio.Trade
	var shown []int // indices into pf.Lines
	for ti, t := range res.Trades {
		key := strconv.Itoa(pi) + "-" + strconv.Itoa(ti)
		e, edited := edits[key]
		l := views.PreviewLine{Key: key, Symbol: t.Symbol, Side: string(t.Side), Quantity: t.Quantity.String(),
			Limit: t.LimitPrice.String(), Reason: t.Reason, Removed: e.removed}
		if edited {
			l.Quantity, l.Limit = e.qty, e.limit
		}
		if !e.removed {
			nt, problem := checkTrade(t, l.Quantity, l.Limit, held[t.Symbol], in.Securities[t.Symbol])
			l.Problem = problem
			if problem != "" {
				ok = false
			} else {
				out = append(out, nt)
				if nt.Side == portfolio.Buy {
					cash = cash.Sub(nt.Notional())
				} else {
					cash = cash.Add(nt.Notional())
				}
				after[nt.Symbol] = after[nt.Symbol].Add(nt.Delta())
			}
		}
		if p.Shown < maxPreviewLines {
			p.Shown++
			pf.Lines = append(pf.Lines, l)
			shown = append(shown, len(pf.Lines)-1)
		}
		p.Trades++
	}
	reserve := opts.CashReserve.Amount(res.NAV)
	pf.Reserve, pf.CashAfter = views.Money(reserve), views.Money(cash)
	switch {
	case cash.IsNegative():
		pf.Problem, ok = fmt.Sprintf("Cash after these trades would be %s: the buys are not funded.", views.Money(cash)), false
	case cash.LessThan(reserve) && cash.LessThan(res.CashAfter):
		pf.Problem, ok = fmt.Sprintf("Cash after these trades would be %s, below the reserve %s.", views.Money(cash), views.Money(reserve)), false
	}
	navAfter := cash
	for sym, q := range after {
		if l := lines[sym]; sym != portfolio.CashSymbol && !l.Restriction.Excluded {
			navAfter = navAfter.Add(q.Mul(l.Price))
		}
	}
	pf.CashWeightAfter = views.Weight(pctOfNAV(cash, navAfter))
	for _, i := range shown {
		l := &pf.Lines[i]
		ln := lines[l.Symbol]
		l.Target, l.WeightBefore = views.Weight(ln.Target), views.Weight(ln.Weight)
		l.WeightAfter = views.Weight(pctOfNAV(after[l.Symbol].Mul(ln.Price), navAfter))
	}
	return pf, out, ok
}

// checkTrade re-validates a (possibly edited) trade: the side and symbol are
// the plan's; quantity and limit as typed.
func checkTrade(t portfolio.Trade, qty, limit string, held decimal.Decimal, sec portfolio.Security) (portfolio.Trade, string) {
	q, err := portfolio.ParseDecimal(qty)
	if err != nil || !q.IsPositive() {
		return t, "Quantity " + numberProblem(err, fmt.Sprintf("%q is not a positive number.", qty))
	}
	lim, err := portfolio.ParseDecimal(limit)
	if err != nil || !lim.IsPositive() {
		return t, "Limit " + numberProblem(err, fmt.Sprintf("%q is not a positive price.", limit))
	}
	lot := sec.LotSize
	if !lot.IsPositive() {
		lot = decimal.NewFromInt(1)
	}
	switch {
	case t.Side != portfolio.Buy && q.GreaterThan(held):
		return t, fmt.Sprintf("Sells %s but only %s are held.", q, held)
	case t.Side != portfolio.Buy && !q.Equal(held) && !q.Mod(lot).IsZero():
		return t, fmt.Sprintf("Sell whole lots of %s, or the whole position of %s.", lot, held)
	case t.Side == portfolio.Buy && !q.Mod(lot).IsZero():
		return t, fmt.Sprintf("Buy whole lots of %s.", lot)
	case !lim.Mod(sec.Tick()).IsZero():
		return t, fmt.Sprintf("The limit must be a multiple of the price increment %s.", sec.Tick())
	}
	t.Quantity, t.LimitPrice = q, lim
	return t, ""
}

func pctOfNAV(v, nav decimal.Decimal) decimal.Decimal {
	if !nav.IsPositive() {
		return decimal.Zero
	}
	return v.Mul(decimal.NewFromInt(100)).Div(nav)
}

// preview is the run's preview as planned.
func (s *server) preview(j *rebalanceJob, edits map[string]tradeEdit) views.RebalancePreview {
	p, _, _ := s.review(j, edits)
	return p
}

// rebalanceSubmit re-checks the edited preview; with action=save and no
// problems it saves the trades as a proposal and returns to the rebalance page.
func (s *server) rebalanceSubmit(w http.ResponseWriter, r *http.Request) {
	j, found := s.job(r)
	if !found {
		s.fail(w, r, fault(kindNotFound, "This rebalance run is not known (runs are kept for a while only): start a new one."))
		return
	}
	if _, _, ready := j.progress(); !ready {
		s.fail(w, r, fault(kindConflict, "This run is still planning: wait for the preview."))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	edits := readEdits(r)
	p, trades, ok := s.review(j, edits)
	status := http.StatusOK
	switch {
	case !ok:
		status = http.StatusUnprocessableEntity
		p.Errors["form"] = "Some lines need attention: nothing was saved."
	case r.PostFormValue("action") != "save":
	case s.proposals == nil:
		status = http.StatusServiceUnavailable
		p.Errors["form"] = "Saving proposals is not available yet on this server: nothing was saved."
	case !j.markSaved():
		status = http.StatusConflict
		p.Errors["form"] = "This proposal has already been saved."
	default:
		u, _ := userFrom(r.Context())
		n, err := s.proposals.SaveProposal(r.Context(), u, trades)
		if err != nil {
			j.unmarkSaved()
			s.fail(w, r, fmt.Errorf("web: save proposal: %w", err))
			return
		}
		s.log.InfoContext(r.Context(), "rebalance proposal saved", "job", j.id, "orders", n, "portfolios", p.Planned)
		s.setFlash(r, fmt.Sprintf("Saved a proposal of %d order(s) for %d portfolio(s).", n, p.Planned))
		seeOther(w, r, "/rebalance")
		return
	}
	view := views.RebalanceJob{ID: j.id, Done: len(j.inputs), Total: len(j.inputs), Preview: &p}
	s.renderStatus(w, r, status, s.page(r, "Rebalance preview", "rebalance"), views.RebalanceJobPage(view), views.RebalanceJobView(view))
}

// readEdits collects q-KEY, lim-KEY and rm-KEY fields by trade key.
func readEdits(r *http.Request) map[string]tradeEdit {
	edits := map[string]tradeEdit{}
	for name, vals := range r.PostForm {
		if len(name) < 3 || name[:2] != "q-" || len(vals) == 0 {
			continue
		}
		key := name[2:]
		edits[key] = tradeEdit{qty: vals[0], limit: r.PostFormValue("lim-" + key), removed: r.PostFormValue("rm-"+key) == "1"}
	}
	return edits
}
