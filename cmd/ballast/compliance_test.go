package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/compliance"
)

func TestRulesExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	res := cliRun(t, dir, "", "rules", "export")
	if res.err != nil {
		t.Fatalf("export: %v", res.err)
	}
	rules, err := compliance.ParseRules(strings.NewReader(res.stdout))
	if err != nil || len(rules) != len(compliance.DemoRules("a", "b")) {
		t.Fatalf("exported file: %d rules, %v\n%s", len(rules), err, res.stdout)
	}
	edited := strings.Replace(res.stdout, `"limit": "10"`, `"limit": "8"`, 1)
	file := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(file, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	res = cliRun(t, dir, "", "rules", "import", file, "--reason", "tighter issuer limit")
	if res.err != nil || !strings.Contains(res.stdout, "1 new version(s)") {
		t.Fatalf("import: %v\n%s", res.err, res.stdout)
	}
	d := openCLIDB(t, dir)
	v, err := d.Rule(context.Background(), "issuer-10")
	if err != nil || v.Rule.Version != 2 || v.ChangedBy != "cli" || v.Reason != "tighter issuer limit" {
		t.Errorf("issuer-10 after import = %+v, %v", v, err)
	}
	bad := `{"format": "ballast-rules/1", "rules": [{"id": "Bad ID", "name": "x", "version": 1, "kind": "long_only", "severity": "medium"},
		{"id": "ok", "name": "x", "version": 1, "kind": "long_only", "severity": "hard", "limit": "3"}]}`
	res = cliRun(t, dir, bad, "rules", "import", "-")
	if res.err == nil || !strings.Contains(res.err.Error(), "rule 0 (Bad ID)") || !strings.Contains(res.err.Error(), "rule 1 (ok)") {
		t.Errorf("a bad file: %v; want every problem listed", res.err)
	}
	if active, _ := d.ActiveRules(context.Background()); len(active) != len(rules) {
		t.Errorf("a refused import changed the rule set: %d active", len(active))
	}
}

func TestComplianceBatchStoresAlertsOnce(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	var first batchResult
	res := cliRun(t, dir, "", "compliance", "batch", "--format", "json")
	if res.err != nil {
		t.Fatalf("batch: %v\n%s", res.err, res.stderr)
	}
	if err := json.Unmarshal([]byte(res.stdout), &first); err != nil {
		t.Fatal(err)
	}
	if first.Portfolios != 6 || first.Run.Opened != len(first.Alerts) {
		t.Errorf("first batch = %+v", first)
	}
	res = cliRun(t, dir, "", "compliance", "batch", "--portfolio", "US-LC")
	if res.err != nil || !strings.Contains(res.stdout, "over 1 portfolio(s)") || !strings.Contains(res.stdout, "0 new") {
		t.Errorf("second batch: %v\n%s", res.err, res.stdout)
	}
	d := openCLIDB(t, dir)
	all, _ := d.Alerts(context.Background(), nil, "")
	if len(all) != len(first.Alerts) {
		t.Errorf("%d stored alerts after two batches, want %d (no duplicates)", len(all), len(first.Alerts))
	}
}

func TestRebalanceJSONCarriesCompliance(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	res := cliRun(t, dir, "", "rebalance", "--all", "--format", "json", "--collar-bps", "50")
	if res.err != nil {
		t.Fatalf("rebalance: %v\n%s", res.err, res.stderr)
	}
	var out planJSON
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatal(err)
	}
	sawRestricted := false
	for _, tr := range out.Trades {
		if tr.Compliance == nil || (tr.Compliance.Status != "pass" && tr.Compliance.Status != "warn" && tr.Compliance.Status != "fail") {
			t.Fatalf("trade %+v has no compliance status", tr)
		}
		if tr.Symbol == "NVDA" && tr.Side == "buy" {
			sawRestricted = true
			if tr.Compliance.Status != "fail" || !hasBreach(tr.Compliance, "restricted") {
				t.Errorf("a buy of restricted NVDA = %+v, want fail on restricted", tr.Compliance)
			}
		}
	}
	if !sawRestricted {
		t.Error("the demo rebalance buys no NVDA; the test needs a restricted buy")
	}
	if !strings.Contains(res.stdout, `"breaches"`) {
		t.Error("no breaches array in the JSON")
	}
}

func hasBreach(c *tradeCompliance, rule string) bool {
	for _, b := range c.Breaches {
		if b.Rule == rule && b.Value != "" && b.Limit != "" {
			return true
		}
	}
	return false
}

func TestBenchComplianceSmall(t *testing.T) {
	res := cliRun(t, t.TempDir(), "", "bench", "compliance", "--portfolios", "50", "--positions", "20", "--rounds", "1")
	if res.err != nil || !strings.Contains(res.stdout, "checked 50 portfolios") {
		t.Errorf("bench compliance: %v\n%s", res.err, res.stdout)
	}
}

func TestDailyBatchSchedule(t *testing.T) {
	cases := []struct {
		at      string
		on      bool
		bad     bool
		now     time.Time
		nextRun time.Time
	}{
		{at: "off"},
		{at: ""},
		{at: "18:00", on: true, now: time.Date(2026, 11, 21, 17, 59, 0, 0, time.UTC), nextRun: time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC)},
		{at: "18:00", on: true, now: time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC), nextRun: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)},
		{at: "06:30", on: true, now: time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), nextRun: time.Date(2027, 1, 1, 6, 30, 0, 0, time.UTC)},
		{at: "25:00", bad: true},
		{at: "6pm", bad: true},
	}
	for _, c := range cases {
		h, m, on, err := parseBatchAt(c.at)
		if (err != nil) != c.bad || on != c.on {
			t.Errorf("parseBatchAt(%q) = on %v, err %v", c.at, on, err)
			continue
		}
		if on {
			if got := nextBatch(c.now, h, m); !got.Equal(c.nextRun) {
				t.Errorf("next run after %s at %s = %s, want %s", c.now, c.at, got, c.nextRun)
			}
		}
	}
}
