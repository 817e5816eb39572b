package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// RestrictionStore is what the restrictions page needs from storage. The db
// package's *DB satisfies it; the page exists when Config.Store does.
type RestrictionStore interface {
	// Restrictions returns a portfolio's rebalancing restrictions by symbol.
	Restrictions(ctx context.Context, code string) (map[string]rebalance.Restriction, error)
	// UpdateRestriction changes how rebalancing may trade symbol in portfolio
	// code and appends the audit event (actor, at, note) in one transaction:
	// change gets the current restriction and returns the new one, or an
	// error that leaves everything as it was.
	UpdateRestriction(ctx context.Context, code, symbol string,
		change func(rebalance.Restriction) (rebalance.Restriction, error), actor, note string, at time.Time) error
	// RestrictionEvents returns the audit events of a portfolio's
	// restriction changes, newest first, at most limit.
	RestrictionEvents(ctx context.Context, code string, limit int) ([]order.Event, error)
}

// Limits of the restrictions page.
const (
	maxRestrictionNote    = 500 // characters
	restrictionHistoryLen = 200 // changes shown
)

// restrictionStore returns the store's restriction queries, or nil.
func (s *server) restrictionStore() RestrictionStore {
	rs, _ := s.store.(RestrictionStore)
	return rs
}

// restrictionPages adds a portfolio's restrictions page: every desk role
// reads it, PMs change it.
func (s *server) restrictionPages(r chi.Router) {
	if s.restrictionStore() == nil {
		return
	}
	r.With(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin)).Get("/portfolios/{code}/restrictions", s.restrictionList)
	r.With(s.requireRole(user.PM)).Post("/portfolios/{code}/restrictions", s.restrictionChange)
}

// restrictionList shows a portfolio's restrictions, the add form for PMs,
// and the changes made so far.
func (s *server) restrictionList(w http.ResponseWriter, r *http.Request) {
	v, err := s.restrictionsView(r, pathParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Form.Kind = "do_not_buy"
	s.render(w, r, s.pageWithFlash(r, "Restrictions · "+v.Portfolio.Name, "portfolios"), views.RestrictionsPage(v), nil)
}

// restrictionChange adds (action=add) or removes (action=remove) one
// restriction of a portfolio. Bad input re-renders the page with 422 and
// says what is wrong; a change is audited and redirects to the page.
func (s *server) restrictionChange(w http.ResponseWriter, r *http.Request) {
	code := pathParam(r, "code")
	v, err := s.restrictionsView(r, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	f := views.RestrictionForm{Symbol: strings.ToUpper(strings.TrimSpace(r.PostForm.Get("symbol"))),
		Kind: strings.TrimSpace(r.PostForm.Get("kind")), Note: strings.TrimSpace(r.PostForm.Get("note")), Errors: map[string]string{}}
	add := r.PostForm.Get("action") != "remove"
	s.checkRestrictionForm(r.Context(), &f, add)
	if len(f.Errors) == 0 {
		u, _ := userFrom(r.Context())
		change := restrictionChanger(code, f.Symbol, f.Kind, add)
		err = s.restrictionStore().UpdateRestriction(r.Context(), code, f.Symbol, change, u.Name, f.Note, s.now().UTC())
		if err == nil {
			s.log.InfoContext(r.Context(), "restriction changed", "portfolio", code, "symbol", f.Symbol, "kind", f.Kind, "add", add)
			s.setFlash(r, restrictionDone(code, f.Symbol, f.Kind, add))
			seeOther(w, r, views.PortfolioURL(code, "restrictions"))
			return
		}
		k, msg := s.classify(err)
		if k == kindInternal {
			s.fail(w, r, fmt.Errorf("web: restrict %s %s: %w", code, f.Symbol, err))
			return
		}
		f.Errors[""] = msg
	}
	if !add { // the remove buttons carry no form of their own: show the message above the add form
		f = views.RestrictionForm{Kind: "do_not_buy", Errors: map[string]string{"": firstProblem(f.Errors)}}
	}
	v.Form = f
	s.renderStatus(w, r, http.StatusUnprocessableEntity, s.page(r, "Restrictions · "+v.Portfolio.Name, "portfolios"),
		views.RestrictionsPage(v), nil)
}

// checkRestrictionForm records in f.Errors what is wrong with the form: a
// security that Ballast does not know, a kind that is not one of the three,
// a note too long or with control characters.
func (s *server) checkRestrictionForm(ctx context.Context, f *views.RestrictionForm, add bool) {
	switch {
	case f.Symbol == "":
		f.Errors["symbol"] = "Name the security."
	case f.Symbol == portfolio.CashSymbol:
		f.Errors["symbol"] = "CASH is not a security: keep a cash reserve in the rebalance options instead."
	case add:
		secs, err := s.store.Securities(ctx, f.Symbol)
		if err != nil {
			f.Errors[""] = "The securities could not be read; please try again."
			s.log.ErrorContext(ctx, "restriction: securities", "err", err)
		} else if !slices.ContainsFunc(secs, func(sec portfolio.Security) bool { return sec.Symbol == f.Symbol }) {
			f.Errors["symbol"] = fmt.Sprintf("There is no security %q.", f.Symbol)
		}
	}
	if !slices.Contains(views.RestrictionKinds(), f.Kind) {
		f.Errors["kind"] = fmt.Sprintf("%q is not do_not_buy, do_not_sell or excluded.", f.Kind)
	}
	switch {
	case utf8.RuneCountInString(f.Note) > maxRestrictionNote:
		f.Errors["note"] = fmt.Sprintf("Keep the note to %d characters.", maxRestrictionNote)
	case strings.ContainsFunc(f.Note, unicode.IsControl):
		f.Errors["note"] = "The note may not contain control characters."
	}
}

// restrictionChanger sets (add) or clears one kind of restriction, refusing
// a change that changes nothing with a message that says so.
func restrictionChanger(code, symbol, kind string, add bool) func(rebalance.Restriction) (rebalance.Restriction, error) {
	return func(cur rebalance.Restriction) (rebalance.Restriction, error) {
		next := cur
		flag := map[string]*bool{"do_not_buy": &next.DoNotBuy, "do_not_sell": &next.DoNotSell, "excluded": &next.Excluded}[kind]
		text := strings.ToLower(views.RestrictionKindText(kind))
		switch {
		case add && *flag:
			return cur, fault(kindConflict, fmt.Sprintf("%s is already %s in %s.", symbol, text, code))
		case !add && !*flag:
			return cur, fault(kindConflict, fmt.Sprintf("%s is not %s in %s.", symbol, text, code))
		}
		*flag = add
		return next, nil
	}
}

func restrictionDone(code, symbol, kind string, add bool) string {
	if add {
		return fmt.Sprintf("%s in %s: %s.", symbol, code, strings.ToLower(views.RestrictionKindText(kind)))
	}
	return fmt.Sprintf("%s in %s is no longer %s.", symbol, code, strings.ToLower(views.RestrictionKindText(kind)))
}

// firstProblem is one of the form's problems, the general one first.
func firstProblem(errs map[string]string) string {
	for _, k := range []string{"", "symbol", "kind", "note"} {
		if msg := errs[k]; msg != "" {
			return msg
		}
	}
	return ""
}

// restrictionsView reads portfolio code's restrictions and their history.
func (s *server) restrictionsView(r *http.Request, code string) (views.RestrictionsView, error) {
	ctx := r.Context()
	h, err := s.store.Holdings(ctx, code)
	if err != nil {
		if s.isNotFound(err) {
			return views.RestrictionsView{}, fault(kindNotFound, fmt.Sprintf("There is no portfolio %q.", code))
		}
		return views.RestrictionsView{}, fmt.Errorf("web: restrictions of %q: %w", code, err)
	}
	rs := s.restrictionStore()
	current, err := rs.Restrictions(ctx, code)
	if err != nil {
		return views.RestrictionsView{}, fmt.Errorf("web: restrictions of %q: %w", code, err)
	}
	history, err := rs.RestrictionEvents(ctx, code, restrictionHistoryLen)
	if err != nil {
		return views.RestrictionsView{}, fmt.Errorf("web: restrictions of %q: %w", code, err)
	}
	u, _ := userFrom(ctx)
	v := views.RestrictionsView{Portfolio: h.Portfolio, History: history, CanEdit: u.Has(user.PM), Form: views.RestrictionForm{Errors: map[string]string{}}}
	for _, p := range h.Positions {
		v.Held = append(v.Held, p.Symbol)
	}
	v.Rows = restrictionRows(current, history)
	return v, nil
}

// restrictionRows lists each restriction kind set per symbol, by symbol,
// with the latest audit event that set it (none for an imported one).
func restrictionRows(current map[string]rebalance.Restriction, history []order.Event) []views.RestrictionRow {
	var rows []views.RestrictionRow
	for sym, rs := range current {
		for kind, on := range map[string]bool{"do_not_buy": rs.DoNotBuy, "do_not_sell": rs.DoNotSell, "excluded": rs.Excluded} {
			if on {
				rows = append(rows, views.RestrictionRow{Symbol: sym, Kind: kind, Event: setBy(history, sym, kind)})
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Symbol != rows[j].Symbol {
			return rows[i].Symbol < rows[j].Symbol
		}
		return slices.Index(views.RestrictionKinds(), rows[i].Kind) < slices.Index(views.RestrictionKinds(), rows[j].Kind)
	})
	return rows
}

// setBy finds the newest event of history (newest first) that added kind
// to symbol; its details read "SYMBOL kind…; now …".
func setBy(history []order.Event, symbol, kind string) order.Event {
	for _, e := range history {
		what, _, _ := strings.Cut(e.Details, ";")
		f := strings.Fields(what)
		if len(f) < 2 || f[0] != symbol || !slices.Contains(f[1:], kind) {
			continue
		}
		if e.Action == "restriction_add" {
			return e
		}
		return order.Event{} // removed since: the restriction was set again by an import
	}
	return order.Event{}
}
