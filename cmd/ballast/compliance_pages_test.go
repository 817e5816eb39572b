package main

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCompliancePagesAndGuards: only compliance edits rules and the
// restricted list and handles alerts; everyone reads them; each edit is a
// new rule version; the batch runs from the alerts page.
func TestCompliancePagesAndGuards(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pages.db")
	base, _, stop := cliStartServe(t, path, "--compliance-batch-at", "off")
	defer stop()
	trader := signInAs(t, base, "trader")
	officer := signInAs(t, base, "compliance")

	code, page := trader.get("/compliance/rules")
	if code != http.StatusOK || !strings.Contains(page, "issuer-10") || strings.Contains(page, "Save rule") {
		t.Errorf("a trader's rules page: %d, editable %v", code, strings.Contains(page, "Save rule"))
	}
	edit := url.Values{"severity": {"hard"}, "limit": {"8"}, "warn_pct": {"90"}, "enabled": {"1"}, "reason": {"tighter"}}
	if code, _ := trader.post("/compliance/rules/issuer-10", edit); code != http.StatusForbidden {
		t.Errorf("a trader's rule edit answered %d, want 403", code)
	}
	if code, _ := trader.post("/compliance/restricted", url.Values{"symbol": {"AAPL"}, "mode": {"no_trade"}, "reason": {"x"}}); code != http.StatusForbidden {
		t.Errorf("a trader's restricted-list edit answered %d, want 403", code)
	}
	code, page = officer.post("/compliance/rules/issuer-10", edit)
	if code != http.StatusOK || !strings.Contains(page, "saved as a new version") {
		t.Fatalf("the officer's rule edit: %d\n%.300s", code, page)
	}
	bad := url.Values{"severity": {"medium"}, "limit": {"ten"}, "reason": {"x"}}
	if code, page := officer.post("/compliance/rules/issuer-10", bad); code != http.StatusUnprocessableEntity || !strings.Contains(page, "not a number") {
		t.Errorf("a bad edit answered %d", code)
	}
	if code, page := officer.post("/compliance/restricted", url.Values{"issuer": {"Meta Platforms"}, "mode": {"no_trade"}, "reason": {"legal hold"}}); code != http.StatusOK || !strings.Contains(page, "Meta Platforms") {
		t.Errorf("adding a restricted issuer: %d", code)
	}
	d := cliOpenDB(t, path)
	v, err := d.Rule(context.Background(), "issuer-10")
	if err != nil || v.Rule.Version != 2 || v.ChangedBy != "compliance" || v.Reason != "tighter" || v.Rule.Params.Limit.String() != "8" {
		t.Errorf("issuer-10 after the edit = %+v, %v", v, err)
	}
	if code, page := officer.post("/compliance/batch", url.Values{}); code != http.StatusOK || !strings.Contains(page, "Batch checked 6 portfolios") {
		t.Fatalf("run the batch now: %d\n%.300s", code, page)
	}
	alerts, _ := d.Alerts(context.Background(), nil, "")
	if len(alerts) == 0 {
		t.Fatal("the demo desk's batch raised no alert")
	}
	id := alerts[0].ID
	if code, _ := trader.post("/compliance/alerts/"+itoa(id), url.Values{"action": {"acknowledge"}}); code != http.StatusForbidden {
		t.Errorf("a trader acknowledged an alert: %d", code)
	}
	if code, _ := officer.post("/compliance/alerts/"+itoa(id), url.Values{"action": {"acknowledge"}, "note": {"looking"}}); code != http.StatusOK {
		t.Errorf("acknowledge: %d", code)
	}
	a, _ := d.Alert(context.Background(), id)
	if a.Status != "acknowledged" || a.AcknowledgedBy != "compliance" || a.Note != "looking" {
		t.Errorf("alert after acknowledge = %+v", a)
	}
	officer.token = cliToken(t, path, "compliance")
	if code, body := officer.postJSON("/api/v1/compliance/rules", `{"format":"ballast-rules/1","rules":[{"id":"x","name":"x","version":1,"kind":"long_only","severity":"odd"}]}`); code != http.StatusUnprocessableEntity || !strings.Contains(body, "problems") {
		t.Errorf("a bad API import: %d %s", code, body)
	}
	trader.token = cliToken(t, path, "trader")
	if code, _ := trader.postJSON("/api/v1/compliance/rules", `{}`); code != http.StatusForbidden {
		t.Errorf("a trader's API import answered %d, want 403", code)
	}
	if code, body := trader.get("/api/v1/compliance/alerts?status=acknowledged"); code != http.StatusOK || !strings.Contains(body, `"acknowledged"`) {
		t.Errorf("API alerts: %d %s", code, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
