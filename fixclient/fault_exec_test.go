package fixclient

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
)

// injector turns the broker's next heartbeat into a message of the test's
// making: it keeps the heartbeat's MsgSeqNum, so the session sees a well
// sequenced message the broker never sent, and the broker's own books stay
// the truth the desk's books are compared with.
type injector struct {
	mu        sync.Mutex
	firstFill []byte // the first fill the broker sent, as it was sent
	pending   func(hb []byte) []byte
	done      chan struct{}
}

func (in *injector) fault(dir direction, msg []byte) ([]byte, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if dir != toBallast {
		return msg, false
	}
	if in.firstFill == nil && isFill(msg) {
		in.firstFill = append([]byte(nil), msg...)
	}
	if in.pending != nil && field(string(msg), "35") == "0" && field(string(msg), "112") == "" {
		msg = in.pending(msg)
		in.pending = nil
		close(in.done)
	}
	return msg, false
}

// inject makes the next broker heartbeat carry build's message and waits
// until it went out.
func (in *injector) inject(t *testing.T, build func(hb []byte) []byte) {
	t.Helper()
	done := make(chan struct{})
	in.mu.Lock()
	in.pending, in.done = build, done
	in.mu.Unlock()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("no broker heartbeat to carry the injected message")
	}
}

func (in *injector) fill() []byte { in.mu.Lock(); defer in.mu.Unlock(); return in.firstFill }

var headerTags = map[string]bool{"8": true, "9": true, "35": true, "34": true, "49": true, "52": true, "56": true,
	"43": true, "97": true, "122": true, "112": true, "10": true}

// asReport is hb turned into an execution report with body's body fields;
// possDup adds PossDupFlag(43)=Y and OrigSendingTime(122).
func asReport(hb, body []byte, possDup bool) []byte {
	var fs []string
	for _, f := range splitFields(hb) {
		tag, _, _ := strings.Cut(f, "=")
		switch {
		case tag == "35":
			fs = append(fs, "35=8")
		case tag == "112" || tag == "10":
		default:
			fs = append(fs, f)
		}
	}
	for _, f := range splitFields(body) {
		if tag, _, _ := strings.Cut(f, "="); !headerTags[tag] {
			fs = append(fs, f)
		}
	}
	msg := reframe(append(fs, "10=000"))
	if possDup {
		msg = editHeader(editHeader(msg, "122", field(string(hb), "52")), "43", "Y")
	}
	return msg
}

// TestFaultDuplicateExecID: the broker sends a fill again with the same
// ExecID as a new message, without and with PossDup, and again after a
// reconnect. The order book books it once; the other copies change nothing.
func TestFaultDuplicateExecID(t *testing.T) {
	t.Parallel()
	d := newFaultDesk(t, deskOpt{})
	in := &injector{}
	d.proxy.setFault(in.fault)
	b := d.release("P1", "VOD", "300", "10")
	d.waitBooks("P1", "VOD", b.ID, "300")
	fill := in.fill()
	execID := field(string(fill), "17")
	copies := []struct {
		name      string
		possDup   bool
		reconnect bool
	}{
		{"without PossDup", false, false},
		{"with PossDup", true, false},
		{"after a reconnect, without PossDup", false, true},
		{"after a reconnect, with PossDup", true, false},
	}
	for i, c := range copies {
		if c.reconnect {
			d.proxy.cut()
			waitFor(t, "the session to drop", d.dropped)
			d.waitState(StateLoggedOn)
		}
		in.inject(t, func(hb []byte) []byte { return asReport(hb, fill, c.possDup) })
		waitFor(t, c.name, func() bool { return len(d.bookings(execID)) == i+2 })
		got := d.bookings(execID)[i+1]
		if !got.res.Duplicate || got.r.PossDup != c.possDup {
			t.Errorf("%s: %s booked %+v (PossDup %v); want a duplicate that changes nothing", c.name, execID, got.res, got.r.PossDup)
		}
	}
	if first := d.bookings(execID)[0]; first.res.Duplicate {
		t.Errorf("the first %s was not booked: %+v", execID, first.res)
	}
	d.waitBooks("P1", "VOD", b.ID, "300")
}

// TestFaultFillForUnknownOrder: the broker reports a fill for a ClOrdID no
// order has. It is kept, listed under block 0 with its raw message and
// audited, booked to no portfolio, and kept once when it comes again.
func TestFaultFillForUnknownOrder(t *testing.T) {
	t.Parallel()
	d := newFaultDesk(t, deskOpt{})
	in := &injector{}
	d.proxy.setFault(in.fault)
	b := d.release("P1", "VOD", "300", "10")
	d.waitBooks("P1", "VOD", b.ID, "300")
	stranger := []byte("8=FIX.4.4\x019=0\x0135=8\x0137=BRK9\x0111=NOT-OURS-1\x0117=UX1\x01150=F\x0139=2\x01" +
		"55=VOD\x0154=1\x0138=500\x0132=500\x0131=12\x0114=500\x01151=0\x016=12\x0160=20261121-10:00:00.000\x0110=000\x01")
	for i, possDup := range []bool{false, true} {
		in.inject(t, func(hb []byte) []byte { return asReport(hb, stranger, possDup) })
		waitFor(t, "the unknown fill", func() bool { return len(d.bookings("UX1")) == i+1 })
	}
	got := d.bookings("UX1")
	if !got[0].res.Unmatched || got[0].res.BlockID != 0 || !got[1].res.Duplicate {
		t.Errorf("unknown fill booked as %+v, then %+v; want kept under block 0, then a duplicate", got[0].res, got[1].res)
	}
	ctx := context.Background()
	var kept order.Execution
	err := d.store.InTx(ctx, func(tx order.Tx) error {
		var err error
		kept, err = tx.Execution(ctx, order.ExecKey{Session: d.client.Status()[0].Session, BlockID: 0, ExecID: "UX1"})
		return err
	})
	if err != nil || kept.Report.ClOrdID != "NOT-OURS-1" || !strings.Contains(kept.Report.Raw, "11=NOT-OURS-1") || kept.Refused == "" {
		t.Errorf("kept execution %+v, %v; want it listed with its raw message and the reason", kept, err)
	}
	audited := 0
	for _, e := range d.store.Events() {
		if e.Action == "execution_kept" && strings.Contains(e.Details, "UX1") {
			audited++
		}
	}
	if audited != 1 {
		t.Errorf("%d execution_kept events for UX1, want 1", audited)
	}
	d.waitBooks("P1", "VOD", b.ID, "300")
	for _, pf := range []string{"P2", "P3"} {
		if qty, cash := d.holding(pf, "VOD"); !qty.IsZero() || !cash.Equal(decimal.RequireFromString(faultCash)) {
			t.Errorf("%s: %s VOD, cash %s; the unknown fill was booked to it", pf, qty, cash)
		}
	}
}
