package trigger

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
)

// Synthetic is a reproducible book of active conditions over many securities
// and a random walk of their prices, for the benchmark and `ballast bench
// triggers`. The same arguments give the same conditions and the same batches.
type Synthetic struct {
	Conditions []Condition
	Symbols    []string
	start      []int64 // starting price per symbol, in cents
	cents      []int64 // current walk price per symbol, in cents
	seed       uint64
	rng        *rand.Rand
}

// NewSynthetic builds n active conditions spread evenly over symbols
// securities, all valid for MaxValidity from now. Per security: 25% stop-loss
// 3–20% below the price, 20% take-profit 3–20% above, 35% trailing stops (by
// percent or amount, half with an activation price, half already tracking a
// high just above the price), 10% buy-limit and 10% buy-stop.
func NewSynthetic(n, symbols int, seed uint64, now time.Time) *Synthetic {
	symbols = max(symbols, 1)
	s := &Synthetic{seed: seed, start: make([]int64, symbols)}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for i := range symbols {
		s.Symbols = append(s.Symbols, fmt.Sprintf("SYN%04d", i))
		s.start[i] = 1000 + rng.Int64N(49000) // 10.00 to 500.00
	}
	s.Conditions = make([]Condition, 0, n)
	for i := range n {
		sym := i % symbols
		c := syntheticCondition(rng, int64(i+1), s.start[sym])
		c.Symbol = s.Symbols[sym]
		c.Portfolio = fmt.Sprintf("P%03d", i%100)
		c.State, c.Version, c.CreatedBy, c.ApprovedBy = Active, 2, "bench-pm", "bench-trader"
		c.OrderType, c.ValidUntil = OrderMarket, now.Add(MaxValidity).UTC()
		s.Conditions = append(s.Conditions, c)
	}
	s.Reset()
	return s
}

func syntheticCondition(rng *rand.Rand, id, p int64) Condition {
	pct := func(lo, hi int64) decimal.Decimal { // p × a random per-mille in [lo, hi], in cents
		return decimal.New(p*(lo+rng.Int64N(hi-lo+1))/1000, -2)
	}
	c := Condition{ID: id}
	switch r := rng.IntN(100); {
	case r < 25:
		c.Kind, c.TriggerPrice = StopLoss, pct(800, 970)
	case r < 45:
		c.Kind, c.TriggerPrice = TakeProfit, pct(1030, 1200)
	case r < 80:
		c.Kind = TrailingStop
		if rng.IntN(2) == 0 {
			c.Percent = decimal.NewFromInt(3 + rng.Int64N(8))
		} else {
			c.Amount = pct(30, 100)
		}
		if rng.IntN(2) == 0 {
			c.ActivationPrice = pct(1010, 1100)
		} else {
			c.High = pct(1000, 1020)
		}
	case r < 90:
		c.Kind, c.TriggerPrice, c.Quantity = BuyLimit, pct(800, 970), decimal.NewFromInt(100)
	default:
		c.Kind, c.TriggerPrice, c.Quantity = BuyStop, pct(1030, 1200), decimal.NewFromInt(100)
	}
	c.Level = c.TriggerPrice
	return c
}

// Reset puts the price walk back at its starting prices and seed.
func (s *Synthetic) Reset() {
	s.cents = append(s.cents[:0], s.start...)
	s.rng = rand.New(rand.NewPCG(s.seed, 0x7ac5))
}

// Options are engine options with a large holding everywhere, so firings are
// never capped.
func (s *Synthetic) Options() Options {
	held := decimal.NewFromInt(1_000_000)
	return Options{Holding: func(string, string) decimal.Decimal { return held }}
}

// Engine builds a fresh engine over the synthetic conditions.
func (s *Synthetic) Engine() (*Engine, error) { return NewEngine(s.Options(), s.Conditions) }

// Batch returns n ticks at time at: the securities in a shuffled order (each
// once when n equals the number of securities), each price moved by up to
// ±0.5% from its last value, in cents, never below 0.01.
func (s *Synthetic) Batch(n int, at time.Time) []Tick {
	order := s.rng.Perm(len(s.Symbols))
	out := make([]Tick, n)
	for i := range out {
		k := order[i%len(order)]
		move := s.cents[k] * (s.rng.Int64N(101) - 50) / 10000
		s.cents[k] = max(1, s.cents[k]+move)
		out[i] = Tick{Symbol: s.Symbols[k], Price: decimal.New(s.cents[k], -2), Time: at}
	}
	return out
}

// Shock returns one tick per security with every price moved by bps basis
// points at once (−2500 is a 25% crash), never below 0.01: the worst case,
// in which a large part of the book fires in one batch.
func (s *Synthetic) Shock(bps int64, at time.Time) []Tick {
	out := make([]Tick, len(s.Symbols))
	for k := range out {
		s.cents[k] = max(1, s.cents[k]+s.cents[k]*bps/10000)
		out[k] = Tick{Symbol: s.Symbols[k], Price: decimal.New(s.cents[k], -2), Time: at}
	}
	return out
}
