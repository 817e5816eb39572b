package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
)

// List returns the conditions matching f, active ones with their live high.
func (td *triggerDesk) List(ctx context.Context, f web.ConditionFilter) ([]web.ConditionView, error) {
	stored, err := td.d.Conditions(ctx, db.ConditionFilter{State: f.State, Portfolio: f.Portfolio, Symbol: f.Symbol, Kind: f.Kind})
	if err != nil {
		return nil, err
	}
	out := make([]web.ConditionView, len(stored))
	for i, s := range stored {
		out[i] = td.view(s)
	}
	return out, nil
}

// Get returns one condition.
func (td *triggerDesk) Get(ctx context.Context, id int64) (web.ConditionView, error) {
	s, err := td.d.Condition(ctx, id)
	if err != nil {
		return web.ConditionView{}, triggerErr(err)
	}
	return td.view(s), nil
}

func (td *triggerDesk) view(s db.StoredCondition) web.ConditionView {
	c := s.Condition
	if live, ok := td.engine.Get(c.ID); ok && c.State == trigger.Active {
		c.High = live.High
	}
	return web.ConditionView{Condition: c, TemplateID: s.TemplateID, OrderID: s.OrderID, Alert: s.Alert}
}

// Create validates a new condition from u against the holding and the last
// price and stores it pending approval.
func (td *triggerDesk) Create(ctx context.Context, u user.User, c trigger.Condition) (web.ConditionView, error) {
	if !u.Has(user.PM, user.Trader) {
		return web.ConditionView{}, fmt.Errorf("%s is neither pm nor trader: %w", u.Name, trigger.ErrForbidden)
	}
	snap, err := td.snapshot(ctx, c.Portfolio, c.Symbol)
	if err != nil {
		return web.ConditionView{}, err
	}
	c, err = trigger.New(c, u.Name, snap)
	if err != nil {
		return web.ConditionView{}, err
	}
	td.mu.Lock()
	defer td.mu.Unlock()
	c, err = td.d.InsertCondition(ctx, c, 0, db.ConditionEvent{Actor: u.Name, Action: "condition_create"})
	if err != nil {
		return web.ConditionView{}, triggerErr(err)
	}
	return web.ConditionView{Condition: c}, nil
}

// snapshot is what validation needs: last price, position, tick and time.
func (td *triggerDesk) snapshot(ctx context.Context, pf, symbol string) (trigger.Snapshot, error) {
	s := trigger.Snapshot{Now: td.now(), Tick: td.ticks[symbol]}
	if pf == "" || symbol == "" {
		return s, nil // Validate names the missing field
	}
	h, err := td.d.Holdings(ctx, pf)
	if errors.Is(err, db.ErrNotFound) {
		return s, fmt.Errorf("%q is not a portfolio: %w", pf, trigger.ErrNotFound)
	}
	if err != nil {
		return s, err
	}
	if _, known := td.ticks[symbol]; !known {
		return s, fmt.Errorf("%q is not a known security: %w", symbol, trigger.ErrNotFound)
	}
	for _, p := range h.Positions {
		if p.Symbol == symbol {
			s.AvgCost = p.AvgCost
		}
	}
	if s.Holding, err = td.d.SellableQuantity(ctx, pf, symbol); err != nil {
		return s, err
	}
	s.Price = td.lastPrice(ctx, symbol)
	return s, nil
}

// Modify changes the terms of a waiting condition still at version, for u:
// a condition pending approval takes them at once (u its last amender); an
// active one stays active, and watched by the engine on its approved terms,
// with the new terms as its pending amendment until a trader who neither
// created it nor proposed them approves them.
func (td *triggerDesk) Modify(ctx context.Context, u user.User, id, version int64, t trigger.Terms) (web.ConditionView, error) {
	if !u.Has(user.PM, user.Trader) {
		return web.ConditionView{}, fmt.Errorf("%s is neither pm nor trader: %w", u.Name, trigger.ErrForbidden)
	}
	return td.change(ctx, id, u.Name, "condition_modify", func(c trigger.Condition) (trigger.Condition, error) {
		if version != 0 && version != c.Version {
			return c, fmt.Errorf("condition %d changed since you opened it (version %d, now %d): reload and try again: %w",
				id, version, c.Version, trigger.ErrConflict)
		}
		snap, err := td.snapshot(ctx, c.Portfolio, c.Symbol)
		if err != nil {
			return c, err
		}
		t.OCOWith = c.OCOWith // a pair is made when a condition is created
		return c.Modify(u.Name, t, snap)
	})
}

// Approve activates a pending condition for a trader who did not create it,
// unless the price has crossed its level since it was proposed.
func (td *triggerDesk) Approve(ctx context.Context, u user.User, id int64) (web.ConditionView, error) {
	return td.change(ctx, id, u.Name, "condition_approve", func(c trigger.Condition) (trigger.Condition, error) {
		next, err := c.Approve(u.Name, u.Roles, td.now())
		if err == nil {
			err = next.CheckStillUncrossed(td.lastPrice(ctx, c.Symbol))
		}
		return next, err
	})
}

// ApproveAmendment makes an active condition's pending amendment its terms,
// for a trader who neither created the condition nor proposed the amendment,
// unless the price has crossed the new level since it was proposed; the
// engine then watches the new terms.
func (td *triggerDesk) ApproveAmendment(ctx context.Context, u user.User, id int64) (web.ConditionView, error) {
	return td.change(ctx, id, u.Name, "condition_amendment_approve", func(c trigger.Condition) (trigger.Condition, error) {
		next, err := c.ApproveAmendment(u.Name, u.Roles, td.now())
		if err == nil {
			err = next.CheckStillUncrossed(td.lastPrice(ctx, c.Symbol))
		}
		return next, err
	})
}

// RejectAmendment discards an active condition's pending amendment: its
// author withdraws it, or a trader who could approve it rejects it.
func (td *triggerDesk) RejectAmendment(ctx context.Context, u user.User, id int64, reason string) (web.ConditionView, error) {
	if !u.Has(user.PM, user.Trader) {
		return web.ConditionView{}, fmt.Errorf("%s is neither pm nor trader: %w", u.Name, trigger.ErrForbidden)
	}
	return td.change(ctx, id, u.Name, "condition_amendment_reject", func(c trigger.Condition) (trigger.Condition, error) {
		return c.RejectAmendment(u.Name, u.Roles, reason, td.now())
	})
}

// Cancel cancels a waiting condition.
func (td *triggerDesk) Cancel(ctx context.Context, u user.User, id int64, reason string) (web.ConditionView, error) {
	if !u.Has(user.PM, user.Trader) {
		return web.ConditionView{}, fmt.Errorf("%s is neither pm nor trader: %w", u.Name, trigger.ErrForbidden)
	}
	return td.change(ctx, id, u.Name, "condition_cancel", func(c trigger.Condition) (trigger.Condition, error) {
		return c.Cancel(u.Name, reason, td.now())
	})
}

// change applies one user's change to a stored condition (with the engine's
// live high), stores it at the version it read with its audit event, and
// updates the engine.
func (td *triggerDesk) change(ctx context.Context, id int64, actor, action string, fn func(trigger.Condition) (trigger.Condition, error)) (web.ConditionView, error) {
	td.mu.Lock()
	defer td.mu.Unlock()
	s, err := td.d.Condition(ctx, id)
	if err != nil {
		return web.ConditionView{}, triggerErr(err)
	}
	cur := td.view(s)
	next, err := fn(cur.Condition)
	if err != nil {
		return web.ConditionView{}, err
	}
	if err := td.d.UpdateCondition(ctx, next, cur.Version, changeEvent(actor, action, cur.Condition, next)); err != nil {
		return web.ConditionView{}, triggerErr(err)
	}
	td.follow(next)
	cur.Condition = next
	return cur, nil
}

// changeEvent is the audit event of a user's change of a condition from cur
// to next under action: a change of state gives its reason; a modification
// that proposed an amendment is condition_amend, saying what stays watched
// and which amendment it replaced; a decision on an amendment gives how it
// ended, a withdrawal by its author being condition_amendment_withdraw.
func changeEvent(actor, action string, cur, next trigger.Condition) db.ConditionEvent {
	ev := db.ConditionEvent{Actor: actor, Action: action}
	a := next.Amendment
	switch {
	case next.State != cur.State:
		ev.Reason = next.StateReason
	case a == nil || a == cur.Amendment:
	case a.State == trigger.AmendmentPending:
		ev.Action = "condition_amend"
		ev.Reason = fmt.Sprintf("amendment proposed by %s: awaits a trader's approval; watched on the terms %s approved until then",
			a.By, next.ApprovedBy)
		if p := cur.PendingAmendment(); p != nil {
			ev.Reason += fmt.Sprintf("; replaces the amendment %s proposed", p.By)
		}
	default:
		if a.State == trigger.AmendmentWithdrawn {
			ev.Action = "condition_amendment_withdraw"
		}
		ev.Reason = a.Reason
	}
	return ev
}

// triggerErr maps storage's kinds of error to trigger's, which the web layer knows.
func triggerErr(err error) error {
	switch {
	case errors.Is(err, db.ErrNotFound):
		return fmt.Errorf("%w: %w", err, trigger.ErrNotFound)
	case errors.Is(err, db.ErrConflict):
		return fmt.Errorf("%w: %w", err, trigger.ErrConflict)
	}
	return err
}

// Defaults lists a portfolio's default conditions.
func (td *triggerDesk) Defaults(ctx context.Context, pf string) ([]web.DefaultView, error) {
	list, err := td.d.Templates(ctx, pf)
	if err != nil {
		return nil, err
	}
	out := make([]web.DefaultView, len(list))
	for i, t := range list {
		out[i] = web.DefaultView{Template: t.Template, Version: t.Version}
	}
	return out, nil
}

// AddDefault stores a new default condition of a portfolio, pending approval.
func (td *triggerDesk) AddDefault(ctx context.Context, u user.User, t trigger.Template) (web.DefaultView, error) {
	if !u.Has(user.PM, user.Trader) {
		return web.DefaultView{}, fmt.Errorf("%s is neither pm nor trader: %w", u.Name, trigger.ErrForbidden)
	}
	t.ID, t.CreatedBy, t.ApprovedBy = 0, u.Name, ""
	if err := t.Check(); err != nil {
		return web.DefaultView{}, fmt.Errorf("default for %s: %w", t.Portfolio, err)
	}
	st, err := td.d.InsertTemplate(ctx, t, td.now())
	if err != nil {
		return web.DefaultView{}, triggerErr(err)
	}
	return web.DefaultView{Template: st.Template, Version: st.Version}, nil
}

// ApproveDefault approves a default for a trader who did not create it.
func (td *triggerDesk) ApproveDefault(ctx context.Context, u user.User, id int64) (web.DefaultView, error) {
	return td.changeDefault(ctx, id, u.Name, "default_approve", func(t db.StoredTemplate) (db.StoredTemplate, error) {
		if t.ApprovedBy != "" {
			return t, fmt.Errorf("default %d is already approved by %s: %w", id, t.ApprovedBy, trigger.ErrConflict)
		}
		var err error
		t.Template, err = t.Template.Approve(u.Name, u.Roles)
		return t, err
	})
}

// RemoveDefault stops a default from applying to new holdings.
func (td *triggerDesk) RemoveDefault(ctx context.Context, u user.User, id int64) (web.DefaultView, error) {
	if !u.Has(user.PM, user.Trader) {
		return web.DefaultView{}, fmt.Errorf("%s is neither pm nor trader: %w", u.Name, trigger.ErrForbidden)
	}
	return td.changeDefault(ctx, id, u.Name, "default_remove", func(t db.StoredTemplate) (db.StoredTemplate, error) {
		t.Removed = true
		return t, nil
	})
}

func (td *triggerDesk) changeDefault(ctx context.Context, id int64, actor, action string, fn func(db.StoredTemplate) (db.StoredTemplate, error)) (web.DefaultView, error) {
	t, err := td.d.Template(ctx, id)
	if err != nil {
		return web.DefaultView{}, triggerErr(err)
	}
	if t.Removed {
		return web.DefaultView{}, fmt.Errorf("default %d was removed: %w", id, trigger.ErrConflict)
	}
	if t, err = fn(t); err != nil {
		return web.DefaultView{}, err
	}
	if t, err = td.d.UpdateTemplate(ctx, t, td.now(), db.ConditionEvent{Actor: actor, Action: action}); err != nil {
		return web.DefaultView{}, triggerErr(err)
	}
	return web.DefaultView{Template: t.Template, Version: t.Version}, nil
}
