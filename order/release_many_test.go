package order

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// approvedBlocks makes n approved blocks, each of one order per portfolio in pfs.
func (dk *desk) approvedBlocks(t *testing.T, n int, pfs ...string) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = dk.approvedBlock(t, pfs...).ID
	}
	return ids
}

func (dk *desk) block(t *testing.T, id int64) Block {
	t.Helper()
	var b Block
	err := dk.store.InTx(context.Background(), func(tx Tx) error {
		var err error
		b, err = tx.Block(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// releaseTrail is what the audit trail says of block id's release, from
// event from on, without the ids that differ from one desk to another.
func (dk *desk) releaseTrail(id int64, from int) []string {
	var out []string
	for _, e := range dk.store.Events()[from:] {
		if e.BlockID == id {
			out = append(out, fmt.Sprintf("%s %s %s %s→%s %q order:%t", e.Actor, e.Action, e.Portfolio, e.From, e.To, e.Reason, e.OrderID != 0))
		}
	}
	return out
}

// Three blocks released in one call each get their own ClOrdID, are sent in
// the order asked, and leave the audit trail one release of each leaves.
func TestReleaseBlocksReleasesEachAsReleaseDoes(t *testing.T) {
	ctx := context.Background()
	one := newDesk(t)
	single := one.approvedBlock(t, "A", "B")
	n := len(one.store.Events())
	if _, err := one.svc.Release(ctx, trader, single.ID); err != nil {
		t.Fatal(err)
	}
	want := one.releaseTrail(single.ID, n)
	if len(want) != 3 {
		t.Fatalf("a single release leaves %d events: %v", len(want), want)
	}

	dk := newDesk(t)
	ids := dk.approvedBlocks(t, 3, "A", "B")
	ids[0], ids[2] = ids[2], ids[0] // sent in the order asked, not the order made
	n = len(dk.store.Events())
	got, err := dk.svc.ReleaseBlocks(ctx, trader, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || len(dk.sender.sent) != 3 {
		t.Fatalf("%d blocks returned, %d sent", len(got), len(dk.sender.sent))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		b, stored := got[i], dk.block(t, id)
		if b.ID != id || b.Status != Sent || stored.Status != Sent || b.ClOrdID == "" || stored.ClOrdID != b.ClOrdID || seen[b.ClOrdID] {
			t.Errorf("block %d: returned %d %s %q, stored %s %q", id, b.ID, b.Status, b.ClOrdID, stored.Status, stored.ClOrdID)
		}
		seen[b.ClOrdID] = true
		if r := dk.sender.sent[i]; r.ClOrdID != b.ClOrdID || r.Quantity.String() != "2000" || r.Account != "BLOCK" {
			t.Errorf("send %d: %+v, want block %d's", i, r, id)
		}
		if via, err := dk.svc.blockByClOrdID(ctx, b.ClOrdID); err != nil || via != id {
			t.Errorf("ClOrdID %s finds block %d (%v), want %d", b.ClOrdID, via, err, id)
		}
		for _, o := range dk.blockOrders(t, id) {
			if o.Status != Sent {
				t.Errorf("block %d: order %d is %s", id, o.ID, o.Status)
			}
		}
		if trail := dk.releaseTrail(id, n); !reflect.DeepEqual(trail, want) {
			t.Errorf("block %d's trail:\n%v\nwant, as one release leaves:\n%v", id, trail, want)
		}
	}
}

func (s *Service) blockByClOrdID(ctx context.Context, clOrdID string) (int64, error) {
	var id int64
	err := s.Store.InTx(ctx, func(tx Tx) error {
		b, err := tx.BlockByClOrdID(ctx, clOrdID)
		id = b.ID
		return err
	})
	return id, err
}

// One block that cannot be released fails the whole call, names that block,
// and leaves the others as they were: nothing is written, nothing sent.
func TestReleaseBlocksIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	ids := dk.approvedBlocks(t, 3, "A")
	if _, err := dk.svc.Release(ctx, trader, ids[1]); err != nil {
		t.Fatal(err)
	}
	before, events, sent := dk.block(t, ids[1]), len(dk.store.Events()), len(dk.sender.sent)
	for _, c := range []struct {
		ids  []int64
		kind error
		name int64
	}{
		{ids, ErrConflict, ids[1]},
		{[]int64{ids[0], ids[2], 999}, ErrNotFound, 999},
	} {
		got, err := dk.svc.ReleaseBlocks(ctx, trader, c.ids)
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), fmt.Sprintf("release block %d:", c.name)) || got != nil {
			t.Errorf("ReleaseBlocks(%v) = %v, %v; want %v naming block %d", c.ids, got, err, c.kind, c.name)
		}
	}
	if len(dk.store.Events()) != events || len(dk.sender.sent) != sent {
		t.Errorf("a refused basket wrote %d events and sent %d", len(dk.store.Events())-events, len(dk.sender.sent)-sent)
	}
	for _, id := range []int64{ids[0], ids[2]} {
		if b := dk.block(t, id); b.Status != Approved || b.ClOrdID != "" || !b.ReleasedAt.IsZero() {
			t.Errorf("block %d after a refused basket: %s %q", id, b.Status, b.ClOrdID)
		}
		if o := dk.blockOrders(t, id)[0]; o.Status != Approved {
			t.Errorf("block %d's order is %s", id, o.Status)
		}
	}
	if after := dk.block(t, ids[1]); !reflect.DeepEqual(after, before) {
		t.Errorf("the sent block changed: %+v, was %+v", after, before)
	}
}

func TestReleaseBlocksRefusesBadListsAndNonTraders(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	ids := dk.approvedBlocks(t, 2, "A")
	many := make([]int64, MaxReleaseBlocks+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	for _, c := range []struct {
		name  string
		actor Actor
		ids   []int64
		kind  error
		msg   string
	}{
		{"empty", trader, nil, ErrInvalid, "no blocks"},
		{"duplicate", trader, []int64{ids[0], ids[1], ids[0]}, ErrInvalid, fmt.Sprintf("block %d listed twice", ids[0])},
		{"too many", trader, many, ErrInvalid, "at most 500"},
		{"pm", pm, ids, ErrForbidden, "pm1 is not a trader"},
	} {
		got, err := dk.svc.ReleaseBlocks(ctx, c.actor, c.ids)
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) || got != nil {
			t.Errorf("%s: %v, %v; want %v %q", c.name, got, err, c.kind, c.msg)
		}
	}
	for _, id := range ids {
		if b := dk.block(t, id); b.Status != Approved {
			t.Errorf("block %d is %s", id, b.Status)
		}
	}
	if len(dk.sender.sent) != 0 {
		t.Errorf("%d sent", len(dk.sender.sent))
	}
}

// refuseSecond is a Sender that refuses the second new order it is given.
type refuseSecond struct {
	*fakeSender
	n int
}

func (r *refuseSecond) Send(ctx context.Context, req NewOrderRequest) error {
	if r.n++; r.n == 2 {
		return errors.New("session SIM is down")
	}
	return r.fakeSender.Send(ctx, req)
}

// A send refused after the commit rejects that block only, with the reason;
// the blocks after it are still sent.
func TestReleaseBlocksRefusedSendRejectsThatBlockOnly(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	ids := dk.approvedBlocks(t, 3, "A")
	dk.svc.Sender = &refuseSecond{fakeSender: dk.sender}
	got, err := dk.svc.ReleaseBlocks(ctx, trader, ids)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("release block %d: session SIM is down", ids[1])) {
		t.Errorf("error %v; want the refused send of block %d", err, ids[1])
	}
	if len(got) != 3 || len(dk.sender.sent) != 2 {
		t.Fatalf("%d blocks returned, %d sent", len(got), len(dk.sender.sent))
	}
	for i, want := range []Status{Sent, Rejected, Sent} {
		if got[i].ID != ids[i] || got[i].Status != want || dk.block(t, ids[i]).Status != want {
			t.Errorf("block %d: returned %d %s, stored %s; want %s", ids[i], got[i].ID, got[i].Status, dk.block(t, ids[i]).Status, want)
		}
		if o := dk.blockOrders(t, ids[i])[0]; o.Status != want {
			t.Errorf("block %d's order is %s, want %s", ids[i], o.Status, want)
		}
	}
	if !dk.hasBlockEvent(ids[1], Rejected, "release not sent: session SIM is down") {
		t.Errorf("no rejection with the reason in the trail: %v", dk.releaseTrail(ids[1], 0))
	}
}

func (dk *desk) hasBlockEvent(id int64, to Status, reason string) bool {
	for _, e := range dk.store.Events() {
		if e.BlockID == id && e.OrderID == 0 && e.To == to && e.Reason == reason {
			return true
		}
	}
	return false
}

// cancelOnSend is a Sender that refuses a request whose context is done,
// and cancels its caller's context at the first send: a caller that gives up
// while a basket is being sent.
type cancelOnSend struct {
	*fakeSender
	cancel context.CancelFunc
}

func (c *cancelOnSend) Send(ctx context.Context, req NewOrderRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.cancel()
	return c.fakeSender.Send(ctx, req)
}

// Once the release is committed every block is sent, even when the caller
// gives up half way: a block stored as sent is never left unsent.
func TestReleaseBlocksSendsEveryCommittedBlock(t *testing.T) {
	dk := newDesk(t)
	ids := dk.approvedBlocks(t, 3, "A")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dk.svc.Sender = &cancelOnSend{fakeSender: dk.sender, cancel: cancel}
	got, err := dk.svc.ReleaseBlocks(ctx, trader, ids)
	if err != nil || len(got) != 3 || len(dk.sender.sent) != 3 {
		t.Fatalf("%v: %d blocks, %d sent; want all 3 sent", err, len(got), len(dk.sender.sent))
	}
}

// giveUpOnSend is a Sender whose caller gives up as each request is sent,
// and which refuses a request whose context is done.
type giveUpOnSend struct {
	*fakeSender
	cancel context.CancelFunc
}

func (g *giveUpOnSend) Send(ctx context.Context, r NewOrderRequest) error {
	g.cancel()
	if err := ctx.Err(); err != nil {
		return err
	}
	return g.fakeSender.Send(ctx, r)
}

func (g *giveUpOnSend) Cancel(ctx context.Context, r CancelRequest) error {
	g.cancel()
	if err := ctx.Err(); err != nil {
		return err
	}
	return g.fakeSender.Cancel(ctx, r)
}

func (g *giveUpOnSend) Replace(ctx context.Context, r ReplaceRequest) error {
	g.cancel()
	if err := ctx.Err(); err != nil {
		return err
	}
	return g.fakeSender.Replace(ctx, r)
}

// A single release, cancel or replace, once committed, is sent even when
// its caller gives up at that moment: the block is never left stored as
// sent (or pending) with nothing on its way to the broker.
func TestCommittedRequestsAreSentWhenTheCallerGivesUp(t *testing.T) {
	dk := newDesk(t)
	id := dk.approvedBlock(t, "A").ID
	giveUp := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		dk.svc.Sender = &giveUpOnSend{fakeSender: dk.sender, cancel: cancel}
		return ctx
	}
	if b, err := dk.svc.Release(giveUp(), trader, id); err != nil || b.Status != Sent || len(dk.sender.sent) != 1 {
		t.Fatalf("release: %v, %s, %d sent; want sent", err, b.Status, len(dk.sender.sent))
	}
	dk.book(t, report(ExecNew, "e0", dk.block(t, id).ClOrdID, "", ""))
	if b, err := dk.svc.ReplaceBlock(giveUp(), trader, id, d("500"), d("73"), ""); err != nil || b.Status != PendingReplace || len(dk.sender.replaces) != 1 {
		t.Fatalf("replace: %v, %s, %d sent; want pending replace", err, b.Status, len(dk.sender.replaces))
	}
}
