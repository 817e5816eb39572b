package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
)

// TestOrderReviewShowsVoidedOverrides: an override an amendment voided is
// listed as voided by that amendment, does not mark the breach overridden,
// and the officer is offered the override form again.
func TestOrderReviewShowsVoidedOverrides(t *testing.T) {
	breach := order.ResultRecord{RuleID: "max-notional", Version: 2, Status: compliance.NeedsOverride, Message: "notional over"}
	v := OrderReviewView{
		Order:       order.Order{ID: 7, Status: order.AwaitingOverride, Quantity: d("50000"), Amendments: 1},
		Check:       order.CheckRecord{Verdict: order.VerdictWarn, Results: []order.ResultRecord{breach}},
		Overrides:   []order.Override{{RuleID: "max-notional", RuleVersion: 2, ReasonCode: "cash_flow", Reason: "a little over", Officer: "cora", Voided: true}},
		CanOverride: true,
		Reasons:     order.OverrideReasons(),
	}
	var buf bytes.Buffer
	if err := OrderReviewPage(v).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`data-voided="true"`, "voided by amendment 1 of the order", `id="overrides-voided"`, "Override this breach"} {
		if !strings.Contains(page, want) {
			t.Errorf("the review page lacks %q", want)
		}
	}
	if strings.Contains(page, "Overridden by compliance.") {
		t.Error("the voided override still marks the breach overridden")
	}
}
