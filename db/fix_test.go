package db

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFixOutboxQueueFinishAndOrder(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	var ids []int64
	for i, id := range []string{"C1", "C2", "C3"} {
		n, err := d.QueueFix(ctx, FixQueued{Broker: "SIM", Kind: "new", ClOrdID: id, Request: []byte(`{}`), Reason: "session SIM down", QueuedAt: at.Add(time.Duration(i) * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n)
	}
	if _, err := d.QueueFix(ctx, FixQueued{Broker: "SIM", Kind: "new", ClOrdID: "C1", Request: []byte(`{}`), QueuedAt: at}); !errors.Is(err, ErrConflict) {
		t.Errorf("queueing C1 twice: %v, want ErrConflict", err)
	}
	if _, err := d.QueueFix(ctx, FixQueued{Broker: "SIM", Kind: "bogus", ClOrdID: "C9", Request: []byte(`{}`), QueuedAt: at}); err == nil {
		t.Error("a request of an unknown kind was queued")
	}
	if err := d.FinishFix(ctx, ids[0], FixQueuedSent, "", at); err != nil {
		t.Fatal(err)
	}
	if err := d.FinishFix(ctx, ids[0], FixQueuedFailed, "late", at); !errors.Is(err, ErrConflict) {
		t.Errorf("finishing a sent request again: %v, want ErrConflict", err)
	}
	if err := d.FinishFix(ctx, ids[1], "queued", "", at); !errors.Is(err, ErrInvalid) {
		t.Errorf("finishing into queued: %v, want ErrInvalid", err)
	}
	q, err := d.QueuedFix(ctx, "SIM")
	if err != nil || len(q) != 2 || q[0].ClOrdID != "C2" || q[1].ClOrdID != "C3" || !q[0].QueuedAt.Equal(at.Add(time.Second)) {
		t.Fatalf("queued %+v, %v; want C2 then C3", q, err)
	}
	if q, _ := d.QueuedFix(ctx, "OTHER"); len(q) != 0 {
		t.Errorf("another broker sees %+v", q)
	}
	all, err := d.FixOutbox(ctx, 10)
	if err != nil || len(all) != 3 || all[2].State != FixQueuedSent || all[0].ClOrdID != "C3" {
		t.Errorf("outbox %+v, %v; want newest first, C1 sent", all, err)
	}
}

func TestFixMessagesAndSessionEvents(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	ms := []FixMessage{
		{Session: "S", Broker: "SIM", MsgType: "D", SeqNum: 2, ClOrdID: "UNLINKED", At: at, Raw: "8=FIX.4.4\x0135=D"},
	}
	if err := d.LogFixMessages(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if err := d.LogFixMessages(ctx, nil); err != nil {
		t.Errorf("logging nothing: %v", err)
	}
	if got, err := d.FixMessagesOfBlock(ctx, 1); err != nil || len(got) != 0 {
		t.Errorf("messages of a block without ClOrdIDs: %+v, %v", got, err)
	}
	for _, ev := range []string{"logged_on", "connecting"} {
		if err := d.AddFixSessionEvent(ctx, FixSessionEvent{Broker: "SIM", Session: "S", At: at, Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := d.FixSessionEvents(ctx, 10)
	if err != nil || len(evs) != 2 || evs[0].Event != "connecting" || !evs[1].At.Equal(at) {
		t.Errorf("session events %+v, %v; want newest first", evs, err)
	}
	if un, err := d.UnmatchedExecutions(ctx, 10); err != nil || len(un) != 0 {
		t.Errorf("unmatched executions on an empty book: %+v, %v", un, err)
	}
}
