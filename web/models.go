package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// blankModelRows is how many empty target lines the model form offers.
const blankModelRows = 3

// modelList shows every shared model with the portfolios that follow it.
func (s *server) modelList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	models, err := s.store.Models(ctx)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: models: %w", err))
		return
	}
	u, _ := userFrom(ctx)
	l := views.ModelList{CanEdit: u.Has(user.PM)}
	for _, m := range models {
		codes, err := s.store.PortfoliosOnModel(ctx, m.Name)
		if err != nil {
			s.fail(w, r, fmt.Errorf("web: models: %w", err))
			return
		}
		l.Rows = append(l.Rows, views.ModelSummary{Model: m, Followers: codes})
	}
	s.render(w, r, s.pageWithFlash(r, "Models", "models"), views.ModelListPage(l), nil)
}

// modelNew shows an empty model form.
func (s *server) modelNew(w http.ResponseWriter, r *http.Request) {
	f := views.ModelForm{Rows: make([]views.ModelRow, 5), Sum: "0", Errors: map[string]string{}}
	s.renderModelForm(w, r, http.StatusOK, f)
}

// modelEdit shows a saved model in the form (read-only for roles other than pm).
func (s *server) modelEdit(w http.ResponseWriter, r *http.Request) {
	name := pathParam(r, "name")
	m, err := s.store.Model(r.Context(), name)
	if err != nil {
		if s.isNotFound(err) {
			err = fault(kindNotFound, fmt.Sprintf("There is no model %q.", name))
		}
		s.fail(w, r, err)
		return
	}
	u, _ := userFrom(r.Context())
	f := views.ModelForm{Name: m.Name, Existing: true, Band: bandText(m.Band), Sum: m.Sum().String(),
		Errors: map[string]string{}, ReadOnly: !u.Has(user.PM)}
	for _, t := range m.Targets {
		f.Rows = append(f.Rows, views.ModelRow{Symbol: t.Symbol, Weight: t.Weight.String(), Band: bandText(t.Band)})
	}
	if !f.ReadOnly {
		f.Rows = append(f.Rows, make([]views.ModelRow, blankModelRows)...)
	}
	s.renderModelForm(w, r, http.StatusOK, f)
}

// modelSave validates and saves a model: 422 with every problem beside its
// field (and the sum against 100) when it is not valid.
func (s *server) modelSave(w http.ResponseWriter, r *http.Request) {
	f, m, err := s.readModelForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(f.Errors) > 0 {
		s.renderModelForm(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if !f.Existing {
		if _, err := s.store.Model(r.Context(), m.Name); err == nil {
			f.Errors["name"] = "A model with this name exists: open it from the Models page to edit it."
			s.renderModelForm(w, r, http.StatusUnprocessableEntity, f)
			return
		}
	}
	if err := s.store.SaveModel(r.Context(), m); err != nil {
		s.fail(w, r, fmt.Errorf("web: save model %q: %w", m.Name, err))
		return
	}
	s.log.InfoContext(r.Context(), "model saved", "model", m.Name, "targets", len(m.Targets))
	s.setFlash(r, fmt.Sprintf("Saved model %s: %d targets.", m.Name, len(m.Targets)))
	seeOther(w, r, views.ModelURL(m.Name))
}

// modelCheck answers the form's inline check with the running sum and problems (always 200).
func (s *server) modelCheck(w http.ResponseWriter, r *http.Request) {
	f, _, err := s.readModelForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderStatus(w, r, http.StatusOK, s.page(r, "Model", "models"), views.ModelCheck(f), nil)
}

func (s *server) renderModelForm(w http.ResponseWriter, r *http.Request, status int, f views.ModelForm) {
	secs, err := s.store.Securities(r.Context(), "")
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: model form: %w", err))
		return
	}
	for _, sec := range secs {
		f.Symbols = append(f.Symbols, sec.Symbol)
	}
	title := "New model"
	switch {
	case f.Portfolio != "":
		title = "Targets of " + f.Portfolio
	case f.Existing:
		title = "Model " + f.Name
	}
	s.renderStatus(w, r, status, s.pageWithFlash(r, title, "models"), views.ModelEditPage(f), views.ModelFormView(f))
}

// readModelForm parses the posted form into what was typed, its problems and the model.
func (s *server) readModelForm(r *http.Request) (views.ModelForm, portfolio.Model, error) {
	if err := r.ParseForm(); err != nil {
		return views.ModelForm{}, portfolio.Model{}, fault(kindInvalid, "The form could not be read.")
	}
	secs, err := s.store.Securities(r.Context(), "")
	if err != nil {
		return views.ModelForm{}, portfolio.Model{}, fmt.Errorf("web: model form: %w", err)
	}
	known := make(map[string]bool, len(secs))
	for _, sec := range secs {
		known[sec.Symbol] = true
	}
	f := views.ModelForm{Name: strings.TrimSpace(r.PostFormValue("name")), Existing: r.PostFormValue("existing") == "1",
		Band: strings.TrimSpace(r.PostFormValue("band")), Errors: map[string]string{}}
	m := portfolio.Model{Name: f.Name}
	switch {
	case f.Name == "":
		f.Errors["name"] = "Give the model a name."
	case (len(f.Name) > 64 || strings.ContainsAny(f.Name, "/?#")) && !(f.Existing && s.modelStored(r, f.Name)):
		// Only a name being given: a stored one (an imported model's) is
		// saved under the name it has.
		f.Errors["name"] = "Use at most 64 characters, without / ? or #."
	case portfolio.DotName(f.Name) && !(f.Existing && s.modelStored(r, f.Name)):
		f.Errors["name"] = fmt.Sprintf("%q cannot be a model name: a link to its page would lead elsewhere.", f.Name)
	}
	if f.Band != "" {
		if m.Band, err = portfolio.ParseBand(f.Band); err != nil {
			f.Errors["band"] = err.Error()
		}
	}
	syms, weights, bands := r.PostForm["symbol"], r.PostForm["weight"], r.PostForm["target_band"]
	seen := map[string]int{}
	sum := decimal.Zero
	for i := range syms {
		row := views.ModelRow{Symbol: strings.TrimSpace(syms[i]), Weight: at(weights, i), Band: at(bands, i)}
		if row == (views.ModelRow{}) {
			continue
		}
		n := len(f.Rows)
		f.Rows = append(f.Rows, row)
		t, problem := readTarget(row, known, seen, n)
		if problem != "" {
			f.Errors["row-"+strconv.Itoa(n)] = problem
			continue
		}
		sum = sum.Add(t.Weight)
		m.Targets = append(m.Targets, t)
	}
	f.Sum = sum.String()
	if len(f.Rows) == 0 {
		f.Errors["sum"] = "Add at least one target; CASH counts as one."
	} else if !sum.Equal(decimal.NewFromInt(100)) {
		f.Errors["sum"] = sumMessage(sum)
	}
	f.Rows = append(f.Rows, make([]views.ModelRow, blankModelRows)...)
	return f, m, nil
}

// modelStored reports whether a model of that name is saved.
func (s *server) modelStored(r *http.Request, name string) bool {
	_, err := s.store.Model(r.Context(), name)
	return err == nil
}

// readTarget checks one typed target line; the problem is empty when it is fine.
func readTarget(row views.ModelRow, known map[string]bool, seen map[string]int, n int) (portfolio.Target, string) {
	t := portfolio.Target{Symbol: row.Symbol}
	if strings.EqualFold(t.Symbol, portfolio.CashSymbol) {
		t.Symbol = portfolio.CashSymbol
	}
	var problems []string
	switch {
	case t.Symbol == "":
		problems = append(problems, "symbol is empty")
	case t.Symbol != portfolio.CashSymbol && !known[t.Symbol]:
		problems = append(problems, fmt.Sprintf("%s is not a known security", t.Symbol))
	}
	if first, dup := seen[t.Symbol]; dup && t.Symbol != "" {
		problems = append(problems, fmt.Sprintf("%s is already on line %d", t.Symbol, first+1))
	} else {
		seen[t.Symbol] = n
	}
	w, err := portfolio.ParseDecimal(row.Weight)
	switch {
	case err != nil:
		problems = append(problems, "weight "+numberProblem(err, fmt.Sprintf("%q is not a number", row.Weight)))
	case w.IsNegative():
		problems = append(problems, "weight is negative")
	}
	t.Weight = w
	if row.Band != "" {
		b, err := portfolio.ParseBand(row.Band)
		if err != nil {
			problems = append(problems, err.Error())
		}
		t.Band = b
	}
	return t, strings.Join(problems, "; ")
}

// sumMessage says how far the weights are from 100.
func sumMessage(sum decimal.Decimal) string {
	hundred := decimal.NewFromInt(100)
	if sum.LessThan(hundred) {
		return fmt.Sprintf("Weights sum to %s, %s short of 100.", sum, hundred.Sub(sum))
	}
	return fmt.Sprintf("Weights sum to %s, %s over 100.", sum, sum.Sub(hundred))
}

func at(list []string, i int) string {
	if i < len(list) {
		return strings.TrimSpace(list[i])
	}
	return ""
}

// bandText is a band as typed in the form: "1" or "10%"; empty when unset.
func bandText(b portfolio.Band) string {
	return strings.TrimPrefix(b.String(), "±")
}
