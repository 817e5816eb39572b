package order

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/user"
)

// CancelOrder cancels one order. An order not yet released is withdrawn (and
// taken out of its unreleased block); an order released alone in its block
// has the block cancelled at the broker (see CancelBlock). An order released
// in a block with others cannot be cancelled on its own: replace the block
// down instead. The proposer may withdraw their own order; otherwise a trader
// is needed.
func (s *Service) CancelOrder(ctx context.Context, actor Actor, id int64, reason string) (Order, error) {
	now := s.now()
	var o Order
	alone := false
	err := s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		if o, err = tx.Order(ctx, id); err != nil {
			return fmt.Errorf("order: cancel %d: %w", id, err)
		}
		if !actor.has(user.Trader) && actor.Name != o.ProposedBy {
			return fmt.Errorf("order: cancel %d: %s is neither a trader nor its proposer: %w", id, actor.Name, ErrForbidden)
		}
		if o.BlockID == 0 && IsPreTrade(o.Status) {
			if err := moveOrder(ctx, tx, &o, Cancelled, OnWithdraw, actor.Name, reason, now); err != nil {
				return fmt.Errorf("order: cancel %d: %w", id, err)
			}
			return tx.UpdateOrder(ctx, o)
		}
		if o.BlockID == 0 {
			return fmt.Errorf("order: cancel %d: it is %s: %w", id, o.Status, ErrConflict)
		}
		alone, err = s.leaveBlock(ctx, tx, &o, actor.Name, reason)
		return err
	})
	if err != nil || !alone {
		return o, err
	}
	if _, err := s.CancelBlock(ctx, actor, o.BlockID, reason); err != nil {
		return o, fmt.Errorf("order: cancel %d: %w", id, err)
	}
	return s.loadOrder(ctx, id)
}

// leaveBlock takes o out of its unreleased block and withdraws it, or reports
// that o is alone in its block (which the caller then cancels).
func (s *Service) leaveBlock(ctx context.Context, tx Tx, o *Order, actor, reason string) (alone bool, err error) {
	b, err := tx.Block(ctx, o.BlockID)
	if err != nil {
		return false, err
	}
	orders, err := tx.BlockOrders(ctx, b.ID)
	if err != nil {
		return false, err
	}
	if len(orders) == 1 {
		return true, nil
	}
	if b.Status != Approved {
		return false, fmt.Errorf("order: cancel %d: block %d is %s with %d orders; replace the block down instead: %w",
			o.ID, b.ID, b.Status, len(orders), ErrConflict)
	}
	b.Totals.OrderQty = b.Totals.OrderQty.Sub(o.Quantity)
	if err := tx.UpdateBlock(ctx, b); err != nil {
		return false, err
	}
	o.BlockID = 0
	if err := moveOrder(ctx, tx, o, Cancelled, OnWithdraw, actor, fmt.Sprintf("%s (left block %d)", reason, b.ID), s.now()); err != nil {
		return false, err
	}
	return false, tx.UpdateOrder(ctx, *o)
}

// AmendOrder changes the quantity and limit price of an order not yet in a
// block and sends it through compliance again with check (computed by the
// caller on the amended order). An approved order needs approving again, and
// the amender may not approve it (four eyes). The amendment voids the
// compliance overrides given before it: a compliance officer overrides the
// amended order's soft breaches afresh. The proposer or a trader may amend.
func (s *Service) AmendOrder(ctx context.Context, actor Actor, id int64, qty, limit decimal.Decimal, check Check) (Order, error) {
	now := s.now()
	if err := check.valid(); err != nil {
		return Order{}, fmt.Errorf("order: amend %d: %w", id, err)
	}
	var o Order
	err := s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		if o, err = tx.Order(ctx, id); err != nil {
			return fmt.Errorf("order: amend %d: %w", id, err)
		}
		if !actor.has(user.Trader) && actor.Name != o.ProposedBy {
			return fmt.Errorf("order: amend %d: %s is neither a trader nor its proposer: %w", id, actor.Name, ErrForbidden)
		}
		if o.BlockID != 0 || !IsPreTrade(o.Status) || o.Status == Proposed || o.Status == PendingCompliance {
			return fmt.Errorf("order: amend %d: it is %s (block %d): %w", id, o.Status, o.BlockID, ErrConflict)
		}
		was := o
		o.Quantity, o.LimitPrice = qty, limit
		if err := o.Validate(now); err != nil {
			return fmt.Errorf("order: amend %d: %w", id, err)
		}
		if actor.Name != o.ProposedBy {
			o.AmendedBy = actor.Name
		}
		o.ApprovedBy, o.Override = "", ""
		if err := s.amended(ctx, tx, was, &o, actor.Name, now); err != nil {
			return fmt.Errorf("order: amend %d: %w", id, err)
		}
		if err := s.check(ctx, tx, &o, actor.Name, check, now); err != nil {
			return err
		}
		return tx.UpdateOrder(ctx, o)
	})
	return o, err
}

// amended counts the amendment of was into o (voiding the overrides given
// before it) and records it in the audit trail with the terms it changed and
// the overrides it voided.
func (s *Service) amended(ctx context.Context, tx Tx, was Order, o *Order, actor string, now time.Time) error {
	voided := 0
	if ct, ok := tx.(ComplianceTx); ok {
		ovs, err := ct.Overrides(ctx, o.ID)
		if err != nil {
			return err
		}
		for _, ov := range ovs {
			if !ov.Voided {
				voided++
			}
		}
	}
	o.Amendments = was.Amendments + 1
	details := fmt.Sprintf("amendment %d: quantity %s → %s", o.Amendments, was.Quantity, o.Quantity)
	if !was.LimitPrice.Equal(o.LimitPrice) {
		details += fmt.Sprintf(", limit %s → %s", was.LimitPrice, o.LimitPrice)
	}
	if voided > 0 {
		details += fmt.Sprintf("; voids %d compliance override(s) given before it: the new terms need their own", voided)
	}
	return tx.AppendEvent(ctx, Event{At: now, Actor: actor, Action: "amend", OrderID: o.ID, Portfolio: o.Portfolio, Details: details})
}

func (s *Service) loadOrder(ctx context.Context, id int64) (Order, error) {
	var o Order
	err := s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		o, err = tx.Order(ctx, id)
		return err
	})
	return o, err
}

// ExpireProposals marks expired every order still waiting for approval
// (proposed, blocked, awaiting override, ready) whose approval expiry has
// passed, and returns them. Run it at the end of the trading day.
func (s *Service) ExpireProposals(ctx context.Context) ([]Order, error) {
	now := s.now()
	var out []Order
	err := s.Store.InTx(ctx, func(tx Tx) error {
		due, err := tx.OrdersExpiring(ctx, []Status{Proposed, Blocked, AwaitingOverride, Ready}, now)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, o := range due {
			if err := moveOrder(ctx, tx, &o, Expired, OnExpire, "system", "not approved before "+o.ExpiresAt.Format(time.RFC3339), now); err != nil {
				return err
			}
			if err := tx.UpdateOrder(ctx, o); err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("order: expire proposals: %w", err)
	}
	return out, nil
}
