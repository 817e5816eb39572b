package trigger

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/shopspring/decimal"
)

// reference evaluates one tick by scanning every condition: slow and obviously
// right, to check the heap-indexed engine against.
func reference(conds map[int64]*Condition, t Tick) (fired, cancelled []int64) {
	var ids, crossed []int64
	for id := range conds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	p := t.Price
	for _, id := range ids {
		c := conds[id]
		if c.State != Active || c.Symbol != t.Symbol {
			continue
		}
		switch {
		case c.Kind == TrailingStop && !c.Tracking():
			if c.ActivationPrice.LessThanOrEqual(p) {
				c.High = p
			}
		case c.Kind == TrailingStop:
			c.High = decimal.Max(c.High, p)
			if c.StopLevel().GreaterThanOrEqual(p) {
				crossed = append(crossed, id)
			}
		case c.Kind.FiresDown() && c.Level.GreaterThanOrEqual(p), !c.Kind.FiresDown() && c.Level.LessThanOrEqual(p):
			crossed = append(crossed, id)
		}
	}
	for _, id := range crossed {
		c := conds[id]
		if c.State != Active {
			continue
		}
		c.State = Triggered
		fired = append(fired, id)
		if p, ok := conds[c.OCOWith]; ok && p.State == Active {
			p.State = Cancelled
			cancelled = append(cancelled, p.ID)
		}
	}
	slices.Sort(cancelled)
	return fired, cancelled
}

func randomConditions(rng *rand.Rand, n int, symbols []string) []Condition {
	out := make([]Condition, 0, n)
	price := func(lo, hi int) decimal.Decimal {
		return decimal.New(int64(lo*2+rng.IntN((hi-lo)*2+1)), 0).Div(decimal.NewFromInt(2))
	}
	for i := 1; i <= n; i++ {
		kind := Kinds()[rng.IntN(5)]
		var t Terms
		switch kind {
		case TrailingStop:
			if rng.IntN(2) == 0 {
				t.Percent = decimal.NewFromInt(int64(1 + rng.IntN(8)))
			} else {
				t.Amount = price(1, 6)
			}
			if rng.IntN(2) == 0 {
				t.ActivationPrice = price(95, 110)
			}
		case StopLoss, BuyLimit:
			t.TriggerPrice = price(85, 99)
		default:
			t.TriggerPrice = price(101, 115)
		}
		c := cond(int64(i), kind, t)
		c.Symbol = symbols[rng.IntN(len(symbols))]
		c.Portfolio = []string{"P1", "P2"}[rng.IntN(2)]
		c.Quantity = decimal.NewFromInt(1)
		out = append(out, c)
	}
	for i := 0; i+1 < len(out); i += 7 { // some one-cancels-other pairs
		out[i].OCOWith, out[i+1].OCOWith = out[i+1].ID, out[i].ID
	}
	return out
}

func TestEngineMatchesReference(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		conds := randomConditions(rng, 60, symbols)
		ref := map[int64]*Condition{}
		for _, c := range conds {
			ref[c.ID] = &c
		}
		opts := Options{Holding: fixedHolding("1000000")}
		e := mustEngine(t, opts, conds)
		fires, trailing := 0, 0
		px := map[string]int{"AAA": 200, "BBB": 200, "CCC": 200} // in halves
		for step := 0; step < 200; step++ {
			if step%50 == 49 {
				e = mustEngine(t, opts, e.Conditions())
			}
			sym := symbols[rng.IntN(3)]
			px[sym] = max(2, px[sym]+rng.IntN(9)-4)
			tick := Tick{Symbol: sym, Price: decimal.New(int64(px[sym]), 0).Div(decimal.NewFromInt(2)), Time: t0}
			wantFired, wantCancelled := reference(ref, tick)
			r := e.OnPrices([]Tick{tick})
			gotCancelled := condIDs(r.Cancelled)
			sort.Slice(gotCancelled, func(i, j int) bool { return gotCancelled[i] < gotCancelled[j] })
			if !sameIDs(firedIDs(r), wantFired) || !sameIDs(gotCancelled, wantCancelled) {
				t.Fatalf("seed %d step %d %s %s: fired %v cancelled %v, want %v %v",
					seed, step, sym, tick.Price, firedIDs(r), gotCancelled, wantFired, wantCancelled)
			}
			fires += len(r.Fired)
			for _, f := range r.Fired {
				if f.Condition.Kind == TrailingStop {
					trailing++
				}
			}
			for _, c := range e.Conditions() {
				if !c.High.Equal(ref[c.ID].High) {
					t.Fatalf("seed %d step %d: condition %d high %s, want %s", seed, step, c.ID, c.High, ref[c.ID].High)
				}
			}
		}
		if fires < 20 || trailing < 3 {
			t.Fatalf("seed %d: only %d firings, %d trailing: the path does not exercise the engine", seed, fires, trailing)
		}
	}
}
