package db

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ballast-oms/ballast/compliance"
)

// AddRestriction puts a security (symbol) or an issuer on the restricted list
// under mode: it becomes a new version of the enabled restricted rule of that
// mode (created as "restricted-MODE", hard, when there is none).
func (d *DB) AddRestriction(ctx context.Context, r compliance.RestrictedEntry, by, reason string) error {
	if (r.Symbol == "") == (r.Issuer == "") {
		return fmt.Errorf("db: add restriction: give a symbol or an issuer: %w", ErrInvalid)
	}
	switch r.Mode {
	case compliance.NoTrade, compliance.NoBuy, compliance.SellOnly:
	default:
		return fmt.Errorf("db: add restriction: mode %q is not no_trade, no_buy or sell_only: %w", r.Mode, ErrInvalid)
	}
	all, err := d.Rules(ctx)
	if err != nil {
		return err
	}
	rule := compliance.Rule{ID: "restricted-" + strings.ReplaceAll(string(r.Mode), "_", "-"), Kind: compliance.KindRestricted,
		Name: "Restricted list (" + strings.ReplaceAll(string(r.Mode), "_", " ") + ")", Severity: compliance.Hard,
		Params: compliance.Params{Mode: r.Mode}}
	for _, v := range all {
		if v.Enabled && v.Rule.Kind == compliance.KindRestricted && v.Rule.Params.Mode == r.Mode {
			rule = v.Rule
			break
		}
	}
	p := &rule.Params
	if r.Symbol != "" && !slices.Contains(p.Symbols, r.Symbol) {
		p.Symbols = append(slices.Clone(p.Symbols), r.Symbol)
	}
	if r.Issuer != "" && !slices.Contains(p.Issuers, r.Issuer) {
		p.Issuers = append(slices.Clone(p.Issuers), r.Issuer)
	}
	_, err = d.SaveRules(ctx, []RuleChange{{Rule: rule, Enabled: true}}, by, reason, false)
	return err
}

// RemoveRestriction takes a security or issuer off restricted rule r.RuleID
// with a new version of it; a rule left with no entry is disabled.
func (d *DB) RemoveRestriction(ctx context.Context, r compliance.RestrictedEntry, by, reason string) error {
	v, err := d.Rule(ctx, r.RuleID)
	if err != nil {
		return err
	}
	if v.Rule.Kind != compliance.KindRestricted {
		return fmt.Errorf("db: remove restriction: rule %s is not a restricted list: %w", r.RuleID, ErrInvalid)
	}
	p := &v.Rule.Params
	p.Symbols = slices.DeleteFunc(slices.Clone(p.Symbols), func(s string) bool { return s == r.Symbol })
	p.Issuers = slices.DeleteFunc(slices.Clone(p.Issuers), func(s string) bool { return s == r.Issuer })
	enabled := v.Enabled && len(p.Symbols)+len(p.Issuers) > 0
	if !enabled {
		// an empty list does not validate; keep the last entry in the disabled version
		v2, _ := d.Rule(ctx, r.RuleID)
		v.Rule.Params = v2.Rule.Params
	}
	_, err = d.SaveRules(ctx, []RuleChange{{Rule: v.Rule, Enabled: enabled}}, by, reason, false)
	return err
}

// RestrictedList lists every entry of the enabled restricted rules.
func (d *DB) RestrictedList(ctx context.Context) ([]compliance.RestrictedEntry, error) {
	rules, err := d.ActiveRules(ctx)
	if err != nil {
		return nil, err
	}
	var out []compliance.RestrictedEntry
	for _, r := range rules {
		if r.Kind != compliance.KindRestricted {
			continue
		}
		for _, s := range r.Params.Symbols {
			out = append(out, compliance.RestrictedEntry{RuleID: r.ID, Mode: r.Params.Mode, Symbol: s})
		}
		for _, s := range r.Params.Issuers {
			out = append(out, compliance.RestrictedEntry{RuleID: r.ID, Mode: r.Params.Mode, Issuer: s})
		}
	}
	return out, nil
}
