package fixclient

import (
	"errors"
	"slices"
	"testing"

	"github.com/quickfixgo/quickfix"
)

// recordingStore notes the store calls that change the inbound number.
type recordingStore struct {
	quickfix.MessageStore
	calls *[]string
}

func (r recordingStore) IncrNextTargetMsgSeqNum() error {
	*r.calls = append(*r.calls, "incr")
	return r.MessageStore.IncrNextTargetMsgSeqNum()
}

func (r recordingStore) SetNextTargetMsgSeqNum(n int) error {
	*r.calls = append(*r.calls, "set")
	return r.MessageStore.SetNextTargetMsgSeqNum(n)
}

func newLazyStore(t *testing.T, sync func() error) (*guardStore, quickfix.MessageStore, *[]string) {
	t.Helper()
	inner, err := quickfix.NewMemoryStoreFactory().Create(quickfix.SessionID{BeginString: "FIX.4.4", SenderCompID: "B", TargetCompID: "S"})
	if err != nil {
		t.Fatal(err)
	}
	calls := &[]string{}
	return newGuardStore(recordingStore{MessageStore: inner, calls: calls}, sync, nil), inner, calls
}

// In lazy mode the inbound number moves in memory; persist stores it only
// after the bookings are durable, and not at all when they could not be.
func TestLazyInboundNumberFollowsDurableBookings(t *testing.T) {
	var order []string
	syncErr := errors.New("disk full")
	failSync := false
	g, inner, calls := newLazyStore(t, func() error {
		order = append(order, "sync")
		if failSync {
			return syncErr
		}
		return nil
	})
	for range 3 {
		if err := g.IncrNextTargetMsgSeqNum(); err != nil {
			t.Fatal(err)
		}
	}
	if g.NextTargetMsgSeqNum() != 4 || inner.NextTargetMsgSeqNum() != 1 || len(*calls) != 0 {
		t.Fatalf("after 3 messages: session sees %d, store holds %d, calls %v; want 4, 1, none",
			g.NextTargetMsgSeqNum(), inner.NextTargetMsgSeqNum(), *calls)
	}
	failSync = true
	if err := g.persist(); !errors.Is(err, syncErr) {
		t.Fatalf("persist with a failing sync: %v", err)
	}
	if inner.NextTargetMsgSeqNum() != 1 {
		t.Fatalf("the number was stored (%d) although the bookings are not durable", inner.NextTargetMsgSeqNum())
	}
	failSync = false
	order = nil
	*calls = nil
	if err := g.persist(); err != nil {
		t.Fatal(err)
	}
	if inner.NextTargetMsgSeqNum() != 4 || !slices.Equal(append(order, *calls...), []string{"sync", "set"}) {
		t.Fatalf("stored %d after %v %v; want 4 after sync then set", inner.NextTargetMsgSeqNum(), order, *calls)
	}
	order = nil
	if err := g.persist(); err != nil || len(order) != 0 {
		t.Fatalf("a persist with nothing new synced again (%v, %v)", order, err)
	}
	// A failed booking still holds the number, in memory too.
	g.hold.Store(true)
	if err := g.IncrNextTargetMsgSeqNum(); !errors.Is(err, errHeld) || g.NextTargetMsgSeqNum() != 4 {
		t.Fatalf("held message: %v, next %d; want errHeld, 4", err, g.NextTargetMsgSeqNum())
	}
	// Refresh keeps what this process read past the stored number.
	_ = g.IncrNextTargetMsgSeqNum()
	if err := g.Refresh(); err != nil || g.NextTargetMsgSeqNum() != 5 {
		t.Fatalf("after refresh next %d (%v), want 5", g.NextTargetMsgSeqNum(), err)
	}
	// A gap fill (or an operator) sets the number at once, after a sync.
	order = nil
	if err := g.SetNextTargetMsgSeqNum(9); err != nil || inner.NextTargetMsgSeqNum() != 9 || !slices.Equal(order, []string{"sync"}) {
		t.Fatalf("set to 9: store %d, %v (%v); want 9 after a sync", inner.NextTargetMsgSeqNum(), order, err)
	}
	failSync = true
	if err := g.SetNextTargetMsgSeqNum(12); !errors.Is(err, syncErr) || inner.NextTargetMsgSeqNum() != 9 {
		t.Fatalf("set to 12 with a failing sync: %v, store %d; want the error and 9", err, inner.NextTargetMsgSeqNum())
	}
	failSync = false
	if err := g.Reset(); err != nil || g.NextTargetMsgSeqNum() != 1 || inner.NextTargetMsgSeqNum() != 1 {
		t.Fatalf("after reset: session %d, store %d (%v); want 1, 1", g.NextTargetMsgSeqNum(), inner.NextTargetMsgSeqNum(), err)
	}
	order = nil
	if err := g.persist(); err != nil || len(order) != 0 {
		t.Fatalf("persist after a reset wrote again (%v, %v)", order, err)
	}
}

// Without SyncBooked the store advances the number on every message, as
// quickfixgo would.
func TestInboundNumberPerMessageWithoutSyncBooked(t *testing.T) {
	g, inner, calls := newLazyStore(t, nil)
	if err := g.IncrNextTargetMsgSeqNum(); err != nil {
		t.Fatal(err)
	}
	if inner.NextTargetMsgSeqNum() != 2 || !slices.Equal(*calls, []string{"incr"}) {
		t.Fatalf("store holds %d after %v; want 2 after incr", inner.NextTargetMsgSeqNum(), *calls)
	}
	if err := g.persist(); err != nil || len(*calls) != 1 {
		t.Fatalf("persist without SyncBooked did something: %v %v", *calls, err)
	}
}
