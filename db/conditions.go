package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ballast-oms/ballast/trigger"
)

// ConditionEvent is the audit line written with a change of a condition:
// who did it, the action (condition_create, condition_approve, …) and why.
type ConditionEvent struct {
	Actor   string
	Action  string
	Reason  string
	Details string
}

const conditionColumns = `c.id, c.portfolio, c.symbol, c.kind, c.trigger_price, c.percent, c.amount, c.activation_price,
	c.quantity, c.order_type, c.collar_bps, c.valid_until, c.oco_with, c.level, c.created_by, coalesce(c.amended_by, ''),
	coalesce(c.approved_by, ''), c.state, c.state_reason, c.version, c.created_at, c.approved_at, c.updated_at, c.fired_price, c.fired_at,
	c.template_id, c.order_id, c.alert, coalesce(h.high, '0'), ` + amendmentColumns

// amendmentColumns are a condition's latest amendment (conditionFrom joins
// it as a), each empty or zero when it has none.
const amendmentColumns = `coalesce(a.id, 0), coalesce(a.trigger_price, ''), coalesce(a.percent, ''),
	coalesce(a.amount, ''), coalesce(a.activation_price, ''), coalesce(a.quantity, ''), coalesce(a.order_type, ''),
	coalesce(a.collar_bps, 0), coalesce(a.valid_until, ''), coalesce(a.level, ''), coalesce(a.proposed_by, ''),
	coalesce(a.proposed_at, ''), coalesce(a.state, ''), coalesce(a.decided_by, ''), coalesce(a.decided_at, ''),
	coalesce(a.reason, '')`

const conditionFrom = ` FROM conditions c LEFT JOIN condition_highs h ON h.condition_id = c.id
	LEFT JOIN condition_amendments a ON a.id = (SELECT max(id) FROM condition_amendments WHERE condition_id = c.id)`

// StoredCondition is a condition as stored: the trigger.Condition with what
// only storage knows — the template it came from, the order it created when
// it fired and an alert when that order could not go out.
type StoredCondition struct {
	trigger.Condition
	TemplateID int64
	OrderID    int64
	Alert      string
}

func scanCondition(r scanner) (StoredCondition, error) {
	var s StoredCondition
	c := &s.Condition
	var kind, otype, state, until, created, approved, updated, firedAt string
	var dec [8]string
	var am amendmentRow
	err := r.Scan(append([]any{&c.ID, &c.Portfolio, &c.Symbol, &kind, &dec[0], &dec[1], &dec[2], &dec[3], &dec[4], &otype,
		&c.CollarBps, &until, &c.OCOWith, &dec[5], &c.CreatedBy, &c.AmendedBy, &c.ApprovedBy, &state, &c.StateReason, &c.Version,
		&created, &approved, &updated, &dec[6], &firedAt, &s.TemplateID, &s.OrderID, &s.Alert, &dec[7]}, am.dest()...)...)
	if err != nil {
		return s, err
	}
	c.Kind, c.OrderType, c.State = trigger.Kind(kind), trigger.OrderType(otype), trigger.State(state)
	key := fmt.Sprintf("condition %d", c.ID)
	if err := parseDecimals(key, dec[:], []*decimal.Decimal{&c.TriggerPrice, &c.Percent, &c.Amount, &c.ActivationPrice,
		&c.Quantity, &c.Level, &c.FiredPrice, &c.High}); err != nil {
		return s, err
	}
	if err := parseTimes(key, []string{until, created, approved, updated, firedAt},
		[]*time.Time{&c.ValidUntil, &c.CreatedAt, &c.ApprovedAt, &c.UpdatedAt, &c.FiredAt}); err != nil {
		return s, err
	}
	if c.Amendment, err = am.amendment(); err != nil {
		return s, fmt.Errorf("%s: %w", key, err)
	}
	return s, nil
}

// InsertCondition stores a new condition (its ID is assigned) with its audit
// event and returns it. The portfolio and symbol must exist; an approver
// equal to the creator or the last modifier is refused.
func (d *DB) InsertCondition(ctx context.Context, c trigger.Condition, templateID int64, ev ConditionEvent) (trigger.Condition, error) {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if err := holdingRefs(ctx, tx, c.Portfolio, c.Symbol); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO conditions (portfolio, symbol, kind, trigger_price, percent, amount,
			activation_price, quantity, order_type, collar_bps, valid_until, oco_with, level, created_by, amended_by,
			approved_by, state, state_reason, version, created_at, approved_at, updated_at, template_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Portfolio, c.Symbol, string(c.Kind), c.TriggerPrice.String(), c.Percent.String(), c.Amount.String(),
			c.ActivationPrice.String(), c.Quantity.String(), orderTypeOrMarket(c.OrderType), c.CollarBps,
			formatTime(c.ValidUntil), c.OCOWith, c.Level.String(), c.CreatedBy, nullText(c.AmendedBy), nullText(c.ApprovedBy),
			string(c.State), c.StateReason, c.Version,
			formatTime(c.CreatedAt), fmtOptTime(c.ApprovedAt), formatTime(c.UpdatedAt), templateID)
		if err != nil {
			return conditionWriteErr(err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if c.OCOWith != 0 {
			if err := linkOCO(ctx, tx, c); err != nil {
				return err
			}
		}
		return conditionAudit(ctx, tx, c, "", ev)
	})
	if err != nil {
		return c, fmt.Errorf("db: insert condition on %s/%s: %w", c.Portfolio, c.Symbol, err)
	}
	return c, nil
}

// holdingRefs checks that the portfolio and the security exist.
func holdingRefs(ctx context.Context, tx *sql.Tx, pf, symbol string) error {
	var hasPf, hasSec bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM portfolios WHERE code = ?),
		EXISTS (SELECT 1 FROM securities WHERE symbol = ?)`, pf, symbol).Scan(&hasPf, &hasSec)
	switch {
	case err != nil:
		return err
	case !hasPf:
		return fmt.Errorf("%q is not a portfolio: %w", pf, ErrNotFound)
	case !hasSec:
		return fmt.Errorf("%q is not a known security: %w", symbol, ErrNotFound)
	}
	return nil
}

// linkOCO checks that the partner is a waiting condition on the same holding
// and points it back at c, so the pair cancels each other whichever fires.
func linkOCO(ctx context.Context, tx *sql.Tx, c trigger.Condition) error {
	res, err := tx.ExecContext(ctx, `UPDATE conditions SET oco_with = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND portfolio = ? AND symbol = ? AND state IN ('pending_approval', 'active') AND oco_with IN (0, ?)`,
		c.ID, formatTime(c.UpdatedAt), c.OCOWith, c.Portfolio, c.Symbol, c.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("oco_with %d is not a waiting condition on %s/%s without another partner: %w",
			c.OCOWith, c.Portfolio, c.Symbol, ErrConflict)
	}
	return nil
}

// UpdateCondition stores a change of terms, state or amendment made by a
// user, when the stored version is still prev (optimistic update; otherwise
// ErrConflict), with its audit event. The amendment c carries is stored with
// it (see saveAmendment): a new one replaces the one pending, and a final
// state voids the one pending; each with an audit event of its own after ev.
func (d *DB) UpdateCondition(ctx context.Context, c trigger.Condition, prev int64, ev ConditionEvent) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var from string
		var version int64
		err := tx.QueryRowContext(ctx, `SELECT state, version FROM conditions WHERE id = ?`, c.ID).Scan(&from, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("condition %d: %w", c.ID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if version != prev {
			return fmt.Errorf("condition %d changed since version %d: %w", c.ID, prev, ErrConflict)
		}
		after, err := saveAmendment(ctx, tx, c, ev.Actor)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE conditions SET trigger_price = ?, percent = ?, amount = ?,
			activation_price = ?, quantity = ?, order_type = ?, collar_bps = ?, valid_until = ?, oco_with = ?, level = ?,
			amended_by = ?, approved_by = ?, state = ?, state_reason = ?, version = ?, approved_at = ?, updated_at = ?
			WHERE id = ? AND version = ?`,
			c.TriggerPrice.String(), c.Percent.String(), c.Amount.String(), c.ActivationPrice.String(),
			c.Quantity.String(), string(c.OrderType), c.CollarBps, formatTime(c.ValidUntil), c.OCOWith, c.Level.String(),
			nullText(c.AmendedBy), nullText(c.ApprovedBy), string(c.State), c.StateReason, c.Version, fmtOptTime(c.ApprovedAt),
			formatTime(c.UpdatedAt), c.ID, prev)
		if err != nil {
			return conditionWriteErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("condition %d changed since version %d: %w", c.ID, prev, ErrConflict)
		}
		if err := conditionAudit(ctx, tx, c, trigger.State(from), ev); err != nil {
			return err
		}
		return conditionAudits(ctx, tx, c, after)
	})
	if err != nil {
		return fmt.Errorf("db: update condition %d: %w", c.ID, err)
	}
	return nil
}

// SetConditionOrder records the order a fired condition created and, when the
// order could not go out (a hard compliance breach, a refusal), the alert to
// show, with an audit event.
func (d *DB) SetConditionOrder(ctx context.Context, id, orderID int64, alert string, ev ConditionEvent) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+conditionColumns+conditionFrom+` WHERE c.id = ?`, id)
		c, err := scanCondition(row)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("condition %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conditions SET order_id = ?, alert = ? WHERE id = ?`, orderID, alert, id); err != nil {
			return err
		}
		return conditionAuditOrder(ctx, tx, c.Condition, c.State, orderID, ev)
	})
	if err != nil {
		return fmt.Errorf("db: condition %d order %d: %w", id, orderID, err)
	}
	return nil
}

// conditionAudit appends ev for condition c, moved from state from.
func conditionAudit(ctx context.Context, tx *sql.Tx, c trigger.Condition, from trigger.State, ev ConditionEvent) error {
	return conditionAuditOrder(ctx, tx, c, from, 0, ev)
}

// conditionAudits appends the events of what a change did to c's amendment
// besides what its own event says; c is in its new state.
func conditionAudits(ctx context.Context, tx *sql.Tx, c trigger.Condition, events []ConditionEvent) error {
	for _, ev := range events {
		if err := conditionAudit(ctx, tx, c, c.State, ev); err != nil {
			return err
		}
	}
	return nil
}

func conditionAuditOrder(ctx context.Context, tx *sql.Tx, c trigger.Condition, from trigger.State, orderID int64, ev ConditionEvent) error {
	details := ev.Details
	if details == "" {
		details = describeCondition(c)
	}
	at := c.UpdatedAt
	if at.IsZero() {
		at = time.Now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor, action, order_id, portfolio, from_status,
		to_status, reason, details, condition_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(at), ev.Actor, ev.Action, nullID(orderID), c.Portfolio, string(from), string(c.State), ev.Reason,
		details, c.ID)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	return nil
}

// describeCondition is the audit details of a condition: what it watches,
// and the terms of its amendment while pending or when this change ended it.
func describeCondition(c trigger.Condition) string {
	var b strings.Builder
	fmt.Fprintf(&b, "condition #%d %s %s/%s", c.ID, c.Kind, c.Portfolio, c.Symbol)
	describeTerms(&b, c.Terms, c.Level)
	fmt.Fprintf(&b, " v%d", c.Version)
	if c.OCOWith != 0 {
		fmt.Fprintf(&b, " oco_with=%d", c.OCOWith)
	}
	if a := c.Amendment; a != nil && (a.State == trigger.AmendmentPending || a.DecidedAt.Equal(c.UpdatedAt)) {
		fmt.Fprintf(&b, "; %s amendment by %s:", a.State, a.By)
		describeTerms(&b, a.Terms, a.Level)
	}
	return b.String()
}

// describeTerms writes the terms that are set, as name=value.
func describeTerms(b *strings.Builder, t trigger.Terms, level decimal.Decimal) {
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"trigger_price", t.TriggerPrice}, {"percent", t.Percent}, {"amount", t.Amount},
		{"activation_price", t.ActivationPrice}, {"quantity", t.Quantity}, {"level", level}} {
		if !f.v.IsZero() {
			fmt.Fprintf(b, " %s=%s", f.name, f.v)
		}
	}
	fmt.Fprintf(b, " order=%s", t.OrderType)
	if t.CollarBps != 0 {
		fmt.Fprintf(b, " collar_bps=%d", t.CollarBps)
	}
	fmt.Fprintf(b, " valid_until=%s", t.ValidUntil.UTC().Format(time.RFC3339))
}

// conditionWriteErr maps constraint failures to ErrConflict with a reason.
func conditionWriteErr(err error) error {
	switch {
	case isCheckViolation(err):
		return fmt.Errorf("the approver cannot be the creator or the last to modify it, nor an amendment's author (four eyes), "+
			"or a field is out of range: %w", ErrConflict)
	case sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		return fmt.Errorf("%s: %w", constraintMessage(err), ErrConflict)
	case sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return fmt.Errorf("another amendment is already pending: %w", ErrConflict)
	case sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("unknown portfolio or symbol: %w", ErrNotFound)
	}
	return err
}

// constraintMessage is the reason a trigger of the schema gave for refusing
// a write (its RAISE text), without SQLite's wrapping.
func constraintMessage(err error) string {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := strings.TrimPrefix(e.Error(), "constraint failed: ")
	if i := strings.LastIndex(msg, " ("); i > 0 {
		msg = msg[:i]
	}
	return msg
}

func nullText(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}
