package db

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/rebalance"
)

// TestUpdateRestriction sets and clears flags with their audit events, and
// writes nothing when the change, the portfolio or the security is refused.
func TestUpdateRestriction(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	set := func(r rebalance.Restriction) func(rebalance.Restriction) (rebalance.Restriction, error) {
		return func(cur rebalance.Restriction) (rebalance.Restriction, error) {
			r.DoNotBuy = r.DoNotBuy || cur.DoNotBuy
			return r, nil
		}
	}
	if err := d.UpdateRestriction(ctx, "P1", "AAA", set(rebalance.Restriction{DoNotBuy: true}), "pm", "client", at); err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateRestriction(ctx, "P1", "AAA", set(rebalance.Restriction{DoNotSell: true}), "pm2", "", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	for what, err := range map[string]error{
		"change refused": d.UpdateRestriction(ctx, "P1", "BBB", func(rebalance.Restriction) (rebalance.Restriction, error) {
			return rebalance.Restriction{}, refused
		}, "pm", "", at),
		"no change":         d.UpdateRestriction(ctx, "P1", "AAA", set(rebalance.Restriction{DoNotSell: true}), "pm", "", at),
		"unknown portfolio": d.UpdateRestriction(ctx, "NOPE", "AAA", set(rebalance.Restriction{Excluded: true}), "pm", "", at),
		"unknown security":  d.UpdateRestriction(ctx, "P1", "ZZZ", set(rebalance.Restriction{Excluded: true}), "pm", "", at),
	} {
		want := map[string]error{"change refused": refused, "no change": ErrConflict, "unknown portfolio": ErrNotFound,
			"unknown security": ErrNotFound}[what]
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", what, err, want)
		}
	}
	r, err := d.Restrictions(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 1 || r["AAA"] != (rebalance.Restriction{DoNotBuy: true, DoNotSell: true}) {
		t.Fatalf("restrictions %+v", r)
	}
	if err := d.UpdateRestriction(ctx, "P1", "AAA", func(rebalance.Restriction) (rebalance.Restriction, error) {
		return rebalance.Restriction{}, nil
	}, "pm", "lifted", at.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r, _ := d.Restrictions(ctx, "P1"); len(r) != 0 {
		t.Errorf("a restriction without flags is kept: %+v", r)
	}
	evs, err := d.RestrictionEvents(ctx, "P1", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []order.Event{
		{Actor: "pm", Action: ActionRestrictionRemove, Reason: "lifted", Details: "AAA do_not_buy do_not_sell; now none"},
		{Actor: "pm2", Action: ActionRestrictionAdd, Details: "AAA do_not_sell; now do_not_buy, do_not_sell"},
		{Actor: "pm", Action: ActionRestrictionAdd, Reason: "client", Details: "AAA do_not_buy; now do_not_buy"},
	}
	if len(evs) != len(want) {
		t.Fatalf("events %+v", evs)
	}
	for i, w := range want {
		e := evs[i]
		if e.Actor != w.Actor || e.Action != w.Action || e.Reason != w.Reason || e.Details != w.Details || e.Portfolio != "P1" {
			t.Errorf("event %d: %+v, want %+v", i, e, w)
		}
	}
	if !evs[2].At.Equal(at) {
		t.Errorf("first change at %v, want %v", evs[2].At, at)
	}
}
