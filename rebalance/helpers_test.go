package rebalance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// mdl builds a model from "SYM=weight" or "SYM=weight/band" (band as ParseBand reads it).
func mdl(band string, targets ...string) portfolio.Model {
	m := portfolio.Model{Name: "m"}
	if band != "" {
		m.Band, _ = portfolio.ParseBand(band)
	}
	for _, t := range targets {
		sym, rest, _ := strings.Cut(t, "=")
		w, b, _ := strings.Cut(rest, "/")
		tg := portfolio.Target{Symbol: sym, Weight: d(w)}
		if b != "" {
			tg.Band, _ = portfolio.ParseBand(b)
		}
		m.Targets = append(m.Targets, tg)
	}
	return m
}

// hold builds an input from "SYM qty@price" or "SYM qty@price lot L tick X"; qty 0 lists a priced security not held.
func hold(cash string, m portfolio.Model, lines ...string) Input {
	in := Input{Model: m, Prices: map[string]decimal.Decimal{}, Securities: map[string]portfolio.Security{},
		Holdings: portfolio.Holdings{Portfolio: portfolio.Portfolio{Code: "P1", Cash: d(cash)}}}
	for _, s := range lines {
		f := strings.Fields(s)
		qty, px, _ := strings.Cut(f[1], "@")
		sec := portfolio.Security{Symbol: f[0], LotSize: decimal.NewFromInt(1)}
		for k := 2; k+1 < len(f); k += 2 {
			switch f[k] {
			case "lot":
				sec.LotSize = d(f[k+1])
			case "tick":
				sec.PriceIncrement = d(f[k+1])
			}
		}
		in.Prices[f[0]] = d(px)
		in.Securities[f[0]] = sec
		if !d(qty).IsZero() {
			in.Holdings.Positions = append(in.Holdings.Positions, portfolio.Position{Portfolio: "P1", Symbol: f[0], Quantity: d(qty)})
		}
	}
	return in
}

// tradesString renders trades one a line: "sell AAA 30 @9.95".
func tradesString(r Result) string {
	var b strings.Builder
	for _, t := range r.Trades {
		fmt.Fprintf(&b, "%s %s %s @%s\n", t.Side, t.Symbol, t.Quantity, t.LimitPrice)
	}
	return b.String()
}

func mustPlan(t *testing.T, in Input, o Options) Result {
	t.Helper()
	r, err := Plan(in, o)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return r
}
