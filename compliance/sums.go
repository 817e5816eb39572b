package compliance

import "github.com/shopspring/decimal"

// sums is amounts by key. A before book's sums are a plain map (base); an
// after book's are an overlay: over holds the keys the basket touched, base is
// the before book's map, shared and never written through the overlay. This
// spares copying every map of a 100-position portfolio for a 10-trade basket.
type sums struct {
	base map[string]decimal.Decimal
	over map[string]decimal.Decimal // nil for a plain map
	sum  summary                    // of the current values, set by summarise
	was  summary                    // of base, for an overlay
}

// summary is what rules ask of every group first: the largest amount (ties to
// the smaller key) and whether any amount is negative.
type summary struct {
	top  string
	topV decimal.Decimal
	any  bool // there is a top
	neg  bool
}

func (m *summary) see(k string, v decimal.Decimal) {
	if c := v.Cmp(m.topV); !m.any || c > 0 || (c == 0 && k < m.top) {
		m.top, m.topV, m.any = k, v, true
	}
	m.neg = m.neg || v.IsNegative()
}

// overlay returns an empty overlay on s's values, for about n changed keys.
func (s sums) overlay(n int, ws *workspace) sums {
	if s.over != nil { // never stack overlays: flatten first
		s = sums{base: s.flat()}
		s.summarise()
	}
	return sums{base: s.base, over: ws.newMap(n), was: s.sum}
}

// summarise computes the summary: a plain map is scanned; an overlay looks at
// its changed keys only, unless the old top or a negative amount may have changed.
func (s *sums) summarise() {
	s.sum = summary{}
	_, topChanged := s.over[s.was.top]
	if s.over == nil || s.was.neg || topChanged {
		s.each(s.sum.see)
		return
	}
	if s.was.any {
		s.sum.see(s.was.top, s.was.topV)
	}
	for k, v := range s.over {
		s.sum.see(k, v)
	}
}

// max returns the largest amount and its key ("" and zero when empty).
func (s sums) max() (string, decimal.Decimal) { return s.sum.top, s.sum.topV }

// hasNegative reports whether any amount is below zero.
func (s sums) hasNegative() bool { return s.sum.neg }

// get returns the amount for k (zero when absent).
func (s sums) get(k string) decimal.Decimal {
	if v, ok := s.over[k]; ok {
		return v
	}
	return s.base[k]
}

// set writes k, to the overlay when there is one.
func (s sums) set(k string, v decimal.Decimal) {
	if s.over != nil {
		s.over[k] = v
		return
	}
	s.base[k] = v
}

// each calls fn for every key once, with its current amount, in no order.
func (s sums) each(fn func(k string, v decimal.Decimal)) {
	for k, v := range s.base {
		if o, ok := s.over[k]; ok {
			v = o
		}
		fn(k, v)
	}
	for k, v := range s.over {
		if _, ok := s.base[k]; !ok {
			fn(k, v)
		}
	}
}

// flat returns the amounts as one new map.
func (s sums) flat() map[string]decimal.Decimal {
	m := make(map[string]decimal.Decimal, len(s.base)+len(s.over))
	s.each(func(k string, v decimal.Decimal) { m[k] = v })
	return m
}

// magnitude returns m with |d| < 10^m for a non-zero d: a cheap bound on its size.
func magnitude(d decimal.Decimal) int {
	return d.NumDigits() + int(d.Exponent())
}

// acc sums decimals exactly. While every addend has the same exponent and a
// coefficient of at most 17 digits it adds the int64 coefficients (no
// allocation, no overflow: checked); otherwise it falls back to decimal.Add.
// The result is the same decimal either way.
type acc struct {
	n    int
	d    decimal.Decimal // the sum when !fast or n == 1
	c    int64           // the coefficient when fast
	exp  int32
	fast bool
}

func (a *acc) add(v decimal.Decimal) { a.addFixed(fixedOf(v), v) }

// fixed is a decimal's coefficient and exponent when the coefficient has at
// most 17 digits (small), computed once for a value added to many sums.
type fixed struct {
	c     int64
	exp   int32
	small bool
}

func fixedOf(v decimal.Decimal) fixed {
	return fixed{c: v.CoefficientInt64(), exp: v.Exponent(), small: v.NumDigits() <= 17}
}

// addFixed adds v, whose fixed form is f.
func (a *acc) addFixed(f fixed, v decimal.Decimal) {
	switch {
	case a.n == 0:
		a.d, a.fast = v, f.small
		a.c, a.exp = f.c, f.exp
	case a.fast && f.small && f.exp == a.exp:
		s := a.c + f.c
		if (a.c > 0 && f.c > 0 && s < 0) || (a.c < 0 && f.c < 0 && s >= 0) {
			a.d, a.fast = a.value().Add(v), false
			break
		}
		a.c = s
	default:
		a.d, a.fast = a.value().Add(v), false
	}
	a.n++
}

// value returns the sum (zero when nothing was added).
func (a *acc) value() decimal.Decimal {
	if a.n <= 1 || !a.fast {
		return a.d
	}
	return decimal.New(a.c, a.exp)
}

// row is one symbol of the before book: its market value and the master
// fields groups use.
type row struct {
	sym string
	*meta
	mv  decimal.Decimal
	fix fixed // mv's coefficient, for the sums
}

func newRow(st *State, sym string, mv decimal.Decimal) row {
	return row{sym: sym, meta: st.meta(sym), mv: mv}
}

// key returns the row's key in dimension d.
func (r *row) key(d Dimension) string {
	switch d {
	case ByIssuer:
		return r.issuer
	case BySector:
		return r.sector
	case ByCountry:
		return r.country
	case ByAssetClass:
		return r.class
	}
	return r.sym
}

// sumRows sums the rows' market values by keyOf (rows it rejects are left
// out). Keys are looked up in a short slice while there are few of them
// (sectors, countries) and in a map beyond that (issuers); the result map is
// allocated once at its final size.
func sumRows(rows []row, keyOf func(*row) (string, bool), ws *workspace) sums {
	sc := &ws.scratch
	const few = 16
	keys, accs := sc.keys[:0], sc.accs[:0]
	var idx map[string]int
	for i := range rows {
		k, in := keyOf(&rows[i])
		if !in {
			continue
		}
		j, found := find(keys, idx, k)
		if !found {
			j = len(keys)
			keys, accs = append(keys, k), append(accs, acc{})
			switch {
			case idx != nil:
				idx[k] = j
			case len(keys) > few: // many keys: index them
				if sc.idx == nil {
					sc.idx = make(map[string]int, len(rows))
				}
				idx = sc.idx
				clear(idx)
				for x, kx := range keys {
					idx[kx] = x
				}
			}
		}
		accs[j].addFixed(rows[i].fix, rows[i].mv)
	}
	out := sums{base: ws.newMap(len(keys))}
	for j, k := range keys {
		v := accs[j].value()
		out.base[k] = v
		out.sum.see(k, v)
	}
	sc.keys, sc.accs = keys, accs
	return out
}

// find returns k's index in keys, through idx when there is one.
func find(keys []string, idx map[string]int, k string) (int, bool) {
	if idx != nil {
		j, ok := idx[k]
		return j, ok
	}
	for j, x := range keys {
		if x == k {
			return j, true
		}
	}
	return 0, false
}

// mul is a.Mul(b), exact, with one allocation instead of two when both
// coefficients are small enough for their product to fit an int64.
func mul(a, b decimal.Decimal) decimal.Decimal {
	if a.NumDigits()+b.NumDigits() <= 18 {
		return decimal.New(a.CoefficientInt64()*b.CoefficientInt64(), a.Exponent()+b.Exponent())
	}
	return a.Mul(b)
}
