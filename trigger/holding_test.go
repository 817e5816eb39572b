package trigger

import (
	"errors"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/user"
)

func TestTemplateAttach(t *testing.T) {
	snap := Snapshot{Price: dec("50"), AvgCost: dec("50"), Holding: dec("200"), Now: t0}
	stop := Template{ID: 1, Portfolio: "P1", Kind: StopLoss, Terms: Terms{Percent: dec("10")}, CreatedBy: "pm"}
	if _, err := stop.Approve("pm", []user.Role{user.Trader}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("creator approved its own default: %v", err)
	}
	pending, err := stop.Attach("ACME", snap)
	if err != nil {
		t.Fatal(err)
	}
	if pending.State != PendingApproval || !pending.Level.Equal(dec("45")) {
		t.Fatalf("unapproved default attached %+v", pending)
	}
	stop, err = stop.Approve("trader", []user.Role{user.Trader})
	if err != nil {
		t.Fatal(err)
	}
	trail := Template{ID: 2, Portfolio: "P1", Kind: TrailingStop, Terms: Terms{Percent: dec("5")},
		Validity: 30 * 24 * time.Hour, CreatedBy: "pm", ApprovedBy: "trader"}
	for _, tp := range []Template{stop, trail} {
		c, err := tp.Attach("ACME", snap)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != Active || c.ApprovedBy != "trader" || c.CreatedBy != "pm" || !c.Quantity.IsZero() {
			t.Fatalf("attached %+v", c)
		}
		if _, err := NewEngine(Options{Holding: fixedHolding("200")}, []Condition{c}); err != nil {
			t.Fatalf("the engine refuses an attached default: %v", err)
		}
	}
	if c, _ := trail.Attach("ACME", snap); !c.ValidUntil.Equal(t0.Add(30 * 24 * time.Hour)) {
		t.Fatalf("validity %s", c.ValidUntil)
	}
}

func TestTemplateCheck(t *testing.T) {
	tests := []struct {
		name  string
		tp    Template
		field string
	}{
		{"buy", Template{Portfolio: "P1", Kind: BuyLimit, Terms: Terms{TriggerPrice: dec("1")}}, "kind"},
		{"fixed stop price", Template{Portfolio: "P1", Kind: StopLoss, Terms: Terms{TriggerPrice: dec("1")}}, "percent"},
		{"quantity", Template{Portfolio: "P1", Kind: TrailingStop, Terms: Terms{Percent: dec("5"), Quantity: dec("1")}}, "trigger_price"},
		{"validity", Template{Portfolio: "P1", Kind: TrailingStop, Terms: Terms{Percent: dec("5")}, Validity: MaxValidity + time.Hour}, "validity"},
		{"no portfolio", Template{Kind: TrailingStop, Terms: Terms{Percent: dec("5")}}, "portfolio"},
	}
	for _, tt := range tests {
		var fe FieldErrors
		if err := tt.tp.Check(); !errors.As(err, &fe) || fe.Get(tt.field) == "" {
			t.Errorf("%s: %v, want a problem with %s", tt.name, err, tt.field)
		}
	}
}

func TestResize(t *testing.T) {
	tests := []struct {
		name         string
		c            Condition
		from, to     string
		lot          string
		wantQty      string
		wantState    State
		wantVersionU int64 // version increase
	}{
		{"whole holding follows it", cond(1, StopLoss, Terms{TriggerPrice: dec("90")}), "100", "40", "1", "0", Active, 0},
		{"part keeps its share", cond(1, StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("50")}), "100", "40", "1", "20", Active, 1},
		{"rounded down to the lot", cond(1, TakeProfit, Terms{TriggerPrice: dec("110"), Quantity: dec("70")}), "100", "50", "10", "30", Active, 1},
		{"nothing left cancels", cond(1, TrailingStop, Terms{Percent: dec("5"), Quantity: dec("5")}), "100", "10", "1", "5", Cancelled, 1},
		{"a buy is untouched", cond(1, BuyLimit, Terms{TriggerPrice: dec("90"), Quantity: dec("5")}), "100", "10", "1", "5", Active, 0},
		{"a rise is untouched", cond(1, StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("50")}), "100", "120", "1", "50", Active, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Resize(dec(tt.from), dec(tt.to), dec(tt.lot), t0)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Quantity.Equal(dec(tt.wantQty)) || got.State != tt.wantState || got.Version != tt.c.Version+tt.wantVersionU {
				t.Fatalf("got qty %s state %s version %d", got.Quantity, got.State, got.Version)
			}
		})
	}
	if _, err := cond(1, StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("5")}).Resize(dec("0"), dec("-1"), dec("1"), t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad holdings accepted: %v", err)
	}
}

// TestResizeScalesPendingAmendment: a reduced holding scales a pending
// amendment's partial quantity like the condition's, so approving it later
// does not sell more than its share; an amendment left with nothing is void.
func TestResizeScalesPendingAmendment(t *testing.T) {
	snap := Snapshot{Price: dec("100"), Holding: dec("100"), Now: t0}
	whole := cond(1, StopLoss, Terms{TriggerPrice: dec("90")})
	amended, err := whole.Modify("pm2", Terms{TriggerPrice: dec("95"), Quantity: dec("50")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	got, err := amended.Resize(dec("100"), dec("40"), dec("1"), t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	a := got.PendingAmendment()
	if a == nil || !a.Quantity.Equal(dec("20")) || !got.Quantity.IsZero() || got.Version != amended.Version+1 {
		t.Fatalf("resized: quantity %s, amendment %+v, version %d", got.Quantity, a, got.Version)
	}
	if !amended.Amendment.Quantity.Equal(dec("50")) {
		t.Error("resizing changed the original's amendment")
	}
	small, err := whole.Modify("pm2", Terms{TriggerPrice: dec("95"), Quantity: dec("5")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	got, err = small.Resize(dec("100"), dec("10"), dec("1"), t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if v := got.Amendment; v.State != AmendmentVoid || v.Reason != "void: the holding was reduced from 100 to 10" ||
		got.State != Active || got.Version != small.Version+1 {
		t.Fatalf("an amendment with nothing left: %+v, condition %s v%d", v, got.State, got.Version)
	}
}
