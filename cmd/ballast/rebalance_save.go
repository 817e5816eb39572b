package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
)

// errNoOrderStore says proposals cannot be saved yet: the SQLite order store
// (db/orders*.go) is not part of this build.
var errNoOrderStore = errors.New("saving proposals is not available yet: the SQLite order store is not built; run without --save for a dry run")

// newOrderService returns the order Service over the SQLite order store
// (db.OrderStore, wired in serve_orders.go), which rebalance --save and the
// rebalance page use to save proposals.
func newOrderService(d *db.DB) (*order.Service, error) {
	desk, err := newOrderBook(d, serveOrderConfig())
	if err != nil {
		return nil, err
	}
	return desk.svc, nil
}

// proposalSaver saves reviewed rebalance trades as a proposal: a proposals
// row and every trade as a day limit order (its reason in the notes), with
// its compliance verdict, through the order Service in one transaction.
type proposalSaver struct {
	d   *db.DB
	svc *order.Service
	// publish, when set (serve), tells the live blotters that orders arrived.
	publish func(web.Change)
	// observe, when set (serve), hears how long pre-trade compliance took.
	observe func(time.Duration)
	// sync makes what is committed durable (d.SyncCommitted when nil).
	sync func() error
}

// newProposalSaver returns the saver over d, or errNoOrderStore.
func newProposalSaver(d *db.DB) (*proposalSaver, error) {
	svc, err := newOrderService(d)
	if err != nil {
		return nil, err
	}
	return &proposalSaver{d: d, svc: svc}, nil
}

// SaveProposal saves trades on behalf of u as one proposal and returns how
// many orders it saved. Each portfolio's trades are checked as one basket
// (pre-trade compliance); the proposal row, the orders, their events and
// their checks are written in one transaction (Service.ProposeStream with a
// single batch), so a failure leaves none of them.
func (p *proposalSaver) SaveProposal(ctx context.Context, u user.User, trades []portfolio.Trade) (int, error) {
	if len(trades) == 0 {
		return 0, nil
	}
	ps := proposals(0, trades) // ProposeStream sets the proposal
	checked := make([]portfolio.Trade, len(ps))
	for i, pr := range ps {
		checked[i] = order.TradeOf(pr.Order)
	}
	pre := newPrecheck(p.d, p.svc.Clock)
	pre.Observe = p.observe
	checks, _, err := pre.CheckTrades(ctx, checked, nil)
	if err != nil {
		return 0, fmt.Errorf("save proposal: %w", err)
	}
	b := order.ProposalBatch{Proposals: ps, Results: make([][]order.ResultRecord, len(ps))}
	for i := range ps {
		ps[i].Check, b.Results[i] = checks[i].Check, checks[i].Results
	}
	tot, err := p.svc.ProposeStream(ctx, order.Actor{Name: u.Name, Roles: u.Roles}, func(yield func(order.ProposalBatch, error) bool) {
		yield(b, nil)
	})
	if err != nil {
		return 0, fmt.Errorf("save proposal: %w", err)
	}
	if p.publish != nil {
		p.publish(web.Change{What: "order"})
	}
	return tot.Orders, nil
}

// proposals turns trades into day limit orders of proposal id carrying their reasons.
func proposals(id int64, trades []portfolio.Trade) []order.Proposal {
	ps := make([]order.Proposal, len(trades))
	for i, t := range trades {
		ps[i] = order.Proposal{
			Order: order.Order{ProposalID: id, Portfolio: t.Portfolio, Symbol: t.Symbol, Side: t.Side, Quantity: t.Quantity,
				Type: order.Limit, LimitPrice: t.LimitPrice, TimeInForce: order.Day, Notes: t.Reason},
			Check: order.Check{Verdict: order.VerdictPass, Findings: "rebalance proposal; no compliance rules configured"},
		}
	}
	return ps
}

// defaultTradingDay ends proposals' approval window at 16:30 UTC when nothing else is configured.
func defaultTradingDay() order.TradingDay {
	return order.TradingDay{Hour: 16, Minute: 30, Location: time.UTC}
}
