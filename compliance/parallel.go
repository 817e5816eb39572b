package compliance

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ballast-oms/ballast/portfolio"
)

// CheckAll runs Check for each state with the basket of the same index (a
// missing or nil basket checks current holdings only) on workers goroutines
// (zero or less: one per CPU). Reports come back in state order.
func CheckAll(states []State, baskets [][]portfolio.Trade, rules []Rule, workers int) []Report {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Report, len(states))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(states)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(states) {
					return
				}
				var basket []portfolio.Trade
				if i < len(baskets) {
					basket = baskets[i]
				}
				out[i] = Check(states[i], basket, rules)
			}
		}()
	}
	wg.Wait()
	return out
}
