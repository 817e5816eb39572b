package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/trigger"
)

// StoredTemplate is a portfolio's default condition as stored, with its
// version (for optimistic updates) and whether it was removed.
type StoredTemplate struct {
	trigger.Template
	Version   int64
	Removed   bool
	CreatedAt time.Time
}

const templateColumns = `id, portfolio, kind, percent, amount, activation_price, order_type, collar_bps, validity_days,
	created_by, coalesce(approved_by, ''), removed, version, created_at`

func scanTemplate(r scanner) (StoredTemplate, error) {
	var t StoredTemplate
	var kind, otype, created string
	var dec [3]string
	var days int64
	if err := r.Scan(&t.ID, &t.Portfolio, &kind, &dec[0], &dec[1], &dec[2], &otype, &t.Terms.CollarBps, &days,
		&t.CreatedBy, &t.ApprovedBy, &t.Removed, &t.Version, &created); err != nil {
		return t, err
	}
	t.Kind, t.Terms.OrderType = trigger.Kind(kind), trigger.OrderType(otype)
	t.Validity = time.Duration(days) * 24 * time.Hour
	key := fmt.Sprintf("default %d", t.ID)
	if err := parseDecimals(key, dec[:], []*decimal.Decimal{&t.Terms.Percent, &t.Terms.Amount, &t.Terms.ActivationPrice}); err != nil {
		return t, err
	}
	var err error
	t.CreatedAt, err = parseTime(created)
	return t, err
}

// InsertTemplate stores a new default condition of a portfolio, pending
// approval, with an audit event, and returns it with its ID.
func (d *DB) InsertTemplate(ctx context.Context, t trigger.Template, at time.Time) (StoredTemplate, error) {
	st := StoredTemplate{Template: t, Version: 1, CreatedAt: at.UTC()}
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO condition_templates (portfolio, kind, percent, amount,
			activation_price, order_type, collar_bps, validity_days, created_by, approved_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Portfolio, string(t.Kind), t.Terms.Percent.String(), t.Terms.Amount.String(),
			t.Terms.ActivationPrice.String(), orderTypeOrMarket(t.Terms.OrderType), t.Terms.CollarBps,
			int64(t.Validity/(24*time.Hour)), t.CreatedBy, nullText(t.ApprovedBy), formatTime(at))
		if err != nil {
			return conditionWriteErr(err)
		}
		if st.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return templateAudit(ctx, tx, st, at, ConditionEvent{Actor: t.CreatedBy, Action: "default_create"})
	})
	if err != nil {
		return st, fmt.Errorf("db: insert default condition for %s: %w", t.Portfolio, err)
	}
	st.Template.ID = st.ID
	return st, nil
}

func orderTypeOrMarket(t trigger.OrderType) string {
	if t == "" {
		return string(trigger.OrderMarket)
	}
	return string(t)
}

// Template returns one default condition; a missing one is ErrNotFound.
func (d *DB) Template(ctx context.Context, id int64) (StoredTemplate, error) {
	t, err := scanTemplate(d.reader.QueryRowContext(ctx, `SELECT `+templateColumns+` FROM condition_templates WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("db: default condition %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("db: default condition %d: %w", id, err)
	}
	return t, nil
}

// Templates lists a portfolio's default conditions that were not removed, by
// ID; with an empty portfolio, every portfolio's.
func (d *DB) Templates(ctx context.Context, portfolio string) ([]StoredTemplate, error) {
	q := `SELECT ` + templateColumns + ` FROM condition_templates WHERE removed = 0`
	var args []any
	if portfolio != "" {
		q, args = q+` AND portfolio = ?`, append(args, portfolio)
	}
	rows, err := d.reader.QueryContext(ctx, q+` ORDER BY portfolio, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("db: default conditions: %w", err)
	}
	defer rows.Close()
	var out []StoredTemplate
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("db: default conditions: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateTemplate stores an approval or a removal of a default condition when
// its stored version is still t.Version (otherwise ErrConflict), bumping the
// version, with an audit event.
func (d *DB) UpdateTemplate(ctx context.Context, t StoredTemplate, at time.Time, ev ConditionEvent) (StoredTemplate, error) {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE condition_templates SET approved_by = ?, removed = ?, version = version + 1
			WHERE id = ? AND version = ?`, nullText(t.ApprovedBy), t.Removed, t.ID, t.Version)
		if err != nil {
			return conditionWriteErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("default condition %d changed since version %d: %w", t.ID, t.Version, ErrConflict)
		}
		t.Version++
		return templateAudit(ctx, tx, t, at, ev)
	})
	if err != nil {
		return t, fmt.Errorf("db: update default condition %d: %w", t.ID, err)
	}
	return t, nil
}

func templateAudit(ctx context.Context, tx *sql.Tx, t StoredTemplate, at time.Time, ev ConditionEvent) error {
	details := fmt.Sprintf("default #%d %s for %s: percent=%s amount=%s activation_price=%s order=%s validity=%dd v%d",
		t.ID, t.Kind, t.Portfolio, t.Terms.Percent, t.Terms.Amount, t.Terms.ActivationPrice,
		orderTypeOrMarket(t.Terms.OrderType), int64(t.Validity/(24*time.Hour)), t.Version)
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor, action, portfolio, reason, details)
		VALUES (?, ?, ?, ?, ?, ?)`, formatTime(at), ev.Actor, ev.Action, t.Portfolio, ev.Reason, details)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	return nil
}
