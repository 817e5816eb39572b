package db

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// TestAmendmentVoidsOverrides: a compliance officer overrides an order's
// small soft breach, the PM amends the order much larger, and the approval's
// re-check refuses it: the stored override is kept but voided, it clears
// nothing, and a fresh override of the amended order is possible and lets a
// trader approve it. The overrides stay append-only.
func TestAmendmentVoidsOverrides(t *testing.T) {
	d, svc, pc := complianceDesk(t)
	ctx := context.Background()
	saved, _, err := proposeChecked(ctx, pc, svc, ccPM, []order.Order{limitBuy("US-LC", "AAPL", "6000", "189.12")}) // 1,134,720
	if err != nil || saved[0].Status != order.AwaitingOverride {
		t.Fatalf("propose a little over the notional limit: %+v %v", saved, err)
	}
	id := saved[0].ID
	ov := order.Override{RuleID: "max-notional", ReasonCode: "client_instruction", Reason: "a little over, for the client"}
	if o, err := svc.Override(ctx, id, officer, ov); err != nil || o.Status != order.Ready {
		t.Fatalf("override: %s %v", o.Status, err)
	}

	// The PM amends it to 50,000 (9,456,000), checked as the order desk does.
	bigger := saved[0]
	bigger.Quantity = dd("50000")
	checks, _, err := pc.CheckTrades(ctx, []portfolio.Trade{order.TradeOf(bigger)}, []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	o, err := svc.AmendOrder(ctx, ccPM, id, dd("50000"), dd("189.12"), checks[0].Check)
	if err != nil || o.Status != order.AwaitingOverride || o.Amendments != 1 {
		t.Fatalf("amend: %s, amendments %d, %v", o.Status, o.Amendments, err)
	}
	if _, err := pc.StoreCheck(ctx, o); err != nil {
		t.Fatal(err)
	}
	if chk, _ := d.LatestCheck(ctx, id); chk.Verdict != order.VerdictWarn || chk.Results[0].Overridden {
		t.Errorf("the amended order's check = %+v; want the breach not overridden", chk)
	}
	ovs, err := d.OrderOverrides(ctx, id)
	if err != nil || len(ovs) != 1 || !ovs[0].Voided || ovs[0].Amendment != 0 {
		t.Fatalf("overrides after the amendment = %+v, %v; want the one given, kept and voided", ovs, err)
	}

	if _, err := pc.Approve(ctx, svc, id, traderActor); !errors.Is(err, order.ErrConflict) {
		t.Errorf("approval over the voided override: %v, want ErrConflict", err)
	}
	if o, _ := d.ComplianceOrder(ctx, id); o.Status != order.AwaitingOverride || o.Amendments != 1 {
		t.Fatalf("after the refused approval: %s, amendments %d; want awaiting_override", o.Status, o.Amendments)
	}

	fresh := order.Override{RuleID: "max-notional", ReasonCode: "client_instruction", Reason: "the client wants the full 50,000"}
	if o, err := svc.Override(ctx, id, officer, fresh); err != nil || o.Status != order.Ready {
		t.Fatalf("fresh override of the amended order: %s %v", o.Status, err)
	}
	ovs, _ = d.OrderOverrides(ctx, id)
	if len(ovs) != 2 || !ovs[0].Voided || ovs[1].Voided || ovs[1].Amendment != 1 || ovs[1].Reason != fresh.Reason {
		t.Errorf("overrides = %+v; want the voided one and the fresh one", ovs)
	}
	for _, q := range []string{`UPDATE compliance_overrides SET amendment = 1`, `DELETE FROM compliance_overrides`} {
		if _, err := d.Writer().Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
	}
	if o, err := pc.Approve(ctx, svc, id, traderActor); err != nil || o.Status != order.Approved {
		t.Fatalf("approval after the fresh override: %s %v", o.Status, err)
	}

	events, err := NewOrderStore(d).AuditEvents(ctx, order.AuditFilter{OrderID: id})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		found = found || e.Action == "amend" && e.Actor == ccPM.Name && strings.Contains(e.Details, "quantity 6000 → 50000") &&
			strings.Contains(e.Details, "voids 1 compliance override")
	}
	if !found {
		t.Errorf("no amendment event naming the voided override: %+v", events)
	}
}
