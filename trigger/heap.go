package trigger

// Heap slots: every entry remembers its position in each heap it belongs to,
// so it can be fixed or removed in O(log n) without searching.
const (
	slotLevel  = iota // the book's up or down heap
	slotHigh          // the book's heap of trailing highs
	slotExpiry        // the engine's heap of validity ends
	slots
)

// indexHeap is a binary heap of entries ordered by less, which records each
// entry's position in entry.pos[slot].
type indexHeap struct {
	items []*entry
	slot  int
	less  func(a, b *entry) bool
}

func (h *indexHeap) len() int { return len(h.items) }

func (h *indexHeap) top() *entry { return h.items[0] }

func (h *indexHeap) push(e *entry) {
	e.pos[h.slot] = len(h.items)
	h.items = append(h.items, e)
	h.up(len(h.items) - 1)
}

// remove takes e out of the heap; it does nothing when e is not in it.
func (h *indexHeap) remove(e *entry) {
	i := e.pos[h.slot]
	if i < 0 || i >= len(h.items) || h.items[i] != e {
		return
	}
	last := len(h.items) - 1
	h.swap(i, last)
	h.items[last] = nil
	h.items = h.items[:last]
	e.pos[h.slot] = -1
	if i < last {
		h.fix(i)
	}
}

// pop removes and returns the top entry.
func (h *indexHeap) pop() *entry {
	e := h.items[0]
	h.remove(e)
	return e
}

// fix restores order after the key of the entry at i changed.
func (h *indexHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *indexHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(h.items[i], h.items[parent]) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

func (h *indexHeap) down(i int) bool {
	start, n := i, len(h.items)
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if r := child + 1; r < n && h.less(h.items[r], h.items[child]) {
			child = r
		}
		if !h.less(h.items[child], h.items[i]) {
			break
		}
		h.swap(i, child)
		i = child
	}
	return i > start
}

func (h *indexHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].pos[h.slot] = i
	h.items[j].pos[h.slot] = j
}
