package compliance

import (
	"maps"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// book is one side of the pro-forma comparison: quantities, market values,
// cash, NAV and (lazily) group sums. The "before" book is current holdings plus
// the working orders' remainder; the "after" book adds the basket and shares
// the before book's work: it recomputes only the symbols the basket touches.
type book struct {
	st        *State
	prev      *book    // the before book, for the after book
	changed   []string // symbols whose quantity changed relative to prev
	qty       map[string]decimal.Decimal
	mv        map[string]decimal.Decimal // quantity × last price
	fallback  map[string]decimal.Decimal // trade prices for symbols with no last price
	cash      decimal.Decimal            // every order filled
	cashWorst decimal.Decimal            // worst-case path: buys filled, sells not
	buys      map[string]decimal.Decimal // quantity bought on the way here (worst-case path)
	nav       decimal.Decimal
	positions int // positions with a non-zero quantity
	groups    [5]map[string]decimal.Decimal
	custom    map[string]map[string]decimal.Decimal // sums(key, …) cache
}

// newBefore builds the before book: holdings plus the working orders' remainder.
func newBefore(st *State, working []portfolio.Trade) *book {
	n := len(st.Holdings.Positions)
	b := &book{st: st, qty: make(map[string]decimal.Decimal, n), mv: make(map[string]decimal.Decimal, n),
		cash: st.Holdings.Portfolio.Cash, cashWorst: st.Holdings.Portfolio.Cash}
	for _, p := range st.Holdings.Positions {
		if q, ok := b.qty[p.Symbol]; ok {
			b.qty[p.Symbol] = q.Add(p.Quantity)
			continue
		}
		b.qty[p.Symbol] = p.Quantity
	}
	b.apply(working)
	b.changed = nil
	b.nav = b.cash
	for sym, q := range b.qty {
		v := q.Mul(b.price(sym))
		b.mv[sym] = v
		b.nav = b.nav.Add(v)
		if !q.IsZero() {
			b.positions++
		}
	}
	return b
}

// newAfter builds the after book: before plus the basket.
func newAfter(before *book, basket []portfolio.Trade) *book {
	a := &book{st: before.st, prev: before, qty: maps.Clone(before.qty), mv: maps.Clone(before.mv),
		fallback: before.fallback, cash: before.cash, cashWorst: before.cashWorst,
		buys: maps.Clone(before.buys), nav: before.nav, positions: before.positions}
	a.apply(basket)
	for _, sym := range a.changed {
		old := before.qty[sym]
		q := a.qty[sym]
		v := q.Mul(a.price(sym))
		a.nav = a.nav.Add(v.Sub(before.mv[sym]))
		a.mv[sym] = v
		a.positions += nonZero(q) - nonZero(old)
	}
	return a
}

func nonZero(q decimal.Decimal) int {
	if q.IsZero() {
		return 0
	}
	return 1
}

// apply moves quantities and cash for valid trades (Check filters the bad ones).
func (b *book) apply(trades []portfolio.Trade) {
	for _, t := range trades {
		px, ok := b.st.tradePrice(t)
		if !ok {
			continue
		}
		if _, has := b.st.Prices[t.Symbol]; !has {
			if b.fallback == nil {
				b.fallback = map[string]decimal.Decimal{}
			}
			b.fallback[t.Symbol] = px
		}
		b.markChanged(t.Symbol)
		b.qty[t.Symbol] = b.qty[t.Symbol].Add(t.Delta())
		notional := t.Quantity.Mul(px)
		if t.Side == portfolio.Buy {
			b.cash = b.cash.Sub(notional)
			b.cashWorst = b.cashWorst.Sub(notional)
			if b.buys == nil {
				b.buys = map[string]decimal.Decimal{}
			}
			b.buys[t.Symbol] = b.buys[t.Symbol].Add(t.Quantity)
			continue
		}
		b.cash = b.cash.Add(notional)
	}
}

func (b *book) markChanged(sym string) {
	for _, s := range b.changed {
		if s == sym {
			return
		}
	}
	b.changed = append(b.changed, sym)
}

// price is the valuation price: the last price, else the basket's price for a
// symbol with no last price, else zero.
func (b *book) price(sym string) decimal.Decimal {
	if px, ok := b.st.Prices[sym]; ok {
		return px
	}
	return b.fallback[sym]
}

// group returns the market value per key of dimension d, computed once.
func (b *book) group(d Dimension) map[string]decimal.Decimal {
	if d == BySecurity {
		return b.mv
	}
	i := dimIndex(d)
	if g := b.groups[i]; g != nil {
		return g
	}
	var g map[string]decimal.Decimal
	if b.prev == nil {
		g = make(map[string]decimal.Decimal, 16)
		for sym, v := range b.mv {
			k := b.st.groupKey(d, sym)
			g[k] = g[k].Add(v)
		}
	} else {
		g = maps.Clone(b.prev.group(d))
		for _, sym := range b.changed {
			k := b.st.groupKey(d, sym)
			g[k] = g[k].Add(b.mv[sym].Sub(b.prev.mv[sym]))
		}
	}
	b.groups[i] = g
	return g
}

// sums returns market value summed by keyOf (symbols where it returns false
// are left out), computed once per book under name.
func (b *book) sums(name string, keyOf func(sym string) (string, bool)) map[string]decimal.Decimal {
	if g, ok := b.custom[name]; ok {
		return g
	}
	g := map[string]decimal.Decimal{}
	if b.prev == nil {
		for sym, v := range b.mv {
			if k, in := keyOf(sym); in {
				g[k] = g[k].Add(v)
			}
		}
	} else {
		g = maps.Clone(b.prev.sums(name, keyOf))
		for _, sym := range b.changed {
			if k, in := keyOf(sym); in {
				g[k] = g[k].Add(b.mv[sym].Sub(b.prev.mv[sym]))
			}
		}
	}
	if b.custom == nil {
		b.custom = map[string]map[string]decimal.Decimal{}
	}
	b.custom[name] = g
	return g
}

func dimIndex(d Dimension) int {
	for i, x := range Dimensions {
		if x == d {
			return i
		}
	}
	return 0
}

// grossWorst returns Σ|market value| and NAV on the worst-case path: current
// holdings plus every buy (working and basket), no sale filled.
func (b *book) grossWorst() (gross, nav decimal.Decimal) {
	nav = b.cashWorst
	seen := make(map[string]bool, len(b.st.Holdings.Positions)+len(b.buys))
	add := func(sym string, q decimal.Decimal) {
		v := q.Mul(b.price(sym))
		gross = gross.Add(v.Abs())
		nav = nav.Add(v)
	}
	held := make(map[string]decimal.Decimal, len(b.st.Holdings.Positions))
	for _, p := range b.st.Holdings.Positions {
		held[p.Symbol] = held[p.Symbol].Add(p.Quantity)
	}
	for sym, q := range held {
		seen[sym] = true
		add(sym, q.Add(b.buys[sym]))
	}
	for sym, q := range b.buys {
		if !seen[sym] {
			add(sym, q)
		}
	}
	return gross, nav
}
