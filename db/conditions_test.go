package db

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
)

var condT0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// newTrailing makes a trailing stop of 5% on P1/AAA activated at 100,
// created by pm, stored pending approval.
func newTrailing(t *testing.T, d *DB) trigger.Condition {
	t.Helper()
	c, err := trigger.New(trigger.Condition{Portfolio: "P1", Symbol: "AAA", Kind: trigger.TrailingStop,
		Terms: trigger.Terms{Percent: dec("5"), ActivationPrice: dec("100")}}, "pm",
		trigger.Snapshot{Price: dec("99"), Holding: dec("10"), AvgCost: dec("90"), Now: condT0})
	if err != nil {
		t.Fatal(err)
	}
	c, err = d.InsertCondition(context.Background(), c, 0, ConditionEvent{Actor: "pm", Action: "condition_create"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConditionRoundTripAndOptimisticUpdate(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	c := newTrailing(t, d)
	got, err := d.Condition(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != trigger.TrailingStop || !got.Percent.Equal(dec("5")) || !got.ActivationPrice.Equal(dec("100")) ||
		got.State != trigger.PendingApproval || got.Version != 1 || !got.ValidUntil.Equal(condT0.Add(trigger.MaxValidity)) ||
		got.CreatedBy != "pm" || got.OrderType != trigger.OrderMarket {
		t.Fatalf("round trip: %+v", got.Condition)
	}
	approved, err := got.Approve("trader", []user.Role{user.Trader}, condT0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateCondition(ctx, approved, got.Version, ConditionEvent{Actor: "trader", Action: "condition_approve"}); err != nil {
		t.Fatal(err)
	}
	// A second writer holding version 1 loses.
	stale, _ := got.Cancel("pm", "", condT0.Add(2*time.Minute))
	if err := d.UpdateCondition(ctx, stale, got.Version, ConditionEvent{Actor: "pm", Action: "condition_cancel"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: %v, want conflict", err)
	}
	active, err := d.ActiveConditions(ctx)
	if err != nil || len(active) != 1 || active[0].ApprovedBy != "trader" || active[0].Version != 2 {
		t.Fatalf("active: %v %+v", err, active)
	}
	var n int
	if err := d.reader.QueryRow(`SELECT count(*) FROM audit_events WHERE condition_id = ?`, c.ID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("audit events: %d %v, want 2", n, err)
	}
}

func TestConditionFourEyesInDatabase(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	c := newTrailing(t, d)
	c.ApprovedBy, c.State, c.Version = "PM ", trigger.Active, 2
	err := d.UpdateCondition(context.Background(), c, 1, ConditionEvent{Actor: "pm", Action: "condition_approve"})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "four eyes") {
		t.Fatalf("self-approval: %v", err)
	}
}

func TestConditionUnknownHoldingRefused(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	c := trigger.Condition{Portfolio: "NOPE", Symbol: "AAA", Kind: trigger.StopLoss, Level: dec("1"), CreatedBy: "pm",
		State: trigger.PendingApproval, Version: 1, CreatedAt: condT0, UpdatedAt: condT0}
	c.ValidUntil = condT0.Add(time.Hour)
	if _, err := d.InsertCondition(context.Background(), c, 0, ConditionEvent{Actor: "pm", Action: "condition_create"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown portfolio: %v", err)
	}
}

// TestTrailingHighSurvivesReopen drives an engine built from storage through
// part of a price path, closes the database, reopens it and resumes: the
// stored high makes the rest of the path fire at 113.9 as if never stopped.
func TestTrailingHighSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "resume.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	seedSmall(t, d)
	c := newTrailing(t, d)
	a, _ := c.Approve("trader", []user.Role{user.Trader}, condT0)
	if err := d.UpdateCondition(ctx, a, 1, ConditionEvent{Actor: "trader", Action: "condition_approve"}); err != nil {
		t.Fatal(err)
	}
	held := func(string, string) decimal.Decimal { return dec("10") }
	run := func(d *DB, prices ...string) []trigger.Fired {
		conds, err := d.ActiveConditions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		e, err := trigger.NewEngine(trigger.Options{Holding: held}, conds)
		if err != nil {
			t.Fatal(err)
		}
		var fired []trigger.Fired
		for i, p := range prices {
			r := e.OnPrices([]trigger.Tick{{Symbol: "AAA", Price: dec(p), Time: condT0.Add(time.Duration(i+1) * time.Minute)}})
			saved, err := d.SaveTriggerResult(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			fired = append(fired, saved.Fired...)
		}
		return fired
	}
	if fired := run(d, "100", "110", "120"); len(fired) != 0 {
		t.Fatalf("fired early: %+v", fired)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.Condition(ctx, c.ID)
	if err != nil || !got.High.Equal(dec("120")) || got.Version != 2 {
		t.Fatalf("after reopen: %v high %s v%d", err, got.High, got.Version)
	}
	fired := run(d, "114.5", "113.9")
	if len(fired) != 1 || !fired[0].Price.Equal(dec("113.9")) || !fired[0].Trade.Quantity.Equal(dec("10")) {
		t.Fatalf("fired: %+v", fired)
	}
	got, _ = d.Condition(ctx, c.ID)
	if got.State != trigger.Triggered || !got.FiredPrice.Equal(dec("113.9")) || got.Version != 3 {
		t.Fatalf("stored after firing: %+v", got.Condition)
	}
	var reason string
	if err := d.reader.QueryRow(`SELECT details FROM audit_events WHERE condition_id = ? AND action = 'condition_fire'`, c.ID).Scan(&reason); err != nil ||
		!strings.Contains(reason, "fired at price 113.9") {
		t.Fatalf("firing audit: %q %v", reason, err)
	}
}

func TestOCOPartnerCancelledInStorageWhilePending(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	snap := trigger.Snapshot{Price: dec("100"), Holding: dec("10"), Now: condT0}
	sl, err := trigger.New(trigger.Condition{Portfolio: "P1", Symbol: "AAA", Kind: trigger.StopLoss, Terms: trigger.Terms{TriggerPrice: dec("90")}}, "pm", snap)
	if err != nil {
		t.Fatal(err)
	}
	sl, _ = sl.Approve("trader", []user.Role{user.Trader}, condT0)
	sl, err = d.InsertCondition(ctx, sl, 0, ConditionEvent{Actor: "pm", Action: "condition_create"})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := trigger.New(trigger.Condition{Portfolio: "P1", Symbol: "AAA", Kind: trigger.TakeProfit,
		Terms: trigger.Terms{TriggerPrice: dec("120"), OCOWith: sl.ID}}, "pm", snap)
	if err != nil {
		t.Fatal(err)
	}
	tp, err = d.InsertCondition(ctx, tp, 0, ConditionEvent{Actor: "pm", Action: "condition_create"})
	if err != nil {
		t.Fatal(err)
	}
	if back, _ := d.Condition(ctx, sl.ID); back.OCOWith != tp.ID {
		t.Fatalf("partner not linked back: %d", back.OCOWith)
	}
	sl.OCOWith = tp.ID
	e, err := trigger.NewEngine(trigger.Options{Holding: func(string, string) decimal.Decimal { return dec("10") }}, []trigger.Condition{sl})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := d.SaveTriggerResult(ctx, e.OnPrices([]trigger.Tick{{Symbol: "AAA", Price: dec("89"), Time: condT0.Add(time.Hour)}}))
	if err != nil || len(saved.Fired) != 1 {
		t.Fatalf("fire: %v %+v", err, saved)
	}
	if got, _ := d.Condition(ctx, tp.ID); got.State != trigger.Cancelled || !strings.Contains(got.StateReason, "partner") {
		t.Fatalf("pending partner: %s %q", got.State, got.StateReason)
	}
}

func TestSavePricesBatchAndSellable(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	at := condT0.Add(time.Minute)
	batch := []portfolio.Price{{Symbol: "AAA", Value: dec("102"), AsOf: at, Source: "sim"},
		{Symbol: "BBB", Value: dec("1.75"), AsOf: at, Source: "sim"}}
	if err := d.SavePrices(ctx, batch); err != nil {
		t.Fatal(err)
	}
	latest, err := d.LatestPrices(ctx)
	if err != nil || !latest["AAA"].Value.Equal(dec("102")) || latest["BBB"].Source != "sim" {
		t.Fatalf("latest: %v %+v", err, latest)
	}
	var n int
	_ = d.reader.QueryRow(`SELECT count(*) FROM price_history`).Scan(&n)
	if n != 2 {
		t.Fatalf("history rows %d, want 2", n)
	}
	if err := d.SavePrices(ctx, []portfolio.Price{{Symbol: "AAA", Value: dec("1"), AsOf: at, Source: "api"},
		{Symbol: "ZZZ", Value: dec("1"), AsOf: at, Source: "api"}}); err == nil {
		t.Fatal("unknown symbol saved")
	}
	if latest, _ := d.LatestPrices(ctx); !latest["AAA"].Value.Equal(dec("102")) {
		t.Fatal("a refused batch was half written")
	}
	unknown, err := d.UnknownSymbols(ctx, []string{"AAA", "ZZZ", "ZZZ", "YYY"})
	if err != nil || strings.Join(unknown, ",") != "ZZZ,YYY" {
		t.Fatalf("unknown: %v %v", unknown, err)
	}
	mustExec(t, d, `INSERT INTO orders (portfolio, symbol, side, quantity, order_type, time_in_force, proposed_by, status, filled_qty, created_at)
		VALUES ('P1', 'AAA', 'sell', '4', 'market', 'day', 'pm', 'sent', '1', '2026-03-02T09:00:00.000000Z')`)
	if q, err := d.SellableQuantity(ctx, "P1", "AAA"); err != nil || !q.Equal(dec("7")) {
		t.Fatalf("sellable %s %v, want 7 (10 held, 3 working)", q, err)
	}
}
