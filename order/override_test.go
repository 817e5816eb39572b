package order

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/user"
)

// issuerBreach is a basket of one trade with a soft breach of issuer-10 v3
// (group Alpha) at value against a limit of 10.
func issuerBreach(value int64) compliance.Report {
	return compliance.Report{
		Results: []compliance.Result{{RuleID: "issuer-10", RuleName: "Issuer", Version: 3, Severity: compliance.Soft,
			Status: compliance.NeedsOverride, Group: "Alpha", Trades: []int{0}, Value: decimal.NewFromInt(value),
			Limit: decimal.NewFromInt(10), Message: "issuer over 10%"}},
		Trades: make([]compliance.TradeSummary, 1),
	}
}

// TestOverrideVoidedByAmendment: an override matches a breach by rule, group
// and rule version, and holds for the order's terms when it was given. Once
// the order is amended (from 11% to 50% of the issuer, say) the override is
// voided and no longer clears the breach; an override given after the
// amendment does.
func TestOverrideVoidedByAmendment(t *testing.T) {
	given := Override{RuleID: "issuer-10", Group: "Alpha", RuleVersion: 3, ReasonCode: "cash_flow", Reason: "11% for a day"}
	if tc := tradeCheck(issuerBreach(11), 0, []Override{given}); tc.Check.Verdict != VerdictPass {
		t.Fatalf("the override does not clear its own breach: %s", tc.Check.Verdict)
	}
	amended := Order{Amendments: 1} // the PM amends the order up to 50% of the issuer
	if !given.VoidedBy(amended) {
		t.Fatal("an override given before the amendment is not voided by it")
	}
	given.Voided = given.VoidedBy(amended) // as the stores read it
	for _, value := range []int64{50, 11} {
		if tc := tradeCheck(issuerBreach(value), 0, []Override{given}); tc.Check.Verdict != VerdictWarn || !tc.Results[0].NeedsOverride() {
			t.Errorf("value %d: the voided override still clears the amended order's breach: verdict %s", value, tc.Check.Verdict)
		}
	}
	fresh := given
	fresh.Amendment, fresh.Voided = 1, false
	if fresh.VoidedBy(amended) {
		t.Error("an override given after the amendment is voided by it")
	}
	if tc := tradeCheck(issuerBreach(50), 0, []Override{given, fresh}); tc.Check.Verdict != VerdictPass {
		t.Errorf("a fresh override does not clear the amended order's breach: %s", tc.Check.Verdict)
	}
}

// TestAmendmentVoidsOverridesThroughTheService: a compliance officer
// overrides an order's small soft breach, the PM amends the order much
// larger, and the approval's re-check refuses it: the old override clears
// nothing (it stays, voided, in the record), the order awaits an override
// again, and the officer's fresh override lets a trader approve it.
func TestAmendmentVoidsOverridesThroughTheService(t *testing.T) {
	ctx := context.Background()
	dk := newDesk(t)
	officer := Actor{Name: "officer", Roles: []user.Role{user.Compliance}}
	small := tradeCheck(issuerBreach(11), 0, nil)
	os, err := dk.svc.ProposeChecked(ctx, pm, []Proposal{{Order: buy("A", "100"), Check: small.Check}}, [][]ResultRecord{small.Results})
	if err != nil || os[0].Status != AwaitingOverride {
		t.Fatalf("propose with a soft breach: %+v %v", os, err)
	}
	id := os[0].ID
	ov := Override{RuleID: "issuer-10", Group: "Alpha", ReasonCode: "cash_flow", Reason: "11% for a day"}
	if o, err := dk.svc.Override(ctx, id, officer, ov); err != nil || o.Status != Ready {
		t.Fatalf("override: %s %v", o.Status, err)
	}

	// The PM amends the order five times larger; compliance finds 50%.
	large := tradeCheck(issuerBreach(50), 0, nil)
	o, err := dk.svc.AmendOrder(ctx, pm, id, d("500"), d("73"), large.Check)
	if err != nil || o.Status != AwaitingOverride || o.Amendments != 1 {
		t.Fatalf("amend: %s, amendments %d, %v", o.Status, o.Amendments, err)
	}
	ovs := dk.overrides(t, id)
	if len(ovs) != 1 || !ovs[0].Voided || ovs[0].Amendment != 0 {
		t.Fatalf("after the amendment, overrides %+v; want the one given, kept and voided", ovs)
	}
	if !dk.hasEvent(id, "amend", "voids 1 compliance override") {
		t.Errorf("no amendment event naming the voided override: %+v", dk.store.Events())
	}

	// The approval re-checks the amended order with its overrides: refused.
	if o, err := dk.svc.Approve(ctx, id, trader, dk.recheck(t, id, 50)); !errors.Is(err, ErrConflict) || o.Status != AwaitingOverride {
		t.Fatalf("approval over the voided override: %s %v; want refused, awaiting override", o.Status, err)
	}

	// A fresh override of the amended order's breach is possible and works.
	if o, err := dk.svc.Override(ctx, id, officer, Override{RuleID: "issuer-10", Group: "Alpha", ReasonCode: "client_instruction",
		Reason: "the client wants 50% for a day"}); err != nil || o.Status != Ready {
		t.Fatalf("fresh override: %s %v", o.Status, err)
	}
	ovs = dk.overrides(t, id)
	if len(ovs) != 2 || !ovs[0].Voided || ovs[1].Voided || ovs[1].Amendment != 1 {
		t.Fatalf("overrides %+v; want the voided one and the fresh one", ovs)
	}
	if o, err := dk.svc.Approve(ctx, id, trader, dk.recheck(t, id, 50)); err != nil || o.Status != Approved {
		t.Fatalf("approval after the fresh override: %s %v", o.Status, err)
	}
}

// overrides reads order id's overrides as the store gives them.
func (dk *desk) overrides(t *testing.T, id int64) []Override {
	t.Helper()
	var ovs []Override
	err := dk.store.InTx(context.Background(), func(tx Tx) error {
		var err error
		ovs, err = tx.(ComplianceTx).Overrides(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ovs
}

// recheck is what Precheck.Recheck does at approval, on a breach at value:
// the findings with the order's overrides, stored as its latest check.
func (dk *desk) recheck(t *testing.T, id, value int64) *Check {
	t.Helper()
	tc := tradeCheck(issuerBreach(value), 0, dk.overrides(t, id))
	err := dk.store.InTx(context.Background(), func(tx Tx) error {
		return tx.(ComplianceTx).SaveChecks(context.Background(), []CheckRecord{{OrderID: id, Phase: PhaseApprove,
			Verdict: tc.Check.Verdict, Summary: tc.Check.Findings, At: dk.now, Results: tc.Results}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return &tc.Check
}

// hasEvent reports whether order id has an audit event action whose details contain text.
func (dk *desk) hasEvent(id int64, action, text string) bool {
	for _, e := range dk.store.Events() {
		if e.OrderID == id && e.Action == action && strings.Contains(e.Details, text) {
			return true
		}
	}
	return false
}
