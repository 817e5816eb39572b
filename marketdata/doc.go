// Package marketdata moves prices through Ballast: sources that produce them
// (the simulated feed here; CSV files through portfolio.ParsePricesCSV, manual
// entry and POST /api/v1/prices through the web layer) publish batches of
// portfolio.Price to a Hub, which fans each batch out to every subscriber —
// valuations, the trigger engine, browsers over server-sent events.
//
// # Fan-out and slow subscribers
//
// Hub.Publish never blocks. Each Subscription has its own queue of batches.
// A subscriber that keeps up receives every batch, in publish order, so the
// trigger engine sees every tick. When a subscriber falls more than its
// backlog (DefaultBacklog batches unless Subscribe says otherwise) behind, all
// its waiting batches are collapsed into one batch with the latest price of
// each symbol: intermediate ticks are dropped for that subscriber only and
// counted in Subscription.Dropped. For a browser that is exactly right; for
// the trigger engine it means a level crossed and recovered within the dropped
// ticks would not fire (and a trailing high within them is missed), so its
// backlog should be generous — the engine evaluates 1,000 ticks in a few
// milliseconds.
//
// Suggested backlogs: 1 for a browser (it only needs the latest prices), the
// default for valuations, and 4096 or more for the trigger engine.
//
// A subscription sees only batches published after it subscribed; Hub.Latest
// gives a newcomer the current prices. Subscribers share the published batch
// and must not modify it.
//
// # Simulated feed
//
// Sim walks each security from its start price: on every tick of an injected
// Ticker (RealTicker in production, a channel in tests) each price moves a
// random whole number of price increments within ±StepBps of itself, never
// below one increment. The walk comes from math/rand/v2 seeded by
// SimConfig.Seed, so a seed replays the same prices. Prices carry the
// ticker's time (UTC) and Source "sim". Run publishes until its context ends.
package marketdata
