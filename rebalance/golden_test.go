package rebalance

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// goldenHash is the SHA-256 of every plan TestGoldenPlans makes. The plans
// must not change, byte for byte, when the planner is only made faster: a
// change here is a change of output and needs a reason of its own.
const goldenHash = "9771d2dbebc1795b509e4ac4d40a24981d5bb7c4439943590f9e993c2216e1d3"

// goldenCases is how many random portfolios TestGoldenPlans plans with
// Plan; half of them it plans again, in batches, with PlanAll.
const goldenCases = 20_000

// TestGoldenPlans plans a fixed set of random portfolios (every option:
// target and band modes, reserves as a percentage and an amount, minimum
// trade, buy-only, raise, restrictions, odd lots, short cash, collars, prices
// on and off the tick) through Plan, and every other hundred of them again
// as a batch through PlanAll (whose workers reuse lines, quotes, weights and
// reasons), each batch under its first portfolio's options; then a synthetic
// book whose portfolios share models (and so model look-ups) under several
// options. It compares a hash of every result and error, each decimal with
// its coefficient and exponent, with goldenHash.
func TestGoldenPlans(t *testing.T) {
	h := sha256.New()
	rng := rand.New(rand.NewPCG(0x601d, 0xba11a57))
	var batch []Input
	var batchOpts Options
	flush := func() {
		hashPlanAll(h, batch, batchOpts)
		batch = batch[:0]
	}
	for n := 0; n < goldenCases; n++ {
		in, o := genCase(rng, n%4 == 3)
		r, err := Plan(in, o)
		hashPlan(h, r, err)
		if errors.Is(err, ErrCashAboveNAV) {
			o.Raise, o.CashReserve = decimal.Zero, Reserve{}
			r, err = Plan(in, o)
			hashPlan(h, r, err)
		}
		if n/100%2 == 1 {
			continue // an odd hundred: Plan only
		}
		if len(batch) == 0 {
			batchOpts = o // a batch shares the options of its first portfolio
		}
		if batch = append(batch, in); len(batch) == 100 {
			flush()
		}
	}
	book := Synthetic(200, 40, 3)
	for _, o := range goldenBookOptions() {
		hashPlanAll(h, book, o)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != goldenHash {
		t.Errorf("plans hash to %s, want %s", got, goldenHash)
	}
}

// hashPlanAll hashes the plan of every input, planned together by PlanAll
// on two workers.
func hashPlanAll(h hash.Hash, inputs []Input, o Options) {
	results, errs := PlanAll(inputs, o, 2)
	for i := range inputs {
		var err error
		if errs != nil {
			err = errs[i]
		}
		hashPlan(h, results[i], err)
	}
}

// goldenBookOptions are the options the synthetic book is planned under.
func goldenBookOptions() []Options {
	return []Options{
		benchOptions(),
		{},
		{Mode: ModeBand, CollarBps: 25},
		{Mode: ModeBand, CashReserve: Reserve{Value: decimal.NewFromInt(50_000)}, MinTrade: decimal.NewFromInt(2_000), CollarBps: 100},
		{CashReserve: Reserve{Percent: true, Value: decimal.RequireFromString("3.5")}, CollarBps: 10},
		{BuyOnly: true, CollarBps: 50},
		{Raise: decimal.NewFromInt(100_000), CollarBps: 75, MinTrade: decimal.NewFromInt(100)},
	}
}

// hashPlan writes a plan (or its error) to h.
func hashPlan(h hash.Hash, r Result, err error) {
	if err != nil {
		fmt.Fprintf(h, "error %s\n", err)
		return
	}
	h.Write(appendResult(nil, r))
}

// appendResult renders everything r holds, each decimal as its coefficient
// and exponent (so that 1.5 and 1.50 differ). TestGoldenRendersEveryField
// keeps it complete.
func appendResult(b []byte, r Result) []byte {
	b = fmt.Appendf(b, "%q %q %s", r.Portfolio, r.Model, r.CashState)
	for _, x := range []decimal.Decimal{r.NAV, r.NAVAfter, r.CashBefore, r.CashAfter, r.Reserve, r.CashTarget, r.CashFloor, r.Shortfall} {
		b = appendDec(append(b, ' '), x)
	}
	b = append(b, '\n')
	for _, t := range r.Trades {
		b = fmt.Appendf(b, "trade %q %q %s ", t.Portfolio, t.Symbol, t.Side)
		b = appendDec(append(appendDec(b, t.Quantity), ' '), t.LimitPrice)
		b = fmt.Appendf(b, " %q\n", t.Reason)
	}
	for _, l := range r.Lines {
		b = fmt.Appendf(b, "line %q %v %v", l.Symbol, l.Restriction, l.InBand)
		for _, x := range []decimal.Decimal{l.Price, l.Quantity, l.QuantityAfter, l.Value, l.ValueAfter, l.Target, l.Weight, l.WeightAfter, l.TargetValue, l.Lower, l.Upper} {
			b = appendDec(append(b, ' '), x)
		}
		b = append(b, '\n')
	}
	return b
}

func appendDec(b []byte, d decimal.Decimal) []byte {
	if d.NumDigits() <= 18 { // the coefficient is an int64: render it without copying the big.Int
		b = strconv.AppendInt(b, d.CoefficientInt64(), 10)
	} else {
		b = d.Coefficient().Append(b, 10)
	}
	return strconv.AppendInt(append(b, 'e'), int64(d.Exponent()), 10)
}

// TestGoldenRendersEveryField fails when Result, Line, Trade or Restriction
// gain a field that appendResult does not render.
func TestGoldenRendersEveryField(t *testing.T) {
	for _, c := range []struct {
		v reflect.Type
		n int
	}{{reflect.TypeFor[Result](), 13}, {reflect.TypeFor[Line](), 14}, {reflect.TypeFor[portfolio.Trade](), 6}, {reflect.TypeFor[Restriction](), 3}} {
		if c.v.NumField() != c.n {
			t.Errorf("%s has %d fields, appendResult renders %d", c.v, c.v.NumField(), c.n)
		}
	}
}
