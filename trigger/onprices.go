package trigger

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// Tick is one price update.
type Tick struct {
	Symbol string
	Price  decimal.Decimal
	Time   time.Time
}

// TicksFrom turns a batch of prices (from marketdata) into ticks.
func TicksFrom(prices []portfolio.Price) []Tick {
	out := make([]Tick, len(prices))
	for i, p := range prices {
		out[i] = Tick{Symbol: p.Symbol, Price: p.Value, Time: p.AsOf}
	}
	return out
}

// Fired is a condition that fired: the order to create and why.
type Fired struct {
	Condition     Condition       // now triggered, with FiredPrice and FiredAt; version bumped
	Price         decimal.Decimal // the price that fired it
	At            time.Time       // the tick's time
	Level         decimal.Decimal // the level it crossed (trailing: high − distance)
	Trade         portfolio.Trade // side, quantity capped at the holding, limit price (zero: market)
	CancelPartner int64           // the OCO partner to cancel in storage; zero when none
}

// HighChange is a trailing stop's new high (set on activation or raised), to be stored.
type HighChange struct {
	ID   int64
	High decimal.Decimal
	At   time.Time
}

// Result is everything a batch of prices changed. The caller stores each part:
// fired and cancelled conditions, expiries, and the new trailing highs.
type Result struct {
	Fired     []Fired
	Cancelled []Condition  // OCO partners of fired conditions, and sells with nothing left to sell
	Expired   []Condition  // crossed by a tick dated after their validity
	Highs     []HighChange // one per trailing stop whose high changed, with its latest value
	Skipped   int          // ticks ignored: empty symbol or a price that is not positive
}

// run is the bookkeeping of one OnPrices call.
type run struct {
	e        *Engine
	res      Result
	reserved map[[2]string]decimal.Decimal // sold by this batch, per portfolio+symbol
	highAt   map[int64]int                 // index in res.Highs
}

// OnPrices evaluates a batch of ticks in order. For each tick, on its
// security's book only: conditions acting at or above the price (take-profit,
// buy-stop, trailing activation) are popped from the up heap; tracking
// trailing highs below the price are raised to it; conditions firing at or
// below the price (stop-loss, buy-limit, trailing stops) are popped from the
// down heap. Crossed conditions settle in ID order: a fired condition cancels
// its OCO partner, a sell is capped at what is left of the holding.
func (e *Engine) OnPrices(batch []Tick) Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &run{e: e}
	var crossed []*entry
	for _, t := range batch {
		if t.Symbol == "" || !t.Price.IsPositive() {
			r.res.Skipped++
			continue
		}
		b := e.books[t.Symbol]
		if b == nil {
			continue
		}
		crossed = r.evaluate(b, t, crossed[:0])
		for _, en := range crossed {
			if !en.gone {
				r.settle(en, t)
			}
		}
	}
	return r.res
}

// evaluate pops the conditions t crosses in b and moves trailing highs.
func (r *run) evaluate(b *book, t Tick, crossed []*entry) []*entry {
	p := t.Price
	for b.up.len() > 0 && b.up.top().key.LessThanOrEqual(p) {
		en := b.up.pop()
		if en.c.Kind == TrailingStop {
			en.c.High = p
			en.key = en.c.StopLevel()
			b.down.push(en)
			b.highs.push(en)
			r.high(en, t.Time)
			continue
		}
		crossed = append(crossed, en)
	}
	for b.highs.len() > 0 && b.highs.top().c.High.LessThan(p) {
		en := b.highs.top()
		en.c.High = p
		en.key = en.c.StopLevel()
		b.highs.fix(en.pos[slotHigh])
		b.down.fix(en.pos[slotLevel])
		r.high(en, t.Time)
	}
	for b.down.len() > 0 && b.down.top().key.GreaterThanOrEqual(p) {
		en := b.down.pop()
		b.highs.remove(en)
		crossed = append(crossed, en)
	}
	sort.Slice(crossed, func(i, j int) bool { return crossed[i].c.ID < crossed[j].c.ID })
	return crossed
}

func (r *run) high(en *entry, at time.Time) {
	hc := HighChange{ID: en.c.ID, High: en.c.High, At: at}
	if i, ok := r.highAt[en.c.ID]; ok {
		r.res.Highs[i] = hc
		return
	}
	if r.highAt == nil {
		r.highAt = map[int64]int{}
	}
	r.highAt[en.c.ID] = len(r.res.Highs)
	r.res.Highs = append(r.res.Highs, hc)
}

// settle fires, expires or cancels a crossed condition.
func (r *run) settle(en *entry, t Tick) {
	r.e.detach(en)
	en.gone = true
	c := en.c
	if !t.Time.IsZero() && t.Time.After(c.ValidUntil) {
		if x, err := c.Expire(t.Time); err == nil {
			r.res.Expired = append(r.res.Expired, x)
		}
		return
	}
	qty := c.Quantity
	if c.Kind.Sells() {
		avail := r.available(c)
		if !avail.IsPositive() {
			x, _ := c.to(Cancelled, t.Time, fmt.Sprintf("crossed at %s with nothing left to sell", t.Price))
			r.res.Cancelled = append(r.res.Cancelled, x)
			return
		}
		if qty.IsZero() || qty.GreaterThan(avail) {
			qty = avail
		}
		r.reserved[[2]string{c.Portfolio, c.Symbol}] = r.reserved[[2]string{c.Portfolio, c.Symbol}].Add(qty)
	}
	reason := firedReason(c, en.key, t.Price)
	f := Fired{
		Condition: c.fire(t.Price, t.Time, reason),
		Price:     t.Price, At: t.Time, Level: en.key, CancelPartner: c.OCOWith,
		Trade: portfolio.Trade{Portfolio: c.Portfolio, Symbol: c.Symbol, Side: c.Kind.Side(),
			Quantity: qty, LimitPrice: r.limit(c, t.Price), Reason: reason},
	}
	r.res.Fired = append(r.res.Fired, f)
	r.cancelPartner(c, t)
}

// available is what the holding has left to sell after this batch's firings.
func (r *run) available(c Condition) decimal.Decimal {
	if r.reserved == nil {
		r.reserved = map[[2]string]decimal.Decimal{}
	}
	return r.e.opts.Holding(c.Portfolio, c.Symbol).Sub(r.reserved[[2]string{c.Portfolio, c.Symbol}])
}

func (r *run) cancelPartner(c Condition, t Tick) {
	p, ok := r.e.byID[c.OCOWith]
	if c.OCOWith == 0 || !ok || p.gone {
		return
	}
	r.e.detach(p)
	p.gone = true
	x, _ := p.c.to(Cancelled, t.Time, fmt.Sprintf("its one-cancels-other partner #%d fired", c.ID))
	r.res.Cancelled = append(r.res.Cancelled, x)
}

// limit is the marketable limit price: the firing price moved by the collar
// against us and rounded outward to the tick; zero for a market order.
func (r *run) limit(c Condition, price decimal.Decimal) decimal.Decimal {
	if c.OrderType != OrderLimit || c.CollarBps <= 0 {
		return decimal.Zero
	}
	tick := decimal.New(1, -2)
	if r.e.opts.Tick != nil {
		if t := r.e.opts.Tick(c.Symbol); t.IsPositive() {
			tick = t
		}
	}
	collar := decimal.New(int64(c.CollarBps), -4)
	if c.Kind.Sells() {
		lim := price.Mul(decimal.NewFromInt(1).Sub(collar)).Div(tick).Floor().Mul(tick)
		return decimal.Max(lim, tick)
	}
	return price.Mul(decimal.NewFromInt(1).Add(collar)).Div(tick).Ceil().Mul(tick)
}

func firedReason(c Condition, level, price decimal.Decimal) string {
	if c.Kind == TrailingStop {
		return fmt.Sprintf("%s #%d fired at %s (high %s, stop %s)", c.Kind, c.ID, price, c.High, level)
	}
	return fmt.Sprintf("%s #%d fired at %s (level %s)", c.Kind, c.ID, price, level)
}
