package trigger

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Options are what the Engine needs from the rest of Ballast.
type Options struct {
	// Holding returns the quantity of symbol that portfolio can sell now: the
	// position less quantities already on working sell orders. Required.
	Holding func(portfolio, symbol string) decimal.Decimal
	// Tick returns a security's price increment, used to round collared limit
	// prices; nil or a zero result means 0.01.
	Tick func(symbol string) decimal.Decimal
}

// Engine holds the active conditions, indexed by security and threshold, and
// evaluates price updates against them. It is safe for concurrent use.
type Engine struct {
	mu     sync.Mutex
	opts   Options
	books  map[string]*book
	byID   map[int64]*entry
	expiry indexHeap
}

// book holds one security's active conditions:
//
//	up:    min-heap by key of conditions that act when price ≥ key (take-profit,
//	       buy-stop, and trailing stops waiting for their activation price);
//	down:  max-heap by key of conditions that fire when price ≤ key (stop-loss,
//	       buy-limit, and tracking trailing stops keyed by high − distance);
//	highs: min-heap by High of the tracking trailing stops.
type book struct {
	up, down, highs indexHeap
}

// entry is one active condition inside the engine.
type entry struct {
	c    Condition
	key  decimal.Decimal // its threshold in the book's up or down heap
	pos  [slots]int
	gone bool // settled (fired, cancelled, expired) during the current batch
}

// NewEngine builds an engine holding conds, which must all be active: this is
// how Ballast resumes after a restart, with each trailing stop's stored High.
// Nothing is kept when any condition is refused.
func NewEngine(opts Options, conds []Condition) (*Engine, error) {
	if opts.Holding == nil {
		return nil, errors.New("trigger: new engine: no Holding function")
	}
	e := &Engine{opts: opts, books: map[string]*book{}, byID: make(map[int64]*entry, len(conds))}
	e.expiry = indexHeap{slot: slotExpiry, less: func(a, b *entry) bool {
		if !a.c.ValidUntil.Equal(b.c.ValidUntil) {
			return a.c.ValidUntil.Before(b.c.ValidUntil)
		}
		return a.c.ID < b.c.ID
	}}
	for _, c := range conds {
		if err := e.add(c); err != nil {
			return nil, fmt.Errorf("trigger: new engine: %w", err)
		}
	}
	return e, nil
}

// Add starts watching an active condition, or re-indexes it when the engine
// already holds one with its ID. A trailing stop keeps the higher of its
// stored and tracked highs.
func (e *Engine) Add(c Condition) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.add(c)
}

func (e *Engine) add(c Condition) error {
	if err := checkActive(c); err != nil {
		return fmt.Errorf("add %d: %w", c.ID, err)
	}
	if old, ok := e.byID[c.ID]; ok {
		if c.Kind == TrailingStop && old.c.Kind == TrailingStop && old.c.High.GreaterThan(c.High) {
			c.High = old.c.High
		}
		e.detach(old)
	}
	e.insert(&entry{c: c, pos: [slots]int{-1, -1, -1}})
	return nil
}

// checkActive refuses what the engine cannot watch.
func checkActive(c Condition) error {
	switch {
	case c.State != Active:
		return fmt.Errorf("condition is %s, not active: %w", c.State, ErrInvalid)
	case c.Symbol == "" || c.Portfolio == "":
		return fmt.Errorf("no portfolio or symbol: %w", ErrInvalid)
	case c.ValidUntil.IsZero():
		return fmt.Errorf("no valid_until: %w", ErrInvalid)
	case c.Kind == TrailingStop:
		if !c.Percent.IsPositive() && !c.Amount.IsPositive() {
			return fmt.Errorf("trailing stop without a distance: %w", ErrInvalid)
		}
		if c.Percent.GreaterThanOrEqual(decimal.NewFromInt(100)) {
			return fmt.Errorf("trailing percent %s: %w", c.Percent, ErrInvalid)
		}
	case c.Kind == StopLoss || c.Kind == TakeProfit || c.Kind == BuyStop || c.Kind == BuyLimit:
		if !c.Level.IsPositive() {
			return fmt.Errorf("no resolved level: %w", ErrInvalid)
		}
	default:
		return fmt.Errorf("kind %q: %w", c.Kind, ErrInvalid)
	}
	return nil
}

func (e *Engine) bookFor(symbol string) *book {
	b := e.books[symbol]
	if b == nil {
		b = &book{
			up: indexHeap{slot: slotLevel, less: func(x, y *entry) bool {
				if c := x.key.Cmp(y.key); c != 0 {
					return c < 0
				}
				return x.c.ID < y.c.ID
			}},
			down: indexHeap{slot: slotLevel, less: func(x, y *entry) bool {
				if c := x.key.Cmp(y.key); c != 0 {
					return c > 0
				}
				return x.c.ID < y.c.ID
			}},
			highs: indexHeap{slot: slotHigh, less: func(x, y *entry) bool {
				if c := x.c.High.Cmp(y.c.High); c != 0 {
					return c < 0
				}
				return x.c.ID < y.c.ID
			}},
		}
		e.books[symbol] = b
	}
	return b
}

// insert indexes en in its security's book and in the expiry heap.
func (e *Engine) insert(en *entry) {
	b := e.bookFor(en.c.Symbol)
	switch {
	case en.c.Tracking():
		en.key = en.c.StopLevel()
		b.down.push(en)
		b.highs.push(en)
	case en.c.Kind == TrailingStop:
		en.key = en.c.ActivationPrice // zero: activates on the first price
		b.up.push(en)
	case en.c.Kind.FiresDown():
		en.key = en.c.Level
		b.down.push(en)
	default:
		en.key = en.c.Level
		b.up.push(en)
	}
	e.expiry.push(en)
	e.byID[en.c.ID] = en
}

// detach removes en from every index.
func (e *Engine) detach(en *entry) {
	if b := e.books[en.c.Symbol]; b != nil {
		b.up.remove(en)
		b.down.remove(en)
		b.highs.remove(en)
		if b.up.len() == 0 && b.down.len() == 0 {
			delete(e.books, en.c.Symbol)
		}
	}
	e.expiry.remove(en)
	delete(e.byID, en.c.ID)
}

// Remove stops watching a condition (after it was cancelled or expired in
// storage) and returns it as the engine last saw it.
func (e *Engine) Remove(id int64) (Condition, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	en, ok := e.byID[id]
	if !ok {
		return Condition{}, false
	}
	e.detach(en)
	return en.c, true
}

// Get returns the condition with id as the engine sees it now (with its
// current trailing high).
func (e *Engine) Get(id int64) (Condition, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	en, ok := e.byID[id]
	if !ok {
		return Condition{}, false
	}
	return en.c, true
}

// Len is the number of conditions watched.
func (e *Engine) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.byID)
}

// Conditions returns every watched condition, ordered by ID: the state to save.
func (e *Engine) Conditions() []Condition {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Condition, 0, len(e.byID))
	for _, en := range e.byID {
		out = append(out, en.c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Expire ends every watched condition valid until before now, in order of
// validity, and returns them expired (version bumped) for the caller to store.
func (e *Engine) Expire(now time.Time) []Condition {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Condition
	for e.expiry.len() > 0 && now.After(e.expiry.top().c.ValidUntil) {
		en := e.expiry.top()
		e.detach(en)
		if c, err := en.c.Expire(now); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// HoldingClosed cancels every sell condition on a holding that was sold to
// zero and returns them cancelled for the caller to store. Buy conditions stay.
func (e *Engine) HoldingClosed(portfolio, symbol string, at time.Time) []Condition {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.books[symbol]
	if b == nil {
		return nil
	}
	var hit []*entry
	for _, h := range []*indexHeap{&b.up, &b.down} {
		for _, en := range h.items {
			if en.c.Portfolio == portfolio && en.c.Kind.Sells() {
				hit = append(hit, en)
			}
		}
	}
	sort.Slice(hit, func(i, j int) bool { return hit[i].c.ID < hit[j].c.ID })
	out := make([]Condition, 0, len(hit))
	for _, en := range hit {
		e.detach(en)
		c, _ := en.c.to(Cancelled, at, "the holding was sold to zero")
		out = append(out, c)
	}
	return out
}
