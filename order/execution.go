package order

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Totals is an order's (or a block's) running execution state.
type Totals struct {
	OrderQty decimal.Decimal // current quantity, after replaces and restatements
	CumQty   decimal.Decimal // Σ LastQty of live fills (busted ones removed, corrected ones replaced)
	Notional decimal.Decimal // Σ LastQty × LastPx of live fills
}

// AvgPx is Notional / CumQty rounded half to even at AvgCostPlaces; zero
// before the first fill.
func (t Totals) AvgPx() decimal.Decimal {
	if t.CumQty.IsZero() {
		return decimal.Zero
	}
	return divRound(t.Notional, t.CumQty)
}

// Leaves is OrderQty − CumQty while the order can fill, zero once it is
// cancelled, expired, done for the day or rejected, never negative.
func (t Totals) Leaves(s Status) decimal.Decimal { return leaves(s, t.OrderQty, t.CumQty) }

// FillState says whether a booked fill still counts.
type FillState string

// The states of a booked fill.
const (
	FillLive      FillState = "live"
	FillBusted    FillState = "busted"
	FillCorrected FillState = "corrected" // replaced by a later correction
)

// Applied is what one execution report does to an order's execution state.
type Applied struct {
	Status      Status // the status after the report (may equal the one before)
	Cause       Cause  // what moved the status; empty when it did not move
	Totals      Totals
	NewFill     bool            // the report adds a live fill of LastQty at LastPx
	Reverses    string          // ExecID of the fill it busts or corrects, else empty
	Reversed    decimal.Decimal // quantity of that fill
	Discrepancy string          // how the broker's CumQty/LeavesQty/AvgPx disagree with Ballast's; empty when they agree
}

// RefFill is a fill that a bust or correction refers to (by ExecRefID).
type RefFill struct {
	ExecID   string
	Quantity decimal.Decimal
	Price    decimal.Decimal
	State    FillState
}

// ApplyReport works out what report r does to an order in status cur with
// totals t. ref is the live fill named by r.ExecRefID for a bust or a
// correction (nil otherwise). Status follows FIX's precedence: a fill that
// completes the order wins over everything (filled over pending cancel,
// pending replace, cancelled, expired, done for day); a partial fill keeps
// pending cancel and pending replace. A fill on an order that can no longer
// fill (cancelled, expired, done for day, rejected) is counted and kept in its
// status, and reported as a discrepancy. A change the transition table refuses
// is an error, and nothing is applied.
func ApplyReport(cur Status, t Totals, r ExecutionReport, ref *RefFill) (Applied, error) {
	a := Applied{Status: cur, Totals: t}
	var err error
	switch r.Kind {
	case ExecPartialFill, ExecFill:
		err = a.fill(cur, r)
	case ExecBust, ExecCorrect:
		err = a.reverse(cur, r, ref)
	case ExecReplaced:
		if r.OrderQty.IsPositive() {
			a.Totals.OrderQty = r.OrderQty
		}
		a.to(byFills(a.Totals), OnReplaced)
	case ExecRestated:
		if r.OrderQty.IsPositive() {
			a.Totals.OrderQty = r.OrderQty
		}
		if cur == Acknowledged || cur == PartiallyFilled {
			a.to(byFills(a.Totals), OnRestated)
		}
	default:
		err = a.status(cur, r.Kind)
	}
	if err != nil {
		return Applied{}, fmt.Errorf("order: %s report %s: %w", r.Kind, r.ExecID, err)
	}
	if a.Status != cur {
		if err := Allowed(cur, a.Status, a.Cause); err != nil {
			return Applied{}, fmt.Errorf("order: %s report %s: %w", r.Kind, r.ExecID, err)
		}
	} else {
		a.Cause = ""
	}
	a.Discrepancy = joinDiscrepancy(a.Discrepancy, Compare(a.Totals, a.Status, r))
	return a, nil
}

func (a *Applied) to(s Status, ev Cause) { a.Status, a.Cause = s, ev }

func (a *Applied) fill(cur Status, r ExecutionReport) error {
	if !r.LastQty.IsPositive() || !r.LastPx.IsPositive() {
		return fmt.Errorf("fill of %s at %s: quantity and price must be positive: %w", r.LastQty, r.LastPx, ErrInvalid)
	}
	a.NewFill = true
	a.Totals.CumQty = a.Totals.CumQty.Add(r.LastQty)
	a.Totals.Notional = a.Totals.Notional.Add(r.LastQty.Mul(r.LastPx))
	full := !a.Totals.CumQty.LessThan(a.Totals.OrderQty)
	switch {
	case cur == Cancelled || cur == Expired || cur == DoneForDay || cur == Rejected:
		a.Discrepancy = fmt.Sprintf("fill of %s after the order was %s", r.LastQty, cur)
	case full:
		a.to(Filled, OnFill)
		if a.Totals.CumQty.GreaterThan(a.Totals.OrderQty) {
			a.Discrepancy = fmt.Sprintf("overfilled: %s filled of %s ordered", a.Totals.CumQty, a.Totals.OrderQty)
		}
	case cur == PendingCancel || cur == PendingReplace:
		a.Cause = OnPartialFill // status kept: pending outranks partially filled
	default:
		a.to(PartiallyFilled, OnPartialFill)
	}
	return nil
}

func (a *Applied) reverse(cur Status, r ExecutionReport, ref *RefFill) error {
	if ref == nil || ref.ExecID != r.ExecRefID || r.ExecRefID == "" {
		return fmt.Errorf("fill %q it refers to is unknown: %w", r.ExecRefID, ErrNotFound)
	}
	if ref.State != FillLive {
		return fmt.Errorf("fill %s is already %s: %w", ref.ExecID, ref.State, ErrConflict)
	}
	a.Reverses, a.Reversed = ref.ExecID, ref.Quantity
	a.Totals.CumQty = a.Totals.CumQty.Sub(ref.Quantity)
	a.Totals.Notional = a.Totals.Notional.Sub(ref.Quantity.Mul(ref.Price))
	ev := OnBust
	if r.Kind == ExecCorrect {
		if !r.LastQty.IsPositive() || !r.LastPx.IsPositive() {
			return fmt.Errorf("correction to %s at %s: quantity and price must be positive: %w", r.LastQty, r.LastPx, ErrInvalid)
		}
		a.NewFill, ev = true, OnCorrection
		a.Totals.CumQty = a.Totals.CumQty.Add(r.LastQty)
		a.Totals.Notional = a.Totals.Notional.Add(r.LastQty.Mul(r.LastPx))
	}
	if cur == Filled || cur == PartiallyFilled || cur == Acknowledged {
		a.to(byFills(a.Totals), ev)
	}
	return nil
}

// byFills is the working status the fills alone imply.
func byFills(t Totals) Status {
	switch {
	case t.OrderQty.IsPositive() && !t.CumQty.LessThan(t.OrderQty):
		return Filled
	case t.CumQty.IsPositive():
		return PartiallyFilled
	}
	return Acknowledged
}

// status handles the reports that change status only.
func (a *Applied) status(cur Status, k ExecKind) error {
	full := a.Totals.OrderQty.IsPositive() && !a.Totals.CumQty.LessThan(a.Totals.OrderQty)
	switch k {
	case ExecNew:
		if cur == Sent {
			a.to(Acknowledged, OnAck)
		}
	case ExecPendingNew, ExecStatus:
	case ExecRejected:
		a.to(Rejected, OnBrokerReject)
	case ExecPendingCancel:
		a.to(PendingCancel, OnCancelRequest)
	case ExecPendingReplace:
		a.to(PendingReplace, OnReplaceRequest)
	case ExecCancelled, ExecExpired, ExecDoneForDay:
		if full || cur == Filled {
			return nil // filled outranks cancelled, expired and done for day
		}
		a.to(endStatus(cur, k))
	default:
		return fmt.Errorf("execution kind %q is unknown: %w", k, ErrInvalid)
	}
	return nil
}

func endStatus(cur Status, k ExecKind) (Status, Cause) {
	switch k {
	case ExecExpired:
		return Expired, OnBrokerExpire
	case ExecDoneForDay:
		return DoneForDay, OnDoneForDay
	}
	if cur == PendingCancel {
		return Cancelled, OnCancelled
	}
	return Cancelled, OnUnsolicitedCxl
}
