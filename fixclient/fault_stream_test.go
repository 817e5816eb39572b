package fixclient

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/brokersim"
)

// TestFaultCutMidStream: the broker's side closes the socket while it
// streams fills, between two messages or in the middle of one. The session
// reconnects, the fills the broker sent into the dead connection come back
// by resend, and the books hold exactly what the broker filled.
func TestFaultCutMidStream(t *testing.T) {
	for _, mid := range []bool{false, true} {
		name := "between messages"
		if mid {
			name = "mid-message"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := newFaultDesk(t, deskOpt{fill: brokersim.FillConfig{Fills: 10, Latency: 5 * time.Millisecond}})
			var fills atomic.Int32
			d.proxy.setFault(func(dir direction, msg []byte) ([]byte, bool) {
				if dir != toBallast || !isFill(msg) || fills.Add(1) != 4 {
					return msg, false
				}
				if mid {
					return msg[:len(msg)/2], true // half a message, then the line drops
				}
				return msg, true
			})
			b1 := d.release("P1", "VOD", "1000", "10")
			b2 := d.release("P2", "BP", "500", "20.5")
			d.waitBooks("P1", "VOD", b1.ID, "1000")
			d.waitBooks("P2", "BP", b2.ID, "500")
			if !d.dropped() || d.proxy.connections() < 2 {
				t.Errorf("dropped %v after %d connections; want a drop and a reconnect", d.dropped(), d.proxy.connections())
			}
			if len(d.proxy.messages(toBroker, "2")) == 0 {
				t.Error("Ballast never asked for the fills it missed (no ResendRequest)")
			}
			resent := 0
			for _, b := range d.all() {
				if b.r.PossDup {
					resent++
				}
				if b.res.Duplicate {
					t.Errorf("%s booked twice", b.r.ExecID)
				}
			}
			if resent == 0 {
				t.Error("no report came back by resend; the cut missed the stream")
			}
		})
	}
}

// TestFaultSequenceGap: a message from the broker never arrives, so the
// next one skips a MsgSeqNum. Ballast asks for the gap (ResendRequest),
// the broker resends the report, or gap-fills an admin message, and the
// books are exact; the session stays up throughout.
func TestFaultSequenceGap(t *testing.T) {
	t.Run("execution report", func(t *testing.T) {
		t.Parallel()
		d := newFaultDesk(t, deskOpt{fill: brokersim.FillConfig{Fills: 5}})
		var fills atomic.Int32
		var skipped atomic.Value
		d.proxy.setFault(func(dir direction, msg []byte) ([]byte, bool) {
			if dir == toBallast && isFill(msg) && field(string(msg), "43") != "Y" && fills.Add(1) == 2 {
				skipped.Store(field(string(msg), "34"))
				return nil, false
			}
			return msg, false
		})
		b := d.release("P1", "VOD", "500", "10")
		d.waitBooks("P1", "VOD", b.ID, "500")
		seq, _ := skipped.Load().(string)
		if seq == "" || !hasMessage(d.proxy.messages(toBroker, "2"), "7", seq) {
			t.Errorf("no ResendRequest from MsgSeqNum %q in %q", seq, d.proxy.messages(toBroker, "2"))
		}
		if d.dropped() {
			t.Error("the session dropped over a sequence gap")
		}
	})
	t.Run("admin message", func(t *testing.T) {
		t.Parallel()
		d := newFaultDesk(t, deskOpt{})
		var skipped atomic.Bool
		d.proxy.setFault(func(dir direction, msg []byte) ([]byte, bool) {
			if dir == toBallast && field(string(msg), "35") == "0" && skipped.CompareAndSwap(false, true) {
				return nil, false // a heartbeat lost on the way
			}
			return msg, false
		})
		waitFor(t, "a broker heartbeat to skip", skipped.Load)
		b := d.release("P1", "VOD", "300", "10")
		d.waitBooks("P1", "VOD", b.ID, "300")
		if !hasMessage(d.proxy.messages(toBallast, "4"), "123", "Y") {
			t.Errorf("the broker did not gap-fill the lost heartbeat: %q", d.proxy.messages(toBallast, "4"))
		}
		if d.dropped() {
			t.Error("the session dropped over a sequence gap")
		}
	})
}

// TestFaultBrokerAsksForResend: Ballast's NewOrderSingle never reaches the
// broker, which sees the gap at Ballast's next message and asks for a
// resend. Ballast resends the order with PossDup (and OrigSendingTime) and
// gap-fills its admin messages; no order goes out twice as new, the broker
// works each order once, and the books are exact.
func TestFaultBrokerAsksForResend(t *testing.T) {
	t.Parallel()
	d := newFaultDesk(t, deskOpt{})
	var lost atomic.Bool
	d.proxy.setFault(func(dir direction, msg []byte) ([]byte, bool) {
		if dir == toBroker && field(string(msg), "35") == "D" && lost.CompareAndSwap(false, true) {
			return nil, false
		}
		return msg, false
	})
	b1 := d.release("P1", "VOD", "300", "10")
	waitFor(t, "the broker's ResendRequest", func() bool { return len(d.proxy.messages(toBallast, "2")) > 0 })
	d.waitBooks("P1", "VOD", b1.ID, "300")
	b2 := d.release("P2", "BP", "200", "5")
	d.waitBooks("P2", "BP", b2.ID, "200")

	for _, id := range []string{b1.ClOrdID, b2.ClOrdID} {
		var fresh, resent int
		for _, m := range d.proxy.messages(toBroker, "D") {
			if field(m, "11") != id {
				continue
			}
			if field(m, "43") == "Y" {
				resent++
				if field(m, "122") == "" {
					t.Errorf("resent %s without OrigSendingTime: %q", id, m)
				}
			} else {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%s went out %d times as a new order, want once", id, fresh)
		}
		if id == b1.ClOrdID && resent == 0 {
			t.Errorf("%s was never resent with PossDup", id)
		}
	}
	if !hasMessage(d.proxy.messages(toBroker, "4"), "123", "Y") {
		t.Errorf("Ballast resent without gap-filling its admin messages: %q", d.proxy.messages(toBroker, "4"))
	}
	for _, b := range d.all() {
		if strings.Contains(b.r.Text, "duplicate") {
			t.Errorf("the broker saw a duplicate order: %+v", b.r)
		}
	}
}

// hasMessage says whether any of msgs has tag = value.
func hasMessage(msgs []string, tag, value string) bool {
	for _, m := range msgs {
		if field(m, tag) == value {
			return true
		}
	}
	return false
}
