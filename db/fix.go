package db

import (
	"context"
	"fmt"
	"time"

	"github.com/ballast-oms/ballast/order"
)

// FixQueued is an order request (new order, cancel or replace) kept in the
// FIX outbox because its broker's session was down when it was released.
type FixQueued struct {
	ID       int64
	Broker   string
	Kind     string // "new", "cancel" or "replace"
	ClOrdID  string
	Request  []byte // the request as JSON
	Reason   string // why it was queued
	QueuedAt time.Time
	State    string // "queued", "sent" or "failed"
	DoneAt   time.Time
	Error    string // why it failed
	BlockID  int64  // the block the ClOrdID belongs to (0 when unknown)
}

// The states of a FixQueued request.
const (
	FixQueuedWaiting = "queued"
	FixQueuedSent    = "sent"
	FixQueuedFailed  = "failed"
)

// QueueFix stores q as queued and returns its id; a ClOrdID queued before
// is refused with ErrConflict.
func (d *DB) QueueFix(ctx context.Context, q FixQueued) (int64, error) {
	res, err := d.writer.ExecContext(ctx, `INSERT INTO fix_outbox (broker, kind, cl_ord_id, request, reason, queued_at)
		VALUES (?, ?, ?, ?, ?, ?)`, q.Broker, q.Kind, q.ClOrdID, string(q.Request), q.Reason, formatTime(q.QueuedAt))
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("db: queue FIX %s %s: already queued: %w", q.Kind, q.ClOrdID, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("db: queue FIX %s %s: %w", q.Kind, q.ClOrdID, err)
	}
	return res.LastInsertId()
}

// FinishFix marks a queued request sent or failed (with why); a request no
// longer queued is left as it is and ErrConflict returned.
func (d *DB) FinishFix(ctx context.Context, id int64, state, why string, at time.Time) error {
	if state != FixQueuedSent && state != FixQueuedFailed {
		return fmt.Errorf("db: finish FIX request %d: state %q: %w", id, state, ErrInvalid)
	}
	res, err := d.writer.ExecContext(ctx, `UPDATE fix_outbox SET state = ?, error = ?, done_at = ? WHERE id = ? AND state = 'queued'`,
		state, why, formatTime(at), id)
	if err != nil {
		return fmt.Errorf("db: finish FIX request %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("db: finish FIX request %d: not queued: %w", id, ErrConflict)
	}
	return nil
}

const fixQueuedColumns = `q.id, q.broker, q.kind, q.cl_ord_id, q.request, q.reason, q.queued_at, q.state, q.done_at, q.error,
	COALESCE(c.block_id, 0)`

// QueuedFix lists the requests still queued for broker (all brokers when
// empty), oldest first.
func (d *DB) QueuedFix(ctx context.Context, broker string) ([]FixQueued, error) {
	return d.fixOutbox(ctx, `WHERE q.state = 'queued' AND (? = '' OR q.broker = ?) ORDER BY q.id`, broker, broker)
}

// FixOutbox lists the latest requests that were queued, newest first, at most limit.
func (d *DB) FixOutbox(ctx context.Context, limit int) ([]FixQueued, error) {
	return d.fixOutbox(ctx, `ORDER BY q.id DESC LIMIT ?`, limit)
}

func (d *DB) fixOutbox(ctx context.Context, where string, args ...any) ([]FixQueued, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT `+fixQueuedColumns+` FROM fix_outbox q
		LEFT JOIN cl_ord_ids c ON c.cl_ord_id = q.cl_ord_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("db: FIX outbox: %w", err)
	}
	defer rows.Close()
	var out []FixQueued
	for rows.Next() {
		var q FixQueued
		var req, queued, done string
		if err := rows.Scan(&q.ID, &q.Broker, &q.Kind, &q.ClOrdID, &req, &q.Reason, &queued, &q.State, &done, &q.Error, &q.BlockID); err != nil {
			return nil, fmt.Errorf("db: FIX outbox: %w", err)
		}
		q.Request = []byte(req)
		if q.QueuedAt, err = parseTime(queued); err != nil {
			return nil, fmt.Errorf("db: FIX outbox %d: %w", q.ID, err)
		}
		if q.DoneAt, err = parseOptTime(done); err != nil {
			return nil, fmt.Errorf("db: FIX outbox %d: %w", q.ID, err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: FIX outbox: %w", err)
	}
	return out, nil
}

// UnmatchedExecutions lists the latest execution reports that matched no
// order (kept under block 0), newest first, at most limit.
func (d *DB) UnmatchedExecutions(ctx context.Context, limit int) ([]order.Execution, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT `+executionColumns+` FROM executions WHERE block_id = 0 ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: unmatched executions: %w", err)
	}
	defer rows.Close()
	var out []order.Execution
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return nil, fmt.Errorf("db: unmatched executions: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: unmatched executions: %w", err)
	}
	return out, nil
}
