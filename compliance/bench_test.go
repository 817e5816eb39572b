package compliance

import (
	"runtime"
	"testing"
)

// BenchmarkCheck10kx100x15 checks 10,000 portfolios × 100 positions (baskets
// of 10 trades) against 15 rules on every core; one op is the whole desk.
func BenchmarkCheck10kx100x15(b *testing.B) {
	states, baskets := Synthetic(10_000, 100, 10, 1)
	rules := SyntheticRules()
	workers := runtime.GOMAXPROCS(0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		CheckAll(states, baskets, rules, workers)
	}
	b.ReportMetric(float64(len(states))*float64(b.N)/b.Elapsed().Seconds(), "portfolios/s")
}

// BenchmarkCheckOne checks one portfolio of 100 positions, 10 trades, 15 rules.
func BenchmarkCheckOne(b *testing.B) {
	states, baskets := Synthetic(1, 100, 10, 1)
	rules := SyntheticRules()
	b.ReportAllocs()
	for b.Loop() {
		Check(states[0], baskets[0], rules)
	}
}
