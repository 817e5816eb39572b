package fixclient

import (
	"context"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

var working = map[string]brokersim.Plan{
	"WORK":   {Action: brokersim.NeverFill},
	"NOREPL": {Action: brokersim.NeverFill, RejectReplace: true},
}

func cancelReq(id, orig string) order.CancelRequest {
	return order.CancelRequest{Broker: "SIM", ClOrdID: id, OrigClOrdID: orig, Symbol: "WORK", Side: portfolio.Buy, Quantity: d("100")}
}

func replaceReq(id, orig, symbol, qty, px string) order.ReplaceRequest {
	return order.ReplaceRequest{NewOrderRequest: newOrder(id, symbol, qty, px), OrigClOrdID: orig}
}

func TestCancel(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, v, working, rigOpt{})
			r.send(t, newOrder("X1", "WORK", "100", "10"))
			waitKinds(t, r.rec, []order.ExecKind{order.ExecNew}, "X1")
			if err := r.client.Cancel(context.Background(), cancelReq("C1", "X1")); err != nil {
				t.Fatal(err)
			}
			es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPendingCancel, order.ExecCancelled}, "X1", "C1")
			c := es[2]
			if c.ClOrdID != "C1" || c.OrigClOrdID != "X1" || !c.LeavesQty.IsZero() || c.OrdStatus != "4" {
				t.Errorf("cancelled report %+v", c)
			}
			r.rec.mu.Lock()
			defer r.rec.mu.Unlock()
			if len(r.rec.sent) != 2 || r.rec.sent[0].ClOrdID != "X1" || r.rec.sent[0].MsgType != "D" ||
				r.rec.sent[1].ClOrdID != "C1" || r.rec.sent[1].MsgType != "F" || r.rec.sent[1].SeqNum <= r.rec.sent[0].SeqNum ||
				!strings.Contains(r.rec.sent[1].Raw, "41=X1") {
				t.Errorf("sent messages %+v", r.rec.sent)
			}
		})
	}
}

func TestReplaceChain(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, v, working, rigOpt{})
			ctx := context.Background()
			r.send(t, newOrder("X", "WORK", "100", "10"))
			waitKinds(t, r.rec, []order.ExecKind{order.ExecNew}, "X")
			if err := r.client.Replace(ctx, replaceReq("Y", "X", "WORK", "200", "11")); err != nil {
				t.Fatal(err)
			}
			waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPendingReplace, order.ExecReplaced}, "X", "Y")
			if err := r.client.Replace(ctx, replaceReq("Z", "Y", "WORK", "150", "12")); err != nil {
				t.Fatal(err)
			}
			es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPendingReplace, order.ExecReplaced,
				order.ExecPendingReplace, order.ExecReplaced}, "X", "Y", "Z")
			y, z := es[2], es[4]
			if y.ClOrdID != "Y" || y.OrigClOrdID != "X" || !y.OrderQty.Equal(d("200")) || !y.Price.Equal(d("11")) {
				t.Errorf("X→Y replaced %+v", y)
			}
			if z.ClOrdID != "Z" || z.OrigClOrdID != "Y" || !z.OrderQty.Equal(d("150")) || !z.LeavesQty.Equal(d("150")) {
				t.Errorf("Y→Z replaced %+v", z)
			}
			if st, ok := r.broker.Order("X"); !ok || st.ClOrdID != "Z" || !st.Quantity.Equal(d("150")) {
				t.Errorf("broker order after chain %+v", st)
			}
		})
	}
}

func TestReplaceRejectedThenCancel(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.4", working, rigOpt{})
	ctx := context.Background()
	r.send(t, newOrder("X", "NOREPL", "100", "10"))
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew}, "X")
	if err := r.client.Replace(ctx, replaceReq("Y", "X", "NOREPL", "200", "10")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "replace reject", func() bool { return len(r.rec.cancelRejects()) == 1 })
	rej := r.rec.cancelRejects()[0]
	if rej.ClOrdID != "Y" || rej.OrigClOrdID != "X" || rej.ResponseTo != "replace" || rej.Reason == "" || rej.Broker != "SIM" {
		t.Errorf("replace reject %+v: want 11=Y, 41=X (last accepted), response to replace", rej)
	}
	// Chaining from the rejected id is refused; from the last accepted id works.
	bad := cancelReq("C1", "Y")
	bad.Symbol = "NOREPL"
	if err := r.client.Cancel(ctx, bad); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "cancel reject for the rejected id", func() bool { return len(r.rec.cancelRejects()) == 2 })
	good := cancelReq("C2", "X")
	good.Symbol = "NOREPL"
	if err := r.client.Cancel(ctx, good); err != nil {
		t.Fatal(err)
	}
	es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPendingCancel, order.ExecCancelled}, "X", "C2")
	if es[2].OrigClOrdID != "X" {
		t.Errorf("cancel chained from %q, want X", es[2].OrigClOrdID)
	}
}

func TestCancelRejectUnknownOrder(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, v, working, rigOpt{})
			if err := r.client.Cancel(context.Background(), cancelReq("C1", "NOPE")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "cancel reject", func() bool { return len(r.rec.cancelRejects()) == 1 })
			rej := r.rec.cancelRejects()[0]
			if rej.ClOrdID != "C1" || rej.OrigClOrdID != "NOPE" || rej.ResponseTo != "cancel" ||
				!strings.Contains(rej.Reason, "unknown order") || rej.Raw == "" {
				t.Errorf("cancel reject %+v", rej)
			}
		})
	}
}

func TestCancelRejectTooLate(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.4", map[string]brokersim.Plan{"DONE": {Action: brokersim.FillAtOnce}}, rigOpt{})
	r.send(t, newOrder("X1", "DONE", "100", "10"))
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X1")
	c := cancelReq("C1", "X1")
	c.Symbol = "DONE"
	if err := r.client.Cancel(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "cancel reject", func() bool { return len(r.rec.cancelRejects()) == 1 })
	if rej := r.rec.cancelRejects()[0]; !strings.Contains(rej.Reason, "too late") || rej.OrdStatus != "2" {
		t.Errorf("cancel reject %+v: want too late on a filled order", rej)
	}
}
