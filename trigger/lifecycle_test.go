package trigger

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/user"
)

var traders = []user.Role{user.Trader}

// approvedStop is alice's stop-loss on 10 of a holding of 1000 at 90 with
// the price at 100, approved by bob at t0.
func approvedStop(t *testing.T) (Condition, Snapshot) {
	t.Helper()
	snap := Snapshot{Price: dec("100"), Holding: dec("1000"), Now: t0}
	c, err := New(draft(StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("10")}), "alice", snap)
	if err != nil {
		t.Fatal(err)
	}
	c.ID = 1
	if c, err = c.Approve("bob", traders, t0); err != nil {
		t.Fatal(err)
	}
	return c, snap
}

// TestModifyActiveProposesAmendment: modifying an approved condition does not
// change what it watches. Its approver (or its creator, or any pm or trader)
// could otherwise rewrite the level and quantity alone and have the order it
// fires approved in the approver's name; and sending it back for approval
// would leave the holding unprotected until someone approved it again. The
// condition stays active on its approved terms and approver, and the new
// terms wait as a pending amendment naming who proposed them.
func TestModifyActiveProposesAmendment(t *testing.T) {
	active, snap := approvedStop(t)
	later := snap
	later.Now = t0.Add(time.Minute)
	// bob, the approver, would sell the whole holding at the next tick down.
	got, err := active.Modify("bob", Terms{TriggerPrice: dec("99.99"), Quantity: dec("1000")}, later)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != Active || got.ApprovedBy != "bob" || !got.ApprovedAt.Equal(t0) || got.AmendedBy != "" ||
		!got.Level.Equal(dec("90")) || !got.Quantity.Equal(dec("10")) || got.StateReason != active.StateReason {
		t.Fatalf("the modification changed the approved condition: %s approved by %q at %s, amended by %q, %s × %s, %q",
			got.State, got.ApprovedBy, got.ApprovedAt, got.AmendedBy, got.Level, got.Quantity, got.StateReason)
	}
	if got.Version != active.Version+1 || !got.UpdatedAt.Equal(later.Now) {
		t.Errorf("version %d (was %d), updated %s", got.Version, active.Version, got.UpdatedAt)
	}
	a := got.PendingAmendment()
	if a == nil || a.By != "bob" || !a.At.Equal(later.Now) || !a.Level.Equal(dec("99.99")) ||
		!a.Quantity.Equal(dec("1000")) || a.OrderType != OrderMarket || !a.ValidUntil.Equal(later.Now.Add(MaxValidity)) {
		t.Fatalf("pending amendment %+v", a)
	}
	if active.Amendment != nil {
		t.Error("Modify changed the condition it was called on")
	}
	if p := got.Proposed(); !p.Level.Equal(dec("99.99")) || !p.Quantity.Equal(dec("1000")) || p.State != Active {
		t.Errorf("proposed %s × %s", p.Level, p.Quantity)
	}
}

// TestAmendedConditionIsWatchedOnApprovedTerms: while an amendment waits the
// engine watches the approved terms, so a stop being loosened from 90 to 80
// still fires at 85; once approved, the new terms are watched.
func TestAmendedConditionIsWatchedOnApprovedTerms(t *testing.T) {
	active, snap := approvedStop(t)
	amended, err := active.Modify("carol", Terms{TriggerPrice: dec("80"), Quantity: dec("10")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	e := mustEngine(t, Options{Holding: fixedHolding("1000")}, []Condition{amended})
	r := e.OnPrices([]Tick{{"ACME", dec("85"), t0.Add(time.Minute)}})
	if len(r.Fired) != 1 || !r.Fired[0].Level.Equal(dec("90")) {
		t.Fatalf("at 85 with the approved stop at 90 fired %v", firedIDs(r))
	}
	fired := r.Fired[0].Condition
	if v := fired.Amendment; v == nil || v.State != AmendmentVoid || !strings.Contains(v.Reason, "fired before it was approved") ||
		!v.DecidedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("the amendment of the fired condition: %+v", v)
	}
	if _, err := fired.ApproveAmendment("dave", traders, t0.Add(time.Minute)); !errors.Is(err, ErrConflict) {
		t.Errorf("approving a void amendment: %v, want ErrConflict", err)
	}

	approved, err := amended.ApproveAmendment("dave", traders, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	e = mustEngine(t, Options{Holding: fixedHolding("1000")}, []Condition{approved})
	if r := e.OnPrices([]Tick{{"ACME", dec("85"), t0.Add(2 * time.Minute)}}); len(r.Fired) != 0 {
		t.Fatalf("fired at 85 with the approved amendment at 80")
	}
	if r := e.OnPrices([]Tick{{"ACME", dec("80"), t0.Add(3 * time.Minute)}}); len(r.Fired) != 1 {
		t.Fatalf("did not fire at the amended level 80")
	}
}

// TestApproveAmendmentFourEyes: a trader who neither created the condition
// nor proposed the amendment approves it, whatever the case or spacing of the
// other names; the new terms are then the condition's, approved by them and
// amended by the author.
func TestApproveAmendmentFourEyes(t *testing.T) {
	active, snap := approvedStop(t)
	later := snap
	later.Now = t0.Add(time.Minute)
	amended, err := active.Modify("bob", Terms{TriggerPrice: dec("95"), Quantity: dec("20")}, later)
	if err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		by    string
		roles []user.Role
		why   string
	}{
		{"bob", traders, "proposed the amendment"}, {" BOB ", traders, "proposed the amendment"},
		{"alice", traders, "created the condition"}, {"Alice", traders, "created the condition"},
		{"carol", []user.Role{user.PM}, "not a trader"}, {"", traders, "no one"},
	}
	for _, r := range refusals {
		got, err := amended.ApproveAmendment(r.by, r.roles, later.Now)
		if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), r.why) {
			t.Errorf("%q approves: %v, want ErrForbidden (%s)", r.by, err, r.why)
		}
		if got.PendingAmendment() == nil || !got.Level.Equal(dec("90")) {
			t.Errorf("%q's refused approval changed the condition", r.by)
		}
	}
	if _, err := active.ApproveAmendment("carol", traders, later.Now); !errors.Is(err, ErrConflict) {
		t.Errorf("approving without an amendment: %v, want ErrConflict", err)
	}
	if _, err := amended.Approve("carol", traders, later.Now); !errors.Is(err, ErrConflict) {
		t.Errorf("approving the condition instead of its amendment: %v, want ErrConflict", err)
	}
	at := later.Now.Add(time.Minute)
	got, err := amended.ApproveAmendment("carol", traders, at)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != Active || !got.Level.Equal(dec("95")) || !got.TriggerPrice.Equal(dec("95")) || !got.Quantity.Equal(dec("20")) ||
		got.ApprovedBy != "carol" || !got.ApprovedAt.Equal(at) || got.AmendedBy != "bob" || got.CreatedBy != "alice" ||
		got.Version != amended.Version+1 || !got.UpdatedAt.Equal(at) || got.StateReason != "amendment by bob approved by carol" {
		t.Fatalf("approved amendment: %+v", got)
	}
	if a := got.Amendment; a == nil || a.State != AmendmentApproved || a.DecidedBy != "carol" || !a.DecidedAt.Equal(at) ||
		got.PendingAmendment() != nil {
		t.Fatalf("the approved amendment is %+v", a)
	}
	if _, err := got.ApproveAmendment("dave", traders, at); !errors.Is(err, ErrConflict) {
		t.Errorf("approved twice: %v, want ErrConflict", err)
	}
	// An amendment whose own validity has passed cannot be approved.
	short, err := active.Modify("bob", Terms{TriggerPrice: dec("95"), ValidUntil: t0.Add(time.Hour)}, later)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := short.ApproveAmendment("carol", traders, t0.Add(2*time.Hour)); !errors.Is(err, ErrConflict) {
		t.Errorf("approving an amendment past its validity: %v, want ErrConflict", err)
	}
}

// TestRejectOrWithdrawAmendment: a trader who could approve an amendment may
// reject it and its author may withdraw it; either way the approved terms
// stay and the amendment can no longer be approved. The creator, a pm or
// anyone who could not approve it may not reject it.
func TestRejectOrWithdrawAmendment(t *testing.T) {
	active, snap := approvedStop(t)
	amended, err := active.Modify("bob", Terms{TriggerPrice: dec("95")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		by    string
		roles []user.Role
	}{{"alice", traders}, {"carol", []user.Role{user.PM}}, {" ", traders}} {
		if _, err := amended.RejectAmendment(r.by, r.roles, "", t0); !errors.Is(err, ErrForbidden) {
			t.Errorf("%q rejects: %v, want ErrForbidden", r.by, err)
		}
	}
	at := t0.Add(time.Minute)
	rejected, err := amended.RejectAmendment("carol", traders, " too tight ", at)
	if err != nil {
		t.Fatal(err)
	}
	if a := rejected.Amendment; a == nil || a.State != AmendmentRejected || a.DecidedBy != "carol" ||
		a.Reason != "rejected by carol: too tight" || !a.DecidedAt.Equal(at) {
		t.Fatalf("rejected amendment %+v", a)
	}
	if rejected.State != Active || !rejected.Level.Equal(dec("90")) || rejected.ApprovedBy != "bob" ||
		rejected.Version != amended.Version+1 || !rejected.UpdatedAt.Equal(at) {
		t.Fatalf("after the rejection: %+v", rejected)
	}
	if _, err := rejected.ApproveAmendment("dave", traders, at); !errors.Is(err, ErrConflict) {
		t.Errorf("approving a rejected amendment: %v, want ErrConflict", err)
	}
	if _, err := rejected.RejectAmendment("dave", traders, "", at); !errors.Is(err, ErrConflict) {
		t.Errorf("rejecting twice: %v, want ErrConflict", err)
	}
	// The author withdraws (as a pm, and whatever the case of the name).
	withdrawn, err := amended.RejectAmendment("BOB", []user.Role{user.PM}, "", at)
	if err != nil {
		t.Fatal(err)
	}
	if a := withdrawn.Amendment; a.State != AmendmentWithdrawn || a.Reason != "withdrawn by BOB" || !withdrawn.Level.Equal(dec("90")) {
		t.Fatalf("withdrawn amendment %+v, level %s", a, withdrawn.Level)
	}
}

// TestSecondModificationReplacesAmendment: modifying again while an
// amendment waits replaces it; the new one still needs a trader other than
// the creator and its own author, who may be the first amendment's author.
func TestSecondModificationReplacesAmendment(t *testing.T) {
	active, snap := approvedStop(t)
	first, err := active.Modify("bob", Terms{TriggerPrice: dec("95")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	later := snap
	later.Now = t0.Add(time.Minute)
	second, err := first.Modify("dave", Terms{TriggerPrice: dec("92"), Quantity: dec("5")}, later)
	if err != nil {
		t.Fatal(err)
	}
	a := second.PendingAmendment()
	if a == nil || a.By != "dave" || !a.Level.Equal(dec("92")) || !a.Quantity.Equal(dec("5")) || a.ID != 0 ||
		second.Version != first.Version+1 || !second.Level.Equal(dec("90")) || second.State != Active {
		t.Fatalf("second modification: %+v with %+v", second, a)
	}
	if _, err := second.ApproveAmendment("dave", traders, later.Now); !errors.Is(err, ErrForbidden) {
		t.Errorf("the second author approves: %v", err)
	}
	got, err := second.ApproveAmendment("bob", traders, later.Now)
	if err != nil || !got.Level.Equal(dec("92")) || got.AmendedBy != "dave" || got.ApprovedBy != "bob" {
		t.Fatalf("bob approves dave's amendment: %+v %v", got, err)
	}
}

// TestEndingConditionVoidsAmendment: a condition cancelled or expired while an
// amendment waits takes it with it: the amendment is void, says why, and can
// no longer be approved.
func TestEndingConditionVoidsAmendment(t *testing.T) {
	active, snap := approvedStop(t)
	amended, err := active.Modify("bob", Terms{TriggerPrice: dec("95"), ValidUntil: t0.Add(100 * time.Hour)}, snap)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, err := amended.Cancel("alice", "", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	expired, err := amended.Expire(t0.Add(MaxValidity + time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got  Condition
		want string
	}{{cancelled, "void: the condition was cancelled before it was approved"}, {expired, "void: the condition expired before it was approved"}} {
		a := c.got.Amendment
		if a == nil || a.State != AmendmentVoid || a.Reason != c.want || a.DecidedBy != "" || !a.DecidedAt.Equal(c.got.UpdatedAt) {
			t.Errorf("%s: amendment %+v, want void (%s)", c.got.State, a, c.want)
		}
		if !c.got.Level.Equal(dec("90")) {
			t.Errorf("%s: level %s", c.got.State, c.got.Level)
		}
		if _, err := c.got.ApproveAmendment("carol", traders, c.got.UpdatedAt); !errors.Is(err, ErrConflict) {
			t.Errorf("%s: the void amendment is approved: %v", c.got.State, err)
		}
	}
	if amended.PendingAmendment() == nil {
		t.Error("ending a copy changed the amendment of the original")
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
	if err != nil || mod.State != PendingApproval || mod.AmendedBy != "bob" || mod.StateReason != "" ||
		!mod.Level.Equal(dec("130")) || mod.Amendment != nil || mod.Version != c.Version+1 {
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

// A modification that changes nothing is refused, as is one repeating the
// amendment already proposed or going back to the approved terms while an
// amendment waits (withdrawing it says that). A pending condition's
// unchanged "modification" would otherwise make its author one who may not
// approve it; an active one's would pile up amendments to review.
func TestModifyRefusesUnchangedTerms(t *testing.T) {
	active, snap := approvedStop(t)
	same := active.Terms // ValidUntil resolved: what a form sends back unchanged
	later := snap
	later.Now = t0.Add(time.Minute)
	refused := func(c Condition, by string, terms Terms, want string) {
		t.Helper()
		if _, err := c.Modify(by, terms, later); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Fatalf("Modify to %+v: %v; want ErrInvalid saying %q", terms, err, want)
		}
	}
	refused(active, "carol", same, "these are its terms already")

	moved := same
	moved.TriggerPrice = dec("85")
	amended, err := active.Modify("carol", moved, later)
	if err != nil {
		t.Fatal(err)
	}
	refused(amended, "dave", moved, "the amendment awaiting approval proposes these terms already")
	refused(amended, "dave", same, "withdraw the amendment awaiting approval instead")
	longer := moved
	longer.ValidUntil = moved.ValidUntil.Add(-time.Hour)
	if _, err := amended.Modify("dave", longer, later); err != nil {
		t.Fatalf("a different validity is a change: %v", err)
	}

	pending, err := New(draft(StopLoss, Terms{TriggerPrice: dec("90"), Quantity: dec("10")}), "alice", snap)
	if err != nil {
		t.Fatal(err)
	}
	refused(pending, "bob", pending.Terms, "these are its terms already")
	if _, err := pending.Modify("bob", Terms{TriggerPrice: dec("90"), Quantity: dec("11")}, later); err != nil {
		t.Fatalf("a different quantity is a change: %v", err)
	}
}

// sameTerms compares every field of Terms: a field added to Terms must be
// added there too, or a change to it alone would be refused as no change.
func TestSameTermsComparesEveryField(t *testing.T) {
	if n := reflect.TypeOf(Terms{}).NumField(); n != 9 {
		t.Fatalf("Terms has %d fields; sameTerms compares 9 (8 and the OCO partner, which it ignores): update it", n)
	}
	base := Condition{Terms: Terms{TriggerPrice: dec("1"), Percent: dec("1"), Amount: dec("1"), ActivationPrice: dec("1"),
		Quantity: dec("1"), OrderType: OrderMarket, CollarBps: 1, ValidUntil: t0, OCOWith: 1}, Level: dec("1")}
	changes := []func(c *Condition){
		func(c *Condition) { c.TriggerPrice = dec("2") }, func(c *Condition) { c.Percent = dec("2") },
		func(c *Condition) { c.Amount = dec("2") }, func(c *Condition) { c.ActivationPrice = dec("2") },
		func(c *Condition) { c.Quantity = dec("2") }, func(c *Condition) { c.OrderType = OrderLimit },
		func(c *Condition) { c.CollarBps = 2 }, func(c *Condition) { c.ValidUntil = t0.Add(time.Second) },
		func(c *Condition) { c.Level = dec("2") },
	}
	for i, change := range changes {
		other := base
		change(&other)
		if sameTerms(base, other) {
			t.Errorf("change %d is not seen", i)
		}
	}
	other := base
	other.OCOWith, other.TriggerPrice = 2, dec("1.00")
	if !sameTerms(base, other) {
		t.Error("the OCO partner, or 1.00 against 1, counted as a change")
	}
}

// CheckStillUncrossed refuses a fixed level the price has reached or passed,
// in the direction the condition fires, and passes trailing stops and an
// unknown price.
func TestCheckStillUncrossed(t *testing.T) {
	stop := Condition{ID: 7, Kind: StopLoss, Level: dec("95")}
	take := Condition{ID: 8, Kind: TakeProfit, Level: dec("110")}
	trail := Condition{ID: 9, Kind: TrailingStop, Terms: Terms{Percent: dec("5")}}
	for _, c := range []struct {
		c       Condition
		price   string
		crossed bool
	}{{stop, "96", false}, {stop, "95", true}, {stop, "94", true}, {stop, "0", false},
		{take, "109.99", false}, {take, "110", true}, {take, "111", true}, {trail, "1", false}} {
		err := c.c.CheckStillUncrossed(dec(c.price))
		if crossed := errors.Is(err, ErrConflict); crossed != c.crossed || (err != nil && !crossed) {
			t.Errorf("%s at %s with the price at %s: %v; want crossed %v", c.c.Kind, c.c.Level, c.price, err, c.crossed)
		}
	}
}
