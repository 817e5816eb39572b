package compliance

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ballast-oms/ballast/portfolio"
)

// decimalFields are the rules-file fields that hold a decimal.
var decimalFields = []string{"limit", "warn_pct", "soft_bps", "hard_bps", "issuer_limit", "bucket_floor",
	"bucket_limit", "government_limit", "voting_limit"}

// plainNumbers refuses a decimal field of one rule, as written in a rules
// file or an API body, that is not a plain decimal number (as a JSON string
// or number): exponents (1e1), NaN, infinities and more digits than Ballast
// keeps are refused with the field's name, as in imports and forms. The
// decimal library would read 1e400 or 0.000…1 with thirty places.
func plainNumbers(raw json.RawMessage) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil // the decoder that follows says what is wrong with it
	}
	var problems []string
	for _, name := range decimalFields {
		v, ok := fields[name]
		if !ok {
			continue
		}
		text := strings.TrimSpace(string(v))
		if text == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			s = text // a JSON number: its literal text
		}
		if _, err := portfolio.ParseDecimal(s); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// ruleNumbers checks the decimal fields of every rule of a rules file: the
// problem of each rule by index (nil when its numbers are plain), and the
// problems as RuleErrors.
func ruleNumbers(file []byte) ([]error, RuleErrors) {
	var raw struct {
		Rules []json.RawMessage `json:"rules"`
	}
	if json.Unmarshal(file, &raw) != nil {
		return nil, nil
	}
	byIndex := make([]error, len(raw.Rules))
	var errs RuleErrors
	for i, r := range raw.Rules {
		if byIndex[i] = plainNumbers(r); byIndex[i] != nil {
			var id struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(r, &id)
			errs = append(errs, RuleError{Index: i, ID: id.ID, Err: byIndex[i]})
		}
	}
	return byIndex, errs
}
