package db

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
)

func seededTest(t *testing.T) *DB {
	t.Helper()
	d := openTest(t)
	if _, err := d.SeedDemo(context.Background(), "x"); err != nil {
		t.Fatalf("SeedDemo: %v", err)
	}
	return d
}

func TestDemoRulesSeeded(t *testing.T) {
	d := seededTest(t)
	rules, err := d.ActiveRules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != len(compliance.DemoRules("A", "B")) {
		t.Fatalf("active rules = %d, want %d", len(rules), len(compliance.DemoRules("A", "B")))
	}
	list, err := d.RestrictedList(context.Background())
	if err != nil || len(list) != 2 || list[0].Symbol != "NVDA" || list[1].Symbol != "VOD" {
		t.Fatalf("restricted list = %+v, %v; want NVDA and VOD", list, err)
	}
	for _, r := range rules {
		if r.Version != 1 {
			t.Errorf("rule %s version %d, want 1", r.ID, r.Version)
		}
	}
}

func TestRuleVersionsAndAudit(t *testing.T) {
	d := seededTest(t)
	ctx := context.Background()
	v, err := d.Rule(ctx, "issuer-10")
	if err != nil {
		t.Fatal(err)
	}
	r := v.Rule
	r.Params.Limit = decimal.NewFromInt(8)
	n, err := d.SaveRules(ctx, []RuleChange{{Rule: r, Enabled: true}}, "carol", "tighter limit", false)
	if err != nil || n != 1 {
		t.Fatalf("SaveRules = %d, %v; want 1 version", n, err)
	}
	if n, err := d.SaveRules(ctx, []RuleChange{{Rule: r, Enabled: true}}, "carol", "same again", false); err != nil || n != 0 {
		t.Fatalf("saving an unchanged rule = %d, %v; want 0 versions", n, err)
	}
	if err := d.SetRuleEnabled(ctx, "issuer-10", false, "carol", "paused"); err != nil {
		t.Fatal(err)
	}
	h, err := d.RuleHistory(ctx, "issuer-10")
	if err != nil || len(h) != 3 {
		t.Fatalf("history = %d versions, %v; want 3", len(h), err)
	}
	if h[0].Rule.Version != 3 || h[0].Enabled || h[0].ChangedBy != "carol" || h[0].Reason != "paused" {
		t.Errorf("latest = %+v", h[0])
	}
	if h[1].Rule.Version != 2 || !h[1].Rule.Params.Limit.Equal(decimal.NewFromInt(8)) || h[1].Reason != "tighter limit" {
		t.Errorf("v2 = %+v", h[1])
	}
	active, _ := d.ActiveRules(ctx)
	for _, a := range active {
		if a.ID == "issuer-10" {
			t.Error("a disabled rule is still active")
		}
	}
	if _, err := d.Writer().ExecContext(ctx, `UPDATE compliance_rule_versions SET reason = 'x'`); err == nil {
		t.Error("rule versions accepted an update")
	}
	if _, err := d.Writer().ExecContext(ctx, `DELETE FROM compliance_rule_versions`); err == nil {
		t.Error("rule versions accepted a delete")
	}
}

func TestSaveRulesAllOrNothing(t *testing.T) {
	d := seededTest(t)
	ctx := context.Background()
	good := compliance.Rule{ID: "sec-5", Name: "Security 5%", Kind: compliance.KindMaxWeight, Severity: compliance.Hard,
		Params: compliance.Params{Dimension: compliance.BySecurity, Limit: decimal.NewFromInt(5)}}
	bad1 := compliance.Rule{ID: "Bad ID", Name: "x", Kind: compliance.KindLongOnly, Severity: "medium"}
	bad2 := compliance.Rule{ID: "lo", Name: "x", Kind: compliance.KindLongOnly, Severity: compliance.Hard,
		Params: compliance.Params{Limit: decimal.NewFromInt(1)}}
	_, err := d.SaveRules(ctx, []RuleChange{{Rule: good, Enabled: true}, {Rule: bad1}, {Rule: bad2}}, "cli", "import", true)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{"rule 1 (Bad ID)", "severity", "rule 2 (lo)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := d.Rule(ctx, "sec-5"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a rule of a refused import was written: %v", err)
	}
	n, err := d.SaveRules(ctx, []RuleChange{{Rule: good, Enabled: true}}, "cli", "import", true)
	if err != nil {
		t.Fatal(err)
	}
	active, _ := d.ActiveRules(ctx)
	if len(active) != 1 || active[0].ID != "sec-5" || n != 1+len(compliance.DemoRules("a")) {
		t.Errorf("after an import with disableOthers: %d versions, active %+v", n, active)
	}
}

func TestRestrictedListEdits(t *testing.T) {
	d := seededTest(t)
	ctx := context.Background()
	if err := d.AddRestriction(ctx, compliance.RestrictedEntry{Mode: compliance.NoTrade, Symbol: "AAPL"}, "carol", "legal hold"); err != nil {
		t.Fatal(err)
	}
	if err := d.AddRestriction(ctx, compliance.RestrictedEntry{Mode: compliance.NoBuy, Issuer: "Meta Platforms"}, "carol", "watch"); err != nil {
		t.Fatal(err)
	}
	if err := d.AddRestriction(ctx, compliance.RestrictedEntry{Mode: "maybe", Symbol: "X"}, "carol", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad mode: %v", err)
	}
	v, _ := d.Rule(ctx, "restricted")
	if v.Rule.Version != 2 || len(v.Rule.Params.Issuers) != 1 {
		t.Errorf("no_buy rule = %+v", v)
	}
	nt, err := d.Rule(ctx, "restricted-no-trade")
	if err != nil || nt.Rule.Params.Symbols[0] != "AAPL" || !nt.Enabled {
		t.Fatalf("no_trade rule = %+v, %v", nt, err)
	}
	if err := d.RemoveRestriction(ctx, compliance.RestrictedEntry{RuleID: "restricted-no-trade", Symbol: "AAPL"}, "carol", "lifted"); err != nil {
		t.Fatal(err)
	}
	nt, _ = d.Rule(ctx, "restricted-no-trade")
	if nt.Enabled || nt.Rule.Version != 2 {
		t.Errorf("emptied rule = %+v, want disabled v2", nt)
	}
	list, _ := d.RestrictedList(ctx)
	if len(list) != 3 {
		t.Errorf("restricted list = %+v, want NVDA, VOD, Meta Platforms", list)
	}
}
