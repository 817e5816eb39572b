package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
)

// querier is what both a transaction and a connection pool can run.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// SaveChecks stores compliance checks and their results in one transaction
// (checks and results are never updated). Rows go in batches of multi-row
// INSERTs; check ids are numbered from the table's largest, which is safe
// because the transaction holds the only writer.
func (d *DB) SaveChecks(ctx context.Context, checks []order.CheckRecord) error {
	if err := d.inTx(ctx, func(tx *sql.Tx) error { return saveChecks(ctx, tx, checks) }); err != nil {
		return fmt.Errorf("db: save compliance checks: %w", err)
	}
	return nil
}

// SaveChecks implements order.ComplianceTx: the checks are written in the
// same transaction as the orders they belong to.
func (t *orderTx) SaveChecks(ctx context.Context, checks []order.CheckRecord) error {
	if err := saveChecks(ctx, t.tx, checks); err != nil {
		return fmt.Errorf("db: save compliance checks: %w", err)
	}
	return nil
}

func saveChecks(ctx context.Context, tx *sql.Tx, checks []order.CheckRecord) error {
	last, err := maxCheckID(ctx, tx)
	if err != nil {
		return err
	}
	return insertBulk(ctx, tx, checkTables(last, checks, nil)...)
}

// maxCheckID is the largest compliance check id (0 for none).
func maxCheckID(ctx context.Context, tx *sql.Tx) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM compliance_checks`).Scan(&last)
	return last, err
}

// checkTables are the rows of checks and their results, for a bulk insert.
// Check ids are numbered after last. With orderIDs, check i belongs to the
// order orderIDs[i] (its OrderID is not read).
func checkTables(last int64, checks []order.CheckRecord, orderIDs []int64) []bulkTable {
	next := last
	type result struct {
		check int64
		r     order.ResultRecord
	}
	var results []result
	for i, c := range checks {
		for _, r := range c.Results {
			results = append(results, result{next + 1 + int64(i), r})
		}
	}
	b := newRowBoxes(len(checkColumns))
	// The results refer to their checks, written before them.
	return []bulkTable{{name: "compliance_checks", cols: checkColumns, n: len(checks), row: func(i int, dst []any) []any {
		c := checks[i]
		id := c.OrderID
		if orderIDs != nil {
			id = orderIDs[i]
		}
		return append(dst, next+1+int64(i), id, b.str(2, string(c.Phase)), b.str(3, string(c.Verdict)),
			b.str(4, c.Summary), b.time(5, c.At))
	}}, {name: "compliance_results", cols: resultColumns, n: len(results), row: func(i int, dst []any) []any {
		id, r := results[i].check, results[i].r
		return append(dst, id, r.RuleID, r.RuleName, int64(r.Version), string(r.Severity), string(r.Status), r.Group,
			r.Value.String(), r.Limit.String(), string(r.Unit), r.Message, r.Overridden)
	}}}
}

// checkColumns and resultColumns are the columns saveChecks writes.
var (
	checkColumns  = []string{"id", "order_id", "phase", "verdict", "summary", "checked_at"}
	resultColumns = []string{"check_id", "rule_id", "rule_name", "rule_version", "severity", "status", "grp", "value",
		"limit_value", "unit", "message", "overridden"}
)

// LatestCheck returns order id's most recent compliance check with its results.
func (d *DB) LatestCheck(ctx context.Context, id int64) (order.CheckRecord, error) {
	return latestCheck(ctx, d.reader, id)
}

// LatestChecks returns the most recent check of each order in ids that has one.
func (d *DB) LatestChecks(ctx context.Context, ids []int64) (map[int64]order.CheckRecord, error) {
	out := make(map[int64]order.CheckRecord, len(ids))
	for _, id := range ids {
		c, err := latestCheck(ctx, d.reader, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, nil
}

func latestCheck(ctx context.Context, q querier, id int64) (order.CheckRecord, error) {
	c := order.CheckRecord{OrderID: id}
	var phase, verdict, at string
	err := q.QueryRowContext(ctx, `SELECT id, phase, verdict, summary, checked_at FROM compliance_checks
		WHERE order_id = ? ORDER BY id DESC LIMIT 1`, id).Scan(&c.ID, &phase, &verdict, &c.Summary, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("db: order %d has no compliance check: %w", id, errors.Join(ErrNotFound, order.ErrNotFound))
	}
	if err != nil {
		return c, fmt.Errorf("db: compliance check of order %d: %w", id, err)
	}
	c.Phase, c.Verdict = order.Phase(phase), order.Verdict(verdict)
	if c.At, err = parseTime(at); err != nil {
		return c, err
	}
	rows, err := q.QueryContext(ctx, `SELECT rule_id, rule_name, rule_version, severity, status, grp, value, limit_value,
		unit, message, overridden FROM compliance_results WHERE check_id = ? ORDER BY id`, c.ID)
	if err != nil {
		return c, fmt.Errorf("db: compliance results of order %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r order.ResultRecord
		var sev, status, unit, value, limit string
		if err := rows.Scan(&r.RuleID, &r.RuleName, &r.Version, &sev, &status, &r.Group, &value, &limit, &unit,
			&r.Message, &r.Overridden); err != nil {
			return c, fmt.Errorf("db: compliance results of order %d: %w", id, err)
		}
		r.Severity, r.Status, r.Unit = compliance.Severity(sev), compliance.Status(status), compliance.Unit(unit)
		if err := parseDecimals("result", []string{value, limit}, []*decimal.Decimal{&r.Value, &r.Limit}); err != nil {
			return c, err
		}
		c.Results = append(c.Results, r)
	}
	return c, rows.Err()
}

// OrderOverrides lists order id's overrides, oldest first, with Voided set
// on those given before the order's latest amendment.
func (d *DB) OrderOverrides(ctx context.Context, id int64) ([]order.Override, error) {
	return overrides(ctx, d.reader, id)
}

func overrides(ctx context.Context, q querier, id int64) ([]order.Override, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.id, v.order_id, v.rule_id, v.grp, v.rule_version, v.reason_code, v.reason,
		v.officer, v.at, v.amendment, v.amendment < coalesce(o.amendments, 0)
		FROM compliance_overrides v LEFT JOIN orders o ON o.id = v.order_id WHERE v.order_id = ? ORDER BY v.id`, id)
	if err != nil {
		return nil, fmt.Errorf("db: overrides of order %d: %w", id, err)
	}
	defer rows.Close()
	var out []order.Override
	for rows.Next() {
		var ov order.Override
		var at string
		if err := rows.Scan(&ov.ID, &ov.OrderID, &ov.RuleID, &ov.Group, &ov.RuleVersion, &ov.ReasonCode, &ov.Reason,
			&ov.Officer, &at, &ov.Amendment, &ov.Voided); err != nil {
			return nil, fmt.Errorf("db: overrides of order %d: %w", id, err)
		}
		if ov.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, ov)
	}
	return out, rows.Err()
}

// LatestCheck implements order.ComplianceTx inside an order transaction.
func (t *orderTx) LatestCheck(ctx context.Context, id int64) (order.CheckRecord, error) {
	return latestCheck(ctx, t.tx, id)
}

// Overrides implements order.ComplianceTx inside an order transaction.
func (t *orderTx) Overrides(ctx context.Context, id int64) ([]order.Override, error) {
	return overrides(ctx, t.tx, id)
}

// InsertOverride implements order.ComplianceTx: the override is appended in
// the same transaction as its audit event and the order's change.
func (t *orderTx) InsertOverride(ctx context.Context, ov order.Override) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO compliance_overrides (order_id, rule_id, grp, rule_version, reason_code,
		reason, officer, at, amendment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ov.OrderID, ov.RuleID, ov.Group, ov.RuleVersion,
		ov.ReasonCode, ov.Reason, ov.Officer, formatTime(ov.At), ov.Amendment)
	if err != nil {
		return 0, fmt.Errorf("db: insert override of order %d: %w", ov.OrderID, err)
	}
	return res.LastInsertId()
}
