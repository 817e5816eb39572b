package marketdata

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// SourceSim is the Source field of prices from the simulated feed.
const SourceSim = "sim"

// DefaultStepBps is the largest move of a simulated price per tick, in basis
// points of the price, when a security sets none (0.5%).
const DefaultStepBps = 50

// Ticker delivers the times at which the simulated feed moves. time.Ticker
// fits through RealTicker; tests inject a channel they drive.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// RealTicker wraps a time.Ticker firing every d.
func RealTicker(d time.Duration) Ticker { return realTicker{time.NewTicker(d)} }

type realTicker struct{ t *time.Ticker }

func (r realTicker) C() <-chan time.Time { return r.t.C }
func (r realTicker) Stop()               { r.t.Stop() }

// SimSecurity is one security the simulated feed walks.
type SimSecurity struct {
	Symbol  string
	Start   decimal.Decimal // first price; rounded to Tick
	Tick    decimal.Decimal // price increment; zero means 0.01
	StepBps int             // largest move per tick in basis points; zero means DefaultStepBps
}

// SimConfig configures the simulated feed.
type SimConfig struct {
	Securities []SimSecurity
	Interval   time.Duration              // time between moves
	Seed       uint64                     // the same seed gives the same walk
	NewTicker  func(time.Duration) Ticker // nil means RealTicker
}

// Sim is a simulated price feed: on every tick of its ticker each security
// takes a random step of a whole number of price increments, uniformly within
// ±StepBps of its price (at least one increment), and never goes below one
// increment. It is a Source.
type Sim struct {
	cfg    SimConfig
	rng    *rand.Rand
	prices []decimal.Decimal
}

// NewSim checks cfg and returns a feed positioned at the start prices.
func NewSim(cfg SimConfig) (*Sim, error) {
	if cfg.Interval <= 0 {
		return nil, fmt.Errorf("marketdata: sim: interval %s is not positive", cfg.Interval)
	}
	if len(cfg.Securities) == 0 {
		return nil, errors.New("marketdata: sim: no securities")
	}
	if cfg.NewTicker == nil {
		cfg.NewTicker = RealTicker
	}
	s := &Sim{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5111))}
	seen := map[string]bool{}
	s.cfg.Securities = make([]SimSecurity, len(cfg.Securities))
	for i, sec := range cfg.Securities {
		switch {
		case sec.Symbol == "" || seen[sec.Symbol]:
			return nil, fmt.Errorf("marketdata: sim: security %d: symbol %q is empty or repeated", i, sec.Symbol)
		case sec.Tick.IsNegative() || sec.StepBps < 0:
			return nil, fmt.Errorf("marketdata: sim: %s: negative tick or step", sec.Symbol)
		}
		seen[sec.Symbol] = true
		if !sec.Tick.IsPositive() {
			sec.Tick = decimal.New(1, -2)
		}
		if sec.StepBps == 0 {
			sec.StepBps = DefaultStepBps
		}
		start := sec.Start.DivRound(sec.Tick, 0).Mul(sec.Tick)
		if !start.IsPositive() {
			return nil, fmt.Errorf("marketdata: sim: %s: start price %s is not positive at tick %s", sec.Symbol, sec.Start, sec.Tick)
		}
		s.cfg.Securities[i] = sec
		s.prices = append(s.prices, start)
	}
	return s, nil
}

// Step moves every security once and returns the new prices, as of at (UTC).
// It must not be called while Run is running.
func (s *Sim) Step(at time.Time) []portfolio.Price {
	out := make([]portfolio.Price, len(s.prices))
	for i, sec := range s.cfg.Securities {
		s.prices[i] = s.move(s.prices[i], sec)
		out[i] = portfolio.Price{Symbol: sec.Symbol, Value: s.prices[i], AsOf: at.UTC(), Source: SourceSim}
	}
	return out
}

func (s *Sim) move(price decimal.Decimal, sec SimSecurity) decimal.Decimal {
	reach := price.Mul(decimal.NewFromInt(int64(sec.StepBps))).Shift(-4).Div(sec.Tick).IntPart()
	reach = max(reach, 1)
	ticks := s.rng.Int64N(2*reach+1) - reach
	next := price.Add(sec.Tick.Mul(decimal.NewFromInt(ticks)))
	if !next.IsPositive() {
		return sec.Tick
	}
	return next
}

// Run publishes a step on every tick of the ticker until ctx ends, then stops
// the ticker and returns nil.
func (s *Sim) Run(ctx context.Context, out Publisher) error {
	t := s.cfg.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case at := <-t.C():
			out.Publish(s.Step(at))
		}
	}
}
