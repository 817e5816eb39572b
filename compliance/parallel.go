package compliance

import (
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ballast-oms/ballast/portfolio"
)

// CheckAll runs Check for each state with the basket of the same index (a
// missing or nil basket checks current holdings only) on workers goroutines
// (zero or less: one per CPU). Reports come back in state order. States that
// share one Securities map and have no Master share an index built once.
func CheckAll(states []State, baskets [][]portfolio.Trade, rules []Rule, workers int) []Report {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Report, len(states))
	masters := sharedMasters(states)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(states)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := &workspace{}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(states) {
					return
				}
				var basket []portfolio.Trade
				if i < len(baskets) {
					basket = baskets[i]
				}
				st := states[i]
				if st.Master == nil {
					st.Master = masters[i]
				}
				ws.reset()
				out[i] = check(st, basket, rules, ws)
			}
		}()
	}
	wg.Wait()
	return out
}

// sharedMasters indexes each Securities map that several states share.
func sharedMasters(states []State) []*Master {
	out := make([]*Master, len(states))
	count := map[uintptr]int{}
	for _, st := range states {
		if st.Master == nil && st.Securities != nil {
			count[reflect.ValueOf(st.Securities).Pointer()]++
		}
	}
	built := map[uintptr]*Master{}
	for i, st := range states {
		if st.Master != nil || st.Securities == nil {
			continue
		}
		p := reflect.ValueOf(st.Securities).Pointer()
		if count[p] < 2 {
			continue
		}
		if built[p] == nil {
			built[p] = NewMaster(st.Securities)
		}
		out[i] = built[p]
	}
	return out
}
