package order

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/user"
)

func TestProposeAndApprove(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	orders, err := dk.svc.Propose(ctx, pm, []Proposal{
		{Order: buy("A", "100"), Check: Check{Verdict: VerdictPass}},
		{Order: buy("B", "100"), Check: Check{Verdict: VerdictWarn, Findings: "issuer 9.5% (soft 9%)"}},
		{Order: buy("C", "100"), Check: Check{Verdict: VerdictFail, Findings: "UCITS 5/10/40 breached"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus := []Status{Ready, AwaitingOverride, Blocked}
	for i, o := range orders {
		if o.Status != wantStatus[i] || o.ProposedBy != "pm1" || !o.ExpiresAt.Equal(time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC)) {
			t.Errorf("order %d: %s by %s expires %s", i, o.Status, o.ProposedBy, o.ExpiresAt)
		}
	}
	a, b, c := orders[0].ID, orders[1].ID, orders[2].ID

	// Four eyes: the proposer cannot approve, even holding the trader role.
	bobOrders, _ := dk.svc.Propose(ctx, bob, []Proposal{{Order: buy("A", "100"), Check: Check{Verdict: VerdictPass}}})
	nEvents := len(dk.store.Events())
	if _, err := dk.svc.Approve(ctx, bobOrders[0].ID, bob, nil); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "four eyes") {
		t.Errorf("self-approval: %v", err)
	}
	if _, err := dk.svc.Approve(ctx, a, pm, nil); !errors.Is(err, ErrForbidden) {
		t.Errorf("approval by a pm: %v", err)
	}
	if len(dk.store.Events()) != nEvents || dk.order(t, bobOrders[0].ID).Status != Ready {
		t.Error("a forbidden approval wrote something")
	}

	// A soft breach waits for a compliance officer: a trader cannot approve over it.
	if _, err := dk.svc.Approve(ctx, b, trader, nil); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "override") {
		t.Errorf("approval over a soft breach: %v", err)
	}
	if got := dk.order(t, b); got.Status != AwaitingOverride || got.ApprovedBy != "" {
		t.Errorf("a refused approval changed the order: %s approved by %q", got.Status, got.ApprovedBy)
	}
	if _, err := dk.svc.Approve(ctx, c, trader, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("approval of a blocked order: %v", err)
	}
	// A re-run of compliance at approval can block the order.
	o, err := dk.svc.Approve(ctx, a, trader, &Check{Verdict: VerdictFail, Findings: "price moved: cash negative"})
	if !errors.Is(err, ErrConflict) || o.Status != Blocked || dk.order(t, a).Status != Blocked {
		t.Errorf("recheck failing: %s %v", o.Status, err)
	}
	o, err = dk.svc.Approve(ctx, a, trader, &Check{Verdict: VerdictPass})
	if err != nil || o.Status != Approved {
		t.Errorf("recheck passing: %s %v", o.Status, err)
	}
	if _, err := dk.svc.Approve(ctx, 999, trader, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("approve unknown: %v", err)
	}
}

func TestApprovalAfterExpiryIsRefusedAndExpires(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	orders, _ := dk.svc.Propose(ctx, pm, []Proposal{{Order: buy("A", "100"), Check: Check{Verdict: VerdictPass}}})
	dk.now = time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC)
	_, err := dk.svc.Approve(ctx, orders[0].ID, trader, nil)
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "expired at 2026-11-20T16:30:00Z") {
		t.Fatalf("late approval: %v", err)
	}
	if s := dk.order(t, orders[0].ID).Status; s != Expired {
		t.Errorf("status after late approval = %s, want expired", s)
	}
}

func TestProposeIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	bad := buy("B", "0")
	_, err := dk.svc.Propose(ctx, pm, []Proposal{{Order: buy("A", "100"), Check: Check{Verdict: VerdictPass}}, {Order: bad, Check: Check{Verdict: VerdictPass}}})
	var fe FieldErrors
	if !errors.As(err, &fe) || fe[0].Field != "quantity" || !strings.Contains(err.Error(), "#2") {
		t.Fatalf("invalid proposal: %v", err)
	}
	if _, err := dk.svc.Propose(ctx, pm, []Proposal{{Order: buy("A", "100"), Check: Check{Verdict: "maybe"}}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad verdict: %v", err)
	}
	if _, err := dk.svc.Propose(ctx, Actor{Name: "cco", Roles: []user.Role{user.Compliance}}, nil); !errors.Is(err, ErrForbidden) {
		t.Errorf("compliance proposing: %v", err)
	}
	if n := len(dk.store.Events()); n != 0 {
		t.Errorf("%d events written by refused proposals", n)
	}
}

func TestBulkApprove(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	orders, _ := dk.svc.Propose(ctx, pm, []Proposal{
		{Order: buy("A", "100"), Check: Check{Verdict: VerdictPass}},
		{Order: buy("B", "100"), Check: Check{Verdict: VerdictFail}},
	})
	errs := dk.svc.BulkApprove(ctx, []int64{orders[0].ID, orders[1].ID, 404}, trader)
	if errs[0] != nil || !errors.Is(errs[1], ErrConflict) || !errors.Is(errs[2], ErrNotFound) {
		t.Errorf("bulk approve errors = %v", errs)
	}
}

func TestCreateBlockRules(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	mk := func(o Order) int64 {
		os, err := dk.svc.Propose(ctx, pm, []Proposal{{Order: o, Check: Check{Verdict: VerdictPass}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dk.svc.Approve(ctx, os[0].ID, trader, nil); err != nil {
			t.Fatal(err)
		}
		return os[0].ID
	}
	a := mk(buy("A", "100"))
	other := buy("B", "100")
	other.LimitPrice = d("74")
	b := mk(other)
	notApproved, _ := dk.svc.Propose(ctx, pm, []Proposal{{Order: buy("C", "100"), Check: Check{Verdict: VerdictPass}}})
	cases := []struct {
		actor  Actor
		ids    []int64
		broker string
		kind   error
		msg    string
	}{
		{pm, []int64{a}, "SIM", ErrForbidden, "not a trader"},
		{trader, nil, "SIM", ErrInvalid, "required"},
		{trader, []int64{a}, " ", ErrInvalid, "required"},
		{trader, []int64{a, b}, "SIM", ErrInvalid, "limit price"},
		{trader, []int64{a, a}, "SIM", ErrInvalid, "twice"},
		{trader, []int64{a, notApproved[0].ID}, "SIM", ErrConflict, "not an approved"},
	}
	for _, c := range cases {
		if _, err := dk.svc.CreateBlock(ctx, c.actor, c.ids, c.broker); !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("CreateBlock(%v, %q) = %v, want %v %q", c.ids, c.broker, err, c.kind, c.msg)
		}
	}
	if dk.order(t, a).BlockID != 0 {
		t.Error("a refused block left an order in it")
	}
	blk, err := dk.svc.CreateBlock(ctx, trader, []int64{a}, "SIM")
	if err != nil || blk.Status != Approved || blk.LotSize.String() != "100" {
		t.Fatalf("block: %+v %v", blk, err)
	}
	if _, err := dk.svc.CreateBlock(ctx, trader, []int64{a}, "SIM"); !errors.Is(err, ErrConflict) {
		t.Errorf("an order in two blocks: %v", err)
	}
}

func TestReleaseRefusedBySenderRejects(t *testing.T) {
	dk := newDesk(t)
	b := dk.approvedBlock(t, "A", "B")
	dk.sender.err = errors.New("session SIM is not configured")
	_, err := dk.svc.Release(context.Background(), trader, b.ID)
	if err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("release with failing sender: %v", err)
	}
	for _, o := range dk.blockOrders(t, b.ID) {
		if o.Status != Rejected {
			t.Errorf("order %d is %s, want rejected", o.ID, o.Status)
		}
	}
	if _, err := dk.svc.Release(context.Background(), pm, b.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("release by a pm: %v", err)
	}
}

func TestWithdrawUnreleasedBlock(t *testing.T) {
	dk := newDesk(t)
	b := dk.approvedBlock(t, "A")
	b, err := dk.svc.CancelBlock(context.Background(), trader, b.ID, "PM changed their mind")
	if err != nil || b.Status != Cancelled || len(dk.sender.cancels) != 0 {
		t.Fatalf("withdraw: %s %v", b.Status, err)
	}
	if o := dk.blockOrders(t, b.ID)[0]; o.Status != Cancelled {
		t.Errorf("order is %s", o.Status)
	}
}
