package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/marketdata"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web"
)

// Backlogs of the hub's subscribers (see marketdata's doc): storage keeps up
// with the default; the trigger engine must see every tick.
const (
	storeBacklog   = marketdata.DefaultBacklog
	triggerBacklog = 4096
)

// priceFlags are serve's live price options.
type priceFlags struct {
	feed     string        // "sim" or "none"
	interval time.Duration // time between simulated ticks
	seed     uint64        // the simulated walk's seed
}

// register adds --price-feed, --price-interval and --price-seed to fs.
func (p *priceFlags) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&p.feed, "price-feed", e.envOr("BALLAST_PRICE_FEED", "sim"),
		"live price feed: sim (a random walk from the latest prices) or none (env BALLAST_PRICE_FEED)")
	fs.DurationVar(&p.interval, "price-interval", 2*time.Second, "time between simulated price ticks")
	fs.Uint64Var(&p.seed, "price-seed", 0, "seed of the simulated price walk (0: from the clock)")
}

// check refuses an unknown feed or a non-positive interval.
func (p priceFlags) check() error {
	switch p.feed {
	case "sim", "none":
	default:
		return fmt.Errorf("--price-feed %q is not sim or none", p.feed)
	}
	if p.feed == "sim" && p.interval <= 0 {
		return fmt.Errorf("--price-interval %s is not positive", p.interval)
	}
	return nil
}

// livePrices is the running price pipeline: sources publish to the hub, a
// subscriber stores each batch (latest + history, one transaction), and the
// web layer and the trigger engine subscribe to it. It implements
// web.LivePrices.
type livePrices struct {
	hub    *marketdata.Hub
	d      *db.DB
	log    *slog.Logger
	now    func() time.Time
	cancel context.CancelFunc
	feed   sync.WaitGroup // the simulated feed
	subs   sync.WaitGroup // storage and other subscribers
	once   sync.Once
}

// startPrices starts the hub, its storage subscriber, the watch for imported
// prices and, with --price-feed sim, the simulated feed over the securities'
// latest prices.
func startPrices(ctx context.Context, d *db.DB, cfg priceFlags, logger *slog.Logger, now func() time.Time) (*livePrices, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	lp := &livePrices{hub: marketdata.NewHub(), d: d, log: logger, now: now}
	var sim *marketdata.Sim
	if cfg.feed == "sim" {
		var err error
		if sim, err = newSim(ctx, d, cfg, now); err != nil {
			return nil, err
		}
	}
	lp.goSubscriber("store", storeBacklog, lp.store)
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	lp.cancel = cancel
	// What is stored now is what the hub starts from: read it before
	// returning, so a price imported just after start is always new to it.
	seen, err := d.LatestPrices(ctx)
	if err != nil {
		logger.Error("watch stored prices", "err", err)
		seen = map[string]portfolio.Price{}
	}
	lp.feed.Add(1)
	go func() {
		defer lp.feed.Done()
		lp.watchStored(fctx, importPoll, seen)
	}()
	if sim != nil {
		lp.feed.Add(1)
		go func() {
			defer lp.feed.Done()
			if err := sim.Run(fctx, lp.hub); err != nil {
				logger.Error("simulated price feed stopped", "err", err)
			}
		}()
	}
	return lp, nil
}

// newSim builds the simulated feed from every security with a latest price;
// none priced means no feed (and a log line), not an error.
func newSim(ctx context.Context, d *db.DB, cfg priceFlags, now func() time.Time) (*marketdata.Sim, error) {
	secs, err := d.Securities(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("price feed: %w", err)
	}
	latest, err := d.LatestPrices(ctx)
	if err != nil {
		return nil, fmt.Errorf("price feed: %w", err)
	}
	var walk []marketdata.SimSecurity
	for _, s := range secs {
		if p, ok := latest[s.Symbol]; ok && p.Value.IsPositive() {
			walk = append(walk, marketdata.SimSecurity{Symbol: s.Symbol, Start: p.Value, Tick: s.Tick()})
		}
	}
	if len(walk) == 0 {
		return nil, nil
	}
	seed := cfg.seed
	if seed == 0 {
		seed = uint64(now().UnixNano())
	}
	return marketdata.NewSim(marketdata.SimConfig{Securities: walk, Interval: cfg.interval, Seed: seed})
}

// goSubscriber runs fn on every batch of a new subscription until the hub closes.
func (lp *livePrices) goSubscriber(name string, backlog int, fn func(ctx context.Context, batch []portfolio.Price)) {
	sub := lp.hub.Subscribe(name, backlog)
	lp.subs.Add(1)
	go func() {
		defer lp.subs.Done()
		ctx := context.Background()
		for {
			batch, err := sub.Next(ctx)
			if err != nil {
				if dropped := sub.Dropped(); dropped > 0 {
					lp.log.Warn("price subscriber fell behind", "subscriber", name, "dropped_ticks", dropped)
				}
				return
			}
			fn(ctx, batch)
		}
	}()
}

// store persists one batch; a failure is logged and the feed goes on.
func (lp *livePrices) store(ctx context.Context, batch []portfolio.Price) {
	if err := lp.d.SavePrices(ctx, batch); err != nil {
		lp.log.Error("store prices", "prices", len(batch), "err", err)
	}
}

// stop ends the feed, then closes the hub and waits for every subscriber to
// drain what was already published.
func (lp *livePrices) stop() {
	lp.once.Do(func() {
		lp.cancel()
		lp.feed.Wait()
		lp.hub.Close()
	})
	lp.subs.Wait()
}

// Publish checks a batch from outside (API, manual entry) — symbols known,
// prices positive — stamps it with the time and source, and publishes it
// exactly like a feed tick. Nothing is published when any price is refused.
func (lp *livePrices) Publish(ctx context.Context, batch []portfolio.Price) error {
	if err := marketdata.CheckBatch(batch); err != nil {
		return err
	}
	syms := make([]string, len(batch))
	for i, p := range batch {
		syms[i] = p.Symbol
	}
	unknown, err := lp.d.UnknownSymbols(ctx, syms)
	if err != nil {
		return err
	}
	if len(unknown) > 0 {
		return unknownLines(batch, unknown)
	}
	at := lp.now().UTC()
	own := make([]portfolio.Price, len(batch))
	for i, p := range batch {
		p.AsOf = at
		if p.Source == "" {
			p.Source = "api"
		}
		own[i] = p
	}
	lp.hub.Publish(own)
	return nil
}

// unknownLines reports each price of batch whose symbol is unknown, by its
// 1-based position, as marketdata.CheckBatch reports its refusals.
func unknownLines(batch []portfolio.Price, unknown []string) portfolio.ImportErrors {
	bad := map[string]bool{}
	for _, s := range unknown {
		bad[s] = true
	}
	var out portfolio.ImportErrors
	for i, p := range batch {
		if bad[p.Symbol] {
			out = append(out, portfolio.LineError{Line: i + 1, Reason: fmt.Sprintf("unknown symbol %q", p.Symbol)})
		}
	}
	return out
}

// Subscribe adds a subscriber to the hub (the browsers' event streams).
func (lp *livePrices) Subscribe(name string, backlog int) *marketdata.Subscription {
	return lp.hub.Subscribe(name, backlog)
}

// liveServe is serve's live part: the price pipeline from the start, and
// the trigger engine once the order book exists (attach).
type liveServe struct {
	ctx      context.Context
	d        *db.DB
	log      *slog.Logger
	now      func() time.Time
	prices   *livePrices
	triggers *triggerDesk
}

// startLive starts the price pipeline. When ctx ends (SIGINT, SIGTERM) the
// feed stops and the hub closes at once, so browsers' event streams end and
// the HTTP server can shut down gracefully.
func startLive(ctx context.Context, d *db.DB, cfg priceFlags, logger *slog.Logger) (*liveServe, error) {
	lp, err := startPrices(ctx, d, cfg, logger, time.Now)
	if err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	go func() {
		<-ctx.Done()
		lp.stop()
	}()
	return &liveServe{ctx: ctx, d: d, log: logger, now: time.Now, prices: lp}, nil
}

// attach gives the web layer live prices and conditions, starting the
// trigger engine over the order book's Service and pre-trade compliance.
func (ls *liveServe) attach(cfg *web.Config, orders *orderDesk) error {
	cfg.Prices = ls.prices
	deps := triggerDeps{d: ls.d, prices: ls.prices, log: ls.log, now: ls.now}
	if orders != nil {
		deps.orders, deps.pre = orders.svc, orders.pre
		if orders.publish != nil {
			deps.onOrder = func(id int64) { orders.publish(web.Change{What: "order", OrderIDs: []int64{id}}) }
		}
	}
	td, err := startTriggers(ls.ctx, deps)
	if err != nil {
		return err
	}
	ls.triggers, cfg.Conditions = td, td
	return nil
}

// stop ends the trigger engine's loops and the price pipeline.
func (ls *liveServe) stop() {
	if ls.triggers != nil {
		ls.triggers.close()
	}
	ls.prices.stop()
}
