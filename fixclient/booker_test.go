package fixclient

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/quickfixgo/quickfix"

	"github.com/ballast-oms/ballast/order"
)

// gatedHandler books execution reports only when let through, and fails
// the ones it is told to.
type gatedHandler struct {
	recorder
	gate    chan struct{}
	mu      sync.Mutex
	batches [][]string
	fail    map[string]bool
}

func (g *gatedHandler) OnExecutions(_ context.Context, rs []order.ExecutionReport) []error {
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	ids := make([]string, len(rs))
	errs := make([]error, len(rs))
	for i, r := range rs {
		ids[i] = r.ExecID
		if g.fail[r.ExecID] {
			errs[i] = errors.New("booking failed")
		}
	}
	g.batches = append(g.batches, ids)
	return errs
}

func (g *gatedHandler) OnExecution(ctx context.Context, r order.ExecutionReport) error {
	return g.OnExecutions(ctx, []order.ExecutionReport{r})[0]
}

// newTestBooker returns a booker over a lazy memory store, as a session of
// a client with SyncBooked has, without a network session.
func newTestBooker(t *testing.T, h Handler) (*booker, *guardStore, quickfix.MessageStore) {
	t.Helper()
	inner, err := quickfix.NewMemoryStoreFactory().Create(quickfix.SessionID{BeginString: "FIX.4.4", SenderCompID: "B", TargetCompID: "S"})
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{h: h, log: slog.New(slog.DiscardHandler), ctx: context.Background()}
	s := &session{id: quickfix.SessionID{BeginString: "FIX.4.4", SenderCompID: "B", TargetCompID: "S"}}
	b := newBooker(c, s)
	g := newGuardStore(inner, func() error { return nil }, b)
	s.store = &sessionStores{store: g}
	s.booker = b
	go b.run()
	t.Cleanup(b.close)
	return b, g, inner
}

// receive stands for quickfixgo delivering message seq: FromApp hands it
// over, then the session advances the inbound number.
func receive(t *testing.T, b *booker, g *guardStore, seq int, execID string) error {
	t.Helper()
	b.enqueue(inboundItem{seq: seq, exec: &order.ExecutionReport{ExecID: execID}})
	return g.IncrNextTargetMsgSeqNum()
}

// The stored inbound number never passes a message that is received but not
// yet booked, so a crash before the booking has the broker resend it.
func TestBookerKeepsTheStoredNumberBehindUnbookedMessages(t *testing.T) {
	h := &gatedHandler{gate: make(chan struct{})}
	b, g, inner := newTestBooker(t, h)
	var open sync.Once
	let := func() { open.Do(func() { close(h.gate) }) }
	t.Cleanup(let) // runs before the booker's close, so a failing test does not hang
	for seq := 1; seq <= 3; seq++ {
		if err := receive(t, b, g, seq, "E"+string(rune('0'+seq))); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.persist(); err != nil {
		t.Fatal(err)
	}
	if got := inner.NextTargetMsgSeqNum(); got != 1 {
		t.Fatalf("stored next inbound %d while messages 1-3 wait to be booked; want 1", got)
	}
	let()
	b.drain()
	if err := g.persist(); err != nil {
		t.Fatal(err)
	}
	if got := inner.NextTargetMsgSeqNum(); got != 4 {
		t.Fatalf("stored next inbound %d after booking 1-3; want 4", got)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, batch := range h.batches {
		n += len(batch)
	}
	if n != 3 {
		t.Fatalf("booked %v; want the three reports once each", h.batches)
	}
}

// A failed booking stops the booker at that message: later messages are not
// booked, the session is held, the stored number stays at the failed
// message, and the rewind brings the inbound number back to it.
func TestBookerFailureRewindsToTheFailedMessage(t *testing.T) {
	h := &gatedHandler{gate: make(chan struct{}), fail: map[string]bool{"E2": true}}
	b, g, inner := newTestBooker(t, h)
	var open sync.Once
	let := func() { open.Do(func() { close(h.gate) }) }
	t.Cleanup(let) // runs before the booker's close, so a failing test does not hang
	// The gate stays shut until both messages are in: a booker that failed
	// message 2 before the session advanced past it would hold message 2
	// itself, which is right for the session but not what this test checks.
	for seq := 1; seq <= 2; seq++ {
		if err := receive(t, b, g, seq, "E"+string(rune('0'+seq))); err != nil {
			t.Fatal(err)
		}
	}
	let()
	b.drain()
	if !b.failing() {
		t.Fatal("the booker does not know message 2 failed")
	}
	if err := receive(t, b, g, 3, "E3"); !errors.Is(err, errHeld) {
		t.Fatalf("a message after the failure advanced the session (%v); want it held so the session drops", err)
	}
	if err := g.persist(); err != nil {
		t.Fatal(err)
	}
	if got := inner.NextTargetMsgSeqNum(); got != 2 {
		t.Fatalf("stored next inbound %d; want 2, the failed message", got)
	}
	b.c.rewind(b.s)
	if got := g.NextTargetMsgSeqNum(); got != 2 || b.failing() {
		t.Fatalf("after the rewind the session expects %d (failing %v); want 2 and the failure cleared", got, b.failing())
	}
	if err := receive(t, b, g, 2, "E2-again"); err != nil {
		t.Fatal(err)
	}
	b.drain()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, batch := range h.batches {
		for _, id := range batch {
			if id == "E3" {
				t.Fatalf("message 3, received after the failure, was booked: %v", h.batches)
			}
		}
	}
}
