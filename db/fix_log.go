package db

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// FixMessage is one FIX message in an order's message log: an outbound
// order message, or an inbound execution report (its raw text as booked).
type FixMessage struct {
	Session   string
	Broker    string
	Direction string // "out" or "in"
	MsgType   string
	SeqNum    int
	ClOrdID   string
	At        time.Time
	Raw       string
}

// LogFixMessages stores outbound order messages in one transaction.
func (d *DB) LogFixMessages(ctx context.Context, ms []FixMessage) error {
	if len(ms) == 0 {
		return nil
	}
	var sb strings.Builder
	sb.WriteString(`INSERT INTO fix_order_messages (session, broker, msg_type, seq_num, cl_ord_id, sent_at, raw) VALUES `)
	args := make([]any, 0, 7*len(ms))
	for i, m := range ms {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, m.Session, m.Broker, m.MsgType, m.SeqNum, m.ClOrdID, formatTime(m.At), m.Raw)
	}
	if _, err := d.writer.ExecContext(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("db: log %d FIX messages: %w", len(ms), err)
	}
	return nil
}

// FixMessagesOfBlock is the message log of a block: the order messages sent
// under any ClOrdID of its chain and the execution reports booked to it, in
// time order.
func (d *DB) FixMessagesOfBlock(ctx context.Context, blockID int64) ([]FixMessage, error) {
	rows, err := d.reader.QueryContext(ctx, `
		SELECT m.session, m.broker, 'out', m.msg_type, m.seq_num, m.cl_ord_id, m.sent_at, m.raw
		  FROM fix_order_messages m JOIN cl_ord_ids c ON c.cl_ord_id = m.cl_ord_id WHERE c.block_id = ?
		UNION ALL
		SELECT e.session, '', 'in', '8', 0, e.cl_ord_id, e.received_at, e.raw
		  FROM executions e WHERE e.block_id = ?
		ORDER BY 7`, blockID, blockID)
	if err != nil {
		return nil, fmt.Errorf("db: FIX messages of block %d: %w", blockID, err)
	}
	defer rows.Close()
	var out []FixMessage
	for rows.Next() {
		var m FixMessage
		var at string
		if err := rows.Scan(&m.Session, &m.Broker, &m.Direction, &m.MsgType, &m.SeqNum, &m.ClOrdID, &at, &m.Raw); err != nil {
			return nil, fmt.Errorf("db: FIX messages of block %d: %w", blockID, err)
		}
		if m.At, err = parseOptTime(at); err != nil {
			return nil, fmt.Errorf("db: FIX messages of block %d: %w", blockID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: FIX messages of block %d: %w", blockID, err)
	}
	return out, nil
}

// FixSessionEvent is a logon, logout or operator action on a FIX session.
type FixSessionEvent struct {
	Broker  string
	Session string
	At      time.Time
	Event   string
	Actor   string
	Detail  string
}

// AddFixSessionEvent appends e to the session log.
func (d *DB) AddFixSessionEvent(ctx context.Context, e FixSessionEvent) error {
	_, err := d.writer.ExecContext(ctx, `INSERT INTO fix_session_events (broker, session, at, event, actor, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		e.Broker, e.Session, formatTime(e.At), e.Event, e.Actor, e.Detail)
	if err != nil {
		return fmt.Errorf("db: FIX session event %s %s: %w", e.Broker, e.Event, err)
	}
	return nil
}

// FixSessionEvents lists the latest session events, newest first, at most limit.
func (d *DB) FixSessionEvents(ctx context.Context, limit int) ([]FixSessionEvent, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT broker, session, at, event, actor, detail FROM fix_session_events ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: FIX session events: %w", err)
	}
	defer rows.Close()
	var out []FixSessionEvent
	for rows.Next() {
		var e FixSessionEvent
		var at string
		if err := rows.Scan(&e.Broker, &e.Session, &at, &e.Event, &e.Actor, &e.Detail); err != nil {
			return nil, fmt.Errorf("db: FIX session events: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("db: FIX session events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: FIX session events: %w", err)
	}
	return out, nil
}
