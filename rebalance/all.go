package rebalance

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ballast-oms/ballast/portfolio"
)

// PlanAll plans many portfolios on workers goroutines (all cores when
// workers ≤ 0). Results and errors keep the order of inputs: results[i] and
// errs[i] belong to inputs[i]. errs is nil when every plan succeeded;
// otherwise errs[i] is nil for the portfolios that planned.
func PlanAll(inputs []Input, opts Options, workers int) ([]Result, []error) {
	return PlanAllProgress(inputs, opts, workers, nil)
}

// chunk is how many portfolios a worker takes at a time.
const chunk = 32

// PlanAllProgress is PlanAll that also calls progress(done) after each batch
// of portfolios, from the worker goroutines (progress must be safe for
// concurrent use; done only grows, and the last call has done == len(inputs)).
func PlanAllProgress(inputs []Input, opts Options, workers int, progress func(done int)) ([]Result, []error) {
	results := make([]Result, len(inputs))
	errs := make([]error, len(inputs))
	failed := atomic.Bool{}
	if err := opts.Validate(); err != nil {
		for i := range errs {
			errs[i] = fmt.Errorf("rebalance %s: options: %w", inputs[i].Holdings.Portfolio.Code, err)
		}
		return results, errs
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			models := modelCache{}
			ws := &workspace{quotes: quotes{collar: opts.CollarBps, minTrade: opts.MinTrade, m: map[string]*quote{}}, weights: &weights{}, boxes: &boxes{}, reasons: reasonTable{}}
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= len(inputs) {
					return
				}
				end := min(start+chunk, len(inputs))
				for i := start; i < end; i++ {
					results[i], errs[i] = models.plan(&inputs[i], opts, ws)
					if errs[i] != nil {
						failed.Store(true)
					}
				}
				if n := done.Add(int64(end - start)); progress != nil {
					progress(int(n))
				}
			}
		}()
	}
	wg.Wait()
	if !failed.Load() {
		errs = nil
	}
	return results, errs
}

// modelKey identifies a model shared by many inputs: the same name and the
// same backing array of targets. It leaves out the model's band, which
// modelInfo's band edges also come from: models that share a key are told
// apart by sameBand.
type modelKey struct {
	name  string
	first *portfolio.Target
	n     int
}

// modelEntry is one model's modelInfo with the band it was worked out for.
type modelEntry struct {
	band portfolio.Band
	mi   *modelInfo
}

// modelCache remembers, per worker, what each shared model gives (see
// modelInfo); inputs must not change while PlanAll runs. A key holds one
// entry per band seen with it, almost always just one.
type modelCache map[modelKey][]modelEntry

func (c modelCache) plan(in *Input, opts Options, ws *workspace) (Result, error) {
	m := in.Model
	if len(m.Targets) == 0 {
		return Plan(*in, opts)
	}
	k := modelKey{m.Name, &m.Targets[0], len(m.Targets)}
	var mi *modelInfo
	for _, e := range c[k] {
		if sameBand(e.band, m.Band) {
			mi = e.mi
			break
		}
	}
	if mi == nil {
		mi = newModelInfo(m)
		mi.shared = true
		c[k] = append(c[k], modelEntry{m.Band, mi})
	}
	if mi.err != nil {
		return Result{}, fmt.Errorf("rebalance %s: model %s: %w", in.Holdings.Portfolio.Code, m.Name, mi.err)
	}
	return plan(in, mi, opts, ws)
}

// sameBand reports whether a and b are the same band written the same way:
// the same kind and the same width to the same number of places, so that the
// cached band edges are exactly those newModelInfo works out for either.
func sameBand(a, b portfolio.Band) bool {
	return a.Kind == b.Kind && a.Width.Exponent() == b.Width.Exponent() && a.Width.Equal(b.Width)
}

// CountTrades returns the number of trades in results.
func CountTrades(results []Result) int {
	n := 0
	for _, r := range results {
		n += len(r.Trades)
	}
	return n
}
