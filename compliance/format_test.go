package compliance

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRulesRoundTrip(t *testing.T) {
	sets := map[string][]Rule{"demo": DemoRules("AAPL", "XOM"), "synthetic": SyntheticRules()}
	full := rule("ucits-full", KindUCITS, Soft, Params{IssuerLimit: d("10"), BucketFloor: d("5"), BucketLimit: d("40"),
		GovernmentLimit: d("35"), ExemptIssuers: []string{"European Investment Bank"}, WarnPct: d("95")})
	full.Scope = Scope{Tag: "ucits", Portfolio: "EUR"}
	act := rule("act", KindAct1940, Hard, Params{Limit: d("75"), IssuerLimit: d("5"), VotingLimit: d("10")})
	keys := rule("energy", KindMaxWeight, Soft, Params{Dimension: BySector, Limit: d("12.5"), Keys: []string{"Energy"}})
	strict := rule("cash-strict", KindCashFloor, Hard, Params{Limit: d("1000.50"), WorstCase: true})
	sets["every parameter"] = []Rule{full, act, keys, strict}
	for name, rules := range sets {
		t.Run(name, func(t *testing.T) {
			for _, r := range rules {
				if err := r.Validate(); err != nil {
					t.Fatalf("%s: %v", r.ID, err)
				}
			}
			b, err := MarshalRules(rules)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseRules(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			again, _ := MarshalRules(back)
			if !bytes.Equal(b, again) || len(back) != len(rules) {
				t.Fatalf("round trip changed the file:\n%s\n---\n%s", b, again)
			}
			for i := range rules {
				a, z := rules[i], back[i]
				if a.ID != z.ID || a.Kind != z.Kind || a.Severity != z.Severity || a.Scope != z.Scope || a.Version != z.Version ||
					!a.Params.Limit.Equal(z.Params.Limit) || !a.Params.WarnPct.Equal(z.Params.WarnPct) ||
					strings.Join(a.Params.Symbols, ",") != strings.Join(z.Params.Symbols, ",") || a.Params.WorstCase != z.Params.WorstCase {
					t.Fatalf("rule %d: %+v became %+v", i, a, z)
				}
			}
		})
	}
}

func TestParseRulesReportsEveryProblemAndAcceptsNothing(t *testing.T) {
	file := `{"format": "ballast-rules/1", "rules": [
	  {"id": "ok", "name": "Fine", "version": 1, "kind": "long_only", "severity": "hard"},
	  {"id": "Bad ID", "name": "", "version": 0, "kind": "max_weight", "severity": "medium", "dimension": "planet", "limit": "-1"},
	  {"id": "collar", "name": "Collar", "version": 2, "kind": "price_collar", "soft_bps": "1000", "hard_bps": "500"},
	  {"id": "ok", "name": "Again", "version": 1, "kind": "long_only", "severity": "soft", "limit": "3"},
	  {"id": "rl", "name": "Restricted", "version": 1, "kind": "restricted", "severity": "hard", "mode": "never"},
	  {"id": "what", "name": "What", "version": 1, "kind": "astrology", "severity": "hard"}
	]}`
	rules, err := ParseRules(strings.NewReader(file))
	if rules != nil || err == nil {
		t.Fatalf("all or nothing: got %d rules, err %v", len(rules), err)
	}
	var re RuleErrors
	if !errors.As(err, &re) {
		t.Fatalf("want RuleErrors, got %T %v", err, err)
	}
	msg := err.Error()
	for _, want := range []string{
		`rule 1 (Bad ID): id "Bad ID"`, "rule 1 (Bad ID): name is empty", "rule 1 (Bad ID): version 0",
		`severity "medium"`, `dimension "planet"`, "limit -1 must be positive",
		"soft_bps 1000 must be below hard_bps 500", "rule 3 (ok): id repeats rule 0",
		"rule 3 (ok): limit is not a parameter of long_only", `mode "never"`, "the list is empty",
		`kind "astrology" is not one of`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

func TestParseRulesRejectsBadFiles(t *testing.T) {
	cases := map[string]string{
		"not json":        `{"format": "ballast-rules/1", "rules": [`,
		"unknown field":   `{"format": "ballast-rules/1", "rules": [{"id": "a", "name": "A", "version": 1, "kind": "long_only", "severity": "hard", "colour": "red"}]}`,
		"wrong format":    `{"format": "other/2", "rules": []}`,
		"trailing data":   `{"format": "ballast-rules/1", "rules": []} {}`,
		"not a decimal":   `{"format": "ballast-rules/1", "rules": [{"id": "a", "name": "A", "version": 1, "kind": "max_order_quantity", "severity": "hard", "limit": "lots"}]}`,
		"warn_pct >= 100": `{"format": "ballast-rules/1", "rules": [{"id": "a", "name": "A", "version": 1, "kind": "max_order_quantity", "severity": "hard", "limit": "5", "warn_pct": "100"}]}`,
	}
	for name, file := range cases {
		if rules, err := ParseRules(strings.NewReader(file)); err == nil || rules != nil {
			t.Errorf("%s: accepted (%d rules)", name, len(rules))
		}
	}
	rules, err := ParseRules(strings.NewReader(`{"format": "ballast-rules/1", "rules": []}`))
	if err != nil || len(rules) != 0 {
		t.Fatalf("an empty rule set is valid: %v", err)
	}
}

func TestDemoRulesLeaveOutAnEmptyRestrictedList(t *testing.T) {
	for _, r := range DemoRules() {
		if r.Kind == KindRestricted {
			t.Fatal("no symbols, no restricted rule")
		}
	}
	var ucits bool
	for _, r := range DemoRules("X", "Y") {
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		ucits = ucits || (r.Kind == KindUCITS && r.Scope.Tag == "ucits")
	}
	if !ucits {
		t.Fatal("UCITS 5/10/40 applies to portfolios tagged ucits")
	}
}

func TestRuleJSONIsTheFileFormat(t *testing.T) {
	r := DemoRules("AAPL")[2]
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"id":"restricted","name":"Restricted list","version":1,"kind":"restricted","severity":"hard","mode":"no_buy","symbols":["AAPL"]}` {
		t.Fatalf("%s", b)
	}
	var back Rule
	if err := json.Unmarshal(b, &back); err != nil || back.ID != r.ID || back.Params.Mode != NoBuy || back.Params.Symbols[0] != "AAPL" {
		t.Fatalf("%v %+v", err, back)
	}
	if err := json.Unmarshal([]byte(`{"id":"x","colour":"red"}`), &back); err == nil {
		t.Fatal("unknown field accepted")
	}
}
