package trigger

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/user"
)

var traders = []user.Role{user.Trader}

// TestModifyAfterApprovalNeedsApprovalAgain: modifying an approved condition
// withdraws its approval. Otherwise its approver (or its creator, or any pm
// or trader) could rewrite the level and quantity alone, and the order it
// fires would still be approved in the approver's name. The modified
// condition awaits approval again, is not watched, and records who modified it.
func TestModifyAfterApprovalNeedsApprovalAgain(t *testing.T) {
	snap := Snapshot{Price: dec("100"), Holding: dec("1000"), Now: t0}
	c, err := New(draft(StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("10")}), "alice", snap)
	if err != nil {
		t.Fatal(err)
	}
	active, err := c.Approve("bob", traders, t0)
	if err != nil {
		t.Fatal(err)
	}
	// bob, the approver, now sells the whole holding at the next tick down.
	later := snap
	later.Now = t0.Add(time.Minute)
	got, err := active.Modify("bob", Terms{TriggerPrice: dec("99.99"), Quantity: dec("1000")}, later)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != PendingApproval || got.ApprovedBy != "" || !got.ApprovedAt.IsZero() {
		t.Fatalf("modified terms (level 90→99.99, quantity 10→1000) kept the approval: state %s, approved by %q at %s",
			got.State, got.ApprovedBy, got.ApprovedAt)
	}
	if got.AmendedBy != "bob" || got.Version != active.Version+1 || !got.UpdatedAt.Equal(later.Now) ||
		!strings.Contains(got.StateReason, "modified by bob") || !strings.Contains(got.StateReason, "approval again") {
		t.Errorf("modified: amended by %q, version %d (was %d), updated %s, reason %q",
			got.AmendedBy, got.Version, active.Version, got.UpdatedAt, got.StateReason)
	}
	if !got.Level.Equal(dec("99.99")) || !got.Quantity.Equal(dec("1000")) || got.CreatedBy != "alice" {
		t.Errorf("modified terms %s × %s by %s", got.Level, got.Quantity, got.CreatedBy)
	}
	e := mustEngine(t, Options{Holding: fixedHolding("1000")}, nil)
	if err := e.Add(got); err == nil {
		t.Error("the engine watches terms awaiting approval")
	}
	for _, by := range []string{"bob", "alice"} {
		if _, err := got.Approve(by, traders, later.Now); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s approves the modified terms: %v, want ErrForbidden", by, err)
		}
	}
	again, err := got.Approve("carol", traders, later.Now)
	if err != nil || again.State != Active || again.ApprovedBy != "carol" {
		t.Fatalf("carol approves the modified terms: %s by %q, %v", again.State, again.ApprovedBy, err)
	}
	if err := e.Add(again); err != nil {
		t.Errorf("the approved terms are not watched: %v", err)
	}
}

// TestModifierCannotApproveTheirModification: whoever last modified a
// condition's terms may not approve them (four eyes), whatever the case or
// spacing of the name; a modification names its author.
func TestModifierCannotApproveTheirModification(t *testing.T) {
	snap := Snapshot{Price: dec("100"), Holding: dec("1000"), Now: t0}
	c, err := New(draft(TakeProfit, Terms{TriggerPrice: dec("120")}), "alice", snap)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Modify(" ", Terms{TriggerPrice: dec("130")}, snap); !errors.Is(err, ErrForbidden) {
		t.Errorf("a modification by no one: %v, want ErrForbidden", err)
	}
	mod, err := c.Modify("bob", Terms{TriggerPrice: dec("130")}, snap)
	if err != nil || mod.State != PendingApproval || mod.AmendedBy != "bob" || mod.StateReason != "" {
		t.Fatalf("modify a pending condition: %+v %v", mod, err)
	}
	for _, by := range []string{"bob", "BOB", " bob "} {
		if _, err := mod.Approve(by, traders, t0); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "modified it") {
			t.Errorf("%q approves their own modification: %v, want ErrForbidden", by, err)
		}
	}
	// The creator modifying it back makes the creator the last to modify it:
	// bob may approve terms he did not write; alice still may not.
	back, err := mod.Modify("alice", Terms{TriggerPrice: dec("125")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.Approve("alice", traders, t0); !errors.Is(err, ErrForbidden) {
		t.Errorf("the creator approves: %v", err)
	}
	if got, err := back.Approve("bob", traders, t0); err != nil || got.State != Active || got.AmendedBy != "alice" {
		t.Errorf("bob approves alice's terms: %+v %v", got, err)
	}
}
