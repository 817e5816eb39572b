package fixclient

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
)

// onSecondFill is a fault that passes on everything but the second fill the
// broker sends (resends included), which it replaces with mutate's bytes.
func onSecondFill(mutate func(msg []byte) []byte) fault {
	var n atomic.Int32
	return func(dir direction, msg []byte) ([]byte, bool) {
		if dir == toBallast && isFill(msg) && n.Add(1) == 2 {
			return mutate(msg), false
		}
		return msg, false
	}
}

// withBodyLength sets BodyLength(9) to n and recomputes only the CheckSum.
func withBodyLength(msg []byte, n int) []byte {
	fs := splitFields(msg)
	fs[1] = "9=" + strconv.Itoa(n)
	head := strings.Join(fs[:len(fs)-1], "\x01") + "\x01"
	sum := 0
	for i := range len(head) {
		sum += int(head[i])
	}
	return []byte(fmt.Sprintf("%s10=%03d\x01", head, sum%256))
}

func bodyLength(msg []byte) int { n, _ := strconv.Atoi(field(string(msg), "9")); return n }

// TestFaultGarbledMessage: a report arrives garbled. Ballast drops it (and
// logs an error) or rejects it, never panics and never books a garbled
// value; a dropped report comes back by resend and the books are exact.
func TestFaultGarbledMessage(t *testing.T) {
	garbage := append([]byte("\x00\xffnot FIX at all\x01"), bytes.Repeat([]byte("z\x01"), 1<<19)...) // 1 MB
	tests := []struct {
		name    string
		mutate  func([]byte) []byte
		logged  string // an error logged about it
		dropped bool   // the connection is dropped and the session reconnects
	}{
		{"bad checksum on a changed quantity", func(m []byte) []byte {
			return bytes.Replace(m, []byte("\x0132=100\x01"), []byte("\x0132=900\x01"), 1) // 10= left as it was
		}, "CheckSum(10)", false},
		{"body length too short", func(m []byte) []byte { return withBodyLength(m, bodyLength(m)-5) }, "Incorrect Message Length", false},
		{"body length too long", func(m []byte) []byte { return withBodyLength(m, bodyLength(m)+40) }, "inbound FIX message", false},
		{"MsgType missing", func(m []byte) []byte { return edit(m, "35", "") }, "unparsable", false},
		{"garbage bytes before a message", func(m []byte) []byte { return append(append([]byte(nil), garbage...), m...) }, "", false},
		{"broken frame", func(m []byte) []byte { return append([]byte("8=FIX.4.4\x019=x1\x0135=8\x0110=000\x01"), m...) }, "", true},
		{"XMLDataLen past the end (quickfixgo's parser panics)", func(m []byte) []byte {
			return editHeader(editHeader(m, "213", "x"), "212", "99999")
		}, "parser panics", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFaultDesk(t, deskOpt{fill: brokersim.FillConfig{Fills: 5}})
			d.proxy.setFault(onSecondFill(tt.mutate))
			b := d.release("P1", "VOD", "500", "10")
			d.waitBooks("P1", "VOD", b.ID, "500")
			if tt.logged != "" && len(d.logs.errors(tt.logged)) == 0 {
				t.Errorf("no error logged about %q; errors: %q", tt.logged, d.logs.errors())
			}
			if tt.dropped {
				waitFor(t, "the session to drop and reconnect", d.dropped)
				d.waitState(StateLoggedOn)
				d.waitBooks("P1", "VOD", b.ID, "500")
			} else if d.dropped() {
				t.Errorf("the session dropped; errors %q", d.logs.errors())
			}
			for _, bk := range d.all() {
				if !bk.r.LastQty.IsZero() && !bk.r.LastQty.Equal(decimal.NewFromInt(100)) {
					t.Errorf("booked a garbled fill %s of %s", bk.r.ExecID, bk.r.LastQty)
				}
			}
		})
	}
}

// TestFaultRequiredTagMissing: a fill without its ExecID cannot be booked
// safely. Ballast rejects it back to the broker (35=3 naming its MsgSeqNum)
// and logs an error; the session stays up, and the books hold exactly the
// fills that could be booked.
func TestFaultRequiredTagMissing(t *testing.T) {
	t.Parallel()
	d := newFaultDesk(t, deskOpt{fill: brokersim.FillConfig{Fills: 5}})
	var seq atomic.Value
	d.proxy.setFault(onSecondFill(func(m []byte) []byte {
		seq.Store(field(string(m), "34"))
		return edit(m, "17", "")
	}))
	b := d.release("P1", "VOD", "500", "10")
	waitFor(t, "the broker to fill everything", func() bool { return d.brokerFilled("VOD").Quantity.Equal(decimal.NewFromInt(500)) })
	waitFor(t, "the last fill booked", func() bool { return d.block(b.ID).Totals.CumQty.Equal(decimal.NewFromInt(400)) })
	if s, _ := seq.Load().(string); !hasMessage(d.proxy.messages(toBroker, "3"), "45", s) {
		t.Errorf("no session Reject of MsgSeqNum %s: %q", s, d.proxy.messages(toBroker, "3"))
	}
	if len(d.logs.errors("unmappable execution report")) == 0 {
		t.Errorf("no error logged; errors: %q", d.logs.errors())
	}
	qty, cash := d.holding("P1", "VOD")
	if !qty.Equal(decimal.NewFromInt(400)) || !cash.Equal(decimal.RequireFromString(faultCash).Sub(decimal.NewFromInt(4000))) {
		t.Errorf("books: %s VOD, cash %s; want the four fills that arrived whole", qty, cash)
	}
	if d.dropped() || d.state() != StateLoggedOn {
		t.Errorf("session dropped: %v, state %s", d.dropped(), d.state())
	}
}

// TestFaultOversizedMessage: a fill carrying a 1 MB Text(58) field is read
// whole and booked once; the session stays up and the books are exact.
func TestFaultOversizedMessage(t *testing.T) {
	t.Parallel()
	d := newFaultDesk(t, deskOpt{fill: brokersim.FillConfig{Fills: 5}})
	d.proxy.setFault(onSecondFill(func(m []byte) []byte { return edit(m, "58", strings.Repeat("x", 1<<20)) }))
	b := d.release("P1", "VOD", "500", "10")
	d.waitBooks("P1", "VOD", b.ID, "500")
	big := 0
	for _, bk := range d.all() {
		if len(bk.r.Text) == 1<<20 {
			big++
		}
	}
	if big != 1 || d.dropped() {
		t.Errorf("%d reports with the 1 MB text booked (want 1); session dropped: %v", big, d.dropped())
	}
}

// BenchmarkFaultInboundGuard measures what the inbound guard (checksum and
// a trial parse under recover) costs per execution report.
func BenchmarkFaultInboundGuard(b *testing.B) {
	msg := reframe(strings.Split("8=FIX.4.4|35=8|34=5|49=FSIM|52=20261121-15:26:55.055|56=FBALLAST|1=P1|6=10|11=F1|"+
		"14=300|17=E5|31=10|32=100|37=O1|38=500|39=1|44=10|54=1|55=VOD|60=20261121-15:26:55.055|150=F|151=200|10=000", "|"))
	b.ReportAllocs()
	for b.Loop() {
		if p, _ := checkInbound(msg); p != "" {
			b.Fatal(p)
		}
	}
}

// TestFaultInboundGuard is the guard's verdict on single messages.
func TestFaultInboundGuard(t *testing.T) {
	good := reframe(strings.Split("8=FIX.4.4|35=0|34=2|49=B|52=20261121-10:00:00.000|56=A|10=000", "|"))
	sum := string(good[len(good)-4 : len(good)-1])
	tests := []struct {
		name    string
		msg     []byte
		problem string
		drop    bool
	}{
		{"well formed", good, "", false},
		{"checksum off by one", []byte(strings.Replace(string(good), "10="+sum, fmt.Sprintf("10=%03d", (atoi(sum)+1)%256), 1)), "CheckSum", false},
		{"checksum of two digits", []byte(strings.Replace(string(good), "10="+sum, fmt.Sprintf("10=%d", atoi(sum)%100), 1)), "CheckSum", false},
		{"no checksum", good[:len(good)-7], "CheckSum", false},
		{"XMLDataLen past the end", editHeader(editHeader(good, "213", "x"), "212", "99999"), "panics", true},
	}
	for _, tt := range tests {
		problem, drop := checkInbound(tt.msg)
		if (tt.problem == "") != (problem == "") || !strings.Contains(problem, tt.problem) || drop != tt.drop {
			t.Errorf("%s: %q, drop %v; want %q, drop %v", tt.name, problem, drop, tt.problem, tt.drop)
		}
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
