package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/compliance"
)

// AlertRun says what SaveAlerts did.
type AlertRun struct {
	Opened   int // new alerts
	Updated  int // unresolved alerts seen again
	Resolved int // unresolved alerts the batch no longer reports
}

// SaveAlerts stores a post-trade batch's alerts in one transaction. An
// unresolved alert with the same key (portfolio | rule | group) is updated,
// not duplicated; unresolved alerts of the checked portfolios (all when
// checked is empty) that the batch no longer reports are resolved by "batch".
func (d *DB) SaveAlerts(ctx context.Context, alerts []compliance.Alert, checked []string) (AlertRun, error) {
	var run AlertRun
	now := formatTime(d.now())
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		run = AlertRun{}
		seen := make(map[string]bool, len(alerts))
		for _, a := range alerts {
			seen[a.Key] = true
			opened, err := upsertAlert(ctx, tx, a, now)
			if err != nil {
				return fmt.Errorf("alert %s: %w", a.Key, err)
			}
			if opened {
				run.Opened++
			} else {
				run.Updated++
			}
		}
		n, err := resolveGone(ctx, tx, seen, checked, now)
		run.Resolved = n
		return err
	})
	if err != nil {
		return AlertRun{}, fmt.Errorf("db: save alerts: %w", err)
	}
	return run, nil
}

func upsertAlert(ctx context.Context, tx *sql.Tx, a compliance.Alert, now string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE compliance_alerts SET rule_name = ?, rule_version = ?, severity = ?, level = ?,
		value = ?, limit_value = ?, unit = ?, message = ?, last_seen = ? WHERE key = ? AND status <> 'resolved'`,
		a.RuleName, a.Version, string(a.Severity), string(a.Level), a.Value, a.Limit, string(a.Unit), a.Message, now, a.Key)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO compliance_alerts (key, portfolio, rule_id, rule_name, rule_version, severity,
		level, grp, value, limit_value, unit, message, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Key, a.Portfolio, a.RuleID, a.RuleName, a.Version, string(a.Severity), string(a.Level), a.Group, a.Value, a.Limit,
		string(a.Unit), a.Message, now, now)
	return true, err
}

func resolveGone(ctx context.Context, tx *sql.Tx, seen map[string]bool, checked []string, now string) (int, error) {
	q := `SELECT id, key FROM compliance_alerts WHERE status <> 'resolved'`
	args := []any{}
	if len(checked) > 0 {
		q += ` AND portfolio IN ` + inList(len(checked))
		for _, c := range checked {
			args = append(args, c)
		}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	var gone []int64
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return 0, err
		}
		if !seen[key] {
			gone = append(gone, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE compliance_alerts SET status = 'resolved', resolved_by = 'batch',
			resolved_at = ?, note = 'no longer reported by the batch' WHERE id = ?`, now, id); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

const alertColumns = `id, key, portfolio, rule_id, rule_name, rule_version, severity, level, grp, value, limit_value,
	unit, message, status, first_seen, last_seen, acknowledged_by, acknowledged_at, resolved_by, resolved_at, note`

// Alerts lists stored alerts with any of statuses (all when none), of
// portfolio pf when it is not empty, breaches before warnings, newest first.
func (d *DB) Alerts(ctx context.Context, statuses []compliance.AlertStatus, pf string) ([]compliance.AlertRecord, error) {
	var conds []string
	var args []any
	if len(statuses) > 0 {
		conds = append(conds, "status IN "+inList(len(statuses)))
		for _, s := range statuses {
			args = append(args, string(s))
		}
	}
	if pf != "" {
		conds = append(conds, "portfolio = ?")
		args = append(args, pf)
	}
	q := `SELECT ` + alertColumns + ` FROM compliance_alerts`
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, " AND ")
	}
	rows, err := d.reader.QueryContext(ctx, q+` ORDER BY level = 'warning', id DESC LIMIT 5000`, args...)
	if err != nil {
		return nil, fmt.Errorf("db: alerts: %w", err)
	}
	defer rows.Close()
	var out []compliance.AlertRecord
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("db: alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func scanAlert(r scanner) (compliance.AlertRecord, error) {
	var a compliance.AlertRecord
	var sev, level, unit, status, first, last, ackAt, resAt string
	err := r.Scan(&a.ID, &a.Alert.Key, &a.Alert.Portfolio, &a.Alert.RuleID, &a.Alert.RuleName, &a.Alert.Version, &sev, &level,
		&a.Alert.Group, &a.Alert.Value, &a.Alert.Limit, &unit, &a.Alert.Message, &status, &first, &last,
		&a.AcknowledgedBy, &ackAt, &a.ResolvedBy, &resAt, &a.Note)
	if err != nil {
		return a, err
	}
	a.Alert.Severity, a.Alert.Level, a.Alert.Unit = compliance.Severity(sev), compliance.AlertLevel(level), compliance.Unit(unit)
	a.Status = compliance.AlertStatus(status)
	return a, parseTimes("alert", []string{first, last, ackAt, resAt}, []*time.Time{&a.FirstSeen, &a.LastSeen, &a.AcknowledgedAt, &a.ResolvedAt})
}

// Alert returns stored alert id.
func (d *DB) Alert(ctx context.Context, id int64) (compliance.AlertRecord, error) {
	a, err := scanAlert(d.reader.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM compliance_alerts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("db: alert %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("db: alert %d: %w", id, err)
	}
	return a, nil
}

// AcknowledgeAlert marks open alert id acknowledged by by, with a note.
func (d *DB) AcknowledgeAlert(ctx context.Context, id int64, by, note string) error {
	return d.moveAlert(ctx, id, "acknowledge", `UPDATE compliance_alerts SET status = 'acknowledged', acknowledged_by = ?,
		acknowledged_at = ?, note = ? WHERE id = ? AND status = 'open'`, by, note)
}

// ResolveAlert marks open or acknowledged alert id resolved by by, with a note.
func (d *DB) ResolveAlert(ctx context.Context, id int64, by, note string) error {
	return d.moveAlert(ctx, id, "resolve", `UPDATE compliance_alerts SET status = 'resolved', resolved_by = ?,
		resolved_at = ?, note = ? WHERE id = ? AND status <> 'resolved'`, by, note)
}

func (d *DB) moveAlert(ctx context.Context, id int64, what, q, by, note string) error {
	if strings.TrimSpace(by) == "" {
		return fmt.Errorf("db: %s alert %d: no user: %w", what, id, ErrInvalid)
	}
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, by, formatTime(d.now()), strings.TrimSpace(note), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		var status string
		err = tx.QueryRowContext(ctx, `SELECT status FROM compliance_alerts WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("it is %s: %w", status, ErrConflict)
	})
	if err != nil {
		return fmt.Errorf("db: %s alert %d: %w", what, id, err)
	}
	return nil
}
