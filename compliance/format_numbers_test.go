package compliance

import (
	"errors"
	"strings"
	"testing"
)

// A rule's decimals are plain numbers, as in imports and forms: exponents,
// NaN and more digits than Ballast keeps are refused, naming the field.
func TestRulesFileNumbersArePlainDecimals(t *testing.T) {
	rule := func(field, value string) string {
		return `{"format":"ballast-rules/1","rules":[{"id":"sector","name":"Sector","version":1,"kind":"max_weight",` +
			`"severity":"hard","dimension":"sector","limit":"30",` + `"` + field + `":` + value + `}]}`
	}
	for _, tc := range []struct {
		field, value, want string // want "" means accepted
	}{
		{"warn_pct", `"90"`, ""},
		{"warn_pct", `90`, ""},
		{"warn_pct", `"90.5"`, ""},
		{"warn_pct", `"9e1"`, "warn_pct:"},
		{"warn_pct", `9e1`, "warn_pct:"},
		{"warn_pct", `"NaN"`, "warn_pct:"},
		{"warn_pct", `"Infinity"`, "warn_pct:"},
		{"warn_pct", `"0.000000000000000000000000000001"`, "warn_pct:"},
		{"warn_pct", `123456789012345678901234567890`, "warn_pct:"},
		{"limit", `"1e400"`, "limit:"},
	} {
		rules, err := ParseRules(strings.NewReader(rule(tc.field, tc.value)))
		if tc.want == "" {
			if err != nil || len(rules) != 1 {
				t.Errorf("%s %s: refused: %v", tc.field, tc.value, err)
			}
			continue
		}
		var re RuleErrors
		if err == nil || rules != nil || !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: got %d rules, %v; want a rule error naming %q", tc.field, tc.value, len(rules), err, tc.want)
		}
	}
	// One rule alone, as the API and the stored rule versions read it.
	var r Rule
	if err := r.UnmarshalJSON([]byte(`{"id":"x","name":"X","version":1,"kind":"max_weight","severity":"hard","dimension":"sector","limit":"3e1"}`)); err == nil || !strings.Contains(err.Error(), "limit:") {
		t.Errorf("one rule with limit 3e1: %v", err)
	}
}
