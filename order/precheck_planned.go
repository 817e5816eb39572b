package order

import (
	"context"
	"fmt"
	"time"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/portfolio"
)

// CheckPlanned is CheckTrades for trades planned from holdings the caller
// has already read (a rebalance run): each portfolio's state starts from
// base[code] (holdings, prices, securities) instead of reading the holdings
// again; its working and recent orders are read. Every portfolio of trades
// must be in base. The base states are not changed.
func (p *Precheck) CheckPlanned(ctx context.Context, trades []portfolio.Trade, base map[string]compliance.State) ([]TradeCheck, error) {
	if p.Observe != nil {
		defer func(t0 time.Time) { p.Observe(p.Clock.Now().Sub(t0)) }(p.Clock.Now())
	}
	if len(trades) == 0 {
		return nil, nil
	}
	rules, err := p.rules(ctx)
	if err != nil {
		return nil, fmt.Errorf("compliance: pre-trade: %w", err)
	}
	codes, idx := groupByPortfolio(trades)
	states := make(map[string]compliance.State, len(codes))
	for _, code := range codes {
		st, ok := base[code]
		if !ok {
			return nil, fmt.Errorf("compliance: pre-trade: portfolio %q: %w", code, ErrNotFound)
		}
		st.Working, st.Recent = nil, nil
		states[code] = st
	}
	if err := p.Store.AddPreTradeOrders(ctx, states, nil); err != nil {
		return nil, fmt.Errorf("compliance: pre-trade: %w", err)
	}
	checks, _, err := p.checkBaskets(trades, codes, idx, states, rules)
	return checks, err
}
