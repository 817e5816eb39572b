package order

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Status is where an order (or a block) stands in its life.
type Status string

// The statuses of an order. Orders move between them only through the
// transition table (see Transitions and Transition).
const (
	Proposed          Status = "proposed"
	PendingCompliance Status = "pending_compliance"
	Blocked           Status = "blocked" // a hard compliance rule failed
	AwaitingOverride  Status = "awaiting_override"
	Ready             Status = "ready" // compliance passed; a trader may approve
	Approved          Status = "approved"
	Sent              Status = "sent"
	Acknowledged      Status = "acknowledged"
	PartiallyFilled   Status = "partially_filled"
	Filled            Status = "filled"
	Rejected          Status = "rejected"
	PendingCancel     Status = "pending_cancel"
	Cancelled         Status = "cancelled"
	PendingReplace    Status = "pending_replace"
	Expired           Status = "expired"
	DoneForDay        Status = "done_for_day"
)

// Statuses lists every status in the order of an order's life.
func Statuses() []Status {
	return []Status{
		Proposed, PendingCompliance, Blocked, AwaitingOverride, Ready, Approved,
		Sent, Acknowledged, PartiallyFilled, Filled, Rejected, PendingCancel,
		Cancelled, PendingReplace, Expired, DoneForDay,
	}
}

// ParseStatus accepts one of the status names.
func ParseStatus(s string) (Status, error) {
	for _, k := range Statuses() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("order: status %q is unknown: %w", s, ErrInvalid)
}

// Cause is the event that moves an order from one status to another.
type Cause string

// The causes of transitions.
const (
	OnSubmit          Cause = "submit"          // proposal handed to compliance
	OnCompliancePass  Cause = "compliance_pass" // every rule passed
	OnComplianceWarn  Cause = "compliance_warn" // a soft rule failed: needs an override
	OnComplianceFail  Cause = "compliance_fail" // a hard rule failed
	OnRecheck         Cause = "recheck"         // re-priced and sent back to compliance
	OnApprove         Cause = "approve"         // a trader approved (four eyes)
	OnWithdraw        Cause = "withdraw"        // cancelled before it reached a broker
	OnExpire          Cause = "expire"          // not approved or sent before its expiry
	OnRelease         Cause = "release"         // handed to the Sender
	OnAck             Cause = "ack"             // broker accepted the order
	OnBrokerReject    Cause = "broker_reject"   // broker (or session) refused the order
	OnPartialFill     Cause = "partial_fill"
	OnFill            Cause = "fill" // cumulative quantity reached the order quantity
	OnCancelRequest   Cause = "cancel_request"
	OnCancelled       Cause = "cancelled"        // broker confirmed the cancel
	OnCancelRejected  Cause = "cancel_rejected"  // broker refused the cancel; order works on
	OnReplaceRequest  Cause = "replace_request"  //
	OnReplaced        Cause = "replaced"         // broker accepted the replace
	OnReplaceRejected Cause = "replace_rejected" // broker refused the replace; order works on
	OnUnsolicitedCxl  Cause = "unsolicited_cancel"
	OnBrokerExpire    Cause = "broker_expire"
	OnDoneForDay      Cause = "done_for_day"
	OnBust            Cause = "bust"       // an earlier fill was cancelled by the broker
	OnCorrection      Cause = "correction" // an earlier fill's quantity or price changed
	OnRestated        Cause = "restated"   // the broker restated the order (e.g. its quantity)
)

// Rule is one row of the transition table: From may become To when Cause happens.
// A pair may appear with several events.
type Rule struct {
	From, To Status
	Cause    Cause
}

// transitionTable is the one table of allowed transitions. Read it through
// Transitions and Transition; nothing writes to it.
var transitionTable = [...]Rule{
	// Pre-trade: proposal, compliance, approval.
	{Proposed, PendingCompliance, OnSubmit},
	{PendingCompliance, Ready, OnCompliancePass},
	{PendingCompliance, AwaitingOverride, OnComplianceWarn},
	{PendingCompliance, Blocked, OnComplianceFail},
	{Ready, PendingCompliance, OnRecheck},
	{AwaitingOverride, PendingCompliance, OnRecheck},
	{Blocked, PendingCompliance, OnRecheck},
	{Approved, PendingCompliance, OnRecheck}, // amended before release: approve again
	{Ready, Approved, OnApprove},
	{Proposed, Cancelled, OnWithdraw},
	{PendingCompliance, Cancelled, OnWithdraw},
	{Blocked, Cancelled, OnWithdraw},
	{AwaitingOverride, Cancelled, OnWithdraw},
	{Ready, Cancelled, OnWithdraw},
	{Approved, Cancelled, OnWithdraw},
	{Proposed, Expired, OnExpire},
	{Blocked, Expired, OnExpire},
	{AwaitingOverride, Expired, OnExpire},
	{Ready, Expired, OnExpire},
	{Approved, Expired, OnExpire},
	{Approved, Sent, OnRelease},

	// At the broker: acknowledgement, rejection, fills.
	{Sent, Acknowledged, OnAck},
	{Sent, Rejected, OnBrokerReject},
	{Sent, PartiallyFilled, OnPartialFill},
	{Sent, Filled, OnFill},
	{Acknowledged, PartiallyFilled, OnPartialFill},
	{Acknowledged, Filled, OnFill},
	{PartiallyFilled, PartiallyFilled, OnPartialFill},
	{PartiallyFilled, Filled, OnFill},

	// Cancel requests.
	{Sent, PendingCancel, OnCancelRequest},
	{Acknowledged, PendingCancel, OnCancelRequest},
	{PartiallyFilled, PendingCancel, OnCancelRequest},
	{PendingReplace, PendingCancel, OnCancelRequest},
	{PendingCancel, PendingCancel, OnPartialFill}, // pending cancel outranks partially filled
	{PendingCancel, Filled, OnFill},               // a fill crossed the cancel: filled outranks it
	{PendingCancel, Cancelled, OnCancelled},
	{PendingCancel, Acknowledged, OnCancelRejected},
	{PendingCancel, PartiallyFilled, OnCancelRejected},
	{PendingCancel, Sent, OnCancelRejected}, // cancel refused before the broker acknowledged

	// Replace requests.
	{Sent, PendingReplace, OnReplaceRequest},
	{Acknowledged, PendingReplace, OnReplaceRequest},
	{PartiallyFilled, PendingReplace, OnReplaceRequest},
	{PendingReplace, PendingReplace, OnReplaceRequest}, // two replaces in flight
	{PendingReplace, PendingReplace, OnPartialFill},    // pending replace outranks partially filled
	{PendingReplace, Filled, OnFill},                   // the replace crossed a fill
	{PendingReplace, Acknowledged, OnReplaced},
	{PendingReplace, PartiallyFilled, OnReplaced},
	{PendingReplace, Filled, OnReplaced}, // replaced down to what was already filled
	{PendingReplace, Acknowledged, OnReplaceRejected},
	{PendingReplace, PartiallyFilled, OnReplaceRejected},
	{PendingReplace, Sent, OnReplaceRejected},

	// Unsolicited endings from the broker.
	{Sent, Cancelled, OnUnsolicitedCxl},
	{Acknowledged, Cancelled, OnUnsolicitedCxl},
	{PartiallyFilled, Cancelled, OnUnsolicitedCxl},
	{PendingReplace, Cancelled, OnUnsolicitedCxl},
	{Sent, Expired, OnBrokerExpire}, // e.g. an IOC that found nothing
	{Acknowledged, Expired, OnBrokerExpire},
	{PartiallyFilled, Expired, OnBrokerExpire},
	{PendingCancel, Expired, OnBrokerExpire},
	{PendingReplace, Expired, OnBrokerExpire},
	{Acknowledged, DoneForDay, OnDoneForDay},
	{PartiallyFilled, DoneForDay, OnDoneForDay},
	{PendingCancel, DoneForDay, OnDoneForDay},
	{PendingReplace, DoneForDay, OnDoneForDay},

	// Busts and corrections move the fill status both ways.
	{Filled, PartiallyFilled, OnBust},
	{Filled, Acknowledged, OnBust},
	{PartiallyFilled, Acknowledged, OnBust},
	{Filled, PartiallyFilled, OnCorrection},
	{Filled, Acknowledged, OnCorrection},
	{PartiallyFilled, Filled, OnCorrection},
	{Acknowledged, Filled, OnCorrection},
	{Acknowledged, PartiallyFilled, OnCorrection},
	{Acknowledged, Filled, OnRestated}, // quantity restated down to what is filled
	{PartiallyFilled, Filled, OnRestated},
}

// Transitions returns a copy of the transition table.
func Transitions() []Rule {
	out := make([]Rule, len(transitionTable))
	copy(out, transitionTable[:])
	return out
}

// TransitionError is the refusal of a change the table does not allow.
type TransitionError struct {
	From, To Status
	Cause    Cause // empty when any event was acceptable
}

// Error says which change was refused.
func (e *TransitionError) Error() string {
	if e.Cause != "" {
		return fmt.Sprintf("order: %s → %s on %s is not an allowed transition", e.From, e.To, e.Cause)
	}
	return fmt.Sprintf("order: %s → %s is not an allowed transition", e.From, e.To)
}

// Is makes a TransitionError match ErrConflict.
func (e *TransitionError) Is(target error) bool { return target == ErrConflict }

// Transition returns nil when the table allows from → to, and a
// *TransitionError (matching ErrConflict) otherwise.
func Transition(from, to Status) error {
	if len(CausesFor(from, to)) == 0 {
		return &TransitionError{From: from, To: to}
	}
	return nil
}

// Allowed returns nil when the table has the row from → to on ev, and a
// *TransitionError (matching ErrConflict) otherwise.
func Allowed(from, to Status, ev Cause) error {
	for _, r := range transitionTable {
		if r.From == from && r.To == to && r.Cause == ev {
			return nil
		}
	}
	return &TransitionError{From: from, To: to, Cause: ev}
}

// CausesFor lists the events that move from → to; none when the change is not allowed.
func CausesFor(from, to Status) []Cause {
	var out []Cause
	for _, r := range transitionTable {
		if r.From == from && r.To == to {
			out = append(out, r.Cause)
		}
	}
	return out
}

// IsTerminal reports whether no further broker activity is expected except
// busts and corrections of past fills: filled, rejected, cancelled, expired
// and done for day.
func IsTerminal(s Status) bool {
	switch s {
	case Filled, Rejected, Cancelled, Expired, DoneForDay:
		return true
	}
	return false
}

// IsWorking reports whether the order is live at a broker and may still fill.
func IsWorking(s Status) bool {
	switch s {
	case Sent, Acknowledged, PartiallyFilled, PendingCancel, PendingReplace:
		return true
	}
	return false
}

// IsPreTrade reports whether the order has not yet been released to a broker.
func IsPreTrade(s Status) bool {
	switch s {
	case Proposed, PendingCompliance, Blocked, AwaitingOverride, Ready, Approved:
		return true
	}
	return false
}

// leaves is the quantity still to fill: qty − cum while the order can fill,
// zero once it is cancelled, expired, done for the day or rejected, never negative.
func leaves(s Status, qty, cum decimal.Decimal) decimal.Decimal {
	switch s {
	case Cancelled, Expired, DoneForDay, Rejected:
		return decimal.Zero
	}
	if l := qty.Sub(cum); l.IsPositive() {
		return l
	}
	return decimal.Zero
}
