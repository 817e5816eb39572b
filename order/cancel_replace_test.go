package order

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCancelCrossedByFill(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	b := dk.released(t, "A", "B")
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	dk.book(t, report(ExecPartialFill, "e1", "C1", "500", "10"))
	b, err := dk.svc.CancelBlock(ctx, trader, b.ID, "market moved")
	if err != nil || b.Status != PendingCancel || b.PendingClOrdID != "C2" {
		t.Fatalf("cancel: %+v %v", b, err)
	}
	if c := dk.sender.cancels[0]; c.ClOrdID != "C2" || c.OrigClOrdID != "C1" {
		t.Errorf("cancel request %+v", c)
	}
	if res := dk.book(t, report(ExecPartialFill, "e2", "C1", "500", "10")); res.Status != PendingCancel {
		t.Errorf("partial fill during pending cancel: %s", res.Status)
	}
	if res := dk.book(t, report(ExecFill, "e3", "C1", "1000", "10")); res.Status != Filled {
		t.Errorf("fill crossing the cancel: %s", res.Status)
	}
	if res := dk.book(t, report(ExecCancelled, "x1", "C2", "", "")); res.Status != Filled {
		t.Errorf("cancel after the fill: %s", res.Status)
	}
	for _, o := range dk.blockOrders(t, b.ID) {
		if o.Status != Filled || o.FilledQty.String() != "1000" {
			t.Errorf("order %d: %s %s", o.ID, o.Status, o.FilledQty)
		}
	}
}

func TestCancelRejectChainsFromLastAccepted(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	b := dk.released(t, "A")
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	if _, err := dk.svc.ReplaceBlock(ctx, trader, b.ID, d("800"), d("72"), "smaller"); err != nil {
		t.Fatal(err)
	}
	err := dk.svc.HandleCancelReject(ctx, CancelReject{ClOrdID: "C2", OrigClOrdID: "C1", ResponseTo: "replace", Reason: "too late to replace", OrdStatus: "0"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = dk.svc.CancelBlock(ctx, trader, b.ID, "give up")
	if c := dk.sender.cancels[0]; c.ClOrdID != "C3" || c.OrigClOrdID != "C1" {
		t.Errorf("cancel after a rejected replace: %+v", c)
	}
	found := false
	for _, e := range dk.store.Events() {
		if e.Reason == "too late to replace" && e.From == PendingReplace && e.To == Acknowledged {
			found = true
		}
	}
	if !found {
		t.Error("the broker's reason is not in the audit trail")
	}
	if res := dk.book(t, report(ExecCancelled, "x", "C3", "", "")); res.Status != Cancelled {
		t.Errorf("cancel confirmed: %s", res.Status)
	}
}

func TestReplaceWithFillsDuringPending(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	b := dk.released(t, "A", "B")
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	for _, bad := range []struct{ qty, px string }{{"2500", "73"}, {"0", "73"}, {"1500", "0"}} {
		if _, err := dk.svc.ReplaceBlock(ctx, trader, b.ID, d(bad.qty), d(bad.px), ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("replace to %s @ %s: %v", bad.qty, bad.px, err)
		}
	}
	if _, err := dk.svc.ReplaceBlock(ctx, trader, b.ID, d("1500"), d("72.5"), "half"); err != nil {
		t.Fatal(err)
	}
	if r := dk.sender.replaces[0]; r.ClOrdID != "C2" || r.OrigClOrdID != "C1" || r.Quantity.String() != "1500" || r.LimitPrice.String() != "72.5" {
		t.Errorf("replace request %+v", r)
	}
	if res := dk.book(t, report(ExecPartialFill, "e1", "C1", "300", "73")); res.Status != PendingReplace {
		t.Errorf("fill during pending replace: %s", res.Status)
	}
	rep := report(ExecReplaced, "r1", "C2", "", "")
	rep.OrigClOrdID, rep.OrderQty, rep.Price = "C1", d("1500"), d("72.5")
	res := dk.book(t, rep)
	if res.Status != PartiallyFilled || res.Totals.OrderQty.String() != "1500" {
		t.Fatalf("replaced: %+v", res)
	}
	dk.book(t, report(ExecFill, "e2", "C2", "1200", "72.5"))
	orders := dk.blockOrders(t, b.ID)
	if orders[0].FilledQty.String() != "800" || orders[1].FilledQty.String() != "700" {
		t.Errorf("allocation after replace down: %s, %s", orders[0].FilledQty, orders[1].FilledQty)
	}
	for _, o := range orders {
		if o.Status != Cancelled || !o.Leaves().IsZero() {
			t.Errorf("order %d after its block was replaced down and filled: %s leaves %s", o.ID, o.Status, o.Leaves())
		}
	}
	var blk Block
	_ = dk.store.InTx(ctx, func(tx Tx) error { blk, _ = tx.Block(ctx, b.ID); return nil })
	if blk.ClOrdID != "C2" || blk.LimitPrice.String() != "72.5" || blk.Status != Filled {
		t.Errorf("block after replace: %s %s %s", blk.ClOrdID, blk.LimitPrice, blk.Status)
	}
}

func TestSessionRejects(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	b := dk.released(t, "A")
	if err := dk.svc.HandleSessionReject(ctx, SessionReject{Session: "S", RefSeqNum: 7}); err != nil {
		t.Fatal(err)
	}
	if err := dk.svc.HandleSessionReject(ctx, SessionReject{Session: "S", RefSeqNum: 8, ClOrdID: "C1", Reason: "Required tag missing (55)"}); err != nil {
		t.Fatal(err)
	}
	if o := dk.blockOrders(t, b.ID)[0]; o.Status != Rejected {
		t.Errorf("order after session reject: %s", o.Status)
	}
	actions := map[string]int{}
	for _, e := range dk.store.Events() {
		actions[e.Action]++
	}
	if actions["session_reject_unmatched"] != 1 || actions[string(OnBrokerReject)] != 2 {
		t.Errorf("audit actions %v", actions)
	}
}

func TestEveryStatusChangeIsAudited(t *testing.T) {
	dk := newDesk(t)
	b := dk.released(t, "A")
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	dk.book(t, report(ExecPartialFill, "e1", "C1", "300", "10"))
	dk.book(t, report(ExecFill, "e2", "C1", "700", "10"))
	o := dk.blockOrders(t, b.ID)[0]
	var path []string
	for _, e := range dk.store.Events() {
		if e.OrderID == o.ID && e.From != e.To {
			if e.Actor == "" || e.At.IsZero() {
				t.Errorf("event %+v has no actor or time", e)
			}
			path = append(path, string(e.To))
		}
	}
	want := "proposed pending_compliance ready approved sent acknowledged partially_filled filled"
	if strings.Join(path, " ") != want {
		t.Errorf("audited path %q, want %q", strings.Join(path, " "), want)
	}
}

func TestMemStoreRollsBack(t *testing.T) {
	ctx := context.Background()
	m := NewMemStore()
	boom := errors.New("boom")
	err := m.InTx(ctx, func(tx Tx) error {
		id, _ := tx.InsertOrder(ctx, buy("A", "1"))
		_ = tx.SaveCash(ctx, "A", d("5"))
		_ = tx.InsertExecution(ctx, Execution{Key: ExecKey{"S", 1, "e"}})
		_ = tx.AppendEvent(ctx, Event{Action: "x", OrderID: id})
		_ = tx.LinkClOrdID(ctx, "C", 1)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	_ = m.InTx(ctx, func(tx Tx) error {
		if _, err := tx.Order(ctx, 1); !errors.Is(err, ErrNotFound) {
			t.Error("order survived the rollback")
		}
		if c, _ := tx.Cash(ctx, "A"); !c.IsZero() {
			t.Error("cash survived the rollback")
		}
		if err := tx.InsertExecution(ctx, Execution{Key: ExecKey{"S", 1, "e"}}); err != nil {
			t.Errorf("execution survived the rollback: %v", err)
		}
		if err := tx.InsertExecution(ctx, Execution{Key: ExecKey{"S", 1, "e"}}); !errors.Is(err, ErrDuplicate) {
			t.Errorf("second insert of a key: %v", err)
		}
		if _, err := tx.BlockByClOrdID(ctx, "C"); !errors.Is(err, ErrNotFound) {
			t.Error("ClOrdID link survived the rollback")
		}
		return nil
	})
	if len(m.Events()) != 0 {
		t.Error("event survived the rollback")
	}
}

// TestTwoReplacesInFlight follows FIX matrix D.2.b: Replace(Y,X) then
// Replace(Z,Y) before either is answered; both are accepted in turn.
func TestTwoReplacesInFlight(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	b := dk.released(t, "A", "B") // X = C1, 2000
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	dk.book(t, report(ExecPartialFill, "e1", "C1", "200", "10"))
	if _, err := dk.svc.ReplaceBlock(ctx, trader, b.ID, d("1600"), d("73"), "Y"); err != nil {
		t.Fatal(err)
	}
	if _, err := dk.svc.ReplaceBlock(ctx, trader, b.ID, d("1400"), d("73"), "Z"); err != nil {
		t.Fatal(err)
	}
	y, z := dk.sender.replaces[0], dk.sender.replaces[1]
	if y.ClOrdID != "C2" || y.OrigClOrdID != "C1" || z.ClOrdID != "C3" || z.OrigClOrdID != "C2" {
		t.Fatalf("chain: Y %s←%s, Z %s←%s", y.ClOrdID, y.OrigClOrdID, z.ClOrdID, z.OrigClOrdID)
	}
	ry := report(ExecReplaced, "r1", "C2", "", "")
	ry.OrigClOrdID, ry.OrderQty = "C1", d("1600")
	if res := dk.book(t, ry); res.Status != PendingReplace || res.Totals.OrderQty.String() != "1600" {
		t.Fatalf("Y replaced while Z pending: %s %s", res.Status, res.Totals.OrderQty)
	}
	rz := report(ExecReplaced, "r2", "C3", "", "")
	rz.OrigClOrdID, rz.OrderQty = "C2", d("1400")
	if res := dk.book(t, rz); res.Status != PartiallyFilled || res.Totals.OrderQty.String() != "1400" {
		t.Fatalf("Z replaced: %s %s", res.Status, res.Totals.OrderQty)
	}
	if res := dk.book(t, report(ExecFill, "e2", "C3", "1200", "10")); res.Status != Filled {
		t.Fatalf("fill on Z: %s", res.Status)
	}
}

// TestFirstOfTwoRequestsRejected: Y is refused while Z is pending, so the
// block stays pending replace until Z is answered.
func TestFirstOfTwoRequestsRejected(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	b := dk.released(t, "A")
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	_, _ = dk.svc.ReplaceBlock(ctx, trader, b.ID, d("800"), d("73"), "Y")
	_, _ = dk.svc.CancelBlock(ctx, trader, b.ID, "Z")
	if err := dk.svc.HandleCancelReject(ctx, CancelReject{ClOrdID: "C2", OrigClOrdID: "C1", Reason: "already pending"}); err != nil {
		t.Fatal(err)
	}
	var blk Block
	_ = dk.store.InTx(ctx, func(tx Tx) error { blk, _ = tx.Block(ctx, b.ID); return nil })
	if blk.Status != PendingCancel || blk.PendingClOrdID != "C3" || blk.ClOrdID != "C1" {
		t.Fatalf("after Y rejected: %s pending %s live %s", blk.Status, blk.PendingClOrdID, blk.ClOrdID)
	}
	if res := dk.book(t, report(ExecCancelled, "x", "C3", "", "")); res.Status != Cancelled {
		t.Fatalf("Z cancel confirmed: %s", res.Status)
	}
}

func TestCancelNotSentRestoresWorkingStatus(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	b := dk.released(t, "A")
	dk.sender.err = errors.New("session down and queue full")
	if _, err := dk.svc.CancelBlock(ctx, trader, b.ID, "x"); err == nil || !strings.Contains(err.Error(), "queue full") {
		t.Fatalf("cancel with failing sender: %v", err)
	}
	var blk Block
	_ = dk.store.InTx(ctx, func(tx Tx) error { blk, _ = tx.Block(ctx, b.ID); return nil })
	if blk.Status != Sent || blk.PendingClOrdID != "" {
		t.Errorf("after a cancel that was not sent: %s pending %q", blk.Status, blk.PendingClOrdID)
	}
	dk.sender.err = nil
	dk.book(t, report(ExecNew, "e0", "C1", "", ""))
	dk.sender.err = errors.New("down")
	_, _ = dk.svc.ReplaceBlock(ctx, trader, b.ID, d("500"), d("73"), "")
	_ = dk.store.InTx(ctx, func(tx Tx) error { blk, _ = tx.Block(ctx, b.ID); return nil })
	if blk.Status != Acknowledged || blk.Totals.OrderQty.String() != "1000" {
		t.Errorf("after a replace that was not sent: %s %s", blk.Status, blk.Totals.OrderQty)
	}
}
