package order

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// ExecKey is the identity under which an execution is booked at most once.
// The store enforces it with UNIQUE(session, block_id, exec_id) on its
// executions table. Session scopes the broker's ExecID (FIX.md: ExecIDs are
// unique per session only); BlockID — the block (or single order) the report
// was matched to through its ClOrdID chain, 0 when no order matched — narrows
// it to one order's life, so an engine that restarts its ExecID counter each
// day or each order cannot make a new fill look like a duplicate of an older
// order's fill. A PossDup or PossResend copy carries the same ExecID and
// ClOrdID, so it always lands on the same key.
type ExecKey struct {
	Session string
	BlockID int64
	ExecID  string
}

// KeyOf is r's dedupe key once matched to blockID.
func KeyOf(r ExecutionReport, blockID int64) ExecKey {
	return ExecKey{Session: r.Session, BlockID: blockID, ExecID: r.ExecID}
}

// Deduped reports whether reports of kind k are booked under their ExecKey.
// Order status replies (FIX 4.4 150=I, 4.2 20=3) are not: FIX 4.4 sends them
// all with ExecID "0", they book nothing and belong in the message log only.
func Deduped(k ExecKind) bool { return k != ExecStatus }

// Tracker is one block's execution state held in memory: its status, totals,
// fills and the keys already applied. It is what the store keeps, without the
// store; the Service does the same against its Store. Not safe for concurrent use.
type Tracker struct {
	BlockID int64
	Status  Status
	Totals  Totals
	fills   map[string]RefFill
	seen    map[ExecKey]bool
}

// NewTracker starts tracking block blockID, sent for orderQty.
func NewTracker(blockID int64, orderQty decimal.Decimal) *Tracker {
	return &Tracker{
		BlockID: blockID, Status: Sent, Totals: Totals{OrderQty: orderQty},
		fills: map[string]RefFill{}, seen: map[ExecKey]bool{},
	}
}

// Seen reports whether key was applied already.
func (k *Tracker) Seen(key ExecKey) bool { return k.seen[key] }

// Fill returns the fill booked under execID.
func (k *Tracker) Fill(execID string) (RefFill, bool) {
	f, ok := k.fills[execID]
	return f, ok
}

// Apply applies r unless its key was seen: a duplicate returns dup true and
// changes nothing. A report ApplyReport refuses changes nothing either.
func (k *Tracker) Apply(r ExecutionReport) (a Applied, dup bool, err error) {
	key := KeyOf(r, k.BlockID)
	if Deduped(r.Kind) && k.seen[key] {
		return Applied{Status: k.Status, Totals: k.Totals}, true, nil
	}
	var ref *RefFill
	if f, ok := k.fills[r.ExecRefID]; ok && (r.Kind == ExecBust || r.Kind == ExecCorrect) {
		ref = &f
	}
	a, err = ApplyReport(k.Status, k.Totals, r, ref)
	if err != nil {
		return Applied{}, false, fmt.Errorf("order: block %d: %w", k.BlockID, err)
	}
	if Deduped(r.Kind) {
		k.seen[key] = true
	}
	if a.Reverses != "" {
		f := k.fills[a.Reverses]
		f.State = FillBusted
		if r.Kind == ExecCorrect {
			f.State = FillCorrected
		}
		k.fills[a.Reverses] = f
	}
	if a.NewFill {
		k.fills[r.ExecID] = RefFill{ExecID: r.ExecID, Quantity: r.LastQty, Price: r.LastPx, State: FillLive}
	}
	k.Status, k.Totals = a.Status, a.Totals
	return a, false, nil
}
