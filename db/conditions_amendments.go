package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/trigger"
)

// amendmentRow is an amendment as amendmentColumns and pendingAmendment read it.
type amendmentRow struct {
	id                                                      int64
	collar                                                  int
	dec                                                     [6]string
	otype, until, by, at, state, decidedBy, decided, reason string
}

func (r *amendmentRow) dest() []any {
	return []any{&r.id, &r.dec[0], &r.dec[1], &r.dec[2], &r.dec[3], &r.dec[4], &r.otype, &r.collar, &r.until, &r.dec[5],
		&r.by, &r.at, &r.state, &r.decidedBy, &r.decided, &r.reason}
}

// amendment is the row as a trigger.Amendment, nil when there is none.
func (r *amendmentRow) amendment() (*trigger.Amendment, error) {
	if r.id == 0 {
		return nil, nil
	}
	a := &trigger.Amendment{ID: r.id, By: r.by, State: trigger.AmendmentState(r.state), DecidedBy: r.decidedBy, Reason: r.reason}
	a.OrderType, a.CollarBps = trigger.OrderType(r.otype), r.collar
	key := fmt.Sprintf("amendment %d", r.id)
	if err := parseDecimals(key, r.dec[:], []*decimal.Decimal{&a.TriggerPrice, &a.Percent, &a.Amount, &a.ActivationPrice,
		&a.Quantity, &a.Level}); err != nil {
		return nil, err
	}
	if err := parseTimes(key, []string{r.until, r.at, r.decided}, []*time.Time{&a.ValidUntil, &a.At, &a.DecidedAt}); err != nil {
		return nil, err
	}
	return a, nil
}

// pendingAmendment reads the amendment of condition id awaiting approval, or nil.
func pendingAmendment(ctx context.Context, tx *sql.Tx, id int64) (*trigger.Amendment, error) {
	var r amendmentRow
	err := tx.QueryRowContext(ctx, `SELECT `+amendmentColumns+` FROM condition_amendments a
		WHERE a.condition_id = ? AND a.state = 'pending'`, id).Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pending amendment of %d: %w", id, err)
	}
	return r.amendment()
}

// saveAmendment stores what a user's change c did to the condition's
// amendment, before the condition itself is stored, and returns the audit
// events of what the change's own event does not tell: the pending amendment
// a new one replaced, or voided. A new amendment (ID zero) is inserted
// pending, replacing the one pending before; the pending one carried by c
// (approved, rejected, withdrawn, void or resized) is written back; a pending
// amendment c does not carry is voided when c is final and refused otherwise.
func saveAmendment(ctx context.Context, tx *sql.Tx, c trigger.Condition, actor string) ([]ConditionEvent, error) {
	pending, err := pendingAmendment(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	a := c.Amendment
	switch {
	case a != nil && a.ID == 0:
		var events []ConditionEvent
		if pending != nil {
			replaced := *pending
			replaced.State, replaced.DecidedAt = trigger.AmendmentReplaced, a.At
			replaced.Reason = fmt.Sprintf("replaced by the amendment %s proposed", a.By)
			if err := writeAmendment(ctx, tx, c.ID, &replaced); err != nil {
				return nil, err
			}
			events = append(events, ConditionEvent{Actor: actor, Action: "condition_amendment_replace",
				Reason: replaced.Reason, Details: describeAmendment(c.ID, &replaced)})
		}
		return events, insertAmendment(ctx, tx, c.ID, a)
	case a != nil && pending != nil && a.ID == pending.ID:
		if err := writeAmendment(ctx, tx, c.ID, a); err != nil {
			return nil, err
		}
		if a.State == trigger.AmendmentVoid {
			return []ConditionEvent{{Actor: actor, Action: "condition_amendment_void", Reason: a.Reason,
				Details: describeAmendment(c.ID, a)}}, nil
		}
		return nil, nil
	case a != nil && a.State == trigger.AmendmentPending:
		return nil, fmt.Errorf("amendment %d of %d is no longer pending: %w", a.ID, c.ID, ErrConflict)
	case pending != nil && c.State.Final():
		ev, err := voidAmendment(ctx, tx, c, pending, actor)
		return []ConditionEvent{ev}, err
	case pending != nil:
		return nil, fmt.Errorf("condition %d has amendment %d by %s pending, which this change does not account for: %w",
			c.ID, pending.ID, pending.By, ErrConflict)
	}
	return nil, nil
}

// voidPending voids the pending amendment, if any, of a condition that
// reached a final state outside a user's change (it fired, expired, or the
// holding closed), and returns the audit event to write after the
// condition's own.
func voidPending(ctx context.Context, tx *sql.Tx, c trigger.Condition, actor string) ([]ConditionEvent, error) {
	pending, err := pendingAmendment(ctx, tx, c.ID)
	if err != nil || pending == nil {
		return nil, err
	}
	ev, err := voidAmendment(ctx, tx, c, pending, actor)
	return []ConditionEvent{ev}, err
}

// voidAmendment ends the stored pending amendment of the final condition c.
func voidAmendment(ctx context.Context, tx *sql.Tx, c trigger.Condition, pending *trigger.Amendment, actor string) (ConditionEvent, error) {
	void := pending.Voided(c.State, c.UpdatedAt)
	if err := writeAmendment(ctx, tx, c.ID, void); err != nil {
		return ConditionEvent{}, err
	}
	return ConditionEvent{Actor: actor, Action: "condition_amendment_void", Reason: void.Reason,
		Details: describeAmendment(c.ID, void)}, nil
}

func insertAmendment(ctx context.Context, tx *sql.Tx, conditionID int64, a *trigger.Amendment) error {
	if a.State != trigger.AmendmentPending {
		return fmt.Errorf("a new amendment of %d is %s, not pending: %w", conditionID, a.State, ErrConflict)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO condition_amendments (condition_id, trigger_price, percent, amount,
		activation_price, quantity, order_type, collar_bps, valid_until, level, proposed_by, proposed_at, state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
		conditionID, a.TriggerPrice.String(), a.Percent.String(), a.Amount.String(), a.ActivationPrice.String(),
		a.Quantity.String(), orderTypeOrMarket(a.OrderType), a.CollarBps, formatTime(a.ValidUntil), a.Level.String(),
		a.By, formatTime(a.At))
	if err != nil {
		return fmt.Errorf("amendment of %d: %w", conditionID, conditionWriteErr(err))
	}
	return nil
}

// writeAmendment stores a's terms and how it ended over the row it was read
// from, which must still be pending.
func writeAmendment(ctx context.Context, tx *sql.Tx, conditionID int64, a *trigger.Amendment) error {
	res, err := tx.ExecContext(ctx, `UPDATE condition_amendments SET trigger_price = ?, percent = ?, amount = ?,
		activation_price = ?, quantity = ?, order_type = ?, collar_bps = ?, valid_until = ?, level = ?, state = ?,
		decided_by = ?, decided_at = ?, reason = ?
		WHERE id = ? AND condition_id = ? AND state = 'pending'`,
		a.TriggerPrice.String(), a.Percent.String(), a.Amount.String(), a.ActivationPrice.String(), a.Quantity.String(),
		orderTypeOrMarket(a.OrderType), a.CollarBps, formatTime(a.ValidUntil), a.Level.String(), string(a.State),
		nullText(a.DecidedBy), fmtOptTime(a.DecidedAt), a.Reason, a.ID, conditionID)
	if err != nil {
		return fmt.Errorf("amendment %d of %d: %w", a.ID, conditionID, conditionWriteErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("amendment %d of %d is no longer pending: %w", a.ID, conditionID, ErrConflict)
	}
	return nil
}

// describeAmendment is the audit details of an amendment: the terms it proposes.
func describeAmendment(conditionID int64, a *trigger.Amendment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "amendment #%d of condition #%d by %s at %s (%s):", a.ID, conditionID, a.By,
		a.At.UTC().Format(time.RFC3339), a.State)
	describeTerms(&b, a.Terms, a.Level)
	return b.String()
}
