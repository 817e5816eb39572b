package trigger

import (
	"errors"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/user"
)

func TestExpireWithInjectedClock(t *testing.T) {
	conds := []Condition{
		cond(1, StopLoss, Terms{TriggerPrice: dec("90"), ValidUntil: t0.Add(2 * time.Hour)}),
		cond(2, TakeProfit, Terms{TriggerPrice: dec("110"), ValidUntil: t0.Add(1 * time.Hour)}),
		cond(3, TrailingStop, Terms{Percent: dec("5"), ValidUntil: t0.Add(3 * time.Hour)}),
	}
	e := mustEngine(t, Options{Holding: fixedHolding("1")}, conds)
	tests := []struct {
		now  time.Time
		want []int64
	}{
		{t0, nil},
		{t0.Add(time.Hour), nil}, // valid until includes its instant
		{t0.Add(time.Hour + time.Nanosecond), []int64{2}},
		{t0.Add(5 * time.Hour), []int64{1, 3}}, // in order of validity
		{t0.Add(6 * time.Hour), nil},
	}
	for _, tt := range tests {
		got := e.Expire(tt.now)
		if !sameIDs(condIDs(got), tt.want) {
			t.Fatalf("Expire(%s) = %v, want %v", tt.now, condIDs(got), tt.want)
		}
		for _, c := range got {
			if c.State != Expired || c.Version != 3 || !c.UpdatedAt.Equal(tt.now) {
				t.Errorf("expired %+v", c)
			}
		}
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("50"), t0}, {"ACME", dec("500"), t0}}); len(r.Fired) != 0 {
		t.Fatalf("an expired condition fired: %v", firedIDs(r))
	}
}

func TestPercentLevelsFromAverageCost(t *testing.T) {
	snap := Snapshot{Price: dec("50"), AvgCost: dec("50"), Holding: dec("100"), Now: t0}
	sl, err := Validate(Condition{ID: 1, Portfolio: "P1", Symbol: "ACME", Kind: StopLoss, Terms: Terms{Percent: dec("10")}}, snap)
	if err != nil {
		t.Fatal(err)
	}
	snap.AvgCost, snap.Price = dec("33.333"), dec("35")
	tp, err := Validate(Condition{ID: 2, Portfolio: "P1", Symbol: "BETA", Kind: TakeProfit, Terms: Terms{Percent: dec("20")}}, snap)
	if err != nil {
		t.Fatal(err)
	}
	if !sl.Level.Equal(dec("45")) || !tp.Level.Equal(dec("40")) {
		t.Fatalf("levels %s and %s, want 45 and 40 (39.9996 to the cent)", sl.Level, tp.Level)
	}
	sl.State, tp.State = Active, Active
	e := mustEngine(t, Options{Holding: fixedHolding("100")}, []Condition{sl, tp})
	if r := e.OnPrices([]Tick{{"ACME", dec("45.01"), t0}}); len(r.Fired) != 0 {
		t.Fatalf("fired above 45: %v", firedIDs(r))
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("45"), t0}}); !sameIDs(firedIDs(r), []int64{1}) {
		t.Fatalf("fired %v at 45, want [1]", firedIDs(r))
	}
	if r := e.OnPrices([]Tick{{"BETA", dec("39.99"), t0}}); len(r.Fired) != 0 {
		t.Fatalf("fired below 40: %v", firedIDs(r))
	}
	if r := e.OnPrices([]Tick{{"BETA", dec("40"), t0}}); !sameIDs(firedIDs(r), []int64{2}) {
		t.Fatalf("fired %v at 40, want [2]", firedIDs(r))
	}
}

func TestModifyReindexes(t *testing.T) {
	snap := Snapshot{Price: dec("100"), AvgCost: dec("100"), Holding: dec("10"), Now: t0}
	sl := cond(1, StopLoss, Terms{TriggerPrice: dec("90")})
	e := mustEngine(t, Options{Holding: fixedHolding("10")}, []Condition{sl})
	moved, err := sl.Modify("pm2", Terms{TriggerPrice: dec("80")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	if moved.State != Active || moved.Version != sl.Version+1 || !moved.Level.Equal(dec("90")) {
		t.Fatalf("modified %+v", moved)
	}
	if err := e.Add(moved); err != nil {
		t.Fatalf("the engine refused a condition with an amendment awaiting approval: %v", err)
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("90.01"), t0}}); len(r.Fired) != 0 {
		t.Fatalf("fired above the approved level: %v", firedIDs(r))
	}
	if moved, err = moved.ApproveAmendment("trader2", []user.Role{user.Trader}, t0); err != nil {
		t.Fatal(err)
	}
	if err := e.Add(moved); err != nil {
		t.Fatal(err)
	}
	if e.Len() != 1 {
		t.Fatalf("engine holds %d, want the one re-indexed condition", e.Len())
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("85"), t0}}); len(r.Fired) != 0 {
		t.Fatalf("fired at the old level: %v", firedIDs(r))
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("80"), t0}}); !sameIDs(firedIDs(r), []int64{1}) {
		t.Fatalf("fired %v at the new level", firedIDs(r))
	}
}

func TestModifyTrailingKeepsHigh(t *testing.T) {
	ts := cond(1, TrailingStop, Terms{Percent: dec("5")})
	e := mustEngine(t, Options{Holding: fixedHolding("10")}, []Condition{ts})
	e.OnPrices([]Tick{{"ACME", dec("100"), t0}, {"ACME", dec("120"), t0}})
	stored := ts // storage may lag behind the tracked high
	wider, err := stored.Modify("pm2", Terms{Percent: dec("10")}, Snapshot{Price: dec("115"), Holding: dec("10"), Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if wider, err = wider.ApproveAmendment("trader2", []user.Role{user.Trader}, t0); err != nil {
		t.Fatal(err)
	}
	if err := e.Add(wider); err != nil {
		t.Fatal(err)
	}
	got, _ := e.Get(1)
	if !got.High.Equal(dec("120")) || !got.StopLevel().Equal(dec("108")) {
		t.Fatalf("high %s stop %s, want 120 and 108", got.High, got.StopLevel())
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("110"), t0}}); len(r.Fired) != 0 {
		t.Fatalf("fired at the old 5%% distance")
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("108"), t0}}); len(r.Fired) != 1 {
		t.Fatalf("did not fire at 108")
	}
}

func TestRemoveAndHoldingClosed(t *testing.T) {
	conds := []Condition{
		cond(1, StopLoss, Terms{TriggerPrice: dec("90")}),
		cond(2, TrailingStop, Terms{Percent: dec("5")}),
		cond(3, BuyLimit, Terms{TriggerPrice: dec("80"), Quantity: dec("5")}),
		cond(4, TakeProfit, Terms{TriggerPrice: dec("120")}),
	}
	other := cond(5, StopLoss, Terms{TriggerPrice: dec("90")})
	other.Portfolio = "P2"
	e := mustEngine(t, Options{Holding: fixedHolding("10")}, append(conds, other))
	e.OnPrices([]Tick{{"ACME", dec("100"), t0}}) // trailing 2 starts tracking
	if c, ok := e.Remove(4); !ok || c.ID != 4 {
		t.Fatalf("Remove(4) = %v %v", c.ID, ok)
	}
	if _, ok := e.Remove(4); ok {
		t.Fatal("removed twice")
	}
	got := e.HoldingClosed("P1", "ACME", t0)
	if !sameIDs(condIDs(got), []int64{1, 2}) || got[0].State != Cancelled || got[0].StateReason == "" {
		t.Fatalf("HoldingClosed cancelled %v", got)
	}
	if ids := condIDs(e.Conditions()); !sameIDs(ids, []int64{3, 5}) {
		t.Fatalf("left %v, want the buy and the other portfolio's stop", ids)
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("70"), t0}}); !sameIDs(firedIDs(r), []int64{3, 5}) {
		t.Fatalf("fired %v", firedIDs(r))
	}
}

func TestEngineRefuses(t *testing.T) {
	pending := cond(1, StopLoss, Terms{TriggerPrice: dec("90")})
	pending.State = PendingApproval
	noLevel := cond(2, StopLoss, Terms{})
	noDistance := cond(3, TrailingStop, Terms{})
	if _, err := NewEngine(Options{}, nil); err == nil {
		t.Fatal("no Holding function accepted")
	}
	for _, c := range []Condition{pending, noLevel, noDistance} {
		if _, err := NewEngine(Options{Holding: fixedHolding("1")}, []Condition{c}); !errors.Is(err, ErrInvalid) {
			t.Errorf("condition %d: err %v, want ErrInvalid", c.ID, err)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	conds := []Condition{
		cond(3, TrailingStop, Terms{Percent: dec("5"), ActivationPrice: dec("100")}),
		cond(1, TrailingStop, Terms{Amount: dec("2")}),
		cond(2, TakeProfit, Terms{TriggerPrice: dec("150")}),
	}
	e := mustEngine(t, Options{Holding: fixedHolding("1")}, conds)
	e.OnPrices([]Tick{{"ACME", dec("101"), t0}, {"ACME", dec("104"), t0}})
	saved := e.Conditions()
	if !sameIDs(condIDs(saved), []int64{1, 2, 3}) || !saved[0].High.Equal(dec("104")) || !saved[2].High.Equal(dec("104")) || !saved[1].High.IsZero() {
		t.Fatalf("saved %+v", saved)
	}
	again := mustEngine(t, Options{Holding: fixedHolding("1")}, saved)
	if r := again.OnPrices([]Tick{{"ACME", dec("102"), t0}}); !sameIDs(firedIDs(r), []int64{1}) {
		t.Fatalf("after restart fired %v, want [1] (104 − 2)", firedIDs(r))
	}
	if r := again.OnPrices([]Tick{{"ACME", dec("98.8"), t0}}); !sameIDs(firedIDs(r), []int64{3}) {
		t.Fatalf("after restart fired %v, want [3] (104 × 0.95)", firedIDs(r))
	}
}
