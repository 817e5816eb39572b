package trigger

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// BenchmarkOnPrices100kConditions1kTicks evaluates a batch of 1,000 price
// updates (one per security) against 100,000 active conditions over 1,000
// securities. The engine lives on across batches as in production; every 20
// batches it is rebuilt (untimed) and the walk replayed, so each run sees the
// same sequence.
func BenchmarkOnPrices100kConditions1kTicks(b *testing.B) {
	benchmarkOnPrices(b, 100_000, 1_000, 1_000)
}

// BenchmarkOnPrices10kConditions100Ticks is a smaller book for comparison.
func BenchmarkOnPrices10kConditions100Ticks(b *testing.B) {
	benchmarkOnPrices(b, 10_000, 100, 100)
}

// BenchmarkOnPricesCrash100k is the worst case: every one of 1,000 prices
// falls 25% in one batch, firing every stop-loss, buy-limit and tracking
// trailing stop of a 100,000-condition book.
func BenchmarkOnPricesCrash100k(b *testing.B) {
	s := NewSynthetic(100_000, 1_000, 1, t0)
	crash := s.Shock(-2500, t0.Add(time.Second))
	fired := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e, err := s.Engine()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		fired += len(e.OnPrices(crash).Fired)
	}
	b.ReportMetric(float64(fired)/float64(b.N), "fired/op")
}

func benchmarkOnPrices(b *testing.B, conditions, symbols, ticks int) {
	const cycle = 20
	s := NewSynthetic(conditions, symbols, 1, t0)
	batches := make([][]Tick, cycle)
	for i := range batches {
		batches[i] = s.Batch(ticks, t0.Add(time.Duration(i+1)*time.Second))
	}
	var e *Engine
	fired, highs := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%cycle == 0 {
			b.StopTimer()
			var err error
			if e, err = s.Engine(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		r := e.OnPrices(batches[i%cycle])
		fired += len(r.Fired) + len(r.Cancelled)
		highs += len(r.Highs)
	}
	b.ReportMetric(float64(fired)/float64(b.N), "fired/op")
	b.ReportMetric(float64(highs)/float64(b.N), "highs/op")
}

func TestSyntheticIsReproducibleAndValid(t *testing.T) {
	a, b := NewSynthetic(2000, 50, 9, t0), NewSynthetic(2000, 50, 9, t0)
	if len(a.Conditions) != 2000 || len(a.Symbols) != 50 {
		t.Fatalf("%d conditions over %d symbols", len(a.Conditions), len(a.Symbols))
	}
	for i := range a.Conditions {
		if ca, cb := a.Conditions[i], b.Conditions[i]; ca.Kind != cb.Kind || !ca.Level.Equal(cb.Level) || !ca.High.Equal(cb.High) {
			t.Fatalf("condition %d differs between runs", i)
		}
	}
	e, err := a.Engine()
	if err != nil {
		t.Fatal(err)
	}
	// Nothing is crossed at the starting prices.
	start := make([]Tick, len(a.Symbols))
	for i, sym := range a.Symbols {
		start[i] = Tick{Symbol: sym, Price: decimal.New(a.start[i], -2), Time: t0}
	}
	if r := e.OnPrices(start); len(r.Fired) != 0 || len(r.Cancelled) != 0 {
		t.Fatalf("%d fired at the starting prices", len(r.Fired))
	}
	ba, bb := a.Batch(100, t0), b.Batch(100, t0)
	for i := range ba {
		if ba[i].Symbol != bb[i].Symbol || !ba[i].Price.Equal(bb[i].Price) || !ba[i].Price.IsPositive() {
			t.Fatalf("tick %d: %v vs %v", i, ba[i], bb[i])
		}
	}
}
