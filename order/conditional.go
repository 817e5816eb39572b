package order

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ConditionalOrder is an order created by a conditional order (stop-loss,
// take-profit, trailing stop…) that fired on the server. Its four eyes were
// given once, when a trader who is not the condition's creator approved the
// condition; the order needs no further approval.
type ConditionalOrder struct {
	Order    Order
	Check    Check  // the compliance result of the order, computed by the caller
	Creator  string // the condition's creator: the order's proposer
	Approver Actor  // the condition's approver: a trader other than the creator
	Reason   string // cites the condition and the price that fired it, for the audit trail
	Broker   string // where it goes: the portfolio's default broker
}

// ProposeConditional turns a fired condition into a working order without
// anyone at the desk. In one transaction it proposes the order as the
// condition's creator with its compliance check, approves it as the
// condition's approver with Reason (four eyes: the approver must be a trader
// who did not create it), and puts it alone in a block for Broker; then it
// releases the block (Release). When compliance does not pass, the order
// stays blocked (hard breach) or awaiting override (soft) and nothing else
// happens: the order is returned with a nil block and no error, and the caller
// raises the alert. A release the Sender refuses leaves the block rejected,
// as for any release, and returns the Sender's error.
func (s *Service) ProposeConditional(ctx context.Context, c ConditionalOrder) (Order, *Block, error) {
	now := s.now()
	op := fmt.Sprintf("order: conditional %s %s %s/%s", c.Order.Side, c.Order.Quantity, c.Order.Portfolio, c.Order.Symbol)
	switch {
	case strings.TrimSpace(c.Creator) == "":
		return Order{}, nil, fmt.Errorf("%s: no creator: %w", op, ErrInvalid)
	case strings.TrimSpace(c.Broker) == "":
		return Order{}, nil, fmt.Errorf("%s: the portfolio has no default broker: %w", op, ErrConflict)
	case strings.TrimSpace(c.Reason) == "":
		return Order{}, nil, fmt.Errorf("%s: no reason: %w", op, ErrInvalid)
	}
	if err := c.Order.Validate(now); err != nil {
		return Order{}, nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := c.Check.valid(); err != nil {
		return Order{}, nil, fmt.Errorf("%s: %w", op, err)
	}
	var o Order
	var b Block
	err := s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		if o, err = s.propose(ctx, tx, c.Creator, Proposal{Order: c.Order, Check: c.Check}, now); err != nil {
			return err
		}
		if o.Status != Ready {
			return nil // blocked or awaiting override: kept for the desk
		}
		if b, err = s.approveAndBlock(ctx, tx, &o, c, now); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return Order{}, nil, fmt.Errorf("%s: %w", op, err)
	}
	if o.Status != Approved {
		return o, nil, nil
	}
	rb, err := s.Release(ctx, c.Approver, b.ID)
	if err != nil {
		return o, &rb, fmt.Errorf("%s: %w", op, err)
	}
	o.Status = rb.Status
	return o, &rb, nil
}

// approveAndBlock approves a ready order as the condition's approver, citing
// the condition, and puts it alone in a new block.
func (s *Service) approveAndBlock(ctx context.Context, tx Tx, o *Order, c ConditionalOrder, now time.Time) (Block, error) {
	if err := checkApprover(*o, c.Approver.Name, c.Approver.Roles); err != nil {
		return Block{}, err
	}
	if err := checkApprovable(*o, now); err != nil {
		return Block{}, err
	}
	o.ApprovedBy = c.Approver.Name
	if err := moveOrder(ctx, tx, o, Approved, OnApprove, c.Approver.Name, c.Reason, now); err != nil {
		return Block{}, err
	}
	b, err := s.newBlock(ctx, tx, []Order{*o}, c.Broker, c.Approver.Name, now)
	if err != nil {
		return Block{}, err
	}
	if b.ID, err = tx.InsertBlock(ctx, b); err != nil {
		return Block{}, fmt.Errorf("block: %w", err)
	}
	o.BlockID = b.ID
	if err := tx.UpdateOrder(ctx, *o); err != nil {
		return Block{}, err
	}
	ev := Event{At: now, Actor: c.Approver.Name, Action: "block", OrderID: o.ID, BlockID: b.ID, Portfolio: o.Portfolio,
		Details: fmt.Sprintf("block %d at %s: %s", b.ID, b.Broker, c.Reason)}
	return b, tx.AppendEvent(ctx, ev)
}
