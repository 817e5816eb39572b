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
// row, then every trade as a day limit order in status proposed (its reason
// in the notes) through the order Service, all or nothing.
type proposalSaver struct {
	d   *db.DB
	svc *order.Service
	// publish, when set (serve), tells the live blotters that orders arrived.
	publish func(web.Change)
	// observe, when set (serve), hears how long pre-trade compliance took.
	observe func(time.Duration)
}

// newProposalSaver returns the saver over d, or errNoOrderStore.
func newProposalSaver(d *db.DB) (*proposalSaver, error) {
	svc, err := newOrderService(d)
	if err != nil {
		return nil, err
	}
	return &proposalSaver{d: d, svc: svc}, nil
}

// SaveProposal saves trades on behalf of u and returns how many orders it saved.
func (p *proposalSaver) SaveProposal(ctx context.Context, u user.User, trades []portfolio.Trade) (int, error) {
	if len(trades) == 0 {
		return 0, nil
	}
	codes := map[string]bool{}
	for _, t := range trades {
		codes[t.Portfolio] = true
	}
	id, err := p.d.CreateProposal(ctx, u.Name, len(codes), len(trades))
	if err != nil {
		return 0, err
	}
	orders, err := p.propose(ctx, order.Actor{Name: u.Name, Roles: u.Roles}, proposals(id, trades))
	if err != nil {
		if derr := p.d.DeleteProposal(ctx, id); derr != nil {
			err = errors.Join(err, derr)
		}
		return 0, fmt.Errorf("save proposal %d: %w", id, err)
	}
	if p.publish != nil {
		p.publish(web.Change{What: "order"})
	}
	return len(orders), nil
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
