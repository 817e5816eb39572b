package trigger

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/user"
)

func draft(kind Kind, t Terms) Condition {
	return Condition{Portfolio: "P1", Symbol: "ACME", Kind: kind, Terms: t}
}

func TestValidateRefuses(t *testing.T) {
	snap := Snapshot{Price: dec("100"), AvgCost: dec("80"), Holding: dec("50"), Now: t0}
	tests := []struct {
		name  string
		c     Condition
		snap  Snapshot
		field string
		says  string
	}{
		{"no portfolio", Condition{Symbol: "ACME", Kind: StopLoss, Terms: Terms{TriggerPrice: dec("90")}}, snap, "portfolio", "empty"},
		{"unknown kind", draft("stop", Terms{}), snap, "kind", "not one of"},
		{"stop-loss without level", draft(StopLoss, Terms{}), snap, "trigger_price", "required"},
		{"stop-loss with price and percent", draft(StopLoss, Terms{TriggerPrice: dec("90"), Percent: dec("5")}), snap, "percent", "not both"},
		{"stop-loss above the price", draft(StopLoss, Terms{TriggerPrice: dec("101")}), snap, "trigger_price", "at or above the current price 100"},
		{"stop-loss at the price", draft(StopLoss, Terms{TriggerPrice: dec("100")}), snap, "trigger_price", "fire at once"},
		{"stop-loss percent crossed", draft(StopLoss, Terms{Percent: dec("10")}), Snapshot{Price: dec("70"), AvgCost: dec("80"), Holding: dec("1"), Now: t0}, "percent", "72"},
		{"stop-loss 100 percent", draft(StopLoss, Terms{Percent: dec("100")}), snap, "percent", "below 100"},
		{"percent without average cost", draft(TakeProfit, Terms{Percent: dec("10")}), Snapshot{Price: dec("1"), Holding: dec("1"), Now: t0}, "percent", "average cost"},
		{"take-profit below the price", draft(TakeProfit, Terms{TriggerPrice: dec("99")}), snap, "trigger_price", "at or below"},
		{"amount on a stop-loss", draft(StopLoss, Terms{TriggerPrice: dec("90"), Amount: dec("1")}), snap, "amount", "only to trailing"},
		{"negative quantity", draft(StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("-1")}), snap, "quantity", "negative"},
		{"sell more than held", draft(StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("51")}), snap, "quantity", "more than the holding"},
		{"sell with no holding", draft(TakeProfit, Terms{TriggerPrice: dec("110")}), Snapshot{Price: dec("100"), Now: t0}, "quantity", "no holding"},
		{"trailing without distance", draft(TrailingStop, Terms{}), snap, "percent", "needs a percent or an amount"},
		{"trailing with both", draft(TrailingStop, Terms{Percent: dec("5"), Amount: dec("5")}), snap, "amount", "not both"},
		{"trailing with trigger price", draft(TrailingStop, Terms{Percent: dec("5"), TriggerPrice: dec("90")}), snap, "trigger_price", "percent or an amount"},
		{"trailing amount above price", draft(TrailingStop, Terms{Amount: dec("100")}), snap, "amount", "not below the price"},
		{"buy without quantity", draft(BuyLimit, Terms{TriggerPrice: dec("90")}), snap, "quantity", "needs a quantity"},
		{"buy with percent", draft(BuyLimit, Terms{Percent: dec("5"), Quantity: dec("1")}), snap, "percent", "trigger price"},
		{"buy-stop below the price", draft(BuyStop, Terms{TriggerPrice: dec("95"), Quantity: dec("1")}), snap, "trigger_price", "at or below"},
		{"buy-limit above the price", draft(BuyLimit, Terms{TriggerPrice: dec("105"), Quantity: dec("1")}), snap, "trigger_price", "at or above"},
		{"collar on market", draft(StopLoss, Terms{TriggerPrice: dec("90"), CollarBps: 10}), snap, "collar_bps", "only to limit"},
		{"limit without collar", draft(StopLoss, Terms{TriggerPrice: dec("90"), OrderType: OrderLimit}), snap, "collar_bps", "between 1 and 1000"},
		{"unknown order type", draft(StopLoss, Terms{TriggerPrice: dec("90"), OrderType: "stop"}), snap, "order_type", "not market or limit"},
		{"valid 91 days", draft(StopLoss, Terms{TriggerPrice: dec("90"), ValidUntil: t0.Add(91 * 24 * time.Hour)}), snap, "valid_until", "more than 90 days"},
		{"valid until the past", draft(StopLoss, Terms{TriggerPrice: dec("90"), ValidUntil: t0}), snap, "valid_until", "not in the future"},
		{"oco with itself", Condition{ID: 4, Portfolio: "P1", Symbol: "ACME", Kind: StopLoss, Terms: Terms{TriggerPrice: dec("90"), OCOWith: 4}}, snap, "oco_with", "another"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Validate(tt.c, tt.snap)
			var fe FieldErrors
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err %v, want FieldErrors", err)
			}
			if got := fe.Get(tt.field); !strings.Contains(got, tt.says) {
				t.Fatalf("%s: %q, want it to say %q (all: %v)", tt.field, got, tt.says, err)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	snap := Snapshot{Price: dec("100"), AvgCost: dec("80"), Holding: dec("50"), Now: t0}
	tests := []struct {
		name      string
		c         Condition
		wantLevel string
	}{
		{"stop-loss price", draft(StopLoss, Terms{TriggerPrice: dec("90")}), "90"},
		{"take-profit 50% from cost", draft(TakeProfit, Terms{Percent: dec("50")}), "120"},
		{"trailing percent, activation below the price", draft(TrailingStop, Terms{Percent: dec("5"), ActivationPrice: dec("90")}), "0"},
		{"trailing amount", draft(TrailingStop, Terms{Amount: dec("2.5")}), "0"},
		{"buy-stop", draft(BuyStop, Terms{TriggerPrice: dec("105"), Quantity: dec("10")}), "105"},
		{"limit with collar, exactly 90 days", draft(StopLoss, Terms{TriggerPrice: dec("90"), OrderType: OrderLimit, CollarBps: 25, ValidUntil: t0.Add(MaxValidity)}), "90"},
		{"no known price skips the crossing check", draft(StopLoss, Terms{TriggerPrice: dec("200")}), "200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := snap
			if tt.name == "no known price skips the crossing check" {
				s.Price = dec("0")
			}
			got, err := Validate(tt.c, s)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Level.Equal(dec(tt.wantLevel)) || got.OrderType == "" || got.ValidUntil.After(t0.Add(MaxValidity)) || !got.ValidUntil.After(t0) {
				t.Fatalf("got level %s type %q until %s", got.Level, got.OrderType, got.ValidUntil)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	snap := Snapshot{Price: dec("100"), Holding: dec("5"), Now: t0}
	c, err := New(draft(StopLoss, Terms{TriggerPrice: dec("90")}), "alice", snap)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != PendingApproval || c.Version != 1 || c.CreatedBy != "alice" || !c.ValidUntil.Equal(t0.Add(MaxValidity)) ||
		c.OrderType != OrderMarket || !c.CreatedAt.Equal(t0) {
		t.Fatalf("new %+v", c)
	}
	_, err = New(draft(StopLoss, Terms{TriggerPrice: dec("90")}), " ", snap)
	var fe FieldErrors
	if !errors.As(err, &fe) || fe.Get("created_by") == "" {
		t.Fatalf("no creator: %v", err)
	}
	if _, err := New(draft(StopLoss, Terms{TriggerPrice: dec("90")}), "alice", Snapshot{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no clock: %v", err)
	}
}

func TestTransitionTable(t *testing.T) {
	all := []State{PendingApproval, Active, Triggered, Expired, Cancelled}
	allowed := map[[2]State]bool{
		{PendingApproval, Active}: true, {PendingApproval, Expired}: true, {PendingApproval, Cancelled}: true,
		{Active, Triggered}: true, {Active, Expired}: true, {Active, Cancelled}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := CanTransition(from, to); got != allowed[[2]State{from, to}] {
				t.Errorf("CanTransition(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestApprove(t *testing.T) {
	c, err := New(draft(StopLoss, Terms{TriggerPrice: dec("90")}), "alice", Snapshot{Price: dec("100"), Holding: dec("5"), Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		by    string
		roles []user.Role
		now   time.Time
		want  error
	}{
		{"creator", "alice", []user.Role{user.Trader}, t0, ErrForbidden},
		{"not a trader", "bob", []user.Role{user.PM, user.Compliance}, t0, ErrForbidden},
		{"nobody", "", []user.Role{user.Trader}, t0, ErrForbidden},
		{"after validity", "bob", []user.Role{user.Trader}, t0.Add(MaxValidity + time.Second), ErrConflict},
		{"a trader who did not create it", "bob", []user.Role{user.PM, user.Trader}, t0.Add(time.Minute), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Approve(tt.by, tt.roles, tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if err == nil && (got.State != Active || got.ApprovedBy != "bob" || got.Version != 2 || !got.ApprovedAt.Equal(tt.now)) {
				t.Fatalf("approved %+v", got)
			}
			if err != nil && got.State != PendingApproval {
				t.Fatalf("a refused approval changed the state to %s", got.State)
			}
		})
	}
	active, _ := c.Approve("bob", []user.Role{user.Trader}, t0)
	if _, err := active.Approve("carol", []user.Role{user.Trader}, t0); !errors.Is(err, ErrConflict) {
		t.Fatalf("approved twice: %v", err)
	}
}

func TestFinalStatesRefuseChanges(t *testing.T) {
	snap := Snapshot{Price: dec("100"), Holding: dec("5"), Now: t0}
	for _, s := range []State{Triggered, Expired, Cancelled} {
		c := cond(1, StopLoss, Terms{TriggerPrice: dec("90")})
		c.State = s
		if _, err := c.Modify("bob", Terms{TriggerPrice: dec("80")}, snap); !errors.Is(err, ErrConflict) {
			t.Errorf("%s: modify err %v", s, err)
		}
		if _, err := c.Cancel("bob", "", t0); !errors.Is(err, ErrConflict) {
			t.Errorf("%s: cancel err %v", s, err)
		}
		if _, err := c.Expire(t0.Add(100 * 24 * time.Hour)); !errors.Is(err, ErrConflict) {
			t.Errorf("%s: expire err %v", s, err)
		}
	}
	c := cond(1, StopLoss, Terms{TriggerPrice: dec("90")})
	got, err := c.Cancel("bob", "changed my mind", t0)
	if err != nil || got.State != Cancelled || got.StateReason != "cancelled by bob: changed my mind" || got.Version != c.Version+1 {
		t.Fatalf("cancel %+v %v", got, err)
	}
	if _, err := c.Modify("bob", Terms{TriggerPrice: dec("101")}, snap); !errors.Is(err, ErrInvalid) {
		t.Fatalf("modify to a crossed level: %v", err)
	}
	if _, err := c.Expire(t0); !errors.Is(err, ErrConflict) {
		t.Fatalf("expired while valid: %v", err)
	}
}
