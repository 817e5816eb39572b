package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/web/views"
)

// rebalanceForm shows the rebalance form; ?portfolio=CODE ticks a portfolio.
func (s *server) rebalanceForm(w http.ResponseWriter, r *http.Request) {
	f := views.RebalanceForm{Scope: "portfolios", Mode: "target", CashReserve: "0", MinTrade: "0", CollarBps: "0", Raise: "0",
		Errors: map[string]string{}}
	picked := map[string]bool{}
	for _, c := range r.URL.Query()["portfolio"] {
		picked[c] = true
	}
	s.renderRebalanceForm(w, r, http.StatusOK, f, picked)
}

func (s *server) renderRebalanceForm(w http.ResponseWriter, r *http.Request, status int, f views.RebalanceForm, picked map[string]bool) {
	ctx := r.Context()
	hs, err := s.store.AllHoldings(ctx)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: rebalance form: %w", err))
		return
	}
	models, err := s.store.Models(ctx)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: rebalance form: %w", err))
		return
	}
	f.Portfolios, f.Models = f.Portfolios[:0], f.Models[:0]
	for _, h := range hs {
		p := h.Portfolio
		f.Portfolios = append(f.Portfolios, views.PortfolioChoice{Code: p.Code, Name: p.Name, Model: p.Model, Selected: picked[p.Code]})
	}
	for _, m := range models {
		f.Models = append(f.Models, m.Name)
	}
	s.renderStatus(w, r, status, s.pageWithFlash(r, "Rebalance", "rebalance"), views.RebalancePage(f), nil)
}

// rebalanceStart checks the form, loads the chosen portfolios and plans them
// in the background, then sends the browser to the run's page (which shows
// progress, then the preview).
func (s *server) rebalanceStart(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	f := views.RebalanceForm{Scope: r.PostFormValue("scope"), Model: r.PostFormValue("model"), Mode: r.PostFormValue("mode"),
		CashReserve: r.PostFormValue("cash_reserve"), MinTrade: r.PostFormValue("min_trade"), CollarBps: r.PostFormValue("collar_bps"),
		Raise: r.PostFormValue("raise"), BuyOnly: r.PostFormValue("buy_only") == "1"}
	picked := map[string]bool{}
	for _, c := range r.PostForm["portfolio"] {
		picked[c] = true
	}
	opts, problems := readOptions(f.Mode, f.CashReserve, f.MinTrade, f.CollarBps, f.Raise, f.BuyOnly)
	f.Errors = problems
	codes, err := s.chosenPortfolios(r, f.Scope, f.Model, r.PostForm["portfolio"])
	if err != nil {
		if p, ok := err.(*problem); ok && p.kind == kindInvalid {
			f.Errors["scope"] = p.msg
		} else {
			s.fail(w, r, err)
			return
		}
	}
	if len(f.Errors) > 0 {
		s.renderRebalanceForm(w, r, http.StatusUnprocessableEntity, f, picked)
		return
	}
	inputs, none, err := s.store.RebalanceInputs(r.Context(), codes)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: rebalance: %w", err))
		return
	}
	if len(inputs) == 0 {
		f.Errors["scope"] = "None of these portfolios has a model or targets to rebalance to."
		s.renderRebalanceForm(w, r, http.StatusUnprocessableEntity, f, picked)
		return
	}
	u, _ := userFrom(r.Context())
	j := s.jobs.start(u.ID, s.now(), opts, inputs, none)
	s.log.InfoContext(r.Context(), "rebalance started", "job", j.id, "portfolios", len(inputs))
	seeOther(w, r, "/rebalance/jobs/"+j.id)
}

// chosenPortfolios returns the codes the form picked: ticked ones, those on a
// model, or nil for all. A missing choice is an invalid problem.
func (s *server) chosenPortfolios(r *http.Request, scope, model string, ticked []string) ([]string, error) {
	switch scope {
	case "all":
		return nil, nil
	case "model":
		codes, err := s.store.PortfoliosOnModel(r.Context(), model)
		if err != nil {
			return nil, fmt.Errorf("web: rebalance: %w", err)
		}
		if len(codes) == 0 {
			return nil, fault(kindInvalid, fmt.Sprintf("No portfolio follows the model %q.", model))
		}
		return codes, nil
	case "portfolios", "":
		if len(ticked) == 0 {
			return nil, fault(kindInvalid, "Tick at least one portfolio, or choose a model or all portfolios.")
		}
		return ticked, nil
	}
	return nil, fault(kindInvalid, "Choose which portfolios to rebalance.")
}

// readOptions parses the options as typed; problems are by form field.
func readOptions(mode, reserve, minTrade, collar, raise string, buyOnly bool) (rebalance.Options, map[string]string) {
	problems := map[string]string{}
	opts := rebalance.Options{BuyOnly: buyOnly}
	var err error
	if opts.Mode, err = rebalance.ParseMode(orDefault(mode, "target")); err != nil {
		problems["mode"] = err.Error()
	}
	if opts.CashReserve, err = readReserve(orDefault(reserve, "0")); err != nil {
		problems["cash_reserve"] = err.Error()
	}
	opts.MinTrade = amountField(problems, "min_trade", "minimum trade", minTrade)
	opts.Raise = amountField(problems, "raise", "cash to raise", raise)
	if c, err := strconv.ParseInt(orDefault(strings.TrimSpace(collar), "0"), 10, 64); err != nil {
		problems["collar_bps"] = fmt.Sprintf("collar %q is not a whole number of basis points", collar)
	} else {
		opts.CollarBps = c
	}
	if len(problems) == 0 {
		if err := opts.Validate(); err != nil {
			problems["options"] = err.Error()
		}
	}
	return opts, problems
}

// readReserve reads the cash reserve ("2%" or "10000") in plain notation,
// as every other number; rebalance.ParseReserve alone would take 1e3.
func readReserve(s string) (rebalance.Reserve, error) {
	if _, err := portfolio.ParseDecimal(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))); err != nil {
		return rebalance.Reserve{}, fmt.Errorf("cash reserve %s", numberProblem(err, fmt.Sprintf("%q is not a percentage (2%%) or an amount (10000)", s)))
	}
	return rebalance.ParseReserve(s)
}

func amountField(problems map[string]string, field, what, s string) decimal.Decimal {
	v, err := portfolio.ParseDecimal(orDefault(strings.TrimSpace(s), "0"))
	switch {
	case err != nil:
		problems[field] = what + " " + numberProblem(err, fmt.Sprintf("%q is not a number", s))
	case v.IsNegative():
		problems[field] = fmt.Sprintf("%s is negative", what)
	}
	return v
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return strings.TrimSpace(s)
}

// rebalanceJobPage shows a run: its progress bar while planning (the fragment
// polls itself), then the editable preview.
func (s *server) rebalanceJobPage(w http.ResponseWriter, r *http.Request) {
	j, ok := s.job(r)
	if !ok {
		s.fail(w, r, fault(kindNotFound, "This rebalance run is not known (runs are kept for a while only): start a new one."))
		return
	}
	view := views.RebalanceJob{ID: j.id}
	done, total, ready := j.progress()
	view.Done, view.Total = done, total
	if ready {
		p := s.preview(j, nil)
		view.Preview = &p
	}
	s.render(w, r, s.page(r, "Rebalance preview", "rebalance"), views.RebalanceJobPage(view), views.RebalanceJobView(view))
}

func (s *server) job(r *http.Request) (*rebalanceJob, bool) {
	u, _ := userFrom(r.Context())
	return s.jobs.get(chi.URLParam(r, "id"), u.ID)
}
