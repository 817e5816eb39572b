package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/ballast-oms/ballast/trigger"
)

// benchTriggers evaluates batches of price updates against a synthetic book
// of active conditions (trigger.NewSynthetic) and prints the time per batch:
// the target is under 50 ms for 100,000 conditions and 1,000 prices.
// The engine lives on across batches as in production and is rebuilt
// (untimed) every --cycle batches so the book does not drain.
func benchTriggers(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("bench triggers", e)
	conditions := fs.Int("conditions", 100_000, "active conditions in the synthetic book")
	symbols := fs.Int("symbols", 1_000, "securities they are spread over")
	ticks := fs.Int("ticks", 1_000, "price updates per batch")
	batches := fs.Int("batches", 200, "batches to time")
	cycle := fs.Int("cycle", 20, "batches between engine rebuilds")
	seed := fs.Uint64("seed", 1, "seed of the synthetic book and price walk")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("bench triggers", err)
	}
	if len(pos) > 0 || *conditions <= 0 || *symbols <= 0 || *ticks <= 0 || *batches <= 0 || *cycle <= 0 {
		return fmt.Errorf("bench triggers: want positive --conditions, --symbols, --ticks, --batches and --cycle, and no arguments")
	}
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	start := time.Now()
	s := trigger.NewSynthetic(*conditions, *symbols, *seed, t0)
	walk := make([][]trigger.Tick, *cycle)
	for i := range walk {
		walk[i] = s.Batch(*ticks, t0.Add(time.Duration(i+1)*time.Second))
	}
	fmt.Fprintf(e.stdout, "built %d conditions over %d securities in %s (GOMAXPROCS %d)\n",
		*conditions, *symbols, time.Since(start).Round(time.Millisecond), runtime.GOMAXPROCS(0))
	took := make([]time.Duration, 0, *batches)
	var eng *trigger.Engine
	fired, highs := 0, 0
	for i := range *batches {
		if i%*cycle == 0 {
			if eng, err = s.Engine(); err != nil {
				return fmt.Errorf("bench triggers: %w", err)
			}
		}
		t := time.Now()
		r := eng.OnPrices(walk[i%*cycle])
		took = append(took, time.Since(t))
		fired += len(r.Fired) + len(r.Cancelled)
		highs += len(r.Highs)
	}
	slices.Sort(took)
	var total time.Duration
	for _, d := range took {
		total += d
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Fprintf(e.stdout, "%d batches of %d prices against %d conditions: mean %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms per batch\n",
		*batches, *ticks, *conditions, ms(total/time.Duration(len(took))), ms(took[len(took)/2]),
		ms(took[len(took)*99/100]), ms(took[len(took)-1]))
	fmt.Fprintf(e.stdout, "per batch: %.1f fired or cancelled, %.1f trailing highs moved (target: under 50 ms per batch)\n",
		float64(fired)/float64(*batches), float64(highs)/float64(*batches))
	return nil
}
