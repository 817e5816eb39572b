package order

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/user"
)

// Release sends an approved block to its broker. The block and its orders
// are stored as sent first; if the Sender then refuses the request, they
// become rejected with the Sender's reason, so a release is never lost
// silently.
func (s *Service) Release(ctx context.Context, actor Actor, blockID int64) (Block, error) {
	now := s.now()
	b, err := s.blockAction(ctx, actor, blockID, "release", s.releaseChange(ctx, actor, now))
	if err != nil {
		return b, err
	}
	// Committed as sent: it is sent (or recorded as not sent) even if the
	// caller gives up now, never left stored as sent but unsent.
	return s.sendNew(context.WithoutCancel(ctx), b, now)
}

// releaseChange is the part of a release made in the store's transaction,
// for blockAction or changeBlock: the block gets a new ClOrdID, linked to
// it, and moves to Sent.
func (s *Service) releaseChange(ctx context.Context, actor Actor, now time.Time) func(Tx, *Block) error {
	return func(tx Tx, b *Block) error {
		b.ClOrdID, b.ReleasedAt = s.NewClOrdID(), now
		if err := tx.LinkClOrdID(ctx, b.ClOrdID, b.ID); err != nil {
			return err
		}
		return moveBlock(ctx, tx, b, Sent, OnRelease, actor.Name, "", now)
	}
}

// sendNew sends released block b's NewOrderSingle, once its release is
// committed; if the Sender refuses it, b becomes rejected (notSent).
func (s *Service) sendNew(ctx context.Context, b Block, now time.Time) (Block, error) {
	if err := s.Sender.Send(ctx, newOrderRequest(b, b.Totals.OrderQty, b.LimitPrice, b.ClOrdID, now)); err != nil {
		return s.notSent(ctx, b.ID, b.ClOrdID, "release", Sent, err)
	}
	return b, nil
}

// CancelBlock withdraws a block not yet released (its orders are cancelled)
// or asks the broker to cancel a working one (pending cancel until the broker
// answers).
func (s *Service) CancelBlock(ctx context.Context, actor Actor, blockID int64, reason string) (Block, error) {
	now := s.now()
	working, orig, prev := false, "", Status("")
	b, err := s.blockAction(ctx, actor, blockID, "cancel", func(tx Tx, b *Block) error {
		if b.Status == Approved {
			return moveBlock(ctx, tx, b, Cancelled, OnWithdraw, actor.Name, reason, now)
		}
		working, orig, prev = true, chainFrom(*b), b.Status
		return s.pending(ctx, tx, b, PendingCancel, OnCancelRequest, actor.Name, reason, now)
	})
	if err != nil || !working {
		return b, err
	}
	req := CancelRequest{Broker: b.Broker, ClOrdID: b.PendingClOrdID, OrigClOrdID: orig, BrokerID: b.BrokerID,
		Symbol: b.Symbol, Side: b.Side, Quantity: b.Totals.OrderQty, TransactAt: now}
	ctx = context.WithoutCancel(ctx) // committed as pending: see Release
	if err := s.Sender.Cancel(ctx, req); err != nil {
		return s.notSent(ctx, blockID, req.ClOrdID, "cancel", prev, err)
	}
	return b, nil
}

// ReplaceBlock asks the broker to change a working block's quantity and limit
// price. The new quantity must exceed what is filled and may not exceed the
// block's orders; the allocation follows the fills, not the block quantity.
func (s *Service) ReplaceBlock(ctx context.Context, actor Actor, blockID int64, qty, limit decimal.Decimal, reason string) (Block, error) {
	now := s.now()
	orig, prev := "", Status("")
	b, err := s.blockAction(ctx, actor, blockID, "replace", func(tx Tx, b *Block) error {
		if err := checkReplace(ctx, tx, *b, qty, limit); err != nil {
			return err
		}
		orig, prev = chainFrom(*b), b.Status
		return s.pending(ctx, tx, b, PendingReplace, OnReplaceRequest, actor.Name, reason, now)
	})
	if err != nil {
		return b, err
	}
	req := ReplaceRequest{NewOrderRequest: newOrderRequest(b, qty, limit, b.PendingClOrdID, now), OrigClOrdID: orig, BrokerID: b.BrokerID}
	ctx = context.WithoutCancel(ctx) // committed as pending: see Release
	if err := s.Sender.Replace(ctx, req); err != nil {
		return s.notSent(ctx, blockID, req.ClOrdID, "replace", prev, err)
	}
	return b, nil
}

func checkReplace(ctx context.Context, tx Tx, b Block, qty, limit decimal.Decimal) error {
	orders, err := tx.BlockOrders(ctx, b.ID)
	if err != nil {
		return err
	}
	ordered := decimal.Zero
	for _, o := range orders {
		ordered = ordered.Add(o.Quantity)
	}
	hasLimit := b.Type == Limit || b.Type == StopLimit
	switch {
	case !qty.GreaterThan(b.Totals.CumQty):
		return fmt.Errorf("order: replace block %d: quantity %s must exceed the %s filled: %w", b.ID, qty, b.Totals.CumQty, ErrInvalid)
	case qty.GreaterThan(ordered):
		return fmt.Errorf("order: replace block %d: quantity %s exceeds the %s its orders ask for: %w", b.ID, qty, ordered, ErrInvalid)
	case hasLimit && !limit.IsPositive():
		return fmt.Errorf("order: replace block %d: a %s block needs a positive limit price: %w", b.ID, b.Type, ErrInvalid)
	case !hasLimit && !limit.IsZero():
		return fmt.Errorf("order: replace block %d: a %s block has no limit price: %w", b.ID, b.Type, ErrInvalid)
	}
	return nil
}

// chainFrom is the OrigClOrdID of the next cancel or replace: the last
// ClOrdID not rejected — the request still in flight, if any, otherwise the
// last one the broker accepted (FIX order state matrices D.2).
func chainFrom(b Block) string {
	if b.PendingClOrdID != "" {
		return b.PendingClOrdID
	}
	return b.ClOrdID
}

// laterInFlight reports whether a request newer than the one answered by
// clOrdID is still waiting for the broker: the block then stays pending.
func laterInFlight(b Block, clOrdID string) bool {
	return b.PendingClOrdID != "" && clOrdID != b.PendingClOrdID
}

// pending moves a working block to a pending cancel or replace under a new ClOrdID.
func (s *Service) pending(ctx context.Context, tx Tx, b *Block, to Status, cause Cause, actor, reason string, now time.Time) error {
	if !IsWorking(b.Status) {
		return fmt.Errorf("order: block %d is %s: %w", b.ID, b.Status, ErrConflict)
	}
	b.PendingClOrdID = s.NewClOrdID()
	if err := tx.LinkClOrdID(ctx, b.PendingClOrdID, b.ID); err != nil {
		return err
	}
	return moveBlock(ctx, tx, b, to, cause, actor, reason, now)
}

// blockAction loads a block for a trader, lets change move it, and stores the
// block and its orders' statuses in one transaction.
func (s *Service) blockAction(ctx context.Context, actor Actor, blockID int64, what string, change func(Tx, *Block) error) (Block, error) {
	if !actor.has(user.Trader) {
		return Block{}, fmt.Errorf("order: %s block %d: %s is not a trader: %w", what, blockID, actor.Name, ErrForbidden)
	}
	var b Block
	err := s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		b, err = s.changeBlock(ctx, tx, actor, blockID, what, change)
		return err
	})
	return b, err
}

// changeBlock is blockAction's work inside transaction tx: it loads block
// blockID, lets change move it, and stores the block and its orders'
// statuses. An error names the action and the block.
func (s *Service) changeBlock(ctx context.Context, tx Tx, actor Actor, blockID int64, what string, change func(Tx, *Block) error) (Block, error) {
	b, err := tx.Block(ctx, blockID)
	if err != nil {
		return b, fmt.Errorf("order: %s block %d: %w", what, blockID, err)
	}
	if err := change(tx, &b); err != nil {
		return b, fmt.Errorf("order: %s block %d: %w", what, blockID, err)
	}
	return b, saveBlock(ctx, tx, b, Cause(what), actor.Name, s.now())
}

func saveBlock(ctx context.Context, tx Tx, b Block, cause Cause, actor string, now time.Time) error {
	if err := tx.UpdateBlock(ctx, b); err != nil {
		return err
	}
	orders, err := tx.BlockOrders(ctx, b.ID)
	if err != nil {
		return err
	}
	allocs, err := currentAllocs(ctx, tx, b.ID)
	if err != nil {
		return err
	}
	return syncOrders(ctx, tx, b, orders, allocs, nil, cause, actor, now)
}

// notSent records that the Sender refused request clOrdID: a new order
// becomes rejected; a cancel or replace is treated as refused by the broker
// (prev, the status before the request, tells whether it was acknowledged).
func (s *Service) notSent(ctx context.Context, blockID int64, clOrdID, what string, prev Status, sendErr error) (Block, error) {
	reason := fmt.Sprintf("%s not sent: %v", what, sendErr)
	var b Block
	err := s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		if b, err = tx.Block(ctx, blockID); err != nil {
			return err
		}
		if what == "release" {
			if b.Status != Sent {
				return nil // the broker answered first: its answer stands
			}
			if err := moveBlock(ctx, tx, &b, Rejected, OnBrokerReject, "sender", reason, s.now()); err != nil {
				return err
			}
			return saveBlock(ctx, tx, b, OnBrokerReject, "sender", s.now())
		}
		cr := CancelReject{ClOrdID: clOrdID, Reason: reason}
		if prev == Sent {
			cr.OrdStatus = "A" // still pending new at the broker
		}
		return s.applyCancelReject(ctx, tx, &b, cr, "sender")
	})
	if err != nil {
		return b, fmt.Errorf("order: %s block %d: %v; recording it failed: %w", what, blockID, sendErr, err)
	}
	return b, fmt.Errorf("order: %s block %d: %w", what, blockID, sendErr)
}

func newOrderRequest(b Block, qty, limit decimal.Decimal, clOrdID string, now time.Time) NewOrderRequest {
	return NewOrderRequest{Broker: b.Broker, ClOrdID: clOrdID, Account: b.Account, Symbol: b.Symbol, Side: b.Side,
		Quantity: qty, Type: b.Type, LimitPrice: limit, StopPrice: b.StopPrice, TimeInForce: b.TimeInForce,
		ExpireDate: b.ExpireDate, TransactAt: now}
}
