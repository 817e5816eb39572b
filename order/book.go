package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// BookResult says what BookExecution did with a report.
type BookResult struct {
	BlockID     int64
	Duplicate   bool   // the key was booked before: nothing changed
	Unmatched   bool   // no block has the report's ClOrdID: kept under block 0, nothing booked
	Refused     string // the report was kept but could not be applied (see ApplyReport)
	Status      Status // the block's status afterwards
	Totals      Totals
	Discrepancy string
}

// BookExecution books one execution report exactly once, in one transaction:
// the execution row, the block's status and totals, the allocation of the
// block's cumulative fills to its orders, their positions and cash, the
// orders' statuses and the audit events. A report whose key (see ExecKey) is
// already stored changes nothing. Reports for unknown orders and reports the
// state machine refuses are kept (and audited), never dropped.
//
// Allocation is cumulative (see Allocate): after each fill, bust or
// correction, every order whose allocated quantity or the block's average
// price changed has its previous allocation booking reversed and the new
// allocation booked at the block's average price (8 dp). Cash therefore
// moves by allocated quantity × rounded average price; across the orders it
// can differ from the block's exact notional by less than CumQty × 0.5e-8.
// Fills beyond the orders' total (an overfill) stay unallocated in the block.
func (s *Service) BookExecution(ctx context.Context, r ExecutionReport) (BookResult, error) {
	if r.Session == "" || r.ExecID == "" {
		return BookResult{}, fmt.Errorf("order: book: a report needs a session and an ExecID: %w", ErrInvalid)
	}
	var res BookResult
	err := s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		res, err = s.book(ctx, tx, r, s.now())
		return err
	})
	if errors.Is(err, ErrDuplicate) {
		return BookResult{Duplicate: true, BlockID: res.BlockID}, nil
	}
	if err != nil {
		return BookResult{}, fmt.Errorf("order: book %s/%s: %w", r.Session, r.ExecID, err)
	}
	return res, nil
}

func (s *Service) book(ctx context.Context, tx Tx, r ExecutionReport, now time.Time) (BookResult, error) {
	actor := "broker:" + r.Broker
	b, err := matchBlock(ctx, tx, r.ClOrdID, r.OrigClOrdID)
	if errors.Is(err, ErrNotFound) {
		res, err := keep(ctx, tx, Execution{Key: KeyOf(r, 0), Kind: r.Kind, RefExecID: r.ExecRefID, Report: r,
			Refused: "no order has ClOrdID " + r.ClOrdID}, actor, now)
		if errors.Is(err, ErrDuplicate) {
			return BookResult{Duplicate: true}, nil
		}
		return res, err
	}
	if err != nil {
		return BookResult{}, err
	}
	res := BookResult{BlockID: b.ID}
	dup := BookResult{BlockID: b.ID, Duplicate: true, Status: b.Status, Totals: b.Totals}
	ref, err := refFill(ctx, tx, r, b.ID)
	if err != nil {
		return res, err
	}
	exec := Execution{Key: KeyOf(r, b.ID), Kind: r.Kind, RefExecID: r.ExecRefID, Report: r}
	a, aerr := ApplyReport(b.Status, b.Totals, r, ref)
	if aerr != nil {
		exec.Refused = aerr.Error()
		out, err := keep(ctx, tx, exec, actor, now)
		if errors.Is(err, ErrDuplicate) {
			return dup, nil
		}
		out.BlockID, out.Status, out.Totals = b.ID, b.Status, b.Totals
		return out, err
	}
	if r.Kind == ExecReplaced && a.Status != Filled && laterInFlight(b, r.ClOrdID) {
		a.Status, a.Cause = b.Status, "" // pending replace outranks replaced while another request waits
	}
	// The execution row is the first write: its UNIQUE key refuses a
	// duplicate before anything else is written.
	if err := recordExecution(ctx, tx, &exec, a, r); errors.Is(err, ErrDuplicate) {
		return dup, nil
	} else if err != nil {
		return res, err
	}
	prev := b.Status
	if a.Status != prev {
		if err := moveBlock(ctx, tx, &b, a.Status, a.Cause, actor, string(r.Kind), now); err != nil {
			return res, err
		}
	}
	b.Totals = a.Totals
	followChain(&b, r)
	if err := tx.UpdateBlock(ctx, b); err != nil {
		return res, err
	}
	if err := tx.AppendEvent(ctx, executionEvent(b, r, a, actor, now)); err != nil {
		return res, err
	}
	cause := a.Cause
	if cause == "" {
		cause = Cause(r.Kind)
	}
	if err := s.reallocate(ctx, tx, b, a.NewFill || a.Reverses != "", cause, actor, now); err != nil {
		return res, err
	}
	return BookResult{BlockID: b.ID, Status: b.Status, Totals: b.Totals, Discrepancy: a.Discrepancy}, nil
}

// keep stores a report that books nothing (unknown order, refused) and audits it.
func keep(ctx context.Context, tx Tx, e Execution, actor string, now time.Time) (BookResult, error) {
	if Deduped(e.Kind) {
		if err := tx.InsertExecution(ctx, e); err != nil {
			return BookResult{BlockID: e.Key.BlockID}, err
		}
	}
	ev := Event{At: now, Actor: actor, Action: "execution_kept", BlockID: e.Key.BlockID, Reason: e.Refused,
		Details: fmt.Sprintf("%s %s ClOrdID %s", e.Kind, e.Key.ExecID, e.Report.ClOrdID)}
	return BookResult{BlockID: e.Key.BlockID, Unmatched: e.Key.BlockID == 0, Refused: e.Refused}, tx.AppendEvent(ctx, ev)
}

func refFill(ctx context.Context, tx Tx, r ExecutionReport, blockID int64) (*RefFill, error) {
	if (r.Kind != ExecBust && r.Kind != ExecCorrect) || r.ExecRefID == "" {
		return nil, nil
	}
	e, err := tx.Execution(ctx, ExecKey{Session: r.Session, BlockID: blockID, ExecID: r.ExecRefID})
	if errors.Is(err, ErrNotFound) || (err == nil && e.State == "") {
		return nil, nil // ApplyReport refuses it as unknown
	}
	if err != nil {
		return nil, err
	}
	return &RefFill{ExecID: r.ExecRefID, Quantity: e.Quantity, Price: e.Price, State: e.State}, nil
}

func recordExecution(ctx context.Context, tx Tx, e *Execution, a Applied, r ExecutionReport) error {
	e.Discrepancy = a.Discrepancy
	if a.NewFill {
		e.Quantity, e.Price, e.State = r.LastQty, r.LastPx, FillLive
	}
	if Deduped(r.Kind) {
		if err := tx.InsertExecution(ctx, *e); err != nil {
			return err
		}
	}
	if a.Reverses == "" {
		return nil
	}
	st := FillBusted
	if r.Kind == ExecCorrect {
		st = FillCorrected
	}
	return tx.SetFillState(ctx, ExecKey{Session: r.Session, BlockID: e.Key.BlockID, ExecID: a.Reverses}, st)
}

// followChain keeps the block's ClOrdID chain and broker id up to date.
func followChain(b *Block, r ExecutionReport) {
	if b.BrokerID == "" && r.BrokerID != "" {
		b.BrokerID = r.BrokerID
	}
	// A replace or cancel the broker confirmed makes its ClOrdID the last
	// accepted one, even when a later request is still pending.
	if (r.Kind == ExecReplaced || r.Kind == ExecCancelled) && r.ClOrdID != "" {
		b.ClOrdID = r.ClOrdID
		if r.ClOrdID == b.PendingClOrdID {
			b.PendingClOrdID = ""
		}
	}
	if r.Kind == ExecReplaced && r.Price.IsPositive() && (b.Type == Limit || b.Type == StopLimit) {
		b.LimitPrice = r.Price
	}
}

func executionEvent(b Block, r ExecutionReport, a Applied, actor string, now time.Time) Event {
	d := fmt.Sprintf("%s %s", r.Kind, r.ExecID)
	if a.NewFill {
		d += fmt.Sprintf(" %s@%s", r.LastQty, r.LastPx)
	}
	if a.Reverses != "" {
		d += " reverses " + a.Reverses
	}
	d += fmt.Sprintf("; cum %s avg %s", a.Totals.CumQty, a.Totals.AvgPx())
	return Event{At: now, Actor: actor, Action: "execution", BlockID: b.ID, Reason: a.Discrepancy, Details: d}
}

// reallocate re-allocates the block's cumulative fills when they changed
// (fills true) and brings its orders' statuses in line.
func (s *Service) reallocate(ctx context.Context, tx Tx, b Block, fills bool, cause Cause, actor string, now time.Time) error {
	orders, err := tx.BlockOrders(ctx, b.ID)
	if err != nil {
		return err
	}
	allocs, err := currentAllocs(ctx, tx, b.ID)
	if err != nil {
		return err
	}
	dirty := map[int64]bool{}
	if fills {
		if allocs, err = rebook(ctx, tx, b, orders, dirty); err != nil {
			return err
		}
	}
	return syncOrders(ctx, tx, b, orders, allocs, dirty, cause, actor, now)
}

// rebook allocates the block's cumulative fills and rebooks every order whose
// allocation changed; it updates orders in place and marks them dirty.
func rebook(ctx context.Context, tx Tx, b Block, orders []Order, dirty map[int64]bool) (map[int64]decimal.Decimal, error) {
	legs := make([]Leg, len(orders))
	ordered := decimal.Zero
	for i, o := range orders {
		legs[i] = Leg{OrderID: o.ID, Portfolio: o.Portfolio, Ordered: o.Quantity}
		ordered = ordered.Add(o.Quantity)
	}
	if len(legs) == 0 {
		return map[int64]decimal.Decimal{}, nil // nothing to allocate to: the fills stay on the block
	}
	lot := b.LotSize
	if !lot.IsPositive() {
		lot = decimal.NewFromInt(1)
	}
	allocs, err := Allocate(legs, decimal.Min(b.Totals.CumQty, ordered), lot, b.Totals.AvgPx())
	if err != nil {
		return nil, err
	}
	recs, err := tx.Allocations(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	prev := make(map[int64]AllocationRecord, len(recs))
	for _, rec := range recs {
		prev[rec.OrderID] = rec
	}
	out := make(map[int64]decimal.Decimal, len(allocs))
	for i, a := range allocs {
		out[a.OrderID] = a.Quantity
		p, had := prev[a.OrderID]
		if had && p.Quantity.Equal(a.Quantity) && p.Price.Equal(a.Price) {
			continue
		}
		rec, err := bookAllocation(ctx, tx, b, a, p, had)
		if err != nil {
			return nil, err
		}
		if err := tx.SaveAllocation(ctx, rec); err != nil {
			return nil, err
		}
		orders[i].FilledQty, orders[i].AvgPx = a.Quantity, decimal.Zero
		if a.Quantity.IsPositive() {
			orders[i].AvgPx = a.Price
		}
		dirty[a.OrderID] = true
	}
	return out, nil
}

// bookAllocation reverses the order's previous allocation booking (when it
// had one) and books the new allocation into its position and cash.
func bookAllocation(ctx context.Context, tx Tx, b Block, a Allocation, prev AllocationRecord, had bool) (AllocationRecord, error) {
	pos, err := tx.Position(ctx, a.Portfolio, b.Symbol)
	if err != nil {
		return AllocationRecord{}, err
	}
	pos.Portfolio, pos.Symbol = a.Portfolio, b.Symbol
	cash, err := tx.Cash(ctx, a.Portfolio)
	if err != nil {
		return AllocationRecord{}, err
	}
	if had {
		pos, cash = Reverse(pos, cash, prev.Booking)
	}
	rec := AllocationRecord{BlockID: b.ID, OrderID: a.OrderID, Portfolio: a.Portfolio, Quantity: a.Quantity, Price: a.Price}
	if a.Quantity.IsPositive() {
		if pos, cash, rec.Booking, err = Book(pos, cash, Fill{Side: b.Side, Quantity: a.Quantity, Price: a.Price}); err != nil {
			return rec, err
		}
	}
	if err := tx.SavePosition(ctx, pos); err != nil {
		return rec, err
	}
	return rec, tx.SaveCash(ctx, a.Portfolio, cash)
}
