package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
)

// fire turns a fired (and stored) condition into an order: compliance on it,
// then proposed as the condition's creator, approved as its approver with the
// firing price as the reason, blocked alone and released to the portfolio's
// default broker. A hard breach leaves the order blocked; that, a soft
// warning, or any refusal is an alert on the condition (shown on the
// auto-order pages) and an audit event.
func (td *triggerDesk) fire(ctx context.Context, f trigger.Fired) {
	c := f.Condition
	log := td.log.With("condition_id", c.ID, "portfolio", c.Portfolio, "symbol", c.Symbol, "price", f.Price.String())
	log.Info("condition fired", "side", string(f.Trade.Side), "quantity", f.Trade.Quantity.String())
	if td.orders == nil {
		td.alert(ctx, c.ID, 0, "no order book is running: the order was not created")
		return
	}
	o, alert, err := td.placeOrder(ctx, f)
	if err != nil {
		log.Error("order of a fired condition", "order_id", o.ID, "err", err)
		alert = err.Error()
	}
	if alert != "" {
		td.alert(ctx, c.ID, o.ID, alert)
	} else if err := td.d.SetConditionOrder(ctx, c.ID, o.ID, "", db.ConditionEvent{Actor: db.TriggerActor,
		Action: "condition_order", Reason: fmt.Sprintf("order %d %s to %s", o.ID, o.Status, o.Broker)}); err != nil {
		log.Error("link order to condition", "order_id", o.ID, "err", err)
	}
	if o.ID != 0 && td.onOrder != nil {
		td.onOrder(o.ID)
	}
}

// placeOrder builds, checks and places the order of f; alert says why it
// did not go out when compliance stopped it.
func (td *triggerDesk) placeOrder(ctx context.Context, f trigger.Fired) (order.Order, string, error) {
	c := f.Condition
	pf, err := td.d.Portfolio(ctx, c.Portfolio)
	if err != nil {
		return order.Order{}, "", fmt.Errorf("portfolio %s: %w", c.Portfolio, err)
	}
	o := order.Order{Portfolio: c.Portfolio, Symbol: c.Symbol, Side: f.Trade.Side, Quantity: f.Trade.Quantity,
		Type: order.Market, TimeInForce: order.Day, Broker: pf.DefaultBroker, Notes: f.Trade.Reason}
	if f.Trade.LimitPrice.IsPositive() {
		o.Type, o.LimitPrice = order.Limit, f.Trade.LimitPrice
	}
	tc, err := td.checkFired(ctx, o)
	if err != nil {
		return order.Order{}, "", err
	}
	approver, err := td.d.UserByName(ctx, c.ApprovedBy)
	if err != nil {
		return order.Order{}, "", fmt.Errorf("approver %s: %w", c.ApprovedBy, err)
	}
	roles := approver.Roles
	if approver.Disabled {
		roles = nil // a disabled approver's four eyes no longer count
	}
	reason := fmt.Sprintf("%s; approved once by %s for condition #%d", f.Trade.Reason, c.ApprovedBy, c.ID)
	placed, _, err := td.orders.ProposeConditional(ctx, order.ConditionalOrder{Order: o, Check: tc.Check,
		Creator: c.CreatedBy, Approver: order.Actor{Name: approver.Name, Roles: roles}, Reason: reason, Broker: pf.DefaultBroker})
	if placed.ID != 0 && td.pre != nil {
		rec := order.CheckRecord{OrderID: placed.ID, Phase: order.PhasePropose, Verdict: tc.Check.Verdict,
			Summary: tc.Check.Findings, At: td.now().UTC(), Results: tc.Results}
		if serr := td.pre.Store.SaveChecks(ctx, []order.CheckRecord{rec}); serr != nil {
			td.log.Error("store compliance of a fired order", "order_id", placed.ID, "err", serr)
		}
	}
	if err != nil {
		return placed, "", err
	}
	switch placed.Status {
	case order.Blocked:
		return placed, "hard compliance breach, order blocked: " + tc.Check.Findings, nil
	case order.AwaitingOverride:
		return placed, "soft compliance warning, order waits for an override: " + tc.Check.Findings, nil
	}
	return placed, "", nil
}

// checkFired runs pre-trade compliance on a fired order (order.Precheck over
// the portfolio's holdings, working orders and the rules in force).
func (td *triggerDesk) checkFired(ctx context.Context, o order.Order) (order.TradeCheck, error) {
	if td.pre == nil {
		return order.TradeCheck{Check: order.Check{Verdict: order.VerdictPass,
			Findings: "compliance not wired in this process: no rules checked"}}, nil
	}
	checks, _, err := td.pre.CheckTrades(ctx, []portfolio.Trade{order.TradeOf(o)}, nil)
	if err != nil {
		return order.TradeCheck{}, err
	}
	return checks[0], nil
}

// alert records on the condition why its order did not go out, with an audit event.
func (td *triggerDesk) alert(ctx context.Context, id, orderID int64, why string) {
	why = strings.TrimSpace(why)
	td.log.Warn("fired condition raised an alert", "condition_id", id, "order_id", orderID, "alert", why)
	if err := td.d.SetConditionOrder(ctx, id, orderID, why, db.ConditionEvent{Actor: db.TriggerActor,
		Action: "condition_alert", Reason: why}); err != nil {
		td.log.Error("store condition alert", "condition_id", id, "err", err)
	}
}
