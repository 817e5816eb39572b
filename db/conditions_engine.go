package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ballast-oms/ballast/trigger"
)

// TriggerActor is the audit actor of what the trigger engine does by itself.
const TriggerActor = "trigger"

// TriggerSaved is what SaveTriggerResult stored: only these firings may
// create orders. A firing or cancellation whose condition was no longer
// waiting in storage (a user cancelled it a moment before) is left out.
type TriggerSaved struct {
	Fired     []trigger.Fired
	Cancelled []trigger.Condition
	Expired   []trigger.Condition
	Highs     int
}

// SaveTriggerResult stores everything one batch of prices changed, in one
// transaction: the new trailing highs (upserted in condition_highs, no
// version bump), and fired, cancelled and expired conditions with their
// audit events. A fired condition's one-cancels-other partner is cancelled
// too, even while it was pending approval. The audit event of a firing
// carries the price that fired it.
func (d *DB) SaveTriggerResult(ctx context.Context, r trigger.Result) (TriggerSaved, error) {
	var out TriggerSaved
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		out = TriggerSaved{}
		if err := saveHighs(ctx, tx, r.Highs); err != nil {
			return err
		}
		out.Highs = len(r.Highs)
		cancelled := map[int64]bool{}
		for _, c := range r.Cancelled {
			cancelled[c.ID] = true
		}
		for _, f := range r.Fired {
			ok, err := settleCondition(ctx, tx, f.Condition, `'active'`, "condition_fire", firingDetails(f))
			if err != nil || !ok {
				return err
			}
			out.Fired = append(out.Fired, f)
			if f.CancelPartner != 0 && !cancelled[f.CancelPartner] {
				if err := cancelPartner(ctx, tx, f); err != nil {
					return err
				}
			}
		}
		for _, c := range r.Cancelled {
			if ok, err := settleCondition(ctx, tx, c, waiting, "condition_cancel", ""); err != nil {
				return err
			} else if ok {
				out.Cancelled = append(out.Cancelled, c)
			}
		}
		for _, c := range r.Expired {
			if ok, err := settleCondition(ctx, tx, c, waiting, "condition_expire", ""); err != nil {
				return err
			} else if ok {
				out.Expired = append(out.Expired, c)
			}
		}
		return nil
	})
	if err != nil {
		return TriggerSaved{}, fmt.Errorf("db: save trigger result: %w", err)
	}
	return out, nil
}

// waiting is the SQL list of states a condition can still leave.
const waiting = `'pending_approval', 'active'`

// SaveConditionStates stores conditions the engine settled outside a batch
// of prices (Expire, HoldingClosed) with audit events; it returns those
// actually stored (still waiting in storage).
func (d *DB) SaveConditionStates(ctx context.Context, conds []trigger.Condition, action string) ([]trigger.Condition, error) {
	var out []trigger.Condition
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		for _, c := range conds {
			ok, err := settleCondition(ctx, tx, c, waiting, action, "")
			if err != nil {
				return err
			}
			if ok {
				out = append(out, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: save condition states: %w", err)
	}
	return out, nil
}

// ExpirePending expires the conditions still pending approval whose validity
// ended before now (the engine only holds active ones) and returns them.
func (d *DB) ExpirePending(ctx context.Context, now time.Time) ([]trigger.Condition, error) {
	stored, err := d.queryConditions(ctx, ` WHERE c.state = 'pending_approval' AND c.valid_until < ? ORDER BY c.id`, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("db: expire pending conditions: %w", err)
	}
	conds := make([]trigger.Condition, 0, len(stored))
	for _, s := range stored {
		if c, err := s.Expire(now); err == nil {
			conds = append(conds, c)
		}
	}
	return d.SaveConditionStates(ctx, conds, "condition_expire")
}

// settleCondition moves a condition to the final state c carries when its
// stored state is one of from, bumping the stored version, with an audit
// event; it reports whether it did. The amendment pending in storage, if
// any, is void (with an audit event of its own), whatever c carries: the
// engine's copy may predate it.
func settleCondition(ctx context.Context, tx *sql.Tx, c trigger.Condition, from, action, details string) (bool, error) {
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT state FROM conditions WHERE id = ? AND state IN (`+from+`)`, c.ID).Scan(&prev)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("condition %d: %w", c.ID, err)
	}
	voided, err := voidPending(ctx, tx, c, TriggerActor)
	if err != nil {
		return false, fmt.Errorf("condition %d: %w", c.ID, err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE conditions SET state = ?, state_reason = ?, fired_price = ?, fired_at = ?,
		version = version + 1, updated_at = ? WHERE id = ?`,
		string(c.State), c.StateReason, c.FiredPrice.String(), fmtOptTime(c.FiredAt), formatTime(c.UpdatedAt), c.ID)
	if err != nil {
		return false, fmt.Errorf("condition %d: %w", c.ID, err)
	}
	ev := ConditionEvent{Actor: TriggerActor, Action: action, Reason: c.StateReason, Details: details}
	if err := conditionAudit(ctx, tx, c, trigger.State(prev), ev); err != nil {
		return false, err
	}
	return true, conditionAudits(ctx, tx, c, voided)
}

func cancelPartner(ctx context.Context, tx *sql.Tx, f trigger.Fired) error {
	stored, err := scanCondition(tx.QueryRowContext(ctx, `SELECT `+conditionColumns+conditionFrom+` WHERE c.id = ?`, f.CancelPartner))
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("oco partner %d: %w", f.CancelPartner, err)
	}
	p, err := stored.Condition.Cancel(TriggerActor, fmt.Sprintf("its one-cancels-other partner #%d fired", f.Condition.ID), f.At)
	if err != nil {
		return nil // already final
	}
	_, err = settleCondition(ctx, tx, p, waiting, "condition_cancel", "")
	return err
}

func firingDetails(f trigger.Fired) string {
	t := f.Trade
	px := "market"
	if t.LimitPrice.IsPositive() {
		px = "limit " + t.LimitPrice.String()
	}
	return fmt.Sprintf("condition #%d fired at price %s (level %s): %s %s %s %s", f.Condition.ID, f.Price, f.Level,
		t.Side, t.Quantity, t.Symbol, px)
}

// saveHighs upserts trailing highs with one prepared statement.
func saveHighs(ctx context.Context, tx *sql.Tx, highs []trigger.HighChange) error {
	if len(highs) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO condition_highs (condition_id, high, at) VALUES (?, ?, ?)
		ON CONFLICT (condition_id) DO UPDATE SET high = excluded.high, at = excluded.at`)
	if err != nil {
		return fmt.Errorf("highs: %w", err)
	}
	defer st.Close()
	for _, h := range highs {
		if _, err := st.ExecContext(ctx, h.ID, h.High.String(), formatTime(h.At)); err != nil {
			return fmt.Errorf("high of %d: %w", h.ID, err)
		}
	}
	return nil
}

// SaveHighs stores trailing highs on their own (see SaveTriggerResult).
func (d *DB) SaveHighs(ctx context.Context, highs []trigger.HighChange) error {
	if err := d.inTx(ctx, func(tx *sql.Tx) error { return saveHighs(ctx, tx, highs) }); err != nil {
		return fmt.Errorf("db: save highs: %w", err)
	}
	return nil
}
