package web

import (
	"context"
	"errors"

	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
)

// ConditionDesk is what the auto-order pages and the conditions API do with
// conditional orders and per-portfolio defaults; cmd/ballast implements it
// over storage and the running trigger engine. Refusals match
// trigger.ErrInvalid (a trigger.FieldErrors for field problems),
// trigger.ErrForbidden, trigger.ErrConflict or trigger.ErrNotFound.
type ConditionDesk interface {
	// List returns the conditions matching f, newest first.
	List(ctx context.Context, f ConditionFilter) ([]ConditionView, error)
	// Get returns one condition.
	Get(ctx context.Context, id int64) (ConditionView, error)
	// Create validates a new condition from u against the holding and the
	// last price, and stores it pending approval.
	Create(ctx context.Context, u user.User, c trigger.Condition) (ConditionView, error)
	// Modify changes the terms of a waiting condition at version: those of
	// one pending approval at once; an active one's become its pending
	// amendment, while it stays watched on its approved terms.
	Modify(ctx context.Context, u user.User, id, version int64, t trigger.Terms) (ConditionView, error)
	// Approve activates a pending condition: u must be a trader who neither
	// created it nor last modified it.
	Approve(ctx context.Context, u user.User, id int64) (ConditionView, error)
	// ApproveAmendment makes an active condition's pending amendment its
	// terms: u must be a trader who neither created the condition nor
	// proposed the amendment.
	ApproveAmendment(ctx context.Context, u user.User, id int64) (ConditionView, error)
	// RejectAmendment discards an active condition's pending amendment,
	// which keeps its approved terms: its author withdraws it, or a trader
	// who could approve it rejects it.
	RejectAmendment(ctx context.Context, u user.User, id int64, reason string) (ConditionView, error)
	// Cancel cancels a waiting condition.
	Cancel(ctx context.Context, u user.User, id int64, reason string) (ConditionView, error)
	// Defaults lists the default conditions of portfolio (all when empty).
	Defaults(ctx context.Context, portfolio string) ([]DefaultView, error)
	// AddDefault stores a new default condition pending approval.
	AddDefault(ctx context.Context, u user.User, t trigger.Template) (DefaultView, error)
	// ApproveDefault approves a default: u must be a trader who did not create it.
	ApproveDefault(ctx context.Context, u user.User, id int64) (DefaultView, error)
	// RemoveDefault stops a default from being attached to new holdings.
	RemoveDefault(ctx context.Context, u user.User, id int64) (DefaultView, error)
}

// ConditionFilter selects conditions; empty fields match all, State
// "waiting" matches pending_approval and active.
type ConditionFilter struct {
	State, Portfolio, Symbol, Kind string
}

// ConditionView is a condition with what storage adds: the order it created
// when it fired and an alert when that order could not go out.
type ConditionView struct {
	trigger.Condition
	TemplateID int64
	OrderID    int64
	Alert      string
}

// DefaultView is a portfolio's default condition with its version.
type DefaultView struct {
	trigger.Template
	Version int64
}

// liveDeps are the optional live parts of the server: prices and conditions.
type liveDeps struct {
	prices LivePrices
	conds  ConditionDesk
}

// conditionKind maps a trigger refusal to the kind of failure it is.
func conditionKind(err error) (kind, bool) {
	switch {
	case errors.Is(err, trigger.ErrInvalid):
		return kindInvalid, true
	case errors.Is(err, trigger.ErrForbidden):
		return kindForbidden, true
	case errors.Is(err, trigger.ErrNotFound):
		return kindNotFound, true
	case errors.Is(err, trigger.ErrConflict):
		return kindConflict, true
	}
	return kindInternal, false
}
