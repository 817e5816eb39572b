package order

import "fmt"

// ApplyCancelReject works out the status after the broker refused a cancel or
// replace request (an OrderCancelReject): a pending cancel or pending replace
// goes back to the working status its fills imply (sent when the broker says
// the order is still pending new, 39=A); any other status is kept, since the
// refusal crossed a fill or an ending that already moved the order. The event
// is empty when the status does not move.
func ApplyCancelReject(cur Status, t Totals, cr CancelReject) (Status, Cause, error) {
	if cur != PendingCancel && cur != PendingReplace {
		return cur, "", nil
	}
	ev := OnCancelRejected
	if cur == PendingReplace {
		ev = OnReplaceRejected
	}
	next := byFills(t)
	if cr.OrdStatus == "A" && t.CumQty.IsZero() {
		next = Sent
	}
	if next == Filled {
		// The order filled while the request was pending: the fill already
		// decided the status; nothing is left to refuse.
		next, ev = Filled, OnFill
	}
	if err := Allowed(cur, next, ev); err != nil {
		return cur, "", fmt.Errorf("order: cancel reject %s: %w", cr.ClOrdID, err)
	}
	return next, ev, nil
}
