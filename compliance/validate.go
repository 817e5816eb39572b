package compliance

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// params lists, per kind, the parameters it reads (their JSON names).
var params = map[Kind][]string{
	KindRestricted:  {"mode", "symbols", "issuers"},
	KindMaxWeight:   {"dimension", "limit", "warn_pct", "keys", "except"},
	KindMinHoldings: {"limit", "warn_pct"},
	KindCashFloor:   {"limit", "warn_pct", "worst_case"},
	KindLongOnly:    {},
	KindMaxGross:    {"limit", "warn_pct"},
	KindMaxNotional: {"limit", "warn_pct"},
	KindMaxQuantity: {"limit", "warn_pct"},
	KindPriceCollar: {"soft_bps", "hard_bps", "warn_pct"},
	KindMaxADV:      {"limit", "warn_pct"},
	KindDuplicate:   {"minutes"},
	KindUCITS:       {"issuer_limit", "bucket_floor", "bucket_limit", "government_limit", "exempt_issuers", "warn_pct"},
	KindAct1940:     {"limit", "issuer_limit", "voting_limit", "warn_pct"},
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Validate reports every problem with the rule, joined; nil when it is usable.
func (r Rule) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !idPattern.MatchString(r.ID) {
		bad("id %q must be 1-64 characters of a-z, 0-9, '.', '_' or '-'", r.ID)
	}
	if strings.TrimSpace(r.Name) == "" {
		bad("name is empty")
	}
	if r.Version < 1 {
		bad("version %d must be at least 1", r.Version)
	}
	used, known := params[r.Kind]
	if !known {
		bad("kind %q is not one of %s", r.Kind, kindList())
		return errors.Join(errs...)
	}
	if r.Kind == KindPriceCollar {
		if r.Severity != "" && r.Severity != Hard && r.Severity != Soft {
			bad("severity %q is not hard or soft", r.Severity)
		}
	} else if r.Severity != Hard && r.Severity != Soft {
		bad("severity %q is not hard or soft", r.Severity)
	}
	for _, p := range setParams(r.Params) {
		if !slices.Contains(used, p) {
			takes := "it takes none"
			if len(used) > 0 {
				takes = "it takes: " + strings.Join(used, ", ")
			}
			bad("%s is not a parameter of %s (%s)", p, r.Kind, takes)
		}
	}
	if w := r.Params.WarnPct; !w.IsZero() && (!w.IsPositive() || w.Cmp(hundred) >= 0) {
		bad("warn_pct %s must be between 0 and 100 (exclusive)", w)
	}
	for _, msg := range kindProblems(r) {
		bad("%s", msg)
	}
	return errors.Join(errs...)
}

// kindProblems checks the parameters a kind requires.
func kindProblems(r Rule) []string {
	p := r.Params
	var out []string
	positive := func(name string, d decimal.Decimal) {
		if !d.IsPositive() {
			out = append(out, fmt.Sprintf("%s %s must be positive", name, d))
		}
	}
	optional := func(name string, d decimal.Decimal) {
		if d.IsNegative() {
			out = append(out, fmt.Sprintf("%s %s must not be negative", name, d))
		}
	}
	switch r.Kind {
	case KindRestricted:
		if p.Mode != NoTrade && p.Mode != NoBuy && p.Mode != SellOnly {
			out = append(out, fmt.Sprintf("mode %q is not no_trade, no_buy or sell_only", p.Mode))
		}
		if len(p.Symbols)+len(p.Issuers) == 0 {
			out = append(out, "the list is empty: give symbols or issuers")
		}
	case KindMaxWeight:
		if !slices.Contains(Dimensions, p.Dimension) {
			out = append(out, fmt.Sprintf("dimension %q is not security, issuer, sector, country or asset_class", p.Dimension))
		}
		positive("limit", p.Limit)
		if len(p.Keys) > 0 && len(p.Except) > 0 {
			out = append(out, "give keys or except, not both")
		}
	case KindMinHoldings:
		positive("limit", p.Limit)
		if !p.Limit.Equal(p.Limit.Truncate(0)) {
			out = append(out, fmt.Sprintf("limit %s must be a whole number", p.Limit))
		}
	case KindCashFloor:
		if p.WarnPct.IsPositive() && !p.Limit.IsPositive() {
			out = append(out, "warn_pct on a cash floor needs a positive limit")
		}
	case KindMaxGross, KindMaxNotional, KindMaxQuantity, KindMaxADV:
		positive("limit", p.Limit)
	case KindPriceCollar:
		optional("soft_bps", p.SoftBps)
		optional("hard_bps", p.HardBps)
		if !p.SoftBps.IsPositive() && !p.HardBps.IsPositive() {
			out = append(out, "give soft_bps, hard_bps or both")
		}
		if p.SoftBps.IsPositive() && p.HardBps.IsPositive() && p.SoftBps.Cmp(p.HardBps) >= 0 {
			out = append(out, fmt.Sprintf("soft_bps %s must be below hard_bps %s", p.SoftBps, p.HardBps))
		}
	case KindDuplicate:
		if p.Minutes < 1 {
			out = append(out, fmt.Sprintf("minutes %d must be at least 1", p.Minutes))
		}
	case KindUCITS:
		for name, d := range map[string]decimal.Decimal{"issuer_limit": p.IssuerLimit, "bucket_floor": p.BucketFloor,
			"bucket_limit": p.BucketLimit, "government_limit": p.GovernmentLimit} {
			optional(name, d)
		}
		if orDefault(p.BucketFloor, 5).Cmp(orDefault(p.IssuerLimit, 10)) >= 0 {
			out = append(out, "bucket_floor must be below issuer_limit")
		}
	case KindAct1940:
		optional("limit", p.Limit)
		optional("issuer_limit", p.IssuerLimit)
		optional("voting_limit", p.VotingLimit)
		if p.Limit.Cmp(hundred) > 0 {
			out = append(out, fmt.Sprintf("limit %s must be at most 100", p.Limit))
		}
	}
	return out
}

// setParams names the parameters that are set (non-zero).
func setParams(p Params) []string {
	var out []string
	add := func(name string, set bool) {
		if set {
			out = append(out, name)
		}
	}
	add("limit", !p.Limit.IsZero())
	add("warn_pct", !p.WarnPct.IsZero())
	add("dimension", p.Dimension != "")
	add("keys", len(p.Keys) > 0)
	add("except", len(p.Except) > 0)
	add("mode", p.Mode != "")
	add("symbols", len(p.Symbols) > 0)
	add("issuers", len(p.Issuers) > 0)
	add("soft_bps", !p.SoftBps.IsZero())
	add("hard_bps", !p.HardBps.IsZero())
	add("minutes", p.Minutes != 0)
	add("worst_case", p.WorstCase)
	add("issuer_limit", !p.IssuerLimit.IsZero())
	add("bucket_floor", !p.BucketFloor.IsZero())
	add("bucket_limit", !p.BucketLimit.IsZero())
	add("government_limit", !p.GovernmentLimit.IsZero())
	add("voting_limit", !p.VotingLimit.IsZero())
	add("exempt_issuers", len(p.ExemptIssuers) > 0)
	return out
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
