package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
)

// replaceRecorder is an order.Sender that keeps the replace requests.
type replaceRecorder struct {
	loopbackSender
	replaced []order.ReplaceRequest
}

func (r *replaceRecorder) Replace(_ context.Context, rq order.ReplaceRequest) error {
	r.replaced = append(r.replaced, rq)
	return nil
}

func TestDeskReplaceBlockReachesBrokerAndBlotter(t *testing.T) {
	snd := &replaceRecorder{}
	desk, _ := testOrderBook(t, snd)
	ctx := context.Background()
	tr := order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	b, err := desk.Release(ctx, tr, approvedBlock(t, desk).ID)
	if err != nil {
		t.Fatal(err)
	}
	ch, stop := desk.changes.Subscribe()
	defer stop()
	got, err := desk.ReplaceBlock(ctx, tr, b.ID, decimal.NewFromInt(6), decimal.Zero)
	if err != nil || got.Status != order.PendingReplace {
		t.Fatalf("replace block: %+v, %v; want it pending replace", got, err)
	}
	if len(snd.replaced) != 1 || !snd.replaced[0].Quantity.Equal(decimal.NewFromInt(6)) || snd.replaced[0].OrigClOrdID != b.ClOrdID {
		t.Errorf("broker got %+v", snd.replaced)
	}
	if len(ch) != 1 {
		t.Fatalf("%d changes published, want 1", len(ch))
	}
	if c := <-ch; c.What != "block" || c.BlockID != b.ID {
		t.Errorf("change %+v, want block %d", c, b.ID)
	}
}

func TestDeskReplaceBlockWithoutBrokerSessionChangesNothing(t *testing.T) {
	desk, _ := testOrderBook(t, nil)
	b := approvedBlock(t, desk)
	tr := order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	_, err := desk.ReplaceBlock(context.Background(), tr, b.ID, decimal.NewFromInt(6), decimal.Zero)
	if err == nil || !strings.Contains(err.Error(), "no broker session configured") || !errors.Is(err, order.ErrConflict) {
		t.Fatalf("replace block: %v, want a conflict saying no broker session configured", err)
	}
}
