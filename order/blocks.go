package order

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/user"
)

// CreateBlock gathers approved orders that share security, side and price
// terms into one block for broker. Nothing is sent yet.
func (s *Service) CreateBlock(ctx context.Context, actor Actor, ids []int64, broker string) (Block, error) {
	now := s.now()
	if !actor.has(user.Trader) {
		return Block{}, fmt.Errorf("order: block: %s is not a trader: %w", actor.Name, ErrForbidden)
	}
	if len(ids) == 0 || strings.TrimSpace(broker) == "" {
		return Block{}, fmt.Errorf("order: block: orders and a broker are required: %w", ErrInvalid)
	}
	var b Block
	err := s.Store.InTx(ctx, func(tx Tx) error {
		orders, err := loadBlockable(ctx, tx, ids)
		if err != nil {
			return err
		}
		if b, err = s.newBlock(ctx, tx, orders, broker, actor.Name, now); err != nil {
			return err
		}
		if b.ID, err = tx.InsertBlock(ctx, b); err != nil {
			return fmt.Errorf("order: block: %w", err)
		}
		for _, o := range orders {
			o.BlockID = b.ID
			if err := tx.UpdateOrder(ctx, o); err != nil {
				return err
			}
			ev := Event{At: now, Actor: actor.Name, Action: "block", OrderID: o.ID, BlockID: b.ID, Portfolio: o.Portfolio,
				Details: fmt.Sprintf("block %d at %s", b.ID, b.Broker)}
			if err := tx.AppendEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	return b, err
}

func loadBlockable(ctx context.Context, tx Tx, ids []int64) ([]Order, error) {
	seen := map[int64]bool{}
	orders := make([]Order, 0, len(ids))
	for _, id := range ids {
		if seen[id] {
			return nil, fmt.Errorf("order: block: order %d listed twice: %w", id, ErrInvalid)
		}
		seen[id] = true
		o, err := tx.Order(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("order: block: order %d: %w", id, err)
		}
		if o.Status != Approved || o.BlockID != 0 {
			return nil, fmt.Errorf("order: block: order %d is %s (block %d), not an approved unblocked order: %w", id, o.Status, o.BlockID, ErrConflict)
		}
		if d := termsDiffer(orders, o); d != "" {
			return nil, fmt.Errorf("order: block: order %d differs in %s: %w", id, d, ErrInvalid)
		}
		orders = append(orders, o)
	}
	return orders, nil
}

// termsDiffer names the first term in which o differs from the orders already gathered.
func termsDiffer(orders []Order, o Order) string {
	if len(orders) == 0 {
		return ""
	}
	f := orders[0]
	switch {
	case f.Symbol != o.Symbol:
		return "symbol"
	case f.Side != o.Side:
		return "side"
	case f.Type != o.Type:
		return "order type"
	case !f.LimitPrice.Equal(o.LimitPrice):
		return "limit price"
	case !f.StopPrice.Equal(o.StopPrice):
		return "stop price"
	case f.TimeInForce != o.TimeInForce || !f.ExpireDate.Equal(o.ExpireDate):
		return "time in force"
	}
	return ""
}

func (s *Service) newBlock(ctx context.Context, tx Tx, orders []Order, broker, actor string, now time.Time) (Block, error) {
	f := orders[0]
	sec, err := tx.Security(ctx, f.Symbol)
	if err != nil {
		return Block{}, fmt.Errorf("order: block: security %s: %w", f.Symbol, err)
	}
	lot := sec.LotSize
	if !lot.IsPositive() {
		lot = decimal.NewFromInt(1)
	}
	b := Block{Symbol: f.Symbol, Side: f.Side, Type: f.Type, LimitPrice: f.LimitPrice, StopPrice: f.StopPrice,
		TimeInForce: f.TimeInForce, ExpireDate: f.ExpireDate, Broker: strings.TrimSpace(broker), LotSize: lot,
		Status: Approved, Account: f.Portfolio, CreatedBy: actor, CreatedAt: now}
	for _, o := range orders {
		b.Totals.OrderQty = b.Totals.OrderQty.Add(o.Quantity)
		if o.Portfolio != f.Portfolio {
			b.Account = s.BlockAccount
		}
	}
	return b, nil
}

// moveBlock changes b's status when the table allows it, with an audit event.
func moveBlock(ctx context.Context, tx Tx, b *Block, to Status, cause Cause, actor, reason string, now time.Time) error {
	if err := Allowed(b.Status, to, cause); err != nil {
		return fmt.Errorf("block %d: %w", b.ID, err)
	}
	ev := Event{At: now, Actor: actor, Action: string(cause), BlockID: b.ID, From: b.Status, To: to, Reason: reason}
	b.Status = to
	return tx.AppendEvent(ctx, ev)
}

// childStatus is the status an order of block b has with alloc allocated.
func childStatus(b Block, o Order, alloc decimal.Decimal) Status {
	if alloc.IsPositive() && !alloc.LessThan(o.Quantity) {
		return Filled
	}
	switch b.Status {
	case Filled:
		return Cancelled // the block was replaced down: the rest of this order will not fill
	case PartiallyFilled, Acknowledged, Sent:
		if alloc.IsPositive() {
			return PartiallyFilled
		}
		if b.Status == PartiallyFilled {
			return Acknowledged
		}
	}
	return b.Status
}

// syncOrders brings every order of b to the status its block and allocation
// imply, and writes the orders whose status moved or that are in dirty. A
// change the table refuses is not made; it is audited instead.
func syncOrders(ctx context.Context, tx Tx, b Block, orders []Order, allocs map[int64]decimal.Decimal, dirty map[int64]bool, cause Cause, actor string, now time.Time) error {
	for _, o := range orders {
		to := childStatus(b, o, allocs[o.ID])
		if to == o.Status {
			if dirty[o.ID] {
				if err := tx.UpdateOrder(ctx, o); err != nil {
					return err
				}
			}
			continue
		}
		ev := Event{At: now, Actor: actor, Action: string(cause), OrderID: o.ID, BlockID: b.ID, Portfolio: o.Portfolio, From: o.Status, To: to}
		if err := Transition(o.Status, to); err != nil {
			ev.Action, ev.To, ev.Reason = "status_kept", o.Status, err.Error()
		} else {
			o.Status = to
		}
		if ev.Action != "status_kept" || dirty[o.ID] {
			if err := tx.UpdateOrder(ctx, o); err != nil {
				return err
			}
		}
		if err := tx.AppendEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

func currentAllocs(ctx context.Context, tx Tx, blockID int64) (map[int64]decimal.Decimal, error) {
	recs, err := tx.Allocations(ctx, blockID)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]decimal.Decimal, len(recs))
	for _, r := range recs {
		m[r.OrderID] = r.Quantity
	}
	return m, nil
}
