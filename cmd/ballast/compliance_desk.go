package main

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// complianceHook is the order desk's pre-trade compliance at entry and
// amendment: the order is checked on its portfolio's pro-forma state
// (holdings, working orders, the order itself). An amended order (with an
// id) is left out of the working orders and its check is stored at once; a
// new order's findings are stored by the desk after it is proposed.
func complianceHook(d *db.DB, clock order.Clock) complianceCheck {
	pre := newPrecheck(d, clock)
	return func(ctx context.Context, o order.Order) (order.Check, error) {
		var skip []int64
		if o.ID != 0 {
			skip = []int64{o.ID}
		}
		checks, _, err := pre.CheckTrades(ctx, []portfolio.Trade{order.TradeOf(o)}, skip)
		if err != nil {
			return order.Check{}, err
		}
		return checks[0].Check, nil
	}
}

// storeEntryCheck stores a manually entered order's findings once it has an id.
func (d *orderDesk) storeEntryCheck(ctx context.Context, o order.Order) error {
	if d.pre == nil {
		return nil
	}
	_, err := d.pre.StoreCheck(ctx, o)
	return err
}

// keepEntryCheck stores order o's findings (storeEntryCheck). A failure is
// logged, not returned: the order stands as entered or amended, and its
// review page computes the findings again.
func (d *orderDesk) keepEntryCheck(ctx context.Context, o order.Order) {
	if err := d.storeEntryCheck(ctx, o); err != nil {
		d.log.WarnContext(ctx, "compliance findings not stored; the review page computes them again",
			"order_id", o.ID, "error", err)
	}
}

// approveChecked approves order id after re-checking it with current prices
// (order.Precheck.Approve). A trader's override reason is never used: only a
// compliance officer overrides a soft breach, one by one.
func (d *orderDesk) approveChecked(ctx context.Context, actor order.Actor, id int64) (order.Order, error) {
	if d.pre == nil {
		return d.svc.Approve(ctx, id, actor, nil)
	}
	o, err := d.pre.Approve(ctx, d.svc, id, actor)
	if err != nil && o.Status == order.AwaitingOverride {
		return o, fmt.Errorf("order: approve %d: it has soft compliance breaches only a compliance officer can override: %w", id, order.ErrConflict)
	}
	return o, err
}

// bulkApproveChecked approves each order on its own with approveChecked.
func (d *orderDesk) bulkApproveChecked(ctx context.Context, actor order.Actor, ids []int64) []error {
	errs := make([]error, len(ids))
	for i, id := range ids {
		_, errs[i] = d.approveChecked(ctx, actor, id)
	}
	return errs
}

// amendChecked amends an order before release with its new check c and
// stores the amended order's findings.
func (d *orderDesk) amendChecked(ctx context.Context, actor order.Actor, id int64, qty, limit decimal.Decimal, c order.Check) (order.Order, error) {
	o, err := d.svc.AmendOrder(ctx, actor, id, qty, limit, c)
	if err == nil {
		d.keepEntryCheck(ctx, o)
	}
	return o, err
}
