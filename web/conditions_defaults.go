package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// defaultsPage shows a portfolio's default conditions ("apply to new holdings").
func (s *server) defaultsPage(w http.ResponseWriter, r *http.Request) {
	if !s.conditionsReady(w, r) {
		return
	}
	d, err := s.defaultsOf(r, r.URL.Query().Get("portfolio"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.pageWithFlash(r, "Defaults for new holdings", "conditions")
	s.render(w, r, p, views.DefaultsPage(p.User, d), nil)
}

func (s *server) defaultsOf(r *http.Request, pf string) (views.Defaults, error) {
	all, err := s.store.AllHoldings(r.Context())
	if err != nil {
		return views.Defaults{}, fmt.Errorf("web: defaults: %w", err)
	}
	d := views.Defaults{Portfolio: strings.TrimSpace(pf)}
	for _, h := range all {
		d.Portfolios = append(d.Portfolios, h.Portfolio.Code)
	}
	if d.Portfolio == "" && len(d.Portfolios) > 0 {
		d.Portfolio = d.Portfolios[0]
	}
	if d.Portfolio == "" {
		return d, nil
	}
	list, err := s.live.conds.Defaults(r.Context(), d.Portfolio)
	if err != nil {
		return d, fmt.Errorf("web: defaults %s: %w", d.Portfolio, err)
	}
	for _, t := range list {
		d.Rows = append(d.Rows, views.DefaultRow{Template: t.Template, Version: t.Version})
	}
	return d, nil
}

// defaultAdd adds a default condition to a portfolio, pending approval.
func (s *server) defaultAdd(w http.ResponseWriter, r *http.Request) {
	if !s.conditionsReady(w, r) {
		return
	}
	pf := strings.TrimSpace(r.PostFormValue("portfolio"))
	t, err := readDefaultForm(r, pf)
	if err == nil {
		u, _ := userFrom(r.Context())
		_, err = s.live.conds.AddDefault(r.Context(), u, t)
	}
	s.afterDefault(w, r, pf, err, "Default added: it applies to new holdings once a trader approves it.")
}

func readDefaultForm(r *http.Request, pf string) (trigger.Template, error) {
	var errs trigger.FieldErrors
	num := func(field string) decimal.Decimal {
		s := strings.TrimSpace(r.PostFormValue(field))
		if s == "" {
			return decimal.Zero
		}
		v, err := portfolio.ParseDecimal(s)
		if err != nil {
			errs = append(errs, trigger.FieldError{Field: field, Problem: numberProblem(err, fmt.Sprintf("%q is not a number", s))})
		}
		return v
	}
	t := trigger.Template{Portfolio: pf, Kind: trigger.Kind(r.PostFormValue("kind"))}
	t.Terms.Percent, t.Terms.Amount = num("percent"), num("amount")
	if days := strings.TrimSpace(r.PostFormValue("validity_days")); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			errs = append(errs, trigger.FieldError{Field: "validity_days", Problem: fmt.Sprintf("%q is not a number of days", days)})
		}
		t.Validity = time.Duration(n) * 24 * time.Hour
	}
	if len(errs) > 0 {
		return t, errs
	}
	return t, nil
}

// defaultApprove approves a default for the signed-in trader.
func (s *server) defaultApprove(w http.ResponseWriter, r *http.Request) {
	s.defaultButton(w, r, func(u user.User, id int64) (DefaultView, error) {
		return s.live.conds.ApproveDefault(r.Context(), u, id)
	}, "Default #%d approved.")
}

// defaultRemove stops a default from applying to new holdings.
func (s *server) defaultRemove(w http.ResponseWriter, r *http.Request) {
	s.defaultButton(w, r, func(u user.User, id int64) (DefaultView, error) {
		return s.live.conds.RemoveDefault(r.Context(), u, id)
	}, "Default #%d removed.")
}

func (s *server) defaultButton(w http.ResponseWriter, r *http.Request, act func(user.User, int64) (DefaultView, error), done string) {
	if !s.conditionsReady(w, r) {
		return
	}
	id, ok := s.conditionID(w, r)
	if !ok {
		return
	}
	u, _ := userFrom(r.Context())
	t, err := act(u, id)
	s.afterDefault(w, r, t.Portfolio, err, fmt.Sprintf(done, id))
}

// afterDefault redirects to the portfolio's defaults, or shows the refusal.
func (s *server) afterDefault(w http.ResponseWriter, r *http.Request, pf string, err error, done string) {
	if err == nil {
		s.setFlash(r, done)
		seeOther(w, r, views.WithQuery("/conditions/defaults", "portfolio", pf))
		return
	}
	k, ok := conditionKind(err)
	if !ok {
		s.fail(w, r, fmt.Errorf("web: default condition: %w", err))
		return
	}
	d, derr := s.defaultsOf(r, pf)
	if derr != nil || pf == "" {
		s.fail(w, r, fault(k, conditionMessage(err)))
		return
	}
	d.Problem = conditionMessage(err)
	p := s.page(r, "Defaults for new holdings", "conditions")
	s.renderStatus(w, r, k.status(), p, views.DefaultsPage(p.User, d), nil)
}
