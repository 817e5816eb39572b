package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// conditionPages adds the auto-order pages: everyone reads them; PMs and
// traders add, edit and cancel, and withdraw the amendments they proposed;
// traders approve conditions and approve or reject amendments (never what
// they created or proposed — the buttons are hidden and the desk refuses).
func (s *server) conditionPages(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/conditions", s.conditionList)
		r.Get("/conditions/defaults", s.defaultsPage)
		r.Get("/portfolios/{code}/conditions", s.autoOrders)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader))
		r.Post("/conditions", s.conditionCreate)
		r.Post("/conditions/{id}", s.conditionModify)
		r.Post("/conditions/{id}/cancel", s.conditionCancel)
		r.Post("/conditions/{id}/amendment/reject", s.conditionRejectAmendment)
		r.Post("/conditions/defaults", s.defaultAdd)
		r.Post("/conditions/defaults/{id}/remove", s.defaultRemove)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.Trader))
		r.Post("/conditions/{id}/approve", s.conditionApprove)
		r.Post("/conditions/{id}/amendment/approve", s.conditionApproveAmendment)
		r.Post("/conditions/defaults/{id}/approve", s.defaultApprove)
	})
}

// conditionsReady fails the request when conditions are not running.
func (s *server) conditionsReady(w http.ResponseWriter, r *http.Request) bool {
	if s.live.conds == nil {
		s.fail(w, r, fault(kindNotFound, "Conditional orders are not running on this server."))
		return false
	}
	return true
}

// conditionList lists conditions across portfolios, filtered.
func (s *server) conditionList(w http.ResponseWriter, r *http.Request) {
	if !s.conditionsReady(w, r) {
		return
	}
	q := r.URL.Query()
	f := views.ConditionFilters{State: q.Get("state"), Portfolio: q.Get("portfolio"), Symbol: q.Get("symbol"), Kind: q.Get("kind")}
	list, err := s.live.conds.List(r.Context(), ConditionFilter(f))
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: conditions: %w", err))
		return
	}
	prices, err := s.latestPrices(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.pageWithFlash(r, "Auto orders", "conditions")
	s.render(w, r, p, views.ConditionsPage(p.User, f, rowsOf(list, prices)), nil)
}

func rowsOf(list []ConditionView, prices map[string]decimal.Decimal) []views.ConditionRow {
	rows := make([]views.ConditionRow, len(list))
	for i, c := range list {
		rows[i] = views.ConditionRow{Condition: c.Condition, OrderID: c.OrderID, Alert: c.Alert, Price: prices[c.Symbol]}
	}
	return rows
}

// autoOrders is a portfolio's auto-orders panel: a fragment for the
// portfolio page, or a page of its own.
func (s *server) autoOrders(w http.ResponseWriter, r *http.Request) {
	if !s.conditionsReady(w, r) {
		return
	}
	a, err := s.autoOrdersOf(r, pathParam(r, "code"), nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.pageWithFlash(r, "Auto orders "+a.Portfolio, "conditions")
	s.render(w, r, p, views.AutoOrdersPanel(p.User, a), nil)
}

// autoOrdersOf builds the panel; typed is a refused add form to show again.
func (s *server) autoOrdersOf(r *http.Request, code string, typed *views.ConditionForm) (views.AutoOrders, error) {
	ctx := r.Context()
	h, err := s.store.Holdings(ctx, code)
	if err != nil {
		if s.isNotFound(err) {
			return views.AutoOrders{}, fault(kindNotFound, fmt.Sprintf("There is no portfolio %q.", code))
		}
		return views.AutoOrders{}, fmt.Errorf("web: auto orders %q: %w", code, err)
	}
	list, err := s.live.conds.List(ctx, ConditionFilter{Portfolio: code})
	if err != nil {
		return views.AutoOrders{}, fmt.Errorf("web: auto orders %q: %w", code, err)
	}
	prices, err := s.latestPrices(r)
	if err != nil {
		return views.AutoOrders{}, err
	}
	bySym := map[string][]views.ConditionRow{}
	for _, row := range rowsOf(list, prices) {
		bySym[row.Symbol] = append(bySym[row.Symbol], row)
	}
	a := views.AutoOrders{Portfolio: code}
	for _, p := range h.Positions {
		rows := bySym[p.Symbol]
		sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
		form := views.ConditionForm{Portfolio: code, Symbol: p.Symbol, Kind: string(trigger.StopLoss)}
		if typed != nil && typed.Symbol == p.Symbol && typed.ID == 0 {
			form = *typed
		}
		a.Holdings = append(a.Holdings, views.Holding{Symbol: p.Symbol, Quantity: p.Quantity, Price: prices[p.Symbol],
			Conditions: rows, Form: form})
	}
	return a, nil
}

// readConditionForm reads a posted condition form as typed and parses it.
func readConditionForm(r *http.Request) (views.ConditionForm, trigger.Condition, error) {
	f := views.ConditionForm{Portfolio: r.PostFormValue("portfolio"), Symbol: r.PostFormValue("symbol"),
		Kind: r.PostFormValue("kind"), TriggerPrice: r.PostFormValue("trigger_price"), Percent: r.PostFormValue("percent"),
		Amount: r.PostFormValue("amount"), ActivationPrice: r.PostFormValue("activation_price"),
		Quantity: r.PostFormValue("quantity"), ValidUntil: r.PostFormValue("valid_until"),
		OrderType: r.PostFormValue("order_type"), CollarBps: r.PostFormValue("collar_bps"), OCOWith: r.PostFormValue("oco_with")}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	f.ValidUntilWas = r.PostFormValue("valid_until_was")
	in := conditionInJSON{Portfolio: f.Portfolio, Symbol: f.Symbol, Kind: f.Kind, TriggerPrice: f.TriggerPrice,
		Percent: f.Percent, Amount: f.Amount, ActivationPrice: f.ActivationPrice, Quantity: f.Quantity,
		ValidUntil: keptValidity(f.ValidUntil, f.ValidUntilWas), OrderType: f.OrderType}
	var bad trigger.FieldErrors
	for _, n := range []struct {
		field, text string
		dst         *int64
	}{{"collar_bps", f.CollarBps, nil}, {"oco_with", f.OCOWith, &in.OCOWith}} {
		if strings.TrimSpace(n.text) == "" {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(n.text), 10, 64)
		if err != nil || v < 0 {
			bad = append(bad, trigger.FieldError{Field: n.field, Problem: fmt.Sprintf("%q is not a whole number", n.text)})
			continue
		}
		if n.dst != nil {
			*n.dst = v
		} else {
			in.CollarBps = int(v)
		}
	}
	c, err := parseConditionIn(in)
	if fe, ok := err.(trigger.FieldErrors); ok {
		bad = append(bad, fe...)
	}
	if len(bad) > 0 {
		return f, c, bad
	}
	return f, c, nil
}

// keptValidity is the validity an edit form asks for: typed, as typed; the
// date the form showed for the condition's validity (was, RFC 3339), that
// validity to the second. The date alone would mean the end of that day,
// which for a condition valid for the longest time allowed is past it.
func keptValidity(typed, was string) string {
	w, err := time.Parse(time.RFC3339, was)
	if err != nil || strings.TrimSpace(typed) != views.DateText(w) {
		return typed
	}
	return was
}

// conditionCreate adds a condition from a holding's panel.
func (s *server) conditionCreate(w http.ResponseWriter, r *http.Request) {
	if !s.conditionsReady(w, r) {
		return
	}
	f, c, err := readConditionForm(r)
	if err == nil {
		u, _ := userFrom(r.Context())
		var v ConditionView
		if v, err = s.live.conds.Create(r.Context(), u, c); err == nil {
			f.Portfolio = v.Portfolio
		}
	}
	s.afterConditionForm(w, r, f, err, "Auto order added: it waits for a trader's approval.")
}

// conditionModify saves new terms of a waiting condition and says what
// happens next: a condition pending approval still waits for it; an active
// one's terms wait as an amendment while it is watched on its approved terms.
func (s *server) conditionModify(w http.ResponseWriter, r *http.Request) {
	if !s.conditionsReady(w, r) {
		return
	}
	id, ok := s.conditionID(w, r)
	if !ok {
		return
	}
	// The condition's portfolio, not the form's, is where to go back: a
	// modify changes only the terms.
	stored, err := s.live.conds.Get(r.Context(), id)
	if err != nil {
		if k, known := conditionKind(err); known {
			s.fail(w, r, fault(k, conditionMessage(err)))
			return
		}
		s.fail(w, r, fmt.Errorf("web: condition %d: %w", id, err))
		return
	}
	f, c, err := readConditionForm(r)
	f.ID, f.Portfolio = id, stored.Portfolio
	done := fmt.Sprintf("Auto order #%d saved.", id)
	if err == nil {
		u, _ := userFrom(r.Context())
		var v ConditionView
		v, err = s.live.conds.Modify(r.Context(), u, id, f.Version, c.Terms)
		switch {
		case err != nil:
		case v.PendingAmendment() != nil:
			done = fmt.Sprintf("Auto order #%d: your new terms are an amendment awaiting a trader's approval (not yours, "+
				"nor its creator's). Until then it stays active and is watched on its approved terms.", id)
		case v.State == trigger.PendingApproval:
			done = fmt.Sprintf("Auto order #%d saved. It still needs a trader's approval (not yours, nor its creator's) "+
				"before it is watched.", id)
		}
	}
	s.afterConditionForm(w, r, f, err, done)
}

// afterConditionForm redirects to the portfolio's panel after a change, or
// shows the panel again with the problems (422) or the refusal.
func (s *server) afterConditionForm(w http.ResponseWriter, r *http.Request, f views.ConditionForm, err error, done string) {
	back := views.PortfolioURL(f.Portfolio) + "#auto-orders"
	if err == nil {
		s.setFlash(r, done)
		seeOther(w, r, back)
		return
	}
	k, ok := conditionKind(err)
	if !ok {
		s.fail(w, r, fmt.Errorf("web: condition form: %w", err))
		return
	}
	if k == kindNotFound && f.Portfolio == "" {
		s.fail(w, r, fault(kindNotFound, conditionMessage(err)))
		return
	}
	f.Problems = map[string]string{}
	if fe, isFE := asFieldErrors(err); isFE {
		for _, p := range fe {
			f.Problems[p.Field] = p.Problem
		}
	} else {
		f.Problems["form"] = conditionMessage(err)
	}
	a, aerr := s.autoOrdersOf(r, f.Portfolio, &f)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	if f.ID != 0 || len(f.Problems) == 1 && f.Problems["form"] != "" {
		a.Problem = conditionMessage(err)
	}
	p := s.page(r, "Auto orders "+f.Portfolio, "conditions")
	s.renderStatus(w, r, k.status(), p, views.AutoOrdersPanel(p.User, a), nil)
}

func asFieldErrors(err error) (trigger.FieldErrors, bool) {
	for e := err; e != nil; {
		if fe, ok := e.(trigger.FieldErrors); ok {
			return fe, true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return nil, false
		}
		e = u.Unwrap()
	}
	return nil, false
}

// conditionApprove approves a condition for the signed-in trader.
func (s *server) conditionApprove(w http.ResponseWriter, r *http.Request) {
	s.conditionButton(w, r, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.Approve(r.Context(), u, id)
	}, "Auto order #%d approved: it is active.")
}

// conditionApproveAmendment approves an active condition's pending
// amendment for the signed-in trader.
func (s *server) conditionApproveAmendment(w http.ResponseWriter, r *http.Request) {
	s.conditionButton(w, r, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.ApproveAmendment(r.Context(), u, id)
	}, "Auto order #%d: its amendment is approved; it is watched on the new terms.")
}

// conditionRejectAmendment rejects (or, for its author, withdraws) an active
// condition's pending amendment.
func (s *server) conditionRejectAmendment(w http.ResponseWriter, r *http.Request) {
	s.conditionButton(w, r, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.RejectAmendment(r.Context(), u, id, r.PostFormValue("reason"))
	}, "Auto order #%d: its amendment is discarded; it stays watched on its approved terms.")
}

// conditionCancel cancels a waiting condition.
func (s *server) conditionCancel(w http.ResponseWriter, r *http.Request) {
	s.conditionButton(w, r, func(u user.User, id int64) (ConditionView, error) {
		return s.live.conds.Cancel(r.Context(), u, id, r.PostFormValue("reason"))
	}, "Auto order #%d cancelled.")
}

// conditionButton runs a row action and goes back where it was clicked.
func (s *server) conditionButton(w http.ResponseWriter, r *http.Request, act func(user.User, int64) (ConditionView, error), done string) {
	if !s.conditionsReady(w, r) {
		return
	}
	id, ok := s.conditionID(w, r)
	if !ok {
		return
	}
	u, _ := userFrom(r.Context())
	if _, err := act(u, id); err != nil {
		if k, known := conditionKind(err); known {
			s.fail(w, r, fault(k, conditionMessage(err)))
			return
		}
		s.fail(w, r, fmt.Errorf("web: condition %d: %w", id, err))
		return
	}
	s.setFlash(r, fmt.Sprintf(done, id))
	seeOther(w, r, sitePath(r.PostFormValue("back"), "/conditions"))
}

func (s *server) conditionID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, fault(kindNotFound, "There is no such auto order."))
		return 0, false
	}
	return id, true
}
