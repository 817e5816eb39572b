package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/user"
)

// Clock tells the time; the Service never reads the wall clock itself.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// Actor is who acts: a user name and the roles they hold.
type Actor struct {
	Name  string
	Roles []user.Role
}

// Verdict is the outcome of a compliance check on an order.
type Verdict string

// The compliance verdicts.
const (
	VerdictPass Verdict = "pass"
	VerdictWarn Verdict = "warn" // a soft rule failed: awaits a compliance officer's override
	VerdictFail Verdict = "fail" // a hard rule failed: blocked
)

// Check is a compliance result for one order, computed by the caller.
type Check struct {
	Verdict  Verdict
	Findings string // what the rules said, for the audit trail and the trader
}

// Proposal is an order to propose together with its compliance check.
type Proposal struct {
	Order Order
	Check Check
}

// Service is the order book: it moves orders and blocks through the
// transition table, books executions, and writes every change with its audit
// events in one Store transaction.
type Service struct {
	Store        Store
	Sender       Sender
	Clock        Clock
	TradingDay   TradingDay    // default approval expiry: the end of the trading day
	NewClOrdID   func() string // unique ClOrdIDs for orders, cancels and replaces
	BlockAccount string        // FIX Account of a block spanning several portfolios
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

// Propose validates every order (all or nothing), then stores each as
// proposed by actor, sends it through compliance with its Check and returns
// the stored orders. ExpiresAt defaults to the end of the trading day.
func (s *Service) Propose(ctx context.Context, actor Actor, ps []Proposal) ([]Order, error) {
	now := s.now()
	if !actor.has(user.PM, user.Trader) {
		return nil, fmt.Errorf("order: propose: %s is neither pm nor trader: %w", actor.Name, ErrForbidden)
	}
	for i, p := range ps {
		if err := p.Order.Validate(now); err != nil {
			return nil, fmt.Errorf("order: propose #%d: %w", i+1, err)
		}
		if err := p.Check.valid(); err != nil {
			return nil, fmt.Errorf("order: propose #%d: %w", i+1, err)
		}
	}
	out := make([]Order, 0, len(ps))
	err := s.Store.InTx(ctx, func(tx Tx) error {
		out = out[:0]
		for _, p := range ps {
			o, err := s.propose(ctx, tx, actor.Name, p, now)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) propose(ctx context.Context, tx Tx, actor string, p Proposal, now time.Time) (Order, error) {
	o := s.proposed(actor, p, now)
	id, err := tx.InsertOrder(ctx, o)
	if err != nil {
		return o, fmt.Errorf("order: propose: %w", err)
	}
	o.ID = id
	if err := tx.AppendEvent(ctx, proposeEvent(o, actor, now)); err != nil {
		return o, err
	}
	if err := s.check(ctx, tx, &o, actor, p.Check, now); err != nil {
		return o, err
	}
	return o, tx.UpdateOrder(ctx, o)
}

// proposed is p's order as it is stored when actor proposes it at now.
func (s *Service) proposed(actor string, p Proposal, now time.Time) Order {
	o := p.Order
	o.ID, o.BlockID, o.Status, o.ProposedBy, o.AmendedBy, o.ApprovedBy, o.Override = 0, 0, Proposed, actor, "", "", ""
	o.FilledQty, o.AvgPx = decimal.Zero, decimal.Zero
	o.CreatedAt = now
	if o.ExpiresAt.IsZero() {
		o.ExpiresAt = s.TradingDay.End(now)
	}
	return o
}

// proposeEvent is the audit event of actor proposing o.
func proposeEvent(o Order, actor string, now time.Time) Event {
	return Event{At: now, Actor: actor, Action: "propose", OrderID: o.ID, Portfolio: o.Portfolio, To: Proposed,
		Details: fmt.Sprintf("%s %s %s %s", o.Side, o.Quantity, o.Symbol, o.Type)}
}

// check moves o to pending compliance and on to the state c gives it.
func (s *Service) check(ctx context.Context, tx Tx, o *Order, actor string, c Check, now time.Time) error {
	cause := OnSubmit
	if o.Status != Proposed {
		cause = OnRecheck
	}
	if err := moveOrder(ctx, tx, o, PendingCompliance, cause, actor, "", now); err != nil {
		return err
	}
	to, cause := Ready, OnCompliancePass
	switch c.Verdict {
	case VerdictWarn:
		to, cause = AwaitingOverride, OnComplianceWarn
	case VerdictFail:
		to, cause = Blocked, OnComplianceFail
	}
	return moveOrder(ctx, tx, o, to, cause, "compliance", c.Findings, now)
}

// Approve approves order id for actor: a trader who did not propose it. With
// recheck (the caller re-priced it and re-ran compliance), the order first
// goes through compliance again; a failing check blocks it. An order awaiting
// override is refused: only a compliance officer clears a soft breach, one
// breach at a time (Service.Override), never the trader. A proposal at or past its expiry is
// marked expired and refused. Refusals match ErrForbidden or ErrConflict;
// a recheck or an expiry is kept even when the approval is refused.
func (s *Service) Approve(ctx context.Context, id int64, actor Actor, recheck *Check) (Order, error) {
	now := s.now()
	if recheck != nil {
		if err := recheck.valid(); err != nil {
			return Order{}, fmt.Errorf("order: approve %d: %w", id, err)
		}
	}
	var o Order
	var refusal error
	err := s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		if o, err = tx.Order(ctx, id); err != nil {
			return fmt.Errorf("order: approve %d: %w", id, err)
		}
		if err := checkApprover(o, actor.Name, actor.Roles); err != nil {
			return err // nothing happens for someone who may not approve
		}
		refusal = s.approve(ctx, tx, &o, actor.Name, recheck, now)
		if refusal != nil && !errors.Is(refusal, ErrConflict) {
			return refusal
		}
		return tx.UpdateOrder(ctx, o)
	})
	if err != nil {
		return Order{}, err
	}
	return o, refusal
}

func (s *Service) approve(ctx context.Context, tx Tx, o *Order, actor string, recheck *Check, now time.Time) error {
	if recheck != nil && (o.Status == Ready || o.Status == AwaitingOverride || o.Status == Blocked) {
		if err := s.check(ctx, tx, o, actor, *recheck, now); err != nil {
			return err
		}
	}
	if err := checkApprovable(*o, now); err != nil {
		if !o.ExpiresAt.IsZero() && !now.Before(o.ExpiresAt) && Allowed(o.Status, Expired, OnExpire) == nil {
			if merr := moveOrder(ctx, tx, o, Expired, OnExpire, actor, "approval after expiry", now); merr != nil {
				return merr
			}
		}
		return err
	}
	o.ApprovedBy = actor
	return moveOrder(ctx, tx, o, Approved, OnApprove, actor, o.Override, now)
}

// BulkApprove approves each order on its own (one transaction each) and
// returns one error per id, nil where it was approved.
func (s *Service) BulkApprove(ctx context.Context, ids []int64, actor Actor) []error {
	errs := make([]error, len(ids))
	for i, id := range ids {
		_, errs[i] = s.Approve(ctx, id, actor, nil)
	}
	return errs
}

// moveOrder changes o's status when the table allows it, with an audit event.
func moveOrder(ctx context.Context, tx Tx, o *Order, to Status, cause Cause, actor, reason string, now time.Time) error {
	if err := Allowed(o.Status, to, cause); err != nil {
		return fmt.Errorf("order %d: %w", o.ID, err)
	}
	ev := Event{At: now, Actor: actor, Action: string(cause), OrderID: o.ID, BlockID: o.BlockID,
		Portfolio: o.Portfolio, From: o.Status, To: to, Reason: reason}
	o.Status = to
	return tx.AppendEvent(ctx, ev)
}

func (a Actor) has(roles ...user.Role) bool { return (user.User{Roles: a.Roles}).Has(roles...) }

func (c Check) valid() error {
	switch c.Verdict {
	case VerdictPass, VerdictWarn, VerdictFail:
		return nil
	}
	return fmt.Errorf("compliance verdict %q is not pass, warn or fail: %w", c.Verdict, ErrInvalid)
}
