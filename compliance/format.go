package compliance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"
)

// FormatName is the value of the "format" field of a rules file.
const FormatName = "ballast-rules/1"

// fileJSON is a rules file (FORMAT.md documents it).
type fileJSON struct {
	Format string     `json:"format"`
	Rules  []ruleJSON `json:"rules"`
}

// ruleJSON is one rule on the wire: identity, then the kind's parameters, flat.
type ruleJSON struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Version         int             `json:"version"`
	Kind            Kind            `json:"kind"`
	Severity        Severity        `json:"severity,omitempty"`
	Scope           Scope           `json:"scope,omitzero"`
	Limit           decimal.Decimal `json:"limit,omitzero"`
	WarnPct         decimal.Decimal `json:"warn_pct,omitzero"`
	Dimension       Dimension       `json:"dimension,omitempty"`
	Keys            []string        `json:"keys,omitempty"`
	Except          []string        `json:"except,omitempty"`
	Mode            Mode            `json:"mode,omitempty"`
	Symbols         []string        `json:"symbols,omitempty"`
	Issuers         []string        `json:"issuers,omitempty"`
	SoftBps         decimal.Decimal `json:"soft_bps,omitzero"`
	HardBps         decimal.Decimal `json:"hard_bps,omitzero"`
	Minutes         int             `json:"minutes,omitempty"`
	WorstCase       bool            `json:"worst_case,omitempty"`
	IssuerLimit     decimal.Decimal `json:"issuer_limit,omitzero"`
	BucketFloor     decimal.Decimal `json:"bucket_floor,omitzero"`
	BucketLimit     decimal.Decimal `json:"bucket_limit,omitzero"`
	GovernmentLimit decimal.Decimal `json:"government_limit,omitzero"`
	VotingLimit     decimal.Decimal `json:"voting_limit,omitzero"`
	ExemptIssuers   []string        `json:"exempt_issuers,omitempty"`
}

// RuleError is a problem with one rule of a rules file (Index counts from 0).
type RuleError struct {
	Index int
	ID    string
	Err   error
}

// Error returns "rule 2 (issuer-10): problem".
func (e RuleError) Error() string { return fmt.Sprintf("rule %d (%s): %v", e.Index, e.ID, e.Err) }

// Unwrap returns the underlying problem.
func (e RuleError) Unwrap() error { return e.Err }

// RuleErrors lists every bad rule of a file; when ParseRules returns it, no rule was accepted.
type RuleErrors []RuleError

// Error lists each problem on its own line.
func (e RuleErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rule(s), nothing imported", len(e))
	for _, re := range e {
		for _, line := range strings.Split(re.Error(), "\n") {
			b.WriteString("\n")
			if !strings.HasPrefix(line, "rule ") {
				line = fmt.Sprintf("rule %d (%s): %s", re.Index, re.ID, line)
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// ParseRules reads a rules file. It is all-or-nothing: any problem — bad JSON,
// an unknown field, an invalid rule or a duplicate id — returns no rules and an
// error that lists every problem found (RuleErrors for rule problems).
func ParseRules(r io.Reader) ([]Rule, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("compliance: parse rules: %w", err)
	}
	numbers, numErrs := ruleNumbers(b)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f fileJSON
	if err := dec.Decode(&f); err != nil {
		if len(numErrs) > 0 { // NaN fails the decoder too, less clearly
			return nil, fmt.Errorf("compliance: parse rules: %w", numErrs)
		}
		return nil, fmt.Errorf("compliance: parse rules: %w", err)
	}
	if dec.More() {
		return nil, errors.New("compliance: parse rules: unexpected data after the rules object")
	}
	if f.Format != FormatName {
		return nil, fmt.Errorf("compliance: parse rules: format %q, want %q", f.Format, FormatName)
	}
	rules := make([]Rule, len(f.Rules))
	var errs RuleErrors
	seen := map[string]int{}
	for i, w := range f.Rules {
		rules[i] = w.rule()
		if i < len(numbers) && numbers[i] != nil {
			errs = append(errs, RuleError{Index: i, ID: w.ID, Err: numbers[i]})
		} else if err := rules[i].Validate(); err != nil {
			errs = append(errs, RuleError{Index: i, ID: w.ID, Err: err})
		}
		if j, dup := seen[w.ID]; dup {
			errs = append(errs, RuleError{Index: i, ID: w.ID, Err: fmt.Errorf("id repeats rule %d", j)})
		}
		seen[w.ID] = i
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("compliance: parse rules: %w", errs)
	}
	return rules, nil
}

// MarshalRules writes rules as an indented rules file that ParseRules reads back.
func MarshalRules(rules []Rule) ([]byte, error) {
	f := fileJSON{Format: FormatName, Rules: make([]ruleJSON, len(rules))}
	for i, r := range rules {
		f.Rules[i] = wire(r)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("compliance: marshal rules: %w", err)
	}
	return b.Bytes(), nil
}

func (w ruleJSON) rule() Rule {
	return Rule{ID: w.ID, Name: w.Name, Version: w.Version, Kind: w.Kind, Severity: w.Severity, Scope: w.Scope,
		Params: Params{Limit: w.Limit, WarnPct: w.WarnPct, Dimension: w.Dimension, Keys: w.Keys, Except: w.Except, Mode: w.Mode,
			Symbols: w.Symbols, Issuers: w.Issuers, SoftBps: w.SoftBps, HardBps: w.HardBps, Minutes: w.Minutes,
			WorstCase: w.WorstCase, IssuerLimit: w.IssuerLimit, BucketFloor: w.BucketFloor, BucketLimit: w.BucketLimit,
			GovernmentLimit: w.GovernmentLimit, VotingLimit: w.VotingLimit, ExemptIssuers: w.ExemptIssuers}}
}

func wire(r Rule) ruleJSON {
	p := r.Params
	return ruleJSON{ID: r.ID, Name: r.Name, Version: r.Version, Kind: r.Kind, Severity: r.Severity, Scope: r.Scope,
		Limit: p.Limit, WarnPct: p.WarnPct, Dimension: p.Dimension, Keys: p.Keys, Except: p.Except, Mode: p.Mode, Symbols: p.Symbols,
		Issuers: p.Issuers, SoftBps: p.SoftBps, HardBps: p.HardBps, Minutes: p.Minutes, WorstCase: p.WorstCase,
		IssuerLimit: p.IssuerLimit, BucketFloor: p.BucketFloor, BucketLimit: p.BucketLimit,
		GovernmentLimit: p.GovernmentLimit, VotingLimit: p.VotingLimit, ExemptIssuers: p.ExemptIssuers}
}

// MarshalJSON writes one rule in the rules-file format (for storing a rule
// in a row or sending it over the API).
func (r Rule) MarshalJSON() ([]byte, error) { return json.Marshal(wire(r)) }

// UnmarshalJSON reads one rule in the rules-file format, refusing unknown
// fields; it does not validate (call Validate).
func (r *Rule) UnmarshalJSON(b []byte) error {
	if err := plainNumbers(b); err != nil {
		return fmt.Errorf("compliance: rule: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w ruleJSON
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("compliance: rule: %w", err)
	}
	*r = w.rule()
	return nil
}
