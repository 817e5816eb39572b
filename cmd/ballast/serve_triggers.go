package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
)

// expireEvery is how often conditions past their validity are expired.
const expireEvery = time.Minute

// triggerDesk runs the trigger engine inside serve: it resumes the active
// conditions from storage, evaluates every price batch of the hub, stores
// trailing highs and settled conditions, creates the orders of fired
// conditions, expires conditions, and follows the holdings that fills open
// and close. It implements web.ConditionDesk.
type triggerDesk struct {
	d      *db.DB
	engine *trigger.Engine
	orders *order.Service
	pre    *order.Precheck // pre-trade compliance of fired orders; nil: the hook passes them
	prices interface {
		Last(symbol string) (portfolio.Price, bool)
	}
	log     *slog.Logger
	now     func() time.Time
	ticks   map[string]decimal.Decimal // price increment per symbol
	lots    map[string]decimal.Decimal // lot size per symbol
	onOrder func(orderID int64)        // tells the blotter about a fired order; may be nil

	mu   sync.Mutex // serialises price batches, expiry and users' changes
	wg   sync.WaitGroup
	stop context.CancelFunc
}

// triggerDeps are what startTriggers wires together.
type triggerDeps struct {
	d       *db.DB
	prices  *livePrices
	orders  *order.Service
	pre     *order.Precheck
	log     *slog.Logger
	now     func() time.Time
	onOrder func(orderID int64)
}

// startTriggers loads the active conditions (with their trailing highs)
// into a new engine, subscribes it to the price hub with a large backlog,
// starts the expiry loop, and watches the order store's position changes.
// A level crossed while Ballast was down fires on the first price seen now.
func startTriggers(ctx context.Context, deps triggerDeps) (*triggerDesk, error) {
	td := &triggerDesk{d: deps.d, orders: deps.orders, pre: deps.pre, prices: deps.prices.hub, log: deps.log,
		now: deps.now, onOrder: deps.onOrder}
	if err := td.loadSecurities(ctx); err != nil {
		return nil, err
	}
	conds, err := deps.d.ActiveConditions(ctx)
	if err != nil {
		return nil, fmt.Errorf("triggers: %w", err)
	}
	if td.engine, err = trigger.NewEngine(td.options(), conds); err != nil {
		return nil, fmt.Errorf("triggers: %w", err)
	}
	if deps.orders != nil {
		deps.orders.Store = watchPositions(deps.orders.Store, td.positionsChanged)
	}
	deps.prices.goSubscriber("triggers", triggerBacklog, td.onPrices)
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	td.stop = cancel
	td.wg.Add(1)
	go td.expireLoop(lctx)
	deps.log.Info("trigger engine started", "active_conditions", len(conds))
	return td, nil
}

// close stops the expiry loop; the price subscription ends with the hub.
func (td *triggerDesk) close() {
	td.stop()
	td.wg.Wait()
}

func (td *triggerDesk) loadSecurities(ctx context.Context) error {
	secs, err := td.d.Securities(ctx, "")
	if err != nil {
		return fmt.Errorf("triggers: %w", err)
	}
	td.ticks, td.lots = make(map[string]decimal.Decimal, len(secs)), make(map[string]decimal.Decimal, len(secs))
	for _, s := range secs {
		td.ticks[s.Symbol], td.lots[s.Symbol] = s.Tick(), s.LotSize
	}
	return nil
}

// options are the engine's view of holdings (position less working sells)
// and price increments.
func (td *triggerDesk) options() trigger.Options {
	return trigger.Options{
		Holding: func(pf, symbol string) decimal.Decimal {
			q, err := td.d.SellableQuantity(context.Background(), pf, symbol)
			if err != nil {
				td.log.Error("trigger holding", "portfolio", pf, "symbol", symbol, "err", err)
				return decimal.Zero
			}
			return q
		},
		Tick: func(symbol string) decimal.Decimal { return td.ticks[symbol] },
	}
}

// onPrices evaluates one batch, stores what it changed in one transaction,
// then creates the orders of the conditions it fired.
func (td *triggerDesk) onPrices(ctx context.Context, batch []portfolio.Price) {
	td.mu.Lock()
	res := td.engine.OnPrices(trigger.TicksFrom(batch))
	saved, err := td.d.SaveTriggerResult(ctx, res)
	if err != nil {
		td.log.Error("store trigger results; reloading the engine from storage", "err", err)
		td.reload(ctx)
	}
	td.mu.Unlock()
	for _, f := range saved.Fired {
		td.fire(ctx, f)
	}
}

// reload rebuilds the engine from storage after a failed write, so that
// what the engine holds never differs from what is stored.
func (td *triggerDesk) reload(ctx context.Context) {
	conds, err := td.d.ActiveConditions(ctx)
	if err != nil {
		td.log.Error("reload trigger engine", "err", err)
		return
	}
	e, err := trigger.NewEngine(td.options(), conds)
	if err != nil {
		td.log.Error("reload trigger engine", "err", err)
		return
	}
	td.engine = e
}

// expireLoop expires conditions past their validity every expireEvery.
func (td *triggerDesk) expireLoop(ctx context.Context) {
	defer td.wg.Done()
	t := time.NewTicker(expireEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			td.expire(ctx)
		}
	}
}

// expire ends the active conditions (in the engine) and the pending ones (in
// storage) whose validity passed, at the injected clock's time.
func (td *triggerDesk) expire(ctx context.Context) {
	td.mu.Lock()
	defer td.mu.Unlock()
	now := td.now()
	if _, err := td.d.SaveConditionStates(ctx, td.engine.Expire(now), "condition_expire"); err != nil {
		td.log.Error("expire conditions", "err", err)
		td.reload(ctx)
	}
	if _, err := td.d.ExpirePending(ctx, now); err != nil {
		td.log.Error("expire pending conditions", "err", err)
	}
}
