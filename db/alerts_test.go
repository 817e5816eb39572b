package db

import (
	"context"
	"errors"
	"testing"

	"github.com/ballast-oms/ballast/compliance"
)

func TestAlertsDedupeAndWorkflow(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	a := compliance.Alert{Key: "P1|issuer-10|Apple", Portfolio: "P1", RuleID: "issuer-10", Version: 1,
		Severity: compliance.Hard, Level: compliance.AlertBreach, Group: "Apple", Value: "11.2", Limit: "10", Unit: compliance.UnitPercent}
	b := compliance.Alert{Key: "P2|sector-30|Tech", Portfolio: "P2", RuleID: "sector-30", Version: 1,
		Severity: compliance.Soft, Level: compliance.AlertWarning, Group: "Tech", Value: "28", Limit: "30"}
	run, err := d.SaveAlerts(ctx, []compliance.Alert{a, b}, nil)
	if err != nil || run != (AlertRun{Opened: 2}) {
		t.Fatalf("first batch = %+v, %v", run, err)
	}
	a.Value = "11.5"
	run, err = d.SaveAlerts(ctx, []compliance.Alert{a}, []string{"P1"})
	if err != nil || run != (AlertRun{Updated: 1}) {
		t.Fatalf("second batch = %+v, %v; want one update and P2 untouched", run, err)
	}
	open, _ := d.Alerts(ctx, []compliance.AlertStatus{compliance.AlertOpen}, "")
	if len(open) != 2 || open[0].Alert.Value != "11.5" || open[0].Alert.Level != compliance.AlertBreach {
		t.Fatalf("open alerts = %+v", open)
	}
	id := open[0].ID
	if err := d.AcknowledgeAlert(ctx, id, "carol", "looking"); err != nil {
		t.Fatal(err)
	}
	if err := d.AcknowledgeAlert(ctx, id, "carol", "again"); !errors.Is(err, ErrConflict) {
		t.Errorf("acknowledging twice: %v, want ErrConflict", err)
	}
	if _, err := d.SaveAlerts(ctx, []compliance.Alert{a}, []string{"P1"}); err != nil {
		t.Fatal(err)
	}
	got, _ := d.Alert(ctx, id)
	if got.Status != compliance.AlertAcknowledged || got.AcknowledgedBy != "carol" || got.AcknowledgedAt.IsZero() {
		t.Errorf("acknowledged alert seen again = %+v; want it still acknowledged, not duplicated", got)
	}
	if err := d.ResolveAlert(ctx, id, "carol", "sold down"); err != nil {
		t.Fatal(err)
	}
	if err := d.ResolveAlert(ctx, 999, "carol", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("resolving a missing alert: %v", err)
	}
	run, _ = d.SaveAlerts(ctx, []compliance.Alert{a}, []string{"P1"})
	if run.Opened != 1 {
		t.Errorf("a breach after its alert was resolved = %+v, want a new alert", run)
	}
	run, _ = d.SaveAlerts(ctx, nil, nil)
	if run.Resolved != 2 {
		t.Errorf("a clean batch resolved %d alerts, want 2", run.Resolved)
	}
	all, _ := d.Alerts(ctx, nil, "P1")
	if len(all) != 2 || all[0].Status != compliance.AlertResolved || all[0].ResolvedBy != "batch" {
		t.Errorf("P1 alerts = %+v", all)
	}
}
