package order

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/portfolio"
)

func stopSell(pf string) Order {
	return Order{Portfolio: pf, Symbol: "VOD", Side: portfolio.Sell, Quantity: d("300"), Type: Market, TimeInForce: Day}
}

const fireReason = "trailing_stop #7 fired at 113.9 (high 120, stop 114)"

func TestProposeConditionalReleasesOnPass(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	o, b, err := dk.svc.ProposeConditional(ctx, ConditionalOrder{Order: stopSell("A"), Check: Check{Verdict: VerdictPass},
		Creator: "pm1", Approver: trader, Reason: fireReason, Broker: "SIM"})
	if err != nil {
		t.Fatal(err)
	}
	if b == nil || b.Status != Sent || b.Broker != "SIM" || o.Status != Sent {
		t.Fatalf("order %s, block %+v", o.Status, b)
	}
	stored := dk.order(t, o.ID)
	if stored.ProposedBy != "pm1" || stored.ApprovedBy != "trader1" || stored.BlockID != b.ID || stored.Status != Sent {
		t.Fatalf("stored: %+v", stored)
	}
	if len(dk.sender.sent) != 1 || !dk.sender.sent[0].Quantity.Equal(d("300")) {
		t.Fatalf("sent: %+v", dk.sender.sent)
	}
	found := false
	for _, ev := range dk.store.Events() {
		if ev.OrderID == o.ID && ev.To == Approved {
			found = ev.Actor == "trader1" && ev.Reason == fireReason
		}
	}
	if !found {
		t.Fatal("no approval event citing the firing price")
	}
}

func TestProposeConditionalHardBreachStaysBlocked(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	o, b, err := dk.svc.ProposeConditional(ctx, ConditionalOrder{Order: stopSell("A"),
		Check:   Check{Verdict: VerdictFail, Findings: "restricted list"},
		Creator: "pm1", Approver: trader, Reason: fireReason, Broker: "SIM"})
	if err != nil || b != nil || o.Status != Blocked || len(dk.sender.sent) != 0 {
		t.Fatalf("hard breach: %s %v %v sent %d", o.Status, b, err, len(dk.sender.sent))
	}
	o, _, err = dk.svc.ProposeConditional(ctx, ConditionalOrder{Order: stopSell("B"), Check: Check{Verdict: VerdictWarn, Findings: "soft"},
		Creator: "pm1", Approver: trader, Reason: fireReason, Broker: "SIM"})
	if err != nil || o.Status != AwaitingOverride {
		t.Fatalf("soft breach: %s %v", o.Status, err)
	}
}

func TestProposeConditionalKeepsFourEyes(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	cases := []struct {
		name string
		c    ConditionalOrder
		want error
	}{
		{"approver is creator", ConditionalOrder{Creator: "trader1", Approver: trader}, ErrForbidden},
		{"approver not a trader", ConditionalOrder{Creator: "bob", Approver: pm}, ErrForbidden},
		{"no broker", ConditionalOrder{Creator: "pm1", Approver: trader, Broker: " "}, ErrConflict},
	}
	for _, tc := range cases {
		c := tc.c
		c.Order, c.Check, c.Reason = stopSell("A"), Check{Verdict: VerdictPass}, fireReason
		if c.Broker == "" {
			c.Broker = "SIM"
		}
		n := len(dk.store.Events())
		if _, _, err := dk.svc.ProposeConditional(ctx, c); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if len(dk.store.Events()) != n {
			t.Errorf("%s: a refused conditional order wrote audit events", tc.name)
		}
	}
}

func TestProposeConditionalSenderRefusal(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	dk.sender.err = errors.New("session down")
	o, b, err := dk.svc.ProposeConditional(ctx, ConditionalOrder{Order: stopSell("A"), Check: Check{Verdict: VerdictPass},
		Creator: "pm1", Approver: trader, Reason: fireReason, Broker: "SIM"})
	if err == nil || !strings.Contains(err.Error(), "session down") || b == nil || b.Status != Rejected || o.ID == 0 {
		t.Fatalf("refused release: %v %+v", err, b)
	}
}
