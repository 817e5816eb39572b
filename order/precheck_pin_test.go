package order

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/portfolio"
)

// rulesOnlyStore is a PrecheckStore with rules that a test changes, and no
// orders.
type rulesOnlyStore struct {
	rules []compliance.Rule
	reads int // calls of ActiveRules
}

func (s *rulesOnlyStore) ActiveRules(context.Context) ([]compliance.Rule, error) {
	s.reads++
	return s.rules, nil
}

func (s *rulesOnlyStore) PreTradeStates(context.Context, []string, []int64) (map[string]compliance.State, error) {
	return nil, nil
}

func (s *rulesOnlyStore) AddPreTradeOrders(context.Context, map[string]compliance.State, []int64) error {
	return nil
}

func (s *rulesOnlyStore) PreTradeOrders(context.Context, int64, string) ([]Order, error) {
	return nil, nil
}
func (s *rulesOnlyStore) OrderOverrides(context.Context, int64) ([]Override, error) { return nil, nil }
func (s *rulesOnlyStore) SaveChecks(context.Context, []CheckRecord) error           { return nil }

// TestPinnedRulesHoldForTheWholeRun: once PinRules has read them, the rules
// a run is checked under stay the same when the rules in force change, so a
// proposal checked part by part is checked under one rule set; unpinned, a
// check reads the rules in force each time.
func TestPinnedRulesHoldForTheWholeRun(t *testing.T) {
	ctx := context.Background()
	restricted := compliance.Rule{ID: "restricted", Name: "Restricted list", Kind: compliance.KindRestricted, Severity: compliance.Hard,
		Params: compliance.Params{Mode: compliance.NoBuy, Symbols: []string{"NVDA"}}}
	price := decimal.NewFromInt(100)
	base := map[string]compliance.State{"P1": {
		Holdings:   portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "P1", Cash: decimal.NewFromInt(1_000_000)}},
		Prices:     map[string]decimal.Decimal{"NVDA": price},
		Securities: map[string]portfolio.Security{"NVDA": {Symbol: "NVDA", Sector: "Technology", Issuer: "NVIDIA"}},
	}}
	buy := []portfolio.Trade{{Portfolio: "P1", Symbol: "NVDA", Side: portfolio.Buy, Quantity: decimal.NewFromInt(10), LimitPrice: price}}
	clock := ClockFunc(func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) })

	verdicts := func(p *Precheck) []Verdict {
		t.Helper()
		var vs []Verdict
		for range 2 {
			checks, err := p.CheckPlanned(ctx, buy, base)
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, checks[0].Check.Verdict)
			p.Store.(*rulesOnlyStore).rules = nil // a compliance officer disables the rule between two parts
		}
		return vs
	}

	pinnedStore := &rulesOnlyStore{rules: []compliance.Rule{restricted}}
	pinned := &Precheck{Store: pinnedStore, Clock: clock}
	if err := pinned.PinRules(ctx); err != nil {
		t.Fatal(err)
	}
	if got := verdicts(pinned); got[0] != VerdictFail || got[1] != VerdictFail {
		t.Errorf("pinned: verdicts of the two parts %v, want fail twice", got)
	}
	if pinnedStore.reads != 1 {
		t.Errorf("pinned: the rules were read %d times, want once", pinnedStore.reads)
	}

	live := &Precheck{Store: &rulesOnlyStore{rules: []compliance.Rule{restricted}}, Clock: clock}
	if got := verdicts(live); got[0] != VerdictFail || got[1] != VerdictPass {
		t.Errorf("unpinned: verdicts of the two parts %v, want fail then pass", got)
	}
}
