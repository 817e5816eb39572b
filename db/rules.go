package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ballast-oms/ballast/compliance"
)

// latestRules selects the latest version row of every rule.
const latestRules = `SELECT v.rule_id, v.version, v.enabled, v.body, v.changed_by, v.changed_at, v.reason
	FROM compliance_rule_versions v
	WHERE v.version = (SELECT max(version) FROM compliance_rule_versions w WHERE w.rule_id = v.rule_id)
	ORDER BY v.rule_id`

// Rules returns the latest version of every rule, enabled or not, by id.
func (d *DB) Rules(ctx context.Context) ([]compliance.VersionedRule, error) {
	rows, err := d.reader.QueryContext(ctx, latestRules)
	if err != nil {
		return nil, fmt.Errorf("db: rules: %w", err)
	}
	out, err := collectRules(rows)
	if err != nil {
		return nil, fmt.Errorf("db: rules: %w", err)
	}
	return out, nil
}

// ActiveRules returns the rules in force: the latest version of each rule,
// when that version is enabled, by id.
func (d *DB) ActiveRules(ctx context.Context) ([]compliance.Rule, error) {
	all, err := d.Rules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]compliance.Rule, 0, len(all))
	for _, v := range all {
		if v.Enabled {
			out = append(out, v.Rule)
		}
	}
	return out, nil
}

// RuleHistory returns every version of rule id, newest first.
func (d *DB) RuleHistory(ctx context.Context, id string) ([]compliance.VersionedRule, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT rule_id, version, enabled, body, changed_by, changed_at, reason
		FROM compliance_rule_versions WHERE rule_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("db: rule %s history: %w", id, err)
	}
	out, err := collectRules(rows)
	if err != nil {
		return nil, fmt.Errorf("db: rule %s history: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("db: rule %s: %w", id, ErrNotFound)
	}
	return out, nil
}

// Rule returns the latest version of rule id.
func (d *DB) Rule(ctx context.Context, id string) (compliance.VersionedRule, error) {
	h, err := d.RuleHistory(ctx, id)
	if err != nil {
		return compliance.VersionedRule{}, err
	}
	return h[0], nil
}

func collectRules(rows *sql.Rows) ([]compliance.VersionedRule, error) {
	defer rows.Close()
	var out []compliance.VersionedRule
	for rows.Next() {
		var v compliance.VersionedRule
		var id, body, at string
		var version int
		if err := rows.Scan(&id, &version, &v.Enabled, &body, &v.ChangedBy, &at, &v.Reason); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &v.Rule); err != nil {
			return nil, fmt.Errorf("rule %s v%d: %w", id, version, err)
		}
		v.Rule.ID, v.Rule.Version = id, version
		var err error
		if v.ChangedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RuleChange is one rule to store: the rule (its Version is ignored; the store
// assigns the next one) and whether it is enabled.
type RuleChange struct {
	Rule    compliance.Rule
	Enabled bool
}

// SaveRules stores changes all or nothing: every rule is validated first and
// every problem reported (compliance.RuleErrors, matching ErrInvalid); each
// rule that differs from its latest version gets a new version recorded with
// by, the time and reason. With disableOthers, every enabled rule the changes
// do not name gets a new, disabled version (an import makes the file the rule
// set). It returns how many versions it wrote.
func (d *DB) SaveRules(ctx context.Context, changes []RuleChange, by, reason string, disableOthers bool) (int, error) {
	if strings.TrimSpace(by) == "" {
		return 0, fmt.Errorf("db: save rules: no author: %w", ErrInvalid)
	}
	if err := validateChanges(changes); err != nil {
		return 0, fmt.Errorf("db: save rules: %w", err)
	}
	n := 0
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		named := map[string]bool{}
		for _, c := range changes {
			named[c.Rule.ID] = true
			wrote, err := saveRule(ctx, tx, c, by, reason, formatTime(d.now()))
			if err != nil {
				return err
			}
			n += wrote
		}
		if !disableOthers {
			return nil
		}
		wrote, err := disableUnnamed(ctx, tx, named, by, reason, formatTime(d.now()))
		n += wrote
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("db: save rules: %w", err)
	}
	return n, nil
}

// validateChanges checks every rule (at version 1, since the store numbers
// versions) and refuses repeated ids, listing every problem.
func validateChanges(changes []RuleChange) error {
	var errs compliance.RuleErrors
	seen := map[string]int{}
	for i, c := range changes {
		r := c.Rule
		r.Version = 1
		if err := r.Validate(); err != nil {
			errs = append(errs, compliance.RuleError{Index: i, ID: r.ID, Err: err})
		}
		if j, dup := seen[r.ID]; dup {
			errs = append(errs, compliance.RuleError{Index: i, ID: r.ID, Err: fmt.Errorf("id repeats rule %d", j)})
		}
		seen[r.ID] = i
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalid, errs)
	}
	return nil
}

// saveRule writes a new version of c.Rule unless it equals the latest one.
func saveRule(ctx context.Context, tx *sql.Tx, c RuleChange, by, reason, now string) (int, error) {
	body, err := ruleBody(c.Rule)
	if err != nil {
		return 0, err
	}
	var version, enabled int
	var old string
	err = tx.QueryRowContext(ctx, `SELECT version, enabled, body FROM compliance_rule_versions
		WHERE rule_id = ? ORDER BY version DESC LIMIT 1`, c.Rule.ID).Scan(&version, &enabled, &old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("rule %s: %w", c.Rule.ID, err)
	}
	if version > 0 && old == body && (enabled == 1) == c.Enabled {
		return 0, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO compliance_rule_versions (rule_id, version, enabled, body, changed_by, changed_at, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.Rule.ID, version+1, c.Enabled, body, by, now, reason)
	if err != nil {
		return 0, fmt.Errorf("rule %s v%d: %w", c.Rule.ID, version+1, err)
	}
	return 1, nil
}

// ruleBody is the rule in the rules-file format without its version, so
// that bodies compare equal when only the version differs.
func ruleBody(r compliance.Rule) (string, error) {
	r.Version = 0
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("rule %s: %w", r.ID, err)
	}
	return string(b), nil
}

func disableUnnamed(ctx context.Context, tx *sql.Tx, named map[string]bool, by, reason, now string) (int, error) {
	rows, err := tx.QueryContext(ctx, latestRules)
	if err != nil {
		return 0, err
	}
	all, err := collectRules(rows)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range all {
		if named[v.Rule.ID] || !v.Enabled {
			continue
		}
		wrote, err := saveRule(ctx, tx, RuleChange{Rule: v.Rule}, by, reason, now)
		if err != nil {
			return n, err
		}
		n += wrote
	}
	return n, nil
}

// SetRuleEnabled enables or disables rule id with a new version.
func (d *DB) SetRuleEnabled(ctx context.Context, id string, enabled bool, by, reason string) error {
	v, err := d.Rule(ctx, id)
	if err != nil {
		return err
	}
	_, err = d.SaveRules(ctx, []RuleChange{{Rule: v.Rule, Enabled: enabled}}, by, reason, false)
	return err
}

// seedDemoRules writes the demo rule set (version 1 of each, by "demo") in
// SeedDemo's transaction: compliance.DemoRules with two restricted names.
func seedDemoRules(ctx context.Context, tx *sql.Tx, now string) error {
	for _, r := range compliance.DemoRules(DemoRestricted()...) {
		if _, err := saveRule(ctx, tx, RuleChange{Rule: r, Enabled: true}, "demo", "demo rule set", now); err != nil {
			return err
		}
	}
	return nil
}

// DemoRestricted returns the demo desk's restricted (no-buy) securities.
func DemoRestricted() []string { return []string{"NVDA", "VOD"} }
