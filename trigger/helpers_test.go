package trigger

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var t0 = time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// cond is an active condition on P1/ACME, valid for 90 days, built without
// Validate so tests can reach states validation would refuse.
func cond(id int64, kind Kind, t Terms) Condition {
	if t.ValidUntil.IsZero() {
		t.ValidUntil = t0.Add(MaxValidity)
	}
	if t.OrderType == "" {
		t.OrderType = OrderMarket
	}
	c := Condition{ID: id, Portfolio: "P1", Symbol: "ACME", Kind: kind, Terms: t,
		State: Active, Version: 2, CreatedBy: "pm", ApprovedBy: "trader"}
	if kind != TrailingStop {
		c.Level = t.TriggerPrice
	}
	return c
}

// store stands in for the database: it applies each Result the way the
// caller must, so a new Engine can be built from it after a "restart".
type store map[int64]Condition

func newStore(conds []Condition) store {
	s := store{}
	for _, c := range conds {
		s[c.ID] = c
	}
	return s
}

func (s store) apply(t *testing.T, r Result) {
	t.Helper()
	for _, h := range r.Highs {
		c := s[h.ID]
		c.High = h.High
		s[h.ID] = c
	}
	put := func(c Condition) {
		old := s[c.ID]
		if c.Version != old.Version+1 {
			t.Errorf("condition %d: version %d after %d, want one more", c.ID, c.Version, old.Version)
		}
		s[c.ID] = c
	}
	for _, f := range r.Fired {
		put(f.Condition)
	}
	for _, c := range r.Cancelled {
		put(c)
	}
	for _, c := range r.Expired {
		put(c)
	}
}

func (s store) active() []Condition {
	var out []Condition
	for _, c := range s {
		if c.State == Active {
			out = append(out, c)
		}
	}
	return out
}

func fixedHolding(q string) func(string, string) decimal.Decimal {
	return func(string, string) decimal.Decimal { return dec(q) }
}

func mustEngine(t *testing.T, opts Options, conds []Condition) *Engine {
	t.Helper()
	e, err := NewEngine(opts, conds)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func firedIDs(r Result) []int64 {
	var ids []int64
	for _, f := range r.Fired {
		ids = append(ids, f.Condition.ID)
	}
	return ids
}

func condIDs(cs []Condition) []int64 {
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func sameIDs(a, b []int64) bool {
	return slices.Equal(a, b) || (len(a) == 0 && len(b) == 0)
}
