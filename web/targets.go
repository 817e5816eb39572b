package web

import (
	"fmt"
	"net/http"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web/views"
)

// targetsEdit shows a portfolio's own targets in the model form. A portfolio
// without targets starts from its held symbols and CASH, weights empty.
func (s *server) targetsEdit(w http.ResponseWriter, r *http.Request) {
	code := pathParam(r, "code")
	h, follows, err := s.portfolioAndModel(r, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := views.ModelForm{Name: code, Portfolio: code, Follows: follows, Errors: map[string]string{}, Sum: "0"}
	m, err := s.store.PortfolioTargets(r.Context(), code)
	switch {
	case err == nil:
		f.Band, f.Sum = bandText(m.Band), m.Sum().String()
		for _, t := range m.Targets {
			f.Rows = append(f.Rows, views.ModelRow{Symbol: t.Symbol, Weight: t.Weight.String(), Band: bandText(t.Band)})
		}
	case s.isNotFound(err):
		for _, p := range h.Positions {
			f.Rows = append(f.Rows, views.ModelRow{Symbol: p.Symbol})
		}
		f.Rows = append(f.Rows, views.ModelRow{Symbol: portfolio.CashSymbol})
	default:
		s.fail(w, r, fmt.Errorf("web: targets of %q: %w", code, err))
		return
	}
	f.Rows = append(f.Rows, make([]views.ModelRow, blankModelRows)...)
	s.renderModelForm(w, r, http.StatusOK, f)
}

// targetsSave validates and saves a portfolio's own targets (422 with field
// problems otherwise) and, when asked, stops it following its model.
func (s *server) targetsSave(w http.ResponseWriter, r *http.Request) {
	code := pathParam(r, "code")
	_, follows, err := s.portfolioAndModel(r, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	r.PostForm.Set("name", code)
	f, m, err := s.readModelForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The name is the portfolio's code, as imported: not a model name being
	// given, so the rules for new names do not apply to it.
	delete(f.Errors, "name")
	f.Portfolio, f.Follows = code, follows
	if len(f.Errors) > 0 {
		s.renderModelForm(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err := s.store.SavePortfolioTargets(r.Context(), code, m); err != nil {
		s.fail(w, r, fmt.Errorf("web: save targets of %q: %w", code, err))
		return
	}
	if follows != "" && r.PostFormValue("unfollow") == "1" {
		if err := s.store.SetPortfolioModel(r.Context(), code, ""); err != nil {
			s.fail(w, r, fmt.Errorf("web: save targets of %q: %w", code, err))
			return
		}
	}
	s.log.InfoContext(r.Context(), "portfolio targets saved", "portfolio", code, "targets", len(m.Targets))
	s.setFlash(r, fmt.Sprintf("Saved %d targets of %s.", len(m.Targets), code))
	seeOther(w, r, views.PortfolioURL(code, "drift"))
}

// portfolioAndModel returns a portfolio's holdings and the shared model it follows ("" for none).
func (s *server) portfolioAndModel(r *http.Request, code string) (portfolio.Holdings, string, error) {
	inputs, _, err := s.store.RebalanceInputs(r.Context(), []string{code})
	if err != nil {
		if s.isNotFound(err) {
			return portfolio.Holdings{}, "", fault(kindNotFound, fmt.Sprintf("There is no portfolio %q.", code))
		}
		return portfolio.Holdings{}, "", fmt.Errorf("web: portfolio %q: %w", code, err)
	}
	if len(inputs) == 1 {
		return inputs[0].Holdings, inputs[0].Holdings.Portfolio.Model, nil
	}
	h, err := s.store.Holdings(r.Context(), code)
	if err != nil {
		return h, "", fmt.Errorf("web: portfolio %q: %w", code, err)
	}
	return h, h.Portfolio.Model, nil
}
