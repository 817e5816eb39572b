package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web"
)

// complianceDesk is web.ComplianceDesk over the database and the order Service.
type complianceDesk struct {
	d   *db.DB
	svc *order.Service
	pre *order.Precheck
}

// newComplianceDesk returns the compliance pages' desk.
func newComplianceDesk(d *db.DB, svc *order.Service) *complianceDesk {
	return &complianceDesk{d: d, svc: svc, pre: newPrecheck(d, svc.Clock)}
}

// kinded is a store refusal that also matches the order package's kind, so
// the web layer maps it to the right HTTP status.
type kinded struct{ err, kind error }

func (k kinded) Error() string   { return k.err.Error() }
func (k kinded) Unwrap() []error { return []error{k.err, k.kind} }

// refusal maps the store's invalid and conflict errors to the order kinds.
func refusal(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, db.ErrInvalid):
		return kinded{err, order.ErrInvalid}
	case errors.Is(err, db.ErrConflict):
		return kinded{err, order.ErrConflict}
	}
	return err
}

func (c *complianceDesk) Rules(ctx context.Context) ([]compliance.VersionedRule, error) {
	return c.d.Rules(ctx)
}

func (c *complianceDesk) RuleHistory(ctx context.Context, id string) ([]compliance.VersionedRule, error) {
	return c.d.RuleHistory(ctx, id)
}

func (c *complianceDesk) SaveRule(ctx context.Context, r compliance.Rule, enabled bool, by, reason string) error {
	_, err := c.d.SaveRules(ctx, []db.RuleChange{{Rule: r, Enabled: enabled}}, by, reason, false)
	return refusal(err)
}

func (c *complianceDesk) ImportRules(ctx context.Context, rules []compliance.Rule, by, reason string) (int, error) {
	changes := make([]db.RuleChange, len(rules))
	for i, r := range rules {
		changes[i] = db.RuleChange{Rule: r, Enabled: true}
	}
	n, err := c.d.SaveRules(ctx, changes, by, reason, true)
	return n, refusal(err)
}

func (c *complianceDesk) RestrictedList(ctx context.Context) ([]compliance.RestrictedEntry, error) {
	return c.d.RestrictedList(ctx)
}

func (c *complianceDesk) AddRestriction(ctx context.Context, e compliance.RestrictedEntry, by, reason string) error {
	return refusal(c.d.AddRestriction(ctx, e, by, reason))
}

func (c *complianceDesk) RemoveRestriction(ctx context.Context, e compliance.RestrictedEntry, by, reason string) error {
	return refusal(c.d.RemoveRestriction(ctx, e, by, reason))
}

func (c *complianceDesk) Alerts(ctx context.Context, statuses []compliance.AlertStatus) ([]compliance.AlertRecord, error) {
	return c.d.Alerts(ctx, statuses, "")
}

func (c *complianceDesk) AcknowledgeAlert(ctx context.Context, id int64, by, note string) error {
	return refusal(c.d.AcknowledgeAlert(ctx, id, by, note))
}

func (c *complianceDesk) ResolveAlert(ctx context.Context, id int64, by, note string) error {
	return refusal(c.d.ResolveAlert(ctx, id, by, note))
}

func (c *complianceDesk) RunBatch(ctx context.Context, portfolios []string) (web.BatchSummary, error) {
	res, err := runBatch(ctx, c.d, portfolios)
	if err != nil {
		return web.BatchSummary{}, err
	}
	return web.BatchSummary{Portfolios: res.Portfolios, Rules: res.Rules, Alerts: len(res.Alerts),
		Opened: res.Run.Opened, Updated: res.Run.Updated, Resolved: res.Run.Resolved}, nil
}

// reviewQueueLimit bounds the review page's list of orders.
const reviewQueueLimit = 500

func (c *complianceDesk) Queue(ctx context.Context) ([]web.OrderReview, error) {
	orders, err := c.d.ComplianceQueue(ctx, reviewQueueLimit)
	if err != nil {
		return nil, err
	}
	out := make([]web.OrderReview, 0, len(orders))
	for _, o := range orders {
		chk, err := c.check(ctx, o)
		if err != nil {
			return nil, err
		}
		out = append(out, web.OrderReview{Order: o, Check: chk})
	}
	return out, nil
}

func (c *complianceDesk) Review(ctx context.Context, id int64) (web.OrderReview, error) {
	o, err := c.d.ComplianceOrder(ctx, id)
	if err != nil {
		return web.OrderReview{}, err
	}
	chk, err := c.check(ctx, o)
	if err != nil {
		return web.OrderReview{}, err
	}
	ovs, err := c.d.OrderOverrides(ctx, id)
	if err != nil {
		return web.OrderReview{}, err
	}
	return web.OrderReview{Order: o, Check: chk, Overrides: ovs}, nil
}

// check returns the order's latest stored check, computing and storing one
// for an order proposed without stored findings.
func (c *complianceDesk) check(ctx context.Context, o order.Order) (order.CheckRecord, error) {
	chk, err := c.d.LatestCheck(ctx, o.ID)
	if !errors.Is(err, db.ErrNotFound) {
		return chk, err
	}
	if _, err := c.pre.StoreCheck(ctx, o); err != nil {
		return chk, err
	}
	return c.d.LatestCheck(ctx, o.ID)
}

func (c *complianceDesk) Override(ctx context.Context, id int64, actor order.Actor, ov order.Override) (order.Order, error) {
	return c.svc.Override(ctx, id, actor, ov)
}

// parseBatchAt reads --compliance-batch-at: "HH:MM" (UTC), or "off".
func parseBatchAt(s string) (hour, minute int, on bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "off" {
		return 0, 0, false, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false, fmt.Errorf("--compliance-batch-at %q is not HH:MM (UTC) or off", s)
	}
	return t.Hour(), t.Minute(), true, nil
}

// nextBatch is the first time at hour:minute UTC after now.
func nextBatch(now time.Time, hour, minute int) time.Time {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, time.UTC)
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// startDailyBatch runs the post-trade batch over every portfolio each day at
// at ("HH:MM" UTC; "off" disables it) until ctx ends, logging each run.
func startDailyBatch(ctx context.Context, d *db.DB, at string, logger *slog.Logger) error {
	hour, minute, on, err := parseBatchAt(at)
	if err != nil || !on {
		return err
	}
	go func() {
		for {
			timer := time.NewTimer(time.Until(nextBatch(time.Now(), hour, minute)))
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
			res, err := runBatch(ctx, d, nil)
			if err != nil {
				logger.Error("compliance batch failed", "err", err)
				continue
			}
			logger.Info("compliance batch", "portfolios", res.Portfolios, "alerts", len(res.Alerts),
				"opened", res.Run.Opened, "resolved", res.Run.Resolved)
		}
	}()
	return nil
}

// CheckTrades checks trades as baskets per portfolio without storing anything.
func (c *complianceDesk) CheckTrades(ctx context.Context, trades []portfolio.Trade) ([]compliance.TradeSummary, error) {
	checks, _, err := c.pre.CheckTrades(ctx, trades, nil)
	if err != nil {
		return nil, err
	}
	out := make([]compliance.TradeSummary, len(checks))
	for i, tc := range checks {
		out[i] = tc.Summary
	}
	return out, nil
}
