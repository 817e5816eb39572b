package trigger

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// step is one price on a path and what it must do.
type step struct {
	price   string
	fire    []int64
	cancel  []int64
	expire  []int64
	restart bool // rebuild the engine from the stored state before this price
}

func TestPricePaths(t *testing.T) {
	ts5at100 := cond(1, TrailingStop, Terms{Percent: dec("5"), ActivationPrice: dec("100")})
	tests := []struct {
		name    string
		holding string
		conds   []Condition
		path    []step
	}{
		{"acceptance: trailing 5% activated at 100 fires at 113.9", "100", []Condition{ts5at100},
			[]step{{price: "100"}, {price: "110"}, {price: "120"}, {price: "114.5"}, {price: "113.9", fire: []int64{1}}}},
		{"trailing fires exactly at high − 5%", "100", []Condition{ts5at100},
			[]step{{price: "100"}, {price: "120"}, {price: "114.01"}, {price: "114", fire: []int64{1}}}},
		{"restart mid-path keeps the trailing high", "100", []Condition{ts5at100},
			[]step{{price: "100"}, {price: "110"}, {price: "120"}, {price: "114.5", restart: true}, {price: "113.9", fire: []int64{1}}}},
		{"a level crossed while down fires on the first price after restart", "100", []Condition{ts5at100},
			[]step{{price: "100"}, {price: "120"}, {price: "105", restart: true, fire: []int64{1}}}},
		{"activation price not reached: no tracking", "100", []Condition{ts5at100},
			[]step{{price: "90"}, {price: "99.99"}, {price: "60"}, {price: "100"}, {price: "95.01"}, {price: "95", fire: []int64{1}}}},
		{"amount-based trailing without activation", "100", []Condition{cond(1, TrailingStop, Terms{Amount: dec("3")})},
			[]step{{price: "50"}, {price: "52"}, {price: "49.5"}, {price: "49.01"}, {price: "49", fire: []int64{1}}}},
		{"OCO: take-profit fires, stop-loss cancelled", "100", []Condition{
			cond(1, StopLoss, Terms{TriggerPrice: dec("90"), OCOWith: 2}),
			cond(2, TakeProfit, Terms{TriggerPrice: dec("110"), OCOWith: 1})},
			[]step{{price: "100"}, {price: "95"}, {price: "109.99"}, {price: "110", fire: []int64{2}, cancel: []int64{1}}, {price: "80"}}},
		{"OCO: stop-loss fires on a gap, take-profit cancelled", "100", []Condition{
			cond(1, StopLoss, Terms{TriggerPrice: dec("90"), OCOWith: 2}),
			cond(2, TakeProfit, Terms{TriggerPrice: dec("110"), OCOWith: 1})},
			[]step{{price: "100"}, {price: "80", fire: []int64{1}, cancel: []int64{2}}, {price: "120"}}},
		{"several conditions on one holding: first by ID sells all, the rest is cancelled", "100", []Condition{
			cond(1, StopLoss, Terms{TriggerPrice: dec("90")}),
			cond(2, TrailingStop, Terms{Percent: dec("5")}),
			cond(3, TakeProfit, Terms{TriggerPrice: dec("130")})},
			[]step{{price: "100"}, {price: "85", fire: []int64{1}, cancel: []int64{2}}, {price: "130", fire: []int64{3}}}},
		{"parts of a holding fire separately", "100", []Condition{
			cond(1, StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("40")}),
			cond(2, StopLoss, Terms{TriggerPrice: dec("80"), Quantity: dec("40")})},
			[]step{{price: "91"}, {price: "90", fire: []int64{1}}, {price: "85"}, {price: "79", fire: []int64{2}}}},
		{"a zero holding cancels a crossed sell", "0", []Condition{cond(1, StopLoss, Terms{TriggerPrice: dec("90")})},
			[]step{{price: "100"}, {price: "90", cancel: []int64{1}}}},
		{"buy-stop fires rising through its level", "0", []Condition{cond(1, BuyStop, Terms{TriggerPrice: dec("105"), Quantity: dec("10")})},
			[]step{{price: "100"}, {price: "104.99"}, {price: "105", fire: []int64{1}}}},
		{"buy-limit fires falling to its level", "0", []Condition{cond(1, BuyLimit, Terms{TriggerPrice: dec("95"), Quantity: dec("10")})},
			[]step{{price: "100"}, {price: "95.01"}, {price: "95", fire: []int64{1}}}},
		{"a tick after validity expires instead of firing", "100", []Condition{
			cond(1, StopLoss, Terms{TriggerPrice: dec("90"), ValidUntil: t0.Add(90 * time.Minute)})},
			[]step{{price: "100"}, {price: "95"}, {price: "85", expire: []int64{1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Holding: fixedHolding(tt.holding)}
			db := newStore(tt.conds)
			e := mustEngine(t, opts, tt.conds)
			for i, st := range tt.path {
				if st.restart {
					e = mustEngine(t, opts, db.active())
				}
				at := t0.Add(time.Duration(i+1) * time.Hour)
				r := e.OnPrices([]Tick{{Symbol: "ACME", Price: dec(st.price), Time: at}})
				db.apply(t, r)
				if !sameIDs(firedIDs(r), st.fire) || !sameIDs(condIDs(r.Cancelled), st.cancel) || !sameIDs(condIDs(r.Expired), st.expire) {
					t.Fatalf("step %d at %s: fired %v cancelled %v expired %v, want %v %v %v", i, st.price,
						firedIDs(r), condIDs(r.Cancelled), condIDs(r.Expired), st.fire, st.cancel, st.expire)
				}
				for _, f := range r.Fired {
					if !f.Price.Equal(dec(st.price)) || !f.At.Equal(at) || f.Condition.State != Triggered ||
						!f.Condition.FiredPrice.Equal(dec(st.price)) || f.Condition.StateReason == "" {
						t.Errorf("step %d: fired %+v, want price %s at %s, triggered", i, f, st.price, at)
					}
				}
			}
		})
	}
}

func TestAcceptanceTrailingDetails(t *testing.T) {
	c := cond(7, TrailingStop, Terms{Percent: dec("5"), ActivationPrice: dec("100")})
	e := mustEngine(t, Options{Holding: fixedHolding("250")}, []Condition{c})
	wantHigh := []string{"100", "110", "120", "120"}
	for i, p := range []string{"100", "110", "120", "114.5"} {
		r := e.OnPrices([]Tick{{Symbol: "ACME", Price: dec(p), Time: t0}})
		if len(r.Fired) != 0 {
			t.Fatalf("fired at %s", p)
		}
		got, _ := e.Get(7)
		if !got.High.Equal(dec(wantHigh[i])) {
			t.Fatalf("after %s high %s, want %s", p, got.High, wantHigh[i])
		}
		if i == 3 && len(r.Highs) != 0 {
			t.Fatalf("a fall reported high changes %v", r.Highs)
		}
	}
	r := e.OnPrices([]Tick{{Symbol: "ACME", Price: dec("113.9"), Time: t0}})
	if len(r.Fired) != 1 {
		t.Fatalf("fired %v at 113.9", firedIDs(r))
	}
	f := r.Fired[0]
	want := portfolio.Trade{Portfolio: "P1", Symbol: "ACME", Side: portfolio.Sell, Quantity: dec("250")}
	if !f.Level.Equal(dec("114")) || f.Trade.Side != want.Side || !f.Trade.Quantity.Equal(want.Quantity) ||
		!f.Trade.LimitPrice.IsZero() || f.Trade.Portfolio != "P1" || f.Condition.Version != c.Version+1 {
		t.Fatalf("fired %+v", f)
	}
	if e.Len() != 0 {
		t.Fatalf("engine still holds %d conditions", e.Len())
	}
}

func TestHighsReportedOncePerBatch(t *testing.T) {
	c := cond(1, TrailingStop, Terms{Percent: dec("5")})
	e := mustEngine(t, Options{Holding: fixedHolding("1")}, []Condition{c})
	r := e.OnPrices([]Tick{{"ACME", dec("100"), t0}, {"ACME", dec("101"), t0}, {"ACME", dec("103"), t0.Add(time.Second)}, {"ACME", dec("102"), t0}})
	if len(r.Highs) != 1 || !r.Highs[0].High.Equal(dec("103")) || !r.Highs[0].At.Equal(t0.Add(time.Second)) {
		t.Fatalf("highs %+v, want one change to 103", r.Highs)
	}
}

func TestCapAndCollar(t *testing.T) {
	tests := []struct {
		name, holding, price string
		c                    Condition
		wantQty, wantLimit   string
		wantSide             portfolio.Side
	}{
		{"sell capped at holding", "100", "89", cond(1, StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("150")}), "100", "0", portfolio.Sell},
		{"sell part of holding", "100", "89", cond(1, StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("30")}), "30", "0", portfolio.Sell},
		{"sell limit collar rounds down", "100", "89.5", cond(1, StopLoss, Terms{TriggerPrice: dec("90"), OrderType: OrderLimit, CollarBps: 50}), "100", "89.05", portfolio.Sell},
		{"buy limit collar rounds up", "0", "105", cond(1, BuyStop, Terms{TriggerPrice: dec("105"), Quantity: dec("7"), OrderType: OrderLimit, CollarBps: 101}), "7", "106.07", portfolio.Buy},
		{"buys are not capped", "0", "95", cond(1, BuyLimit, Terms{TriggerPrice: dec("95"), Quantity: dec("7")}), "7", "0", portfolio.Buy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEngine(t, Options{Holding: fixedHolding(tt.holding)}, []Condition{tt.c})
			r := e.OnPrices([]Tick{{"ACME", dec(tt.price), t0}})
			if len(r.Fired) != 1 {
				t.Fatalf("fired %v", firedIDs(r))
			}
			tr := r.Fired[0].Trade
			if !tr.Quantity.Equal(dec(tt.wantQty)) || !tr.LimitPrice.Equal(dec(tt.wantLimit)) || tr.Side != tt.wantSide {
				t.Fatalf("trade %+v, want qty %s limit %s %s", tr, tt.wantQty, tt.wantLimit, tt.wantSide)
			}
		})
	}
}

func TestTickFunctionRoundsCollar(t *testing.T) {
	c := cond(1, StopLoss, Terms{TriggerPrice: dec("90"), OrderType: OrderLimit, CollarBps: 50})
	e := mustEngine(t, Options{Holding: fixedHolding("1"), Tick: func(string) decimal.Decimal { return dec("0.25") }}, []Condition{c})
	r := e.OnPrices([]Tick{{"ACME", dec("89.5"), t0}})
	if len(r.Fired) != 1 || !r.Fired[0].Trade.LimitPrice.Equal(dec("89")) {
		t.Fatalf("fired %+v, want limit 89 (89.0525 down to a 0.25 tick)", r.Fired)
	}
}

func TestOtherSymbolsAndBadTicks(t *testing.T) {
	c := cond(1, StopLoss, Terms{TriggerPrice: dec("90")})
	e := mustEngine(t, Options{Holding: fixedHolding("1")}, []Condition{c})
	r := e.OnPrices([]Tick{{"OTHER", dec("1"), t0}, {"", dec("1"), t0}, {"ACME", dec("0"), t0}, {"ACME", dec("-5"), t0}})
	if len(r.Fired) != 0 || r.Skipped != 3 || e.Len() != 1 {
		t.Fatalf("result %+v, len %d", r, e.Len())
	}
}
