package order

import (
	"errors"
	"strings"
	"testing"
)

// allowedPairs is the specification of the transition table, written
// independently of it: every from>to pair that must be allowed.
const allowedPairs = `
proposed>pending_compliance proposed>cancelled proposed>expired
pending_compliance>ready pending_compliance>awaiting_override pending_compliance>blocked pending_compliance>cancelled
ready>pending_compliance ready>approved ready>cancelled ready>expired
awaiting_override>pending_compliance awaiting_override>cancelled awaiting_override>expired
blocked>pending_compliance blocked>cancelled blocked>expired
approved>sent approved>cancelled approved>expired approved>pending_compliance
sent>acknowledged sent>rejected sent>partially_filled sent>filled sent>pending_cancel sent>pending_replace sent>cancelled sent>expired
acknowledged>partially_filled acknowledged>filled acknowledged>pending_cancel acknowledged>pending_replace
acknowledged>cancelled acknowledged>expired acknowledged>done_for_day
partially_filled>partially_filled partially_filled>filled partially_filled>pending_cancel partially_filled>pending_replace
partially_filled>cancelled partially_filled>expired partially_filled>done_for_day partially_filled>acknowledged
pending_cancel>pending_cancel pending_cancel>filled pending_cancel>cancelled pending_cancel>acknowledged
pending_cancel>partially_filled pending_cancel>sent pending_cancel>expired pending_cancel>done_for_day
pending_replace>pending_cancel pending_replace>pending_replace pending_replace>filled pending_replace>acknowledged
pending_replace>partially_filled pending_replace>sent pending_replace>cancelled pending_replace>expired pending_replace>done_for_day
filled>partially_filled filled>acknowledged
`

func specPairs() map[[2]Status]bool {
	m := map[[2]Status]bool{}
	for _, f := range strings.Fields(allowedPairs) {
		from, to, _ := strings.Cut(f, ">")
		m[[2]Status{Status(from), Status(to)}] = true
	}
	return m
}

func TestTransitionEveryPair(t *testing.T) {
	spec := specPairs()
	for p := range spec {
		for _, s := range p {
			if _, err := ParseStatus(string(s)); err != nil {
				t.Fatalf("spec names unknown status %q", s)
			}
		}
	}
	n := 0
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			err := Transition(from, to)
			want := spec[[2]Status{from, to}]
			switch {
			case want && err != nil:
				t.Errorf("%s → %s: want allowed, got %v", from, to, err)
			case !want && err == nil:
				t.Errorf("%s → %s: want refused, got allowed", from, to)
			case !want:
				var te *TransitionError
				if !errors.As(err, &te) || te.From != from || te.To != to || !errors.Is(err, ErrConflict) {
					t.Errorf("%s → %s: error %v is not a TransitionError matching ErrConflict", from, to, err)
				}
				if !strings.Contains(err.Error(), string(from)) || !strings.Contains(err.Error(), string(to)) {
					t.Errorf("error %q does not name both statuses", err)
				}
			}
			n++
		}
	}
	if n != 16*16 {
		t.Fatalf("checked %d pairs, want 256", n)
	}
}

func TestTableRowsAreKnownAndUnique(t *testing.T) {
	spec := specPairs()
	seen := map[Rule]bool{}
	pairs := map[[2]Status]bool{}
	for _, r := range Transitions() {
		if seen[r] {
			t.Errorf("duplicate row %v", r)
		}
		seen[r] = true
		if r.Cause == "" {
			t.Errorf("row %v has no event", r)
		}
		pairs[[2]Status{r.From, r.To}] = true
	}
	if len(pairs) != len(spec) {
		t.Errorf("table has %d distinct pairs, spec %d", len(pairs), len(spec))
	}
}

func TestTransitionsReturnsCopy(t *testing.T) {
	rows := Transitions()
	rows[0].To = Filled
	if Transition(Proposed, Filled) == nil {
		t.Fatal("editing the returned slice changed the table")
	}
}

func TestKeyPaths(t *testing.T) {
	paths := [][]Status{
		{Proposed, PendingCompliance, Ready, Approved, Sent, Acknowledged, PartiallyFilled, PartiallyFilled, Filled},
		{Proposed, PendingCompliance, AwaitingOverride, PendingCompliance, Ready, Approved, Sent, Filled},
		{Proposed, PendingCompliance, Blocked, PendingCompliance, Ready, Approved},
		{Sent, Acknowledged, PendingReplace, PendingReplace, PartiallyFilled, Filled},
		{Acknowledged, PartiallyFilled, PendingCancel, PendingCancel, Filled},
		{Acknowledged, PendingCancel, Cancelled},
		{Acknowledged, PendingReplace, PendingCancel, Cancelled},
		{Sent, Rejected},
		{PartiallyFilled, DoneForDay},
		{Filled, PartiallyFilled, Filled},
	}
	for _, p := range paths {
		for i := 1; i < len(p); i++ {
			if err := Transition(p[i-1], p[i]); err != nil {
				t.Errorf("path %v step %d: %v", p, i, err)
			}
		}
	}
	refused := [][2]Status{
		{Proposed, Approved}, {Ready, Sent}, {Blocked, Approved}, {Filled, Cancelled},
		{Cancelled, Acknowledged}, {Rejected, Sent}, {Sent, Approved}, {Expired, Ready},
		{DoneForDay, PartiallyFilled}, {Approved, Acknowledged}, {Filled, Filled},
	}
	for _, p := range refused {
		if Transition(p[0], p[1]) == nil {
			t.Errorf("%s → %s allowed, want refused", p[0], p[1])
		}
	}
}

func TestEventsFor(t *testing.T) {
	ev := CausesFor(PendingReplace, PartiallyFilled)
	if len(ev) != 2 || ev[0] != OnReplaced || ev[1] != OnReplaceRejected {
		t.Errorf("CausesFor(pending_replace, partially_filled) = %v", ev)
	}
	if got := CausesFor(PendingCancel, Filled); len(got) != 1 || got[0] != OnFill {
		t.Errorf("CausesFor(pending_cancel, filled) = %v", got)
	}
	if got := CausesFor(Cancelled, Filled); got != nil {
		t.Errorf("CausesFor(cancelled, filled) = %v, want none", got)
	}
}

func TestAllowed(t *testing.T) {
	for _, r := range Transitions() {
		if err := Allowed(r.From, r.To, r.Cause); err != nil {
			t.Errorf("Allowed(%v) = %v", r, err)
		}
	}
	err := Allowed(Filled, PartiallyFilled, OnReplaced)
	var te *TransitionError
	if !errors.As(err, &te) || te.Cause != OnReplaced || !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "on replaced") {
		t.Errorf("Allowed(filled, partially_filled, replaced) = %v, want refusal naming the event", err)
	}
	if Allowed(PendingCancel, Filled, OnPartialFill) == nil {
		t.Error("a partial fill must not move pending_cancel to filled")
	}
}

func TestStatusClasses(t *testing.T) {
	for _, s := range Statuses() {
		classes := 0
		for _, b := range []bool{IsTerminal(s), IsWorking(s), IsPreTrade(s)} {
			if b {
				classes++
			}
		}
		if classes != 1 {
			t.Errorf("%s is in %d of terminal/working/pre-trade, want exactly 1", s, classes)
		}
	}
	// Terminal statuses have no way out except busts and corrections of fills.
	for _, r := range Transitions() {
		if IsTerminal(r.From) && r.Cause != OnBust && r.Cause != OnCorrection {
			t.Errorf("terminal %s leaves by %s", r.From, r.Cause)
		}
	}
	if !IsWorking(PendingReplace) || IsWorking(Approved) || !IsTerminal(DoneForDay) {
		t.Error("status classes wrong for pending_replace, approved or done_for_day")
	}
}

func TestEveryStatusReachable(t *testing.T) {
	seen := map[Status]bool{Proposed: true}
	for changed := true; changed; {
		changed = false
		for _, r := range Transitions() {
			if seen[r.From] && !seen[r.To] {
				seen[r.To], changed = true, true
			}
		}
	}
	for _, s := range Statuses() {
		if !seen[s] {
			t.Errorf("%s cannot be reached from proposed", s)
		}
	}
}

func TestParseStatus(t *testing.T) {
	if s, err := ParseStatus("pending_replace"); err != nil || s != PendingReplace {
		t.Errorf("ParseStatus(pending_replace) = %q, %v", s, err)
	}
	if _, err := ParseStatus("open"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseStatus(open) = %v, want ErrInvalid", err)
	}
}
