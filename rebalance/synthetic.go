package rebalance

import (
	"fmt"
	"math/rand/v2"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// syntheticModels is how many models a synthetic book spreads its portfolios over.
const syntheticModels = 10

// Synthetic builds a deterministic synthetic book in memory for benchmarks:
// portfolios portfolios of positions holdings each, following one of ten
// models of positions securities (2% cash, bands ±20% of target), with holdings
// drifted up to ±25% from target so that a plan has work to do. Prices and
// securities are shared maps; the same seed gives the same book.
func Synthetic(portfolios, positions int, seed uint64) []Input {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	universe := max(2*positions, 200)
	prices := make(map[string]decimal.Decimal, universe)
	secs := make(map[string]portfolio.Security, universe)
	lots := []int64{1, 1, 10, 100}
	for k := 0; k < universe; k++ {
		sym := fmt.Sprintf("SYN%04d", k)
		prices[sym] = decimal.New(int64(500+rng.IntN(50_000)), -2)
		secs[sym] = portfolio.Security{Symbol: sym, Name: sym, Issuer: sym, Currency: "USD", AssetClass: portfolio.AssetEquity,
			LotSize: decimal.NewFromInt(lots[rng.IntN(len(lots))]), PriceIncrement: decimal.New(1, -2)}
	}
	models := make([]portfolio.Model, syntheticModels)
	for m := range models {
		models[m] = syntheticModel(rng, m, positions, universe)
	}
	inputs := make([]Input, portfolios)
	for i := range inputs {
		inputs[i] = syntheticPortfolio(rng, i, models[i%len(models)], prices, secs)
	}
	return inputs
}

func syntheticModel(rng *rand.Rand, m, positions, universe int) portfolio.Model {
	model := portfolio.Model{Name: fmt.Sprintf("MODEL%02d", m), Band: portfolio.RelativeBand(decimal.NewFromInt(20))}
	if positions == 0 {
		model.Targets = []portfolio.Target{{Symbol: portfolio.CashSymbol, Weight: decimal.NewFromInt(100)}}
		return model
	}
	picked := rng.Perm(universe)[:positions]
	each := 9800 / positions // hundredths of a point; 98% invested, 2% cash
	first := 9800 - each*(positions-1)
	for k, u := range sortedInts(picked) {
		w := each
		if k == 0 {
			w = first
		}
		model.Targets = append(model.Targets, portfolio.Target{Symbol: fmt.Sprintf("SYN%04d", u), Weight: decimal.New(int64(w), -2)})
	}
	model.Targets = append(model.Targets, portfolio.Target{Symbol: portfolio.CashSymbol, Weight: decimal.NewFromInt(2)})
	return model
}

func syntheticPortfolio(rng *rand.Rand, i int, m portfolio.Model, prices map[string]decimal.Decimal, secs map[string]portfolio.Security) Input {
	nav := decimal.NewFromInt(int64(1_000_000 + rng.IntN(9_000_000)))
	code := fmt.Sprintf("P%06d", i)
	h := portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: code, Name: code, BaseCurrency: "USD", Model: m.Name}}
	invested := decimal.Zero
	for _, t := range m.Targets {
		if t.Symbol == portfolio.CashSymbol {
			continue
		}
		drift := decimal.New(int64(75+rng.IntN(51)), -2) // 0.75 .. 1.25 of target
		lotValue := prices[t.Symbol].Mul(secs[t.Symbol].LotSize)
		lots, _ := nav.Mul(t.Weight).Shift(-2).Mul(drift).QuoRem(lotValue, 0)
		q := lots.Mul(secs[t.Symbol].LotSize)
		invested = invested.Add(q.Mul(prices[t.Symbol]))
		h.Positions = append(h.Positions, portfolio.Position{Portfolio: code, Symbol: t.Symbol, Quantity: q})
	}
	h.Portfolio.Cash = decimal.Max(nav.Sub(invested), nav.Shift(-2)).Round(2)
	return Input{Holdings: h, Model: m, Prices: prices, Securities: secs}
}

func sortedInts(xs []int) []int {
	out := append([]int(nil), xs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
