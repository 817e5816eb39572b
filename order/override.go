package order

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/user"
)

// OverrideReasons returns the reason codes a compliance officer chooses from
// when overriding a soft breach; free text always comes with the code.
func OverrideReasons() []string {
	return []string{"client_instruction", "model_transition", "cash_flow", "market_move", "regulatory_exemption", "error_in_rule", "other"}
}

// Phase says when a compliance check ran: at proposal or again at approval.
type Phase string

// The check phases.
const (
	PhasePropose Phase = "propose"
	PhaseApprove Phase = "approve"
)

// ResultRecord is one compliance finding attributed to an order, as stored.
type ResultRecord struct {
	RuleID     string
	RuleName   string
	Version    int
	Severity   compliance.Severity
	Status     compliance.Status // fail, override, passive or warn (pass results are not kept)
	Group      string
	Value      decimal.Decimal
	Limit      decimal.Decimal
	Unit       compliance.Unit
	Message    string
	Overridden bool // a soft breach an override cleared
}

// NeedsOverride reports whether the result is a soft breach no override has cleared.
func (r ResultRecord) NeedsOverride() bool {
	return r.Status == compliance.NeedsOverride && !r.Overridden
}

// CheckRecord is one compliance check of one order with its findings.
type CheckRecord struct {
	ID      int64
	OrderID int64
	Phase   Phase
	Verdict Verdict
	Summary string
	At      time.Time
	Results []ResultRecord // most severe first
}

// Override clears one soft breach (a rule and group) of one order at the
// rule version in force, by a compliance officer, with a reason. It holds for
// the order's terms as the officer saw them: an amendment of the order voids
// it (it stays in the record, but clears nothing), and the amended order's
// breaches need an override of their own.
type Override struct {
	ID          int64
	OrderID     int64
	RuleID      string
	Group       string
	RuleVersion int
	ReasonCode  string // one of OverrideReasons
	Reason      string // free text, required
	Officer     string
	At          time.Time
	Amendment   int  // the order's Amendments when the override was given
	Voided      bool // set by the store: the order was amended after the override was given
}

// Matches reports whether the override clears result r: it names r's rule,
// group and rule version, and no amendment of the order has voided it.
func (ov Override) Matches(r ResultRecord) bool {
	return !ov.Voided && ov.RuleID == r.RuleID && ov.Group == r.Group && ov.RuleVersion == r.Version
}

// VoidedBy reports whether an amendment of o voids the override: o was
// amended after the override was given. Stores set Voided with it.
func (ov Override) VoidedBy(o Order) bool { return ov.Amendment < o.Amendments }

// ComplianceTx is the part of a Store transaction that keeps compliance
// checks and overrides; Service.Override needs the Store's Tx to implement it.
type ComplianceTx interface {
	// LatestCheck returns the order's most recent check (ErrNotFound when none).
	LatestCheck(ctx context.Context, orderID int64) (CheckRecord, error)
	// Overrides lists the order's overrides, oldest first, each with Voided
	// set when the order was amended after it was given (VoidedBy).
	Overrides(ctx context.Context, orderID int64) ([]Override, error)
	// InsertOverride appends an override; there is no update or delete.
	// An order has at most one override per rule, group, rule version and
	// amendment.
	InsertOverride(ctx context.Context, ov Override) (int64, error)
	// SaveChecks appends checks with their results.
	SaveChecks(ctx context.Context, checks []CheckRecord) error
}

// Override records a compliance officer's override of one soft breach of
// order id (ov names the rule and group, the reason code and text). Only the
// compliance role may override, one breach at a time, and never a hard
// breach. The override carries the rule version of the order's latest check
// and is an audit event; once every soft breach of that check is overridden
// the order becomes ready for a trader's approval.
func (s *Service) Override(ctx context.Context, id int64, actor Actor, ov Override) (Order, error) {
	now := s.now()
	if err := validOverride(actor, ov); err != nil {
		return Order{}, fmt.Errorf("order: override %d: %w", id, err)
	}
	var o Order
	err := s.Store.InTx(ctx, func(tx Tx) error {
		ct, ok := tx.(ComplianceTx)
		if !ok {
			return fmt.Errorf("order: override %d: the store keeps no compliance results", id)
		}
		var err error
		if o, err = tx.Order(ctx, id); err != nil {
			return fmt.Errorf("order: override %d: %w", id, err)
		}
		if err := s.override(ctx, tx, ct, &o, actor.Name, ov, now); err != nil {
			return fmt.Errorf("order: override %d: %w", id, err)
		}
		return tx.UpdateOrder(ctx, o)
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}

func validOverride(actor Actor, ov Override) error {
	switch {
	case !actor.has(user.Compliance):
		return fmt.Errorf("%s is not a compliance officer: only compliance overrides: %w", actor.Name, ErrForbidden)
	case !slices.Contains(OverrideReasons(), ov.ReasonCode):
		return fmt.Errorf("reason code %q is not one of %s: %w", ov.ReasonCode, strings.Join(OverrideReasons(), ", "), ErrInvalid)
	case strings.TrimSpace(ov.Reason) == "":
		return fmt.Errorf("a reason text is required: %w", ErrInvalid)
	case strings.TrimSpace(ov.RuleID) == "":
		return fmt.Errorf("no rule named: %w", ErrInvalid)
	}
	return nil
}

func (s *Service) override(ctx context.Context, tx Tx, ct ComplianceTx, o *Order, actor string, ov Override, now time.Time) error {
	if o.Status != AwaitingOverride {
		return fmt.Errorf("status is %s, not awaiting_override: %w", o.Status, ErrConflict)
	}
	chk, err := ct.LatestCheck(ctx, o.ID)
	if err != nil {
		return err
	}
	done, err := ct.Overrides(ctx, o.ID)
	if err != nil {
		return err
	}
	target, err := breachToOverride(chk, done, ov)
	if err != nil {
		return err
	}
	ov.ID, ov.OrderID, ov.Group, ov.RuleVersion, ov.Officer, ov.At = 0, o.ID, target.Group, target.Version, actor, now
	ov.Amendment, ov.Voided = o.Amendments, false
	ov.Reason = strings.TrimSpace(ov.Reason)
	if _, err := ct.InsertOverride(ctx, ov); err != nil {
		return err
	}
	ev := Event{At: now, Actor: actor, Action: "compliance_override", OrderID: o.ID, Portfolio: o.Portfolio,
		Reason:  ov.ReasonCode + ": " + ov.Reason,
		Details: fmt.Sprintf("rule %s v%d %s: %s", ov.RuleID, ov.RuleVersion, groupLabel(ov.Group), target.Message)}
	if err := tx.AppendEvent(ctx, ev); err != nil {
		return err
	}
	done = append(done, ov)
	if outstanding(chk, done) > 0 {
		return nil
	}
	o.Override = fmt.Sprintf("every soft breach overridden by compliance (%s)", actor)
	if err := moveOrder(ctx, tx, o, PendingCompliance, OnRecheck, actor, "compliance override", now); err != nil {
		return err
	}
	return moveOrder(ctx, tx, o, Ready, OnCompliancePass, actor, o.Override, now)
}

// breachToOverride finds the breach ov names in the latest check: its rule
// and group, or its rule alone when ov.Group is empty and the rule has one
// breach.
func breachToOverride(chk CheckRecord, done []Override, ov Override) (ResultRecord, error) {
	var found []ResultRecord
	for _, r := range chk.Results {
		if r.RuleID == ov.RuleID && (r.Group == ov.Group || ov.Group == "") &&
			(r.Status == compliance.Fail || r.Status == compliance.NeedsOverride) {
			found = append(found, r)
		}
	}
	switch {
	case len(found) == 0:
		return ResultRecord{}, fmt.Errorf("the latest check has no breach of rule %s (%s): %w", ov.RuleID, groupLabel(ov.Group), ErrInvalid)
	case len(found) > 1:
		return ResultRecord{}, fmt.Errorf("rule %s has %d breaches: name the group: %w", ov.RuleID, len(found), ErrInvalid)
	}
	r := found[0]
	if r.Status == compliance.Fail {
		return r, fmt.Errorf("rule %s (%s) is a hard breach and cannot be overridden: %w", r.RuleID, groupLabel(r.Group), ErrForbidden)
	}
	for _, d := range done {
		if d.Matches(r) {
			return r, fmt.Errorf("rule %s (%s) is already overridden: %w", r.RuleID, groupLabel(r.Group), ErrConflict)
		}
	}
	return r, nil
}

// outstanding counts the check's soft breaches no override clears.
func outstanding(chk CheckRecord, done []Override) int {
	n := 0
	for _, r := range chk.Results {
		if r.Status != compliance.NeedsOverride {
			continue
		}
		if !slices.ContainsFunc(done, func(d Override) bool { return d.Matches(r) }) {
			n++
		}
	}
	return n
}

func groupLabel(g string) string {
	if g == "" {
		return "whole portfolio"
	}
	return g
}
