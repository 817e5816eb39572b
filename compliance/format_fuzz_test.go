package compliance

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzParseRules feeds arbitrary bytes to the rules file reader. For any
// input it must not panic; a refusal is a "compliance: parse rules" error and
// never comes with rules; a rule problem names its index; and an accepted
// file holds only valid rules that MarshalRules writes and ParseRules reads
// back to the same rules (decimals exact: compared by their String).
func FuzzParseRules(f *testing.F) {
	demo, err := MarshalRules(DemoRules("ZZZ"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"format":"ballast-rules/1"}`, `{"format":"ballast-rules/1","rules":[]}`,
		`{"format":"ballast-rules/1","rules":[{"id":"issuer-10","name":"Issuer at most 10%","version":1,"kind":"max_weight","severity":"hard","dimension":"issuer","limit":"10","warn_pct":"90"}]}`,
		`{"format":"ballast-rules/1","rules":[{"id":"ucits","name":"UCITS","version":1,"kind":"ucits_5_10_40","severity":"hard","scope":{"tag":"ucits"}}]}`,
		`{"format":"ballast-rules/1","rules":[{"id":"a","name":"A","version":1,"kind":"max_weight","severity":"soft","dimension":"sector","limit":1e2}]}`,
		`{"format":"ballast-rules/1","rules":[{"id":"a","name":"A","version":1,"kind":"max_weight","severity":"hard","dimension":"issuer","limit":"10.000000000000000000000000000001"},{"id":"a","name":"dup","version":1,"kind":"long_only","severity":"hard"}]}`,
		`{"format":"ballast-rules/1","rules":[{"id":"Bad ID","name":"x","version":0,"kind":"long_only","severity":"medium","limit":"-1"}]}`,
		`{"format":"ballast-rules/1","rules":[{"id":"x","name":"x","version":1,"kind":"max_weight","severity":"hard","limit":"NaN"}]}`,
		`{"format":"ballast-rules/1","rules":[],"extra":1}`,
		`{"format":"ballast-rules/1","rules":[]} {"format":"ballast-rules/1"}`,
		`{"format":"ballast-rules/2","rules":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := ParseRules(bytes.NewReader(data))
		if err != nil {
			if rules != nil {
				t.Fatalf("refused with %d rules", len(rules))
			}
			if !strings.HasPrefix(err.Error(), "compliance: parse rules: ") {
				t.Fatalf("unclear error: %v", err)
			}
			var re RuleErrors
			if errors.As(err, &re) {
				for _, e := range re {
					if e.Err == nil || e.Index < 0 {
						t.Fatalf("rule error without a problem or index: %+v", e)
					}
				}
			}
			return
		}
		for _, r := range rules {
			if err := r.Validate(); err != nil {
				t.Fatalf("accepted an invalid rule %q: %v", r.ID, err)
			}
		}
		out, err := MarshalRules(rules)
		if err != nil {
			t.Fatalf("accepted rules do not marshal: %v", err)
		}
		again, err := ParseRules(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("marshalled rules do not parse back: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normalise(reflect.ValueOf(rules)), normalise(reflect.ValueOf(again))) {
			t.Fatalf("rules changed on the way back:\n%+v\n%+v", rules, again)
		}
	})
}

var decimalType = reflect.TypeOf(decimal.Decimal{})

// normalise turns a value into maps, slices and plain values, with decimals
// as their canonical String and nil and empty slices alike.
func normalise(v reflect.Value) any {
	switch {
	case v.Type() == decimalType:
		return v.Interface().(decimal.Decimal).String()
	case v.Kind() == reflect.Struct:
		m := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				m[v.Type().Field(i).Name] = normalise(v.Field(i))
			}
		}
		return m
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalise(v.Index(i))
		}
		return out
	case v.Kind() == reflect.Map:
		m := map[any]any{}
		for _, k := range v.MapKeys() {
			m[k.Interface()] = normalise(v.MapIndex(k))
		}
		return m
	}
	return v.Interface()
}
