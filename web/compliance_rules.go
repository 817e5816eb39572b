package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// isOfficer reports whether the signed-in user holds the compliance role.
func isOfficer(r *http.Request) bool {
	u, ok := userFrom(r.Context())
	return ok && u.Has(user.Compliance)
}

// signedIn is the signed-in user's name (the guards guarantee one).
func signedIn(r *http.Request) string {
	u, _ := userFrom(r.Context())
	return u.Name
}

// problemsOf lists an invalid-input refusal's problems, one per line.
func problemsOf(err error) []string {
	var out []string
	for _, line := range strings.Split(refusalText(err), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// ruleList shows every rule at its latest version.
func (s *server) ruleList(w http.ResponseWriter, r *http.Request) {
	s.renderRules(w, r, http.StatusOK, "", nil)
}

func (s *server) renderRules(w http.ResponseWriter, r *http.Request, status int, text string, problems []string) {
	rules, err := s.compliance.Rules(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := views.RuleList{Rules: rules, CanEdit: isOfficer(r), JSON: text, Problems: problems}
	s.renderStatus(w, r, status, s.pageWithFlash(r, "Compliance rules", "compliance"), views.RuleListPage(l), nil)
}

// ruleAdd adds a rule, or a new version of one, given as rules-file JSON.
func (s *server) ruleAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	text := r.PostFormValue("rule")
	var rule compliance.Rule
	if err := json.Unmarshal([]byte(text), &rule); err != nil {
		s.renderRules(w, r, http.StatusUnprocessableEntity, text, []string{"not a rule in the rules-file format: " + err.Error()})
		return
	}
	if rule.Version == 0 {
		rule.Version = 1
	}
	err := s.compliance.SaveRule(r.Context(), rule, true, signedIn(r), r.PostFormValue("reason"))
	if errors.Is(err, order.ErrInvalid) {
		s.renderRules(w, r, http.StatusUnprocessableEntity, text, problemsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, orderFault(err))
		return
	}
	s.setFlash(r, "Rule "+rule.ID+" saved as a new version.")
	seeOther(w, r, "/compliance/rules")
}

// ruleEdit shows one rule's editor and history.
func (s *server) ruleEdit(w http.ResponseWriter, r *http.Request) {
	h, err := s.compliance.RuleHistory(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur := h[0]
	p := cur.Rule.Params
	f := views.RuleForm{Current: cur, History: h, CanEdit: isOfficer(r), Severity: string(cur.Rule.Severity),
		Limit: zeroEmpty(p.Limit), WarnPct: zeroEmpty(p.WarnPct), SoftBps: zeroEmpty(p.SoftBps), HardBps: zeroEmpty(p.HardBps),
		Tag: cur.Rule.Scope.Tag, Portf: cur.Rule.Scope.Portfolio, Enabled: cur.Enabled}
	s.render(w, r, s.pageWithFlash(r, "Rule "+cur.Rule.ID, "compliance"), views.RuleEditPage(f), nil)
}

func zeroEmpty(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// ruleSave stores the edited rule as a new version.
func (s *server) ruleSave(w http.ResponseWriter, r *http.Request) {
	h, err := s.compliance.RuleHistory(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	f := views.RuleForm{Current: h[0], History: h, CanEdit: true, Severity: r.PostFormValue("severity"),
		Limit: r.PostFormValue("limit"), WarnPct: r.PostFormValue("warn_pct"), SoftBps: r.PostFormValue("soft_bps"),
		HardBps: r.PostFormValue("hard_bps"), Tag: strings.TrimSpace(r.PostFormValue("tag")),
		Portf: strings.TrimSpace(r.PostFormValue("portfolio")), Enabled: r.PostFormValue("enabled") == "1",
		Reason: r.PostFormValue("reason")}
	rule, problems := editedRule(h[0].Rule, f)
	if len(problems) == 0 {
		err = s.compliance.SaveRule(r.Context(), rule, f.Enabled, signedIn(r), f.Reason)
		if errors.Is(err, order.ErrInvalid) {
			problems = problemsOf(err)
		} else if err != nil {
			s.fail(w, r, orderFault(err))
			return
		}
	}
	if len(problems) > 0 {
		f.Problems = problems
		s.renderStatus(w, r, http.StatusUnprocessableEntity, s.page(r, "Rule "+rule.ID, "compliance"), views.RuleEditPage(f), nil)
		return
	}
	s.setFlash(r, "Rule "+rule.ID+" saved as a new version.")
	seeOther(w, r, "/compliance/rules/"+rule.ID)
}

// editedRule applies the form's fields to rule and lists unreadable numbers.
func editedRule(rule compliance.Rule, f views.RuleForm) (compliance.Rule, []string) {
	var problems []string
	num := func(name, s string, keep decimal.Decimal) decimal.Decimal {
		s = strings.TrimSpace(s)
		if s == "" {
			return decimal.Zero
		}
		d, err := portfolio.ParseDecimal(s) // plain notation, as every number
		if err != nil {
			problems = append(problems, name+": "+numberProblem(err, s+" is not a number"))
			return keep
		}
		return d
	}
	p := &rule.Params
	rule.Severity = compliance.Severity(f.Severity)
	p.Limit = num("limit", f.Limit, p.Limit)
	p.WarnPct = num("warn_pct", f.WarnPct, p.WarnPct)
	if rule.Kind == compliance.KindPriceCollar {
		p.SoftBps = num("soft_bps", f.SoftBps, p.SoftBps)
		p.HardBps = num("hard_bps", f.HardBps, p.HardBps)
	}
	rule.Scope = compliance.Scope{Tag: f.Tag, Portfolio: f.Portf}
	if strings.TrimSpace(f.Reason) == "" {
		problems = append(problems, "reason: say why the rule changes")
	}
	return rule, problems
}

// restrictedList shows the restricted securities and issuers.
func (s *server) restrictedList(w http.ResponseWriter, r *http.Request) {
	s.renderRestricted(w, r, http.StatusOK, nil)
}

func (s *server) renderRestricted(w http.ResponseWriter, r *http.Request, status int, problems []string) {
	list, err := s.compliance.RestrictedList(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.RestrictedView{Entries: list, CanEdit: isOfficer(r), Problems: problems}
	s.renderStatus(w, r, status, s.pageWithFlash(r, "Restricted list", "compliance"), views.RestrictedPage(v), nil)
}

// restrictedAdd puts a security or issuer on the restricted list.
func (s *server) restrictedAdd(w http.ResponseWriter, r *http.Request) {
	s.restrictedChange(w, r, true)
}

// restrictedRemove takes a security or issuer off the restricted list.
func (s *server) restrictedRemove(w http.ResponseWriter, r *http.Request) {
	s.restrictedChange(w, r, false)
}

func (s *server) restrictedChange(w http.ResponseWriter, r *http.Request, add bool) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	e := compliance.RestrictedEntry{RuleID: r.PostFormValue("rule"), Mode: compliance.Mode(r.PostFormValue("mode")),
		Symbol: strings.TrimSpace(r.PostFormValue("symbol")), Issuer: strings.TrimSpace(r.PostFormValue("issuer"))}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	var err error
	switch {
	case reason == "":
		err = errors.New("say why the restricted list changes")
	case add:
		err = s.compliance.AddRestriction(r.Context(), e, signedIn(r), reason)
	default:
		err = s.compliance.RemoveRestriction(r.Context(), e, signedIn(r), reason)
	}
	if err != nil && (reason == "" || errors.Is(err, order.ErrInvalid)) {
		s.renderRestricted(w, r, http.StatusUnprocessableEntity, problemsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, orderFault(err))
		return
	}
	s.setFlash(r, "Restricted list updated (a new rule version).")
	seeOther(w, r, "/compliance/restricted")
}
