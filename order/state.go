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

// Event is what causes a transition.
type Event string

// The events that move an order.
const (
	EvSubmit          Event = "submit"           // proposal handed to compliance
	EvCompliancePass  Event = "compliance_pass"  // every rule passed
	EvComplianceWarn  Event = "compliance_warn"  // a soft rule failed: needs an override
	EvComplianceFail  Event = "compliance_fail"  // a hard rule failed
	EvRecheck         Event = "recheck"          // re-priced and sent back to compliance
	EvApprove         Event = "approve"          // a trader approved (four eyes)
	EvApproveOverride Event = "approve_override" // a trader approved over a soft warning, with a reason
	EvWithdraw        Event = "withdraw"         // cancelled before it reached a broker
	EvExpire          Event = "expire"           // not approved or sent before its expiry
	EvRelease         Event = "release"          // handed to the Sender
	EvAck             Event = "ack"              // broker accepted the order
	EvBrokerReject    Event = "broker_reject"    // broker (or session) refused the order
	EvPartialFill     Event = "partial_fill"
	EvFill            Event = "fill" // cumulative quantity reached the order quantity
	EvCancelRequest   Event = "cancel_request"
	EvCancelled       Event = "cancelled"        // broker confirmed the cancel
	EvCancelRejected  Event = "cancel_rejected"  // broker refused the cancel; order works on
	EvReplaceRequest  Event = "replace_request"  //
	EvReplaced        Event = "replaced"         // broker accepted the replace
	EvReplaceRejected Event = "replace_rejected" // broker refused the replace; order works on
	EvUnsolicitedCxl  Event = "unsolicited_cancel"
	EvBrokerExpire    Event = "broker_expire"
	EvDoneForDay      Event = "done_for_day"
	EvBust            Event = "bust"       // an earlier fill was cancelled by the broker
	EvCorrection      Event = "correction" // an earlier fill's quantity or price changed
	EvRestated        Event = "restated"   // the broker restated the order (e.g. its quantity)
)

// Rule is one row of the transition table: From may become To when Event happens.
// A pair may appear with several events.
type Rule struct {
	From, To Status
	Event    Event
}

// transitionTable is the one table of allowed transitions. Read it through
// Transitions and Transition; nothing writes to it.
var transitionTable = [...]Rule{
	// Pre-trade: proposal, compliance, approval.
	{Proposed, PendingCompliance, EvSubmit},
	{PendingCompliance, Ready, EvCompliancePass},
	{PendingCompliance, AwaitingOverride, EvComplianceWarn},
	{PendingCompliance, Blocked, EvComplianceFail},
	{Ready, PendingCompliance, EvRecheck},
	{AwaitingOverride, PendingCompliance, EvRecheck},
	{Blocked, PendingCompliance, EvRecheck},
	{Ready, Approved, EvApprove},
	{AwaitingOverride, Approved, EvApproveOverride},
	{Proposed, Cancelled, EvWithdraw},
	{PendingCompliance, Cancelled, EvWithdraw},
	{Blocked, Cancelled, EvWithdraw},
	{AwaitingOverride, Cancelled, EvWithdraw},
	{Ready, Cancelled, EvWithdraw},
	{Approved, Cancelled, EvWithdraw},
	{Proposed, Expired, EvExpire},
	{Blocked, Expired, EvExpire},
	{AwaitingOverride, Expired, EvExpire},
	{Ready, Expired, EvExpire},
	{Approved, Expired, EvExpire},
	{Approved, Sent, EvRelease},

	// At the broker: acknowledgement, rejection, fills.
	{Sent, Acknowledged, EvAck},
	{Sent, Rejected, EvBrokerReject},
	{Sent, PartiallyFilled, EvPartialFill},
	{Sent, Filled, EvFill},
	{Acknowledged, PartiallyFilled, EvPartialFill},
	{Acknowledged, Filled, EvFill},
	{PartiallyFilled, PartiallyFilled, EvPartialFill},
	{PartiallyFilled, Filled, EvFill},

	// Cancel requests.
	{Sent, PendingCancel, EvCancelRequest},
	{Acknowledged, PendingCancel, EvCancelRequest},
	{PartiallyFilled, PendingCancel, EvCancelRequest},
	{PendingReplace, PendingCancel, EvCancelRequest},
	{PendingCancel, PendingCancel, EvPartialFill}, // pending cancel outranks partially filled
	{PendingCancel, Filled, EvFill},               // a fill crossed the cancel: filled outranks it
	{PendingCancel, Cancelled, EvCancelled},
	{PendingCancel, Acknowledged, EvCancelRejected},
	{PendingCancel, PartiallyFilled, EvCancelRejected},
	{PendingCancel, Sent, EvCancelRejected}, // cancel refused before the broker acknowledged

	// Replace requests.
	{Sent, PendingReplace, EvReplaceRequest},
	{Acknowledged, PendingReplace, EvReplaceRequest},
	{PartiallyFilled, PendingReplace, EvReplaceRequest},
	{PendingReplace, PendingReplace, EvReplaceRequest}, // two replaces in flight
	{PendingReplace, PendingReplace, EvPartialFill},    // pending replace outranks partially filled
	{PendingReplace, Filled, EvFill},                   // the replace crossed a fill
	{PendingReplace, Acknowledged, EvReplaced},
	{PendingReplace, PartiallyFilled, EvReplaced},
	{PendingReplace, Filled, EvReplaced}, // replaced down to what was already filled
	{PendingReplace, Acknowledged, EvReplaceRejected},
	{PendingReplace, PartiallyFilled, EvReplaceRejected},
	{PendingReplace, Sent, EvReplaceRejected},

	// Unsolicited endings from the broker.
	{Sent, Cancelled, EvUnsolicitedCxl},
	{Acknowledged, Cancelled, EvUnsolicitedCxl},
	{PartiallyFilled, Cancelled, EvUnsolicitedCxl},
	{PendingReplace, Cancelled, EvUnsolicitedCxl},
	{Sent, Expired, EvBrokerExpire}, // e.g. an IOC that found nothing
	{Acknowledged, Expired, EvBrokerExpire},
	{PartiallyFilled, Expired, EvBrokerExpire},
	{PendingCancel, Expired, EvBrokerExpire},
	{PendingReplace, Expired, EvBrokerExpire},
	{Acknowledged, DoneForDay, EvDoneForDay},
	{PartiallyFilled, DoneForDay, EvDoneForDay},
	{PendingCancel, DoneForDay, EvDoneForDay},
	{PendingReplace, DoneForDay, EvDoneForDay},

	// Busts and corrections move the fill status both ways.
	{Filled, PartiallyFilled, EvBust},
	{Filled, Acknowledged, EvBust},
	{PartiallyFilled, Acknowledged, EvBust},
	{Filled, PartiallyFilled, EvCorrection},
	{Filled, Acknowledged, EvCorrection},
	{PartiallyFilled, Filled, EvCorrection},
	{Acknowledged, Filled, EvCorrection},
	{Acknowledged, PartiallyFilled, EvCorrection},
	{Acknowledged, Filled, EvRestated}, // quantity restated down to what is filled
	{PartiallyFilled, Filled, EvRestated},
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
	Event    Event // empty when any event was acceptable
}

// Error says which change was refused.
func (e *TransitionError) Error() string {
	if e.Event != "" {
		return fmt.Sprintf("order: %s → %s on %s is not an allowed transition", e.From, e.To, e.Event)
	}
	return fmt.Sprintf("order: %s → %s is not an allowed transition", e.From, e.To)
}

// Is makes a TransitionError match ErrConflict.
func (e *TransitionError) Is(target error) bool { return target == ErrConflict }

// Transition returns nil when the table allows from → to, and a
// *TransitionError (matching ErrConflict) otherwise.
func Transition(from, to Status) error {
	if len(EventsFor(from, to)) == 0 {
		return &TransitionError{From: from, To: to}
	}
	return nil
}

// Allowed returns nil when the table has the row from → to on ev, and a
// *TransitionError (matching ErrConflict) otherwise.
func Allowed(from, to Status, ev Event) error {
	for _, r := range transitionTable {
		if r.From == from && r.To == to && r.Event == ev {
			return nil
		}
	}
	return &TransitionError{From: from, To: to, Event: ev}
}

// EventsFor lists the events that move from → to; none when the change is not allowed.
func EventsFor(from, to Status) []Event {
	var out []Event
	for _, r := range transitionTable {
		if r.From == from && r.To == to {
			out = append(out, r.Event)
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
