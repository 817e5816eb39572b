package rebalance

import (
	"runtime"
	"syscall"
	"testing"

	"github.com/shopspring/decimal"
)

// benchOptions are the options of the benchmark: target mode, a 50 bps
// collar, a 1% reserve and a 500 minimum trade.
func benchOptions() Options {
	return Options{Mode: ModeTarget, CollarBps: 50, MinTrade: decimal.NewFromInt(500),
		CashReserve: Reserve{Percent: true, Value: decimal.NewFromInt(1)}}
}

// BenchmarkPlanAll10kx100 plans 10,000 portfolios of 100 positions on all cores
// and reports portfolios/s and trades/s (wall clock), and portfolios per
// CPU-second of this process, which other load on a shared machine does not
// distort (times the core count, it is the rate on an otherwise idle machine).
func BenchmarkPlanAll10kx100(b *testing.B) {
	inputs := Synthetic(10_000, 100, 1)
	trades := 0
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		results, errs := PlanAll(inputs, benchOptions(), runtime.GOMAXPROCS(0))
		if errs != nil {
			b.Fatal(errs)
		}
		trades = CountTrades(results)
	}
	cpu := cpuSeconds() - cpu0
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(len(inputs))/perOp, "portfolios/s")
	b.ReportMetric(float64(trades)/perOp, "trades/s")
	b.ReportMetric(float64(len(inputs)*b.N)/cpu, "portfolios/cpu-s")
}

// cpuSeconds is the user and system CPU time this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkPlan100 plans one portfolio of 100 positions on one core.
func BenchmarkPlan100(b *testing.B) {
	inputs := Synthetic(100, 100, 1)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := Plan(inputs[i%len(inputs)], benchOptions()); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
