package compliance

import (
	"maps"
	"slices"
	"sort"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// book is one side of the pro-forma comparison: quantities, market values,
// cash, NAV and (lazily) group sums. The "before" book is current holdings plus
// the working orders' remainder; the "after" book adds the basket and shares
// the before book's maps: it holds only the keys the basket touched (see sums).
type book struct {
	st         *State
	prev       *book             // the before book, for the after book
	changed    []string          // symbols the basket touched (after book)
	changedSet map[string]bool   // the same, indexed, for large baskets
	deltas     []decimal.Decimal // market value change of each changed symbol (after book)
	metas      []*meta           // grouping fields of each changed symbol (after book)
	qty        sums
	mv         sums                       // quantity × last price
	fallback   map[string]decimal.Decimal // trade prices for symbols with no last price
	cash       decimal.Decimal            // every order filled
	cashWorst  decimal.Decimal            // worst-case path: buys filled, sells not
	trades     []portfolio.Trade          // applied on top of prev: the working orders (before book), the basket (after)
	nav        decimal.Decimal
	positions  int                 // positions with a non-zero quantity
	rows       []row               // before book: one per symbol, with its master fields
	ws         *workspace          // where the before and after books take their maps
	groups     []namedSums         // group and custom sums by name, computed once (a handful)
	votes      map[string][]string // voting(limit) cache
}

type namedSums struct {
	name string
	sums
}

// newBefore builds the before book: holdings plus the working orders' remainder.
func newBefore(st *State, working []portfolio.Trade, ws *workspace) *book {
	n := len(st.Holdings.Positions)
	b := &book{st: st, qty: sums{base: ws.newMap(n)}, mv: sums{base: ws.newMap(n)},
		cash: st.Holdings.Portfolio.Cash, cashWorst: st.Holdings.Portfolio.Cash, ws: ws}
	for _, p := range st.Holdings.Positions {
		if q, ok := b.qty.base[p.Symbol]; ok {
			b.qty.base[p.Symbol] = q.Add(p.Quantity)
			continue
		}
		b.qty.base[p.Symbol] = p.Quantity
	}
	b.apply(working)
	b.changed, b.changedSet = nil, nil
	b.rows = ws.rows[:0]
	metas := ws.metas[:0] // without a shared index: rows point into it (reused capacity, or one allocation)
	if st.Master == nil && cap(metas) < len(b.qty.base) {
		metas = make([]meta, 0, len(b.qty.base))
	}
	var nav acc
	nav.add(b.cash)
	for sym, q := range b.qty.base {
		v := mul(q, b.price(sym))
		f := fixedOf(v)
		b.mv.base[sym] = v
		b.mv.sum.see(sym, v)
		m, ok := st.Master.lookup(sym)
		if !ok {
			metas = append(metas, metaOf(st.security(sym)))
			m = &metas[len(metas)-1]
		}
		b.rows = append(b.rows, row{sym: sym, meta: m, mv: v, fix: f})
		nav.addFixed(f, v)
		if !q.IsZero() {
			b.positions++
		}
		b.qty.sum.neg = b.qty.sum.neg || q.IsNegative() // only the sign of quantities is asked for
	}
	b.nav = nav.value()
	ws.rows, ws.metas = b.rows, metas
	return b
}

// newAfter builds the after book: before plus the basket.
func newAfter(before *book, basket []portfolio.Trade) *book {
	n := len(basket)
	a := &book{st: before.st, prev: before, ws: before.ws, qty: before.qty.overlay(n, before.ws), mv: before.mv.overlay(n, before.ws),
		fallback: maps.Clone(before.fallback), cash: before.cash, cashWorst: before.cashWorst,
		nav: before.nav, positions: before.positions}
	a.apply(basket)
	a.nav = a.nav.Add(a.cash.Sub(before.cash))
	a.deltas = make([]decimal.Decimal, len(a.changed))
	a.metas = make([]*meta, len(a.changed))
	for i, sym := range a.changed {
		a.metas[i] = a.st.meta(sym)
		old, q := before.qty.get(sym), a.qty.get(sym)
		v := mul(q, a.price(sym))
		a.deltas[i] = v.Sub(before.mv.get(sym))
		a.nav = a.nav.Add(a.deltas[i])
		a.mv.set(sym, v)
		a.positions += nonZero(q) - nonZero(old)
	}
	a.qty.summarise()
	a.mv.summarise()
	return a
}

func nonZero(q decimal.Decimal) int {
	if q.IsZero() {
		return 0
	}
	return 1
}

// apply moves quantities and cash for trades with a price (Check filters bad ones).
func (b *book) apply(trades []portfolio.Trade) {
	b.trades = trades
	for _, t := range trades {
		px, ok := b.st.tradePrice(t)
		if !ok {
			continue
		}
		if _, has := b.st.Prices[t.Symbol]; !has {
			b.fallback = set(b.fallback, t.Symbol, px)
		}
		b.markChanged(t.Symbol)
		b.qty.set(t.Symbol, b.qty.get(t.Symbol).Add(t.Delta()))
		notional := mul(t.Quantity, px)
		if t.Side == portfolio.Buy {
			b.cash = b.cash.Sub(notional)
			b.cashWorst = b.cashWorst.Sub(notional)
			continue
		}
		b.cash = b.cash.Add(notional)
	}
}

// set sets m[k] = v, making m when it is nil. Each book owns its maps (the
// after book clones the before book's), so writing is safe.
func set(m map[string]decimal.Decimal, k string, v decimal.Decimal) map[string]decimal.Decimal {
	if m == nil {
		m = map[string]decimal.Decimal{}
	}
	m[k] = v
	return m
}

func (b *book) markChanged(sym string) {
	if b.changedSet != nil {
		if !b.changedSet[sym] {
			b.changedSet[sym] = true
			b.changed = append(b.changed, sym)
		}
		return
	}
	for _, s := range b.changed {
		if s == sym {
			return
		}
	}
	b.changed = append(b.changed, sym)
	if len(b.changed) > 32 { // a large basket: index the symbols
		b.changedSet = make(map[string]bool, 2*len(b.changed))
		for _, s := range b.changed {
			b.changedSet[s] = true
		}
	}
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
func (b *book) group(d Dimension) sums {
	if d == BySecurity {
		return b.mv
	}
	return b.sums(string(d), func(r *row) (string, bool) { return r.key(d), true })
}

// sums returns market value summed by keyOf (rows where it returns false are
// left out), computed once per book under name. The after book adds the
// basket's changes to the before book's sums in an overlay.
func (b *book) sums(name string, keyOf func(*row) (string, bool)) sums {
	for _, g := range b.groups {
		if g.name == name {
			return g.sums
		}
	}
	var g sums
	if b.prev == nil {
		g = sumRows(b.rows, keyOf, b.ws)
	} else {
		g = b.prev.sums(name, keyOf).overlay(len(b.changed), b.ws)
		for i, sym := range b.changed {
			r := row{sym: sym, meta: b.metas[i]}
			if k, in := keyOf(&r); in && !b.deltas[i].IsZero() {
				g.set(k, g.get(k).Add(b.deltas[i]))
			}
		}
		g.summarise()
	}
	b.groups = append(b.groups, namedSums{name, g})
	return g
}

// voting returns the issuers of which the book holds more than vote % of an
// equity's shares outstanding (securities without the figure are not tested),
// sorted. The after book re-tests only the symbols the basket changed, unless
// one of them belongs to an issuer already flagged before.
func (b *book) voting(vote decimal.Decimal) []string {
	key := vote.String()
	if v, ok := b.votes[key]; ok {
		return v
	}
	seen := map[string]bool{}
	rows := b.rows
	if b.prev != nil {
		changed, ok := b.changedRows(b.prev.voting(vote))
		if ok {
			rows = changed
			for _, issuer := range b.prev.voting(vote) {
				seen[issuer] = true
			}
		} else { // every holding, and the symbols the basket adds (a copy: prev.rows stays intact)
			rows = slices.Clip(b.prev.rows)
			for _, sym := range b.changed {
				if _, held := b.prev.qty.base[sym]; !held {
					rows = append(rows, newRow(b.st, sym, decimal.Zero))
				}
			}
		}
	}
	for i := range rows {
		r := &rows[i]
		if r.class != portfolio.AssetEquity || seen[r.issuer] || !r.so.IsPositive() {
			continue
		}
		q := b.qty.get(r.sym)
		// q·100 < 10^(mag q + 2) ≤ SO·vote when mag q + 2 ≤ (mag SO − 1) + (mag vote − 1): skip the multiplications.
		if !q.IsPositive() || magnitude(q)+2 <= magnitude(r.so)+magnitude(vote)-2 {
			continue
		}
		if q.Shift(2).Cmp(r.so.Mul(vote)) > 0 {
			seen[r.issuer] = true
		}
	}
	out := make([]string, 0, len(seen))
	for issuer := range seen {
		out = append(out, issuer)
	}
	sort.Strings(out)
	if b.votes == nil {
		b.votes = map[string][]string{}
	}
	b.votes[key] = out
	return out
}

// changedRows returns rows for the symbols the basket changed, and false when
// one of them belongs to a flagged issuer (its other holdings then matter too).
func (b *book) changedRows(flagged []string) ([]row, bool) {
	out := make([]row, 0, len(b.changed))
	for _, sym := range b.changed {
		x := newRow(b.st, sym, decimal.Zero)
		if slices.Contains(flagged, x.issuer) {
			return nil, false
		}
		out = append(out, x)
	}
	return out, true
}

// grossWorst returns Σ|market value| and NAV on the worst-case path for gross
// exposure, and the symbols on which that path fills the sales. Fills can be
// partial, so a position can end anywhere from held − sold (every sale filled,
// no buy) to held + bought (every buy filled, no sale); its |market value| is
// largest at one of the two ends, and the path takes that end for each
// security: the buys, or the sales (sell and sell_short) when they end further
// from zero (a tie goes to the buys). A short sale from a flat position thus
// counts as filled, and so does a sale that leaves a short larger than the
// long it started from; a sale within the long position, or a buy that covers
// a short, counts as unfilled. Cash moves with the fills the path takes, at
// the trade prices. (The cash path, cashWorst, fills the buys only.)
func (b *book) grossWorst() (gross, nav decimal.Decimal, salesFill map[string]bool) {
	nav = b.st.Holdings.Portfolio.Cash
	held := make(map[string]decimal.Decimal, len(b.st.Holdings.Positions))
	for _, p := range b.st.Holdings.Positions {
		held[p.Symbol] = held[p.Symbol].Add(p.Quantity)
	}
	buys, sales := map[string]fills{}, map[string]fills{}
	for x := b; x != nil; x = x.prev {
		for _, t := range x.trades {
			px, ok := b.st.tradePrice(t)
			if !ok {
				continue
			}
			m := sales
			if t.Side == portfolio.Buy {
				m = buys
			}
			m[t.Symbol] = m[t.Symbol].add(t.Quantity, mul(t.Quantity, px))
			if _, ok := held[t.Symbol]; !ok {
				held[t.Symbol] = decimal.Zero
			}
		}
	}
	for sym, q := range held {
		bought, sold := buys[sym], sales[sym]
		if up, down := q.Add(bought.qty), q.Sub(sold.qty); down.Abs().GreaterThan(up.Abs()) {
			q, nav = down, nav.Add(sold.notional)
			if salesFill == nil {
				salesFill = map[string]bool{}
			}
			salesFill[sym] = true
		} else {
			q, nav = up, nav.Sub(bought.notional)
		}
		v := q.Mul(b.price(sym))
		gross = gross.Add(v.Abs())
		nav = nav.Add(v)
	}
	return gross, nav, salesFill
}

// fills is what the trades on the way to a book buy, or sell, of one symbol:
// the quantity and its notional at the trade prices.
type fills struct{ qty, notional decimal.Decimal }

func (f fills) add(qty, notional decimal.Decimal) fills {
	return fills{f.qty.Add(qty), f.notional.Add(notional)}
}
