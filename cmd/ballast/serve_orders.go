package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the trading day's time zone must load on hosts without zoneinfo

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/web"
)

// Defaults of the trading day that bounds an approval: 16:30 in London.
const (
	defaultTradingClose = "16:30"
	defaultTradingZone  = "Europe/London"
)

// errNoBroker refuses a release, cancel or replace while no FIX session is
// configured: nothing is changed, the block stays approved.
var errNoBroker = fmt.Errorf("no broker session configured: Ballast cannot send orders until a FIX session is set up: %w", order.ErrConflict)

// orderConfig is how the order book is wired.
type orderConfig struct {
	close, zone string       // trading day close "HH:MM" and its IANA zone
	sender      order.Sender // nil: no broker session configured
	brokers     []string     // broker names the blotter offers
	publish     func(web.Change)
	now         func() time.Time
}

// orderConfigFromEnv reads BALLAST_TRADING_CLOSE and BALLAST_TRADING_TZ.
func orderConfigFromEnv(e *env) orderConfig {
	return orderConfig{close: e.envOr("BALLAST_TRADING_CLOSE", defaultTradingClose), zone: e.envOr("BALLAST_TRADING_TZ", defaultTradingZone)}
}

// newOrderBook builds the order Service over the SQLite order store.
func newOrderBook(d *db.DB, cfg orderConfig) (*orderDesk, error) {
	loc, err := time.LoadLocation(cfg.zone)
	if err != nil {
		return nil, fmt.Errorf("orders: trading day time zone %q: %w", cfg.zone, err)
	}
	td, err := order.NewTradingDay(cfg.close, loc)
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	now := cfg.now
	if now == nil {
		now = time.Now
	}
	store := db.NewOrderStore(d)
	sender := cfg.sender
	if sender == nil {
		sender = noBroker{}
	}
	svc := &order.Service{Store: store, Sender: sender, Clock: order.ClockFunc(now), TradingDay: td,
		NewClOrdID: clOrdIDs(now()), BlockAccount: "BLOCK"}
	publish := cfg.publish
	if publish == nil {
		publish = func(web.Change) {}
	}
	return &orderDesk{svc: svc, store: store, hasBroker: cfg.sender != nil, brokers: cfg.brokers, publish: publish,
		check: complianceHook(d, svc.Clock), pre: newPrecheck(d, svc.Clock)}, nil
}

// clOrdIDs returns a generator of ClOrdIDs unique across restarts: "B", the
// start time in base 36 nanoseconds, and a counter. The store's UNIQUE
// cl_ord_id refuses any that still collided.
func clOrdIDs(start time.Time) func() string {
	prefix := "B" + strings.ToUpper(strconv.FormatInt(start.UnixNano(), 36)) + "-"
	var n atomic.Int64
	return func() string { return prefix + strconv.FormatInt(n.Add(1), 10) }
}

// noBroker is the Sender while no FIX session is configured: it refuses
// everything (the desk refuses before the Service is even asked).
type noBroker struct{}

func (noBroker) Send(context.Context, order.NewOrderRequest) error { return errNoBroker }
func (noBroker) Cancel(context.Context, order.CancelRequest) error { return errNoBroker }
func (noBroker) Replace(context.Context, order.ReplaceRequest) error {
	return errNoBroker
}

// complianceCheck computes the compliance result of an order at entry or
// re-approval.
type complianceCheck func(ctx context.Context, o order.Order) (order.Check, error)

// passUntilComplianceIsWired is the TEMPORARY compliance hook: every manual
// order and every amendment passes. The compliance integration replaces
// orderDesk.check with a real compliance.Check over the portfolio's holdings
// and rules; until then no pre-trade rule is enforced at order entry.
func passUntilComplianceIsWired(context.Context, order.Order) (order.Check, error) {
	return order.Check{Verdict: order.VerdictPass, Findings: "compliance not yet wired: no rules checked"}, nil
}
