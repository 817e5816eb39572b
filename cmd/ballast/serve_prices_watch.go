package main

import (
	"context"
	"sort"
	"time"

	"github.com/ballast-oms/ballast/portfolio"
)

// importPoll is how often serve looks for prices that reached the database
// without passing through its hub: CSV imports from the uploads page or from
// `ballast import prices` run against the same database file.
const importPoll = time.Second

// watchStored publishes to the hub every stored latest price that is newer
// than what the hub has seen, so imported prices move valuations, the trigger
// engine and the browsers exactly like feed ticks. Prices the hub published
// itself are stored with the same time and are not published twice. It runs
// until ctx ends; seen is the stored prices it starts from, by symbol.
func (lp *livePrices) watchStored(ctx context.Context, every time.Duration, seen map[string]portfolio.Price) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		latest, err := lp.d.LatestPrices(ctx)
		if err != nil {
			if ctx.Err() == nil {
				lp.log.Error("watch stored prices", "err", err)
			}
			continue
		}
		if batch := newerThanSeen(latest, seen, lp.hub.Last); len(batch) > 0 {
			lp.hub.Publish(batch)
		}
	}
}

// newerThanSeen returns, by symbol, the stored prices newer than both the last
// one seen in the database and the hub's own last price, and records them as seen.
func newerThanSeen(latest, seen map[string]portfolio.Price, hubLast func(string) (portfolio.Price, bool)) []portfolio.Price {
	var batch []portfolio.Price
	for sym, p := range latest {
		if prev, ok := seen[sym]; ok && !p.AsOf.After(prev.AsOf) {
			continue
		}
		seen[sym] = p
		if h, ok := hubLast(sym); ok && !p.AsOf.After(h.AsOf) {
			continue
		}
		batch = append(batch, p)
	}
	sort.Slice(batch, func(i, j int) bool { return batch[i].Symbol < batch[j].Symbol })
	return batch
}
