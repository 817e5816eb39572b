package web

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
)

// fakeRebalance is the fake store's models: GROWTH follows "Core"; EMPTY has no targets.
type fakeRebalance struct {
	models  []portfolio.Model
	follows map[string]string // portfolio code → model
	saved   []portfolio.Model
	own     map[string]portfolio.Model // portfolio code → own targets
}

// fakeCore is the fake desk's model: GROWTH is 25% AAA, 51% BBB and 25% cash against 40/40/20.
func fakeCore() portfolio.Model {
	return portfolio.Model{Name: "Core", Band: portfolio.AbsoluteBand(dec("2")), Targets: []portfolio.Target{
		{Symbol: "AAA", Weight: dec("40")}, {Symbol: "BBB", Weight: dec("40")}, {Symbol: portfolio.CashSymbol, Weight: dec("20")},
	}}
}

// init fills in the default models; call with f.mu held.
func (f *fakeStore) initModels() {
	if f.rb.follows == nil {
		f.rb.models = []portfolio.Model{fakeCore()}
		f.rb.follows = map[string]string{"GROWTH": "Core"}
		f.rb.own = map[string]portfolio.Model{}
	}
}

func (f *fakeStore) Models(context.Context) ([]portfolio.Model, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initModels()
	return append([]portfolio.Model(nil), f.rb.models...), nil
}

func (f *fakeStore) Model(_ context.Context, name string) (portfolio.Model, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initModels()
	for _, m := range f.rb.models {
		if m.Name == name {
			return m, nil
		}
	}
	return portfolio.Model{}, fmt.Errorf("fake: model %s: %w", name, errNotFound)
}

func (f *fakeStore) SaveModel(_ context.Context, m portfolio.Model) error {
	if err := m.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initModels()
	f.rb.saved = append(f.rb.saved, m)
	for i := range f.rb.models {
		if f.rb.models[i].Name == m.Name {
			f.rb.models[i] = m
			return nil
		}
	}
	f.rb.models = append(f.rb.models, m)
	sort.Slice(f.rb.models, func(i, j int) bool { return f.rb.models[i].Name < f.rb.models[j].Name })
	return nil
}

func (f *fakeStore) PortfolioTargets(_ context.Context, code string) (portfolio.Model, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initModels()
	m, ok := f.rb.own[code]
	if !ok {
		return portfolio.Model{}, fmt.Errorf("fake: targets of %s: %w", code, errNotFound)
	}
	return m, nil
}

func (f *fakeStore) SavePortfolioTargets(_ context.Context, code string, m portfolio.Model) error {
	m.Name = code
	if err := m.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initModels()
	f.rb.own[code] = m
	return nil
}

func (f *fakeStore) SetPortfolioModel(_ context.Context, code, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initModels()
	if name == "" {
		delete(f.rb.follows, code)
	} else {
		f.rb.follows[code] = name
	}
	return nil
}

func (f *fakeStore) PortfoliosOnModel(_ context.Context, name string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initModels()
	var out []string
	for code, m := range f.rb.follows {
		if m == name {
			out = append(out, code)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (f *fakeStore) RebalanceInputs(ctx context.Context, codes []string) ([]rebalance.Input, []string, error) {
	all, err := f.AllHoldings(ctx)
	if err != nil {
		return nil, nil, err
	}
	models, _ := f.Models(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	prices := map[string]decimal.Decimal{}
	for sym, p := range f.prices {
		prices[sym] = p.Value
	}
	secs := map[string]portfolio.Security{}
	for _, s := range f.secs {
		secs[s.Symbol] = s
	}
	byCode := map[string]portfolio.Holdings{}
	for _, h := range all {
		byCode[h.Portfolio.Code] = h
	}
	if len(codes) == 0 {
		for _, h := range all {
			codes = append(codes, h.Portfolio.Code)
		}
	}
	var inputs []rebalance.Input
	var none []string
	for _, c := range codes {
		h, ok := byCode[c]
		if !ok {
			return nil, nil, fmt.Errorf("fake: holdings %s: %w", c, errNotFound)
		}
		name := f.rb.follows[c]
		h.Portfolio.Model = name
		var m *portfolio.Model
		for i := range models {
			if models[i].Name == name {
				m = &models[i]
			}
		}
		if own, ok := f.rb.own[c]; ok && name == "" {
			m = &own
		}
		if m == nil {
			none = append(none, c)
			continue
		}
		inputs = append(inputs, rebalance.Input{Holdings: h, Model: *m, Prices: prices, Securities: secs})
	}
	return inputs, none, nil
}

// fakeProposals records saved proposals.
type fakeProposals struct {
	trades []portfolio.Trade
	by     string
	err    error
}

func (p *fakeProposals) SaveProposal(_ context.Context, u user.User, trades []portfolio.Trade) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	p.trades, p.by = append(p.trades, trades...), u.Name
	return len(trades), nil
}
