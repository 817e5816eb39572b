package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/web"
)

// orderDesk is the order book as the web layer uses it (web.OrderActions): the
// order Service plus the compliance check at entry, the refusal to send
// without a broker session, and a live-blotter notification after every
// change. It also takes the FIX client's inbound messages (OnExecution,
// OnCancelReject, OnSessionReject) so that fills show up live.
type orderDesk struct {
	svc       *order.Service
	store     *db.OrderStore
	hasBroker bool
	brokers   []string
	changes   *web.Broadcaster // what the live blotters subscribe to
	publish   func(web.Change)
	check     complianceCheck
	pre       *order.Precheck // pre-trade compliance: stored findings, re-check at approval (nil: none)
	// booked counts and logs each booking (serve_metrics.go); nil: nothing.
	booked func(context.Context, order.ExecutionReport, order.BookResult, error)
	log    *slog.Logger // what it cannot return: findings it could not store
}

// Enter runs compliance on a manual order and proposes it.
func (d *orderDesk) Enter(ctx context.Context, actor order.Actor, o order.Order) (order.Order, order.Check, error) {
	c, err := d.check(ctx, o)
	if err != nil {
		return order.Order{}, c, fmt.Errorf("orders: compliance check: %w", err)
	}
	os, err := d.svc.Propose(ctx, actor, []order.Proposal{{Order: o, Check: c}})
	if err != nil {
		return order.Order{}, c, err
	}
	d.keepEntryCheck(ctx, os[0])
	d.publish(web.Change{What: "order", OrderIDs: []int64{os[0].ID}})
	return os[0], c, nil
}

// Approve approves one order (four eyes are the Service's and the database's).
func (d *orderDesk) Approve(ctx context.Context, actor order.Actor, id int64) (order.Order, error) {
	o, err := d.approveChecked(ctx, actor, id)
	if o.ID != 0 {
		d.publish(web.Change{What: "order", OrderIDs: []int64{id}})
	}
	return o, err
}

// BulkApprove approves each order on its own.
func (d *orderDesk) BulkApprove(ctx context.Context, actor order.Actor, ids []int64) []error {
	errs := d.bulkApproveChecked(ctx, actor, ids)
	d.publish(web.Change{What: "order", OrderIDs: ids})
	return errs
}

// Cancel withdraws or cancels one order.
func (d *orderDesk) Cancel(ctx context.Context, actor order.Actor, id int64, reason string) (order.Order, error) {
	if err := d.needsBrokerFor(ctx, id); err != nil {
		return order.Order{}, err
	}
	o, err := d.svc.CancelOrder(ctx, actor, id, reason)
	d.publish(web.Change{What: "order", OrderIDs: []int64{id}, BlockID: o.BlockID})
	return o, err
}

// Replace amends an order before release (compliance runs again and it needs
// approving again) or replaces its block at the broker after.
func (d *orderDesk) Replace(ctx context.Context, actor order.Actor, id int64, qty, limit decimal.Decimal) (order.Order, error) {
	det, err := d.store.OrderDetail(ctx, id)
	if err != nil {
		return order.Order{}, fmt.Errorf("orders: replace %d: %w", id, err)
	}
	o := det.Order
	defer d.publish(web.Change{What: "order", OrderIDs: []int64{id}, BlockID: o.BlockID})
	if o.BlockID == 0 || (det.Block != nil && det.Block.Status == order.Approved) {
		if o.BlockID != 0 {
			return o, fmt.Errorf("orders: replace %d: it is in unreleased block %d; cancel it out of the block first: %w", id, o.BlockID, order.ErrConflict)
		}
		amended := o
		amended.Quantity, amended.LimitPrice = qty, limit
		c, err := d.check(ctx, amended)
		if err != nil {
			return o, fmt.Errorf("orders: compliance check: %w", err)
		}
		return d.amendChecked(ctx, actor, id, qty, limit, c)
	}
	if !d.hasBroker {
		return o, fmt.Errorf("orders: replace %d: %w", id, errNoBroker)
	}
	if n := d.blockSize(ctx, o.BlockID); n != 1 {
		return o, fmt.Errorf("orders: replace %d: its block %d holds %d orders; replace the block instead: %w", id, o.BlockID, n, order.ErrConflict)
	}
	if _, err := d.svc.ReplaceBlock(ctx, actor, o.BlockID, qty, limit, "replace order"); err != nil {
		return o, err
	}
	det, err = d.store.OrderDetail(ctx, id)
	return det.Order, err
}

// CreateBlock gathers approved orders into a block for broker.
func (d *orderDesk) CreateBlock(ctx context.Context, actor order.Actor, ids []int64, broker string) (order.Block, error) {
	if len(d.brokers) > 0 && !slices.Contains(d.brokers, broker) {
		return order.Block{}, fmt.Errorf("orders: block: broker %q is not configured (have %v): %w", broker, d.brokers, order.ErrInvalid)
	}
	b, err := d.svc.CreateBlock(ctx, actor, ids, broker)
	if err == nil {
		d.publish(web.Change{What: "block", OrderIDs: ids, BlockID: b.ID})
	}
	return b, err
}

// Release sends a block, unless no broker session is configured (then
// nothing changes).
func (d *orderDesk) Release(ctx context.Context, actor order.Actor, blockID int64) (order.Block, error) {
	if !d.hasBroker {
		return order.Block{}, fmt.Errorf("orders: release block %d: %w", blockID, errNoBroker)
	}
	b, err := d.svc.Release(ctx, actor, blockID)
	d.publish(web.Change{What: "block", BlockID: blockID})
	return b, err
}

// ReleaseBlocks sends blocks together, unless no broker session is
// configured (then nothing changes), and tells the live blotters of each
// block released.
func (d *orderDesk) ReleaseBlocks(ctx context.Context, actor order.Actor, ids []int64) ([]order.Block, error) {
	if !d.hasBroker {
		return nil, fmt.Errorf("orders: release blocks: %w", errNoBroker)
	}
	bs, err := d.svc.ReleaseBlocks(ctx, actor, ids)
	for _, b := range bs {
		d.publish(web.Change{What: "block", BlockID: b.ID})
	}
	return bs, err
}

// CancelBlock withdraws an unreleased block or cancels a working one.
func (d *orderDesk) CancelBlock(ctx context.Context, actor order.Actor, blockID int64, reason string) (order.Block, error) {
	b, err := d.svc.CancelBlock(ctx, actor, blockID, reason)
	d.publish(web.Change{What: "block", BlockID: blockID})
	return b, err
}

// ReplaceBlock changes a working block's quantity and limit price at the
// broker, unless no broker session is configured (then nothing changes).
func (d *orderDesk) ReplaceBlock(ctx context.Context, actor order.Actor, blockID int64, qty, limit decimal.Decimal) (order.Block, error) {
	if !d.hasBroker {
		return order.Block{}, fmt.Errorf("orders: replace block %d: %w", blockID, errNoBroker)
	}
	b, err := d.svc.ReplaceBlock(ctx, actor, blockID, qty, limit, "replace block")
	d.publish(web.Change{What: "block", BlockID: blockID})
	return b, err
}

// Brokers lists the brokers a block may be routed to.
func (d *orderDesk) Brokers() []string { return d.brokers }

// needsBrokerFor refuses to cancel a released order while no broker session exists.
func (d *orderDesk) needsBrokerFor(ctx context.Context, id int64) error {
	if d.hasBroker {
		return nil
	}
	det, err := d.store.OrderDetail(ctx, id)
	if err != nil {
		return fmt.Errorf("orders: cancel %d: %w", id, err)
	}
	if det.Block != nil && order.IsWorking(det.Block.Status) {
		return fmt.Errorf("orders: cancel %d: %w", id, errNoBroker)
	}
	return nil
}

func (d *orderDesk) blockSize(ctx context.Context, blockID int64) int {
	_, total, err := d.store.Orders(ctx, order.Filter{Limit: 1, BlockID: blockID})
	if err != nil {
		return -1
	}
	return total
}

// OnExecution books an execution report and tells the live blotters.
func (d *orderDesk) OnExecution(ctx context.Context, r order.ExecutionReport) error {
	res, err := d.svc.BookExecution(ctx, r)
	if d.booked != nil {
		d.booked(ctx, r, res, err)
	}
	if err == nil && !res.Duplicate {
		d.publish(web.Change{What: "execution", BlockID: res.BlockID})
	}
	return err
}

// OnExecutions books execution reports that arrived together in one
// transaction (order.Service.BookBatch) and tells the live blotters; each
// report's error is its own.
func (d *orderDesk) OnExecutions(ctx context.Context, rs []order.ExecutionReport) []error {
	res, errs := d.svc.BookBatch(ctx, rs)
	for i, r := range rs {
		if d.booked != nil {
			d.booked(ctx, r, res[i], errs[i])
		}
		if errs[i] == nil && !res[i].Duplicate {
			d.publish(web.Change{What: "execution", BlockID: res[i].BlockID})
		}
	}
	return errs
}

// OnCancelReject records a broker's refusal of a cancel or replace.
func (d *orderDesk) OnCancelReject(ctx context.Context, cr order.CancelReject) error {
	err := d.svc.HandleCancelReject(ctx, cr)
	d.publish(web.Change{What: "block"})
	return err
}

// OnSessionReject records a session-level refusal of an outbound message.
func (d *orderDesk) OnSessionReject(ctx context.Context, sr order.SessionReject) error {
	err := d.svc.HandleSessionReject(ctx, sr)
	d.publish(web.Change{What: "block"})
	return err
}
