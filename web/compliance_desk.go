package web

import (
	"context"
	"net/http"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// ComplianceDesk is what the compliance pages and API need: rules with their
// versions, the restricted list, post-trade alerts and the review of orders
// with their pre-trade results. cmd/ballast implements it over the database
// and order.Service. Refusals match order.ErrInvalid, order.ErrConflict,
// order.ErrForbidden or the store's not-found error.
type ComplianceDesk interface {
	// Rules returns the latest version of every rule, enabled or not.
	Rules(ctx context.Context) ([]compliance.VersionedRule, error)
	// RuleHistory returns every version of a rule, newest first.
	RuleHistory(ctx context.Context, id string) ([]compliance.VersionedRule, error)
	// SaveRule stores a new version of r (validated; nothing when unchanged).
	SaveRule(ctx context.Context, r compliance.Rule, enabled bool, by, reason string) error
	// ImportRules makes rules the rule set, all or nothing; it returns the number of new versions.
	ImportRules(ctx context.Context, rules []compliance.Rule, by, reason string) (int, error)

	RestrictedList(ctx context.Context) ([]compliance.RestrictedEntry, error)
	AddRestriction(ctx context.Context, e compliance.RestrictedEntry, by, reason string) error
	RemoveRestriction(ctx context.Context, e compliance.RestrictedEntry, by, reason string) error

	// Alerts lists alerts with any of statuses (all when none).
	Alerts(ctx context.Context, statuses []compliance.AlertStatus) ([]compliance.AlertRecord, error)
	AcknowledgeAlert(ctx context.Context, id int64, by, note string) error
	ResolveAlert(ctx context.Context, id int64, by, note string) error
	// RunBatch runs the post-trade check of portfolios (all when none) now.
	RunBatch(ctx context.Context, portfolios []string) (BatchSummary, error)

	// Queue lists the orders blocked or awaiting an override, with their results.
	Queue(ctx context.Context) ([]OrderReview, error)
	// Review returns one order with its latest compliance check and overrides.
	Review(ctx context.Context, id int64) (OrderReview, error)
	// Override clears one soft breach of an order (compliance role only).
	Override(ctx context.Context, id int64, actor order.Actor, ov order.Override) (order.Order, error)
	// CheckTrades checks proposed trades (a dry run: nothing is stored) and
	// returns each trade's compliance, in order.
	CheckTrades(ctx context.Context, trades []portfolio.Trade) ([]compliance.TradeSummary, error)
}

// OrderReview is an order with its latest compliance check and the
// overrides given to it.
type OrderReview struct {
	Order     order.Order
	Check     order.CheckRecord
	Overrides []order.Override
}

// BatchSummary says what a post-trade run found and stored.
type BatchSummary struct {
	Portfolios int `json:"portfolios"`
	Rules      int `json:"rules"`
	Alerts     int `json:"alerts"`
	Opened     int `json:"opened"`
	Updated    int `json:"updated"`
	Resolved   int `json:"resolved"`
}

// planCompliance adds each planned trade's pre-trade compliance to a
// rebalance plan's JSON (trades in plan order); nothing without a desk.
func (s *server) planCompliance(r *http.Request, trades []portfolio.Trade, out *planJSON) error {
	if s.compliance == nil || len(trades) == 0 {
		return nil
	}
	sums, err := s.compliance.CheckTrades(r.Context(), trades)
	if err != nil {
		return err
	}
	for i := range out.Trades {
		if i < len(sums) {
			out.Trades[i].Compliance = &sums[i]
		}
	}
	return nil
}
