package db

import (
	"context"
	"testing"

	"github.com/ballast-oms/ballast/order"
)

// TestAuditPortfolioSearchFindsOrderAndOtherEvents: the search by portfolio
// finds the events of the portfolio's orders (through the orders) and its
// events of no order (through the partial index), newest first, and none of
// another portfolio.
func TestAuditPortfolioSearchFindsOrderAndOtherEvents(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	svc, _ := newTestService(t, s)
	if _, err := svc.Propose(ctx, pmActor, []order.Proposal{buyOrder("P1", "10"), buyOrder("P2", "20")}); err != nil {
		t.Fatal(err)
	}
	err := s.InTx(ctx, func(tx order.Tx) error {
		return tx.AppendEvent(ctx, order.Event{At: orderNow, Actor: "pm", Action: "note", Portfolio: "P1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.AuditEvents(ctx, order.AuditFilter{Portfolio: "P1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 || evs[0].Action != "note" || evs[0].OrderID != 0 || evs[3].Action != "propose" || evs[3].OrderID != 1 {
		t.Fatalf("P1's events: %+v; want the note, then order 1's three events, newest first", evs)
	}
	for _, e := range evs {
		if e.Portfolio != "P1" {
			t.Errorf("event of %s in P1's search: %+v", e.Portfolio, e)
		}
	}
}
