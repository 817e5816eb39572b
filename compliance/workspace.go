package compliance

import "github.com/shopspring/decimal"

// workspace holds the maps and slices one Check works in. Check makes a new
// one; CheckAll keeps one per worker and resets it between checks, so a
// batch of thousands of checks does not allocate (and collect) them again
// each time. Nothing in a Report points into a workspace.
type workspace struct {
	maps    []map[string]decimal.Decimal // handed out in order, cleared on reuse
	used    int
	rows    []row
	metas   []meta
	scratch scratch
}

// scratch is working space for sumRows.
type scratch struct {
	keys []string
	accs []acc
	idx  map[string]int
}

// reset makes everything the workspace handed out free for the next check.
func (w *workspace) reset() { w.used = 0 }

// newMap returns an empty map, a reused one when there is one.
func (w *workspace) newMap(hint int) map[string]decimal.Decimal {
	if w.used < len(w.maps) {
		m := w.maps[w.used]
		clear(m)
		w.used++
		return m
	}
	m := make(map[string]decimal.Decimal, hint)
	w.maps = append(w.maps, m)
	w.used++
	return m
}
