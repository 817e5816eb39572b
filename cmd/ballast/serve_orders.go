package main

import (
	"context"
	"fmt"
	"log/slog"
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
	now         func() time.Time
	log         *slog.Logger // what the desk cannot return (findings not stored); nil: slog.Default()
}

// serveOrderConfig is the order book "ballast serve" runs: the trading day
// closes at 16:30 London time, and no broker session is configured yet, so
// releases are refused with errNoBroker. The FIX integration sets sender
// (the fixclient.Client) and brokers here, and hands the desk's OnExecution,
// OnCancelReject and OnSessionReject to the client as its handler.
func serveOrderConfig() orderConfig {
	return orderConfig{close: defaultTradingClose, zone: defaultTradingZone}
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
	logger := cfg.log
	if logger == nil {
		logger = slog.Default()
	}
	changes := web.NewBroadcaster()
	return &orderDesk{svc: svc, store: store, hasBroker: cfg.sender != nil, brokers: cfg.brokers, changes: changes,
		publish: changes.Publish, check: complianceHook(d, svc.Clock), pre: newPrecheck(d, svc.Clock), log: logger}, nil
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
// amendment (complianceHook in compliance_desk.go is the one serve uses).
type complianceCheck func(ctx context.Context, o order.Order) (order.Check, error)
