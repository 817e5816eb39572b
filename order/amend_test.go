package order

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/user"
)

func TestCancelOrder(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	os, _ := dk.svc.Propose(ctx, pm, []Proposal{{Order: buy("A", "100"), Check: Check{Verdict: VerdictPass}}})
	other := Actor{Name: "pm2", Roles: []user.Role{user.PM}}
	if _, err := dk.svc.CancelOrder(ctx, other, os[0].ID, ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("another pm cancels: %v", err)
	}
	o, err := dk.svc.CancelOrder(ctx, pm, os[0].ID, "no longer needed")
	if err != nil || o.Status != Cancelled {
		t.Fatalf("proposer withdraws: %s %v", o.Status, err)
	}
	if _, err := dk.svc.CancelOrder(ctx, pm, os[0].ID, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("cancel twice: %v", err)
	}

	// Out of an unreleased block of three: the block shrinks.
	b := dk.approvedBlock(t, "A", "B", "C")
	orders := dk.blockOrders(t, b.ID)
	o, err = dk.svc.CancelOrder(ctx, trader, orders[1].ID, "B is out")
	if err != nil || o.Status != Cancelled || o.BlockID != 0 {
		t.Fatalf("leave block: %+v %v", o, err)
	}
	if n := len(dk.blockOrders(t, b.ID)); n != 2 {
		t.Errorf("block has %d orders, want 2", n)
	}
	b, _ = dk.svc.Release(ctx, trader, b.ID)
	if q := dk.sender.sent[0].Quantity.String(); q != "2000" {
		t.Errorf("released quantity %s, want 2000", q)
	}
	if _, err := dk.svc.CancelOrder(ctx, trader, orders[0].ID, ""); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "replace the block") {
		t.Errorf("cancel one order of a working block: %v", err)
	}

	// Alone in a released block: the block is cancelled at the broker.
	solo := dk.released(t, "C")
	soloOrder := dk.blockOrders(t, solo.ID)[0]
	o, err = dk.svc.CancelOrder(ctx, trader, soloOrder.ID, "stop")
	if err != nil || o.Status != PendingCancel || len(dk.sender.cancels) != 1 {
		t.Fatalf("cancel a lone released order: %s %v", o.Status, err)
	}
}

func TestAmendOrder(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	os, _ := dk.svc.Propose(ctx, pm, []Proposal{{Order: buy("A", "100"), Check: Check{Verdict: VerdictPass}}})
	id := os[0].ID
	if _, err := dk.svc.Approve(ctx, id, trader, nil); err != nil {
		t.Fatal(err)
	}
	o, err := dk.svc.AmendOrder(ctx, trader, id, d("200"), d("72"), Check{Verdict: VerdictPass})
	if err != nil || o.Status != Ready || o.Quantity.String() != "200" || o.AmendedBy != "trader1" || o.ApprovedBy != "" {
		t.Fatalf("amend: %+v %v", o, err)
	}
	if _, err := dk.svc.Approve(ctx, id, trader, nil); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "amended") {
		t.Errorf("amender approves: %v", err)
	}
	trader2 := Actor{Name: "trader2", Roles: []user.Role{user.Trader}}
	if o, err := dk.svc.Approve(ctx, id, trader2, nil); err != nil || o.Status != Approved {
		t.Errorf("another trader approves: %s %v", o.Status, err)
	}
	if _, err := dk.svc.AmendOrder(ctx, trader, id, d("-1"), d("72"), Check{Verdict: VerdictPass}); !errors.Is(err, ErrInvalid) {
		t.Errorf("amend to a bad quantity: %v", err)
	}
	if o := dk.order(t, id); o.Quantity.String() != "200" || o.Status != Approved {
		t.Errorf("a refused amendment changed the order: %s %s", o.Quantity, o.Status)
	}
	b := dk.approvedBlock(t, "B")
	if _, err := dk.svc.AmendOrder(ctx, trader, dk.blockOrders(t, b.ID)[0].ID, d("5"), d("72"), Check{Verdict: VerdictPass}); !errors.Is(err, ErrConflict) {
		t.Errorf("amend an order in a block: %v", err)
	}
}

func TestExpireProposals(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	os, _ := dk.svc.Propose(ctx, pm, []Proposal{
		{Order: buy("A", "100"), Check: Check{Verdict: VerdictPass}},
		{Order: buy("B", "100"), Check: Check{Verdict: VerdictFail}},
		{Order: buy("C", "100"), Check: Check{Verdict: VerdictPass}},
	})
	if _, err := dk.svc.Approve(ctx, os[2].ID, trader, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := dk.svc.ExpireProposals(ctx); err != nil || len(got) != 0 {
		t.Fatalf("before the close: %v %v", got, err)
	}
	dk.now = dk.now.Add(7 * time.Hour)
	got, err := dk.svc.ExpireProposals(ctx)
	if err != nil || len(got) != 2 || got[0].ID != os[0].ID || got[1].ID != os[1].ID {
		t.Fatalf("after the close: %+v %v", got, err)
	}
	for i, want := range []Status{Expired, Expired, Approved} {
		if s := dk.order(t, os[i].ID).Status; s != want {
			t.Errorf("order %d: %s, want %s", i, s, want)
		}
	}
}
