// Package brokersim is a FIX acceptor that behaves like a sell-side broker:
// it acknowledges orders, fills them partially over time, rejects some,
// answers cancels and cancel/replaces, and can inject busts, corrections,
// unsolicited cancels, done-for-day and duplicate execution reports. It
// serves FIX 4.4 and FIX 4.2 sessions on one listener and backs the demo,
// the FIX tests and the benchmarks.
package brokersim

import (
	"log/slog"
	"time"

	"github.com/shopspring/decimal"
)

// Config describes a simulated broker.
type Config struct {
	// Listen is the TCP address to accept on; port 0 picks a free port
	// (read it back with Broker.Addr).
	Listen string
	// Sessions are the FIX sessions the broker accepts. Empty means
	// DefaultSessions().
	Sessions []Session
	// Seed seeds the deterministic random source (rejects, price jitter).
	Seed uint64
	// Fill is how normal orders are filled.
	Fill FillConfig
	// RejectProbability is the chance (0..1) that a new order with the
	// default plan is rejected.
	RejectProbability float64
	// Scenario, when set, chooses the plan for each new order. Returning
	// the zero Plan means "fill normally". Random rejects apply only when
	// Scenario is nil or returns Default.
	Scenario func(Order) Plan
	// Prices are reference prices for market and stop orders by symbol
	// (limit orders fill at their limit). Missing symbols trade at 100.
	Prices map[string]decimal.Decimal
	// StorePath, when set, keeps the broker's FIX message store in files
	// under this directory; empty means an in-memory store.
	StorePath string
	// Logger receives FIX events at debug level; nil discards them.
	Logger *slog.Logger
}

// Session is one FIX session the broker accepts.
type Session struct {
	BeginString  string // "FIX.4.4" or "FIX.4.2"
	SenderCompID string // the broker's CompID
	TargetCompID string // the client's CompID
}

// DefaultSessions are the sessions used when Config.Sessions is empty:
// SIM (FIX 4.4) and SIM42 (FIX 4.2), both for the client BALLAST.
func DefaultSessions() []Session {
	return []Session{
		{BeginString: "FIX.4.4", SenderCompID: "SIM", TargetCompID: "BALLAST"},
		{BeginString: "FIX.4.2", SenderCompID: "SIM42", TargetCompID: "BALLAST"},
	}
}

// FillConfig is how the broker fills an order it works normally.
type FillConfig struct {
	// Fills is the number of executions an order is filled in (default 3).
	Fills int
	// Ratio is the part of the order quantity that gets filled (0..1,
	// default 1); the rest stays working.
	Ratio decimal.Decimal
	// Latency is the pause before each fill (default 1ms).
	Latency time.Duration
}

// Order is what a scenario hook sees of a new order.
type Order struct {
	Session     string // FIX session id
	BeginString string
	ClOrdID     string
	Account     string
	Symbol      string
	Side        string // FIX Side(54): "1" buy, "2" sell, "5" sell short
	Quantity    decimal.Decimal
	Price       decimal.Decimal
}

// Action is what the broker does with a new order.
type Action int

// The actions a scenario can choose.
const (
	Default           Action = iota // ack, then fill per Config.Fill (random rejects apply)
	Fill                            // ack, then fill per Config.Fill (never randomly rejected)
	Reject                          // reject the order (150=8)
	NeverFill                       // ack and keep working; no fills
	FillAtOnce                      // ack, then one fill for the whole quantity
	PartialThenWait                 // ack, fill half, keep working
	UnsolicitedCancel               // ack, fill half, then cancel with no request
	DoneForDay                      // ack, fill half, then done for day (150=3)
	SessionReject                   // answer with a session-level Reject (35=3)
	BusinessReject                  // answer with a BusinessMessageReject (35=j) naming the ClOrdID
)

// After is what the broker does once an order is fully filled.
type After int

// The post-fill behaviours.
const (
	Nothing   After = iota
	Bust            // bust the last fill (4.4 150=H, 4.2 20=1) with ExecRefID
	Correct         // correct the last fill's price (4.4 150=G, 4.2 20=2)
	Duplicate       // send the last fill again with the same ExecID and PossResend=Y
)

// Plan is the scripted behaviour for one order.
type Plan struct {
	Action        Action
	After         After
	RejectCancel  bool // answer cancels with a cancel reject, 102=0 too late
	RejectReplace bool // answer replaces with a cancel reject (434=2)
	// Gate, when set, holds every fill after the first until it is closed.
	Gate <-chan struct{}
}

// BySymbol returns a scenario that picks the plan by symbol; other symbols
// get the default plan.
func BySymbol(plans map[string]Plan) func(Order) Plan {
	return func(o Order) Plan { return plans[o.Symbol] }
}

func (c Config) withDefaults() Config {
	if len(c.Sessions) == 0 {
		c.Sessions = DefaultSessions()
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:0"
	}
	if c.Fill.Fills <= 0 {
		c.Fill.Fills = 3
	}
	if !c.Fill.Ratio.IsPositive() || c.Fill.Ratio.GreaterThan(decimal.NewFromInt(1)) {
		c.Fill.Ratio = decimal.NewFromInt(1)
	}
	if c.Fill.Latency <= 0 {
		c.Fill.Latency = time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
