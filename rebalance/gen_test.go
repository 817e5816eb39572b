package rebalance

import (
	"fmt"
	"math/rand/v2"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// genCase builds a random but valid portfolio, model and options. onTick
// puts every price on its tick and sets the collar to zero, so fills at limit
// prices are fills at last prices (see TestPropertyRerunProposesNothing).
func genCase(rng *rand.Rand, onTick bool) (Input, Options) {
	nModel, nOff := 1+rng.IntN(12), rng.IntN(3)
	nav := decimal.NewFromInt(int64(10_000 * (1 + rng.IntN(1000))))
	in := Input{Prices: map[string]decimal.Decimal{}, Securities: map[string]portfolio.Security{},
		Restrictions: map[string]Restriction{}}
	in.Model = genModel(rng, nModel)
	for k := 0; k < nModel+nOff; k++ {
		sym := fmt.Sprintf("S%02d", k)
		sec := genSecurity(rng, sym)
		in.Securities[sym] = sec
		in.Prices[sym] = genPrice(rng, sec.Tick(), onTick)
		target := decimal.Zero
		if k < nModel {
			target = in.Model.Targets[k].Weight
		} else {
			target = decimal.NewFromInt(int64(rng.IntN(50))).Shift(-1) // held off the model
		}
		if q := genQuantity(rng, nav.Mul(target).Shift(-2), in.Prices[sym], sec.LotSize); q.IsPositive() {
			in.Holdings.Positions = append(in.Holdings.Positions, portfolio.Position{Portfolio: "P1", Symbol: sym, Quantity: q})
		}
		if r := genRestriction(rng); r != (Restriction{}) {
			in.Restrictions[sym] = r
		}
	}
	rng.Shuffle(len(in.Holdings.Positions), func(i, j int) {
		in.Holdings.Positions[i], in.Holdings.Positions[j] = in.Holdings.Positions[j], in.Holdings.Positions[i]
	})
	cash := nav.Mul(decimal.NewFromInt(int64(rng.IntN(2000) - 100))).Shift(-4).Round(2)
	in.Holdings.Portfolio = portfolio.Portfolio{Code: "P1", Cash: cash}
	keepOneTarget(in)
	if !navOf(in).IsPositive() {
		cash = cash.Abs().Add(decimal.NewFromInt(1000)) // a positive NAV
	}
	in.Holdings.Portfolio = portfolio.Portfolio{Code: "P1", Cash: cash}
	return in, genOptions(rng, navOf(in), onTick)
}

func genModel(rng *rand.Rand, n int) portfolio.Model {
	m := portfolio.Model{Name: "m", Band: genBand(rng)}
	cash := 0
	if rng.IntN(4) > 0 {
		cash = rng.IntN(101) // tenths of a point
	}
	left := 1000 - cash
	for k := 0; k < n; k++ {
		w := left
		if k < n-1 {
			w = rng.IntN(2*left/(n-k) + 1)
			w = min(w, left)
		}
		left -= w
		t := portfolio.Target{Symbol: fmt.Sprintf("S%02d", k), Weight: decimal.NewFromInt(int64(w)).Shift(-1)}
		if rng.IntN(5) == 0 {
			t.Band = genBand(rng)
		}
		m.Targets = append(m.Targets, t)
	}
	c := portfolio.Target{Symbol: portfolio.CashSymbol, Weight: decimal.NewFromInt(int64(cash)).Shift(-1)}
	if rng.IntN(3) == 0 {
		c.Band = genBand(rng)
	}
	m.Targets = append(m.Targets, c)
	rng.Shuffle(len(m.Targets), func(i, j int) { m.Targets[i], m.Targets[j] = m.Targets[j], m.Targets[i] })
	return m
}

func genBand(rng *rand.Rand) portfolio.Band {
	if rng.IntN(3) == 0 {
		return portfolio.RelativeBand(decimal.NewFromInt([]int64{5, 10, 20, 25, 50}[rng.IntN(5)]))
	}
	return portfolio.AbsoluteBand(decimal.NewFromInt([]int64{0, 2, 5, 10, 20, 30}[rng.IntN(6)]).Shift(-1))
}

func genSecurity(rng *rand.Rand, sym string) portfolio.Security {
	lots := []string{"1", "1", "10", "100", "25", "0.001"}
	ticks := []string{"0.01", "0.01", "0.05", "0.25", "0.0001"}
	return portfolio.Security{Symbol: sym, LotSize: decimal.RequireFromString(lots[rng.IntN(len(lots))]),
		PriceIncrement: decimal.RequireFromString(ticks[rng.IntN(len(ticks))])}
}

func genPrice(rng *rand.Rand, tick decimal.Decimal, onTick bool) decimal.Decimal {
	px := decimal.NewFromInt(int64(100 + rng.IntN(50_000))).Shift(-2) // 1.00 .. 500.99
	if onTick {
		q, _ := px.QuoRem(tick, 0)
		return q.Mul(tick)
	}
	return px.Add(decimal.NewFromInt(int64(rng.IntN(100))).Shift(-5))
}

func genQuantity(rng *rand.Rand, target, price, lot decimal.Decimal) decimal.Decimal {
	if rng.IntN(7) == 0 {
		return decimal.Zero
	}
	f := decimal.NewFromInt(int64(50 + rng.IntN(101))).Shift(-2) // 0.5 .. 1.5 of target
	q, _ := target.Mul(f).QuoRem(price.Mul(lot), 0)
	qty := q.Mul(lot)
	if rng.IntN(10) == 0 && lot.GreaterThan(decimal.NewFromInt(1)) {
		qty = qty.Add(decimal.NewFromInt(int64(1 + rng.IntN(int(lot.IntPart())-1)))) // an odd lot
	}
	return qty
}

func genRestriction(rng *rand.Rand) Restriction {
	switch rng.IntN(30) {
	case 0:
		return Restriction{DoNotBuy: true}
	case 1:
		return Restriction{DoNotSell: true}
	case 2:
		return Restriction{Excluded: true}
	}
	return Restriction{}
}

func genOptions(rng *rand.Rand, nav decimal.Decimal, onTick bool) Options {
	o := Options{Mode: []Mode{ModeTarget, ModeBand, ""}[rng.IntN(3)]}
	switch rng.IntN(6) {
	case 0:
		o.CashReserve = Reserve{Percent: true, Value: decimal.NewFromInt(int64(rng.IntN(51))).Shift(-1)}
	case 1:
		o.CashReserve = Reserve{Value: nav.Mul(decimal.NewFromInt(int64(rng.IntN(500)))).Shift(-4).Round(0)}
	}
	switch rng.IntN(8) {
	case 0:
		o.BuyOnly = true
	case 1:
		o.Raise = nav.Mul(decimal.NewFromInt(int64(1 + rng.IntN(1000)))).Shift(-4).Round(0)
	}
	if rng.IntN(3) == 0 {
		o.MinTrade = nav.Mul(decimal.NewFromInt(int64(rng.IntN(50)))).Shift(-4).Round(0)
	}
	if !onTick && rng.IntN(4) > 0 {
		o.CollarBps = int64(rng.IntN(101))
	}
	return o
}

// keepOneTarget lifts an exclusion when every model security is excluded and
// cash has no target: Plan rightly refuses such a portfolio ("every target is
// excluded"), and TestPlanErrors covers that error.
func keepOneTarget(in Input) {
	if in.Model.CashWeight().IsPositive() {
		return
	}
	for _, t := range in.Model.Targets {
		if t.Symbol != portfolio.CashSymbol && !in.Restrictions[t.Symbol].Excluded {
			return
		}
	}
	for _, t := range in.Model.Targets {
		delete(in.Restrictions, t.Symbol)
	}
}
