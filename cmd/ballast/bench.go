package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/rebalance"
)

// cmdBench runs "ballast bench WHAT": in-memory benchmarks that print their
// throughput. Each kind of benchmark is a case here with its function in the
// file of its feature.
func cmdBench(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("bench: want a benchmark name; usage: ballast bench rebalance [--portfolios N] [--positions N]")
	}
	switch args[0] {
	case "rebalance":
		return benchRebalance(ctx, e, args[1:])
	case "booking":
		return benchBooking(ctx, e, args[1:])
	case "compliance":
		return benchCompliance(ctx, e, args[1:])
	case "triggers":
		return benchTriggers(ctx, e, args[1:])
	case "fix":
		return benchFix(ctx, e, args[1:])
	case "web":
		return benchWeb(ctx, e, args[1:])
	}
	return fmt.Errorf("bench: unknown benchmark %q (want rebalance, booking, compliance, triggers, fix or web)", args[0])
}

// benchRebalance builds a synthetic book in memory and plans every portfolio
// with rebalance.PlanAll on all cores, --rounds times, printing portfolios/s and trades/s.
func benchRebalance(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("bench rebalance", e)
	portfolios := fs.Int("portfolios", 10000, "portfolios in the synthetic book")
	positions := fs.Int("positions", 100, "positions per portfolio")
	rounds := fs.Int("rounds", 3, "times to plan the whole book (the best round is reported too)")
	workers := fs.Int("workers", 0, "planning goroutines (0: one per core)")
	seed := fs.Uint64("seed", 1, "seed of the synthetic book")
	save := fs.Bool("save", false, "also time a full --all --save: the book in SQLite, loaded, planned and saved as a proposal")
	dbPath := fs.String("db", "", "with --save: a new database file to keep (default: a temporary one)")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this file: of the planning rounds, or with --save of the load, plan and save")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the planning rounds to this file")
	lines := fs.Bool("lines", false, "also work out each security's weights before and after, as the browser's preview does (ballast rebalance plans the trades and cash only)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("bench rebalance", err)
	}
	if len(pos) > 0 || *portfolios <= 0 || *positions <= 0 || *rounds <= 0 {
		return fmt.Errorf("bench rebalance: want positive --portfolios, --positions and --rounds, and no arguments")
	}
	start := time.Now()
	book := rebalance.Synthetic(*portfolios, *positions, *seed)
	fmt.Fprintf(e.stdout, "built %d portfolios × %d positions in %s (GOMAXPROCS %d)\n",
		*portfolios, *positions, time.Since(start).Round(time.Millisecond), runtime.GOMAXPROCS(0))
	opts := rebalance.Options{Mode: rebalance.ModeTarget, MinTrade: decimal.NewFromInt(500), CollarBps: 50, TradesOnly: !*lines}
	if *lines {
		fmt.Fprintln(e.stdout, "planning trades, cash and every security's weights before and after (--lines)")
	} else {
		fmt.Fprintln(e.stdout, "planning trades and cash, as ballast rebalance does (--lines adds every security's weights)")
	}
	roundProfile := *profile
	if *save {
		roundProfile = ""
	}
	best, err := benchRebalanceRounds(e, book, opts, *rounds, *workers, roundProfile, *memProfile)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "best: %.0f portfolios/s\n", float64(*portfolios)/best.Seconds())
	if *save {
		return benchRebalanceSave(ctx, e, *dbPath, *profile, book, opts)
	}
	return nil
}

// benchRebalanceRounds plans the book rounds times and prints, per round, the
// wall time and rates, the process CPU time, the GC cycles and what was
// allocated; it returns the best round's wall time.
func benchRebalanceRounds(e *env, book []rebalance.Input, opts rebalance.Options, rounds, workers int, cpuProfile, memProfile string) (time.Duration, error) {
	if memProfile != "" {
		runtime.MemProfileRate = 64 << 10 // before the rounds allocate: the profile samples what they do
	}
	stop, err := startProfile(cpuProfile)
	if err != nil {
		return 0, fmt.Errorf("bench rebalance: %w", err)
	}
	defer stop()
	var best time.Duration
	for r := 1; r <= rounds; r++ {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		cpu0, _ := processCPU()
		start := time.Now()
		results, errs := rebalance.PlanAll(book, opts, workers)
		took := time.Since(start)
		cpu1, cpuOK := processCPU()
		runtime.ReadMemStats(&m1)
		if failed := countErrs(errs); failed > 0 {
			return 0, fmt.Errorf("bench rebalance: %d plan(s) failed, the first: %w", failed, firstErr(errs))
		}
		trades := rebalance.CountTrades(results)
		secs := took.Seconds()
		cpu := "CPU n/a"
		if cpuOK {
			cpu = fmt.Sprintf("CPU %s", (cpu1 - cpu0).Round(time.Millisecond))
		}
		fmt.Fprintf(e.stdout, "round %d: %d portfolios, %d trades in %s: %.0f portfolios/s, %.0f trades/s (%s, %d GC, %d allocs, %d MB)\n",
			r, len(results), trades, took.Round(time.Millisecond), float64(len(results))/secs, float64(trades)/secs,
			cpu, m1.NumGC-m0.NumGC, m1.Mallocs-m0.Mallocs, (m1.TotalAlloc-m0.TotalAlloc)>>20)
		if best == 0 || took < best {
			best = took
		}
	}
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return 0, fmt.Errorf("bench rebalance: %w", err)
		}
	}
	return best, nil
}

// writeHeapProfile writes the allocation profile (every sampled allocation so far) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func countErrs(errs []error) int {
	n := 0
	for _, err := range errs {
		if err != nil {
			n++
		}
	}
	return n
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
