package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/fixclient"
	"github.com/ballast-oms/ballast/order"
)

// The fixLink is the client's Handler and SentRecorder.
var (
	_ fixclient.Handler      = (*fixLink)(nil)
	_ fixclient.BatchHandler = (*fixLink)(nil)
	_ fixclient.SentRecorder = (*fixLink)(nil)
	_ order.Sender           = (*fixLink)(nil)
)

// OnExecution books an execution report exactly once (the desk publishes
// it to the live blotters). An error leaves the report unbooked: the client
// then has the broker resend it.
func (l *fixLink) OnExecution(ctx context.Context, r order.ExecutionReport) error {
	return l.desk.OnExecution(ctx, r)
}

// OnExecutions books reports that arrived together, in one transaction.
func (l *fixLink) OnExecutions(ctx context.Context, rs []order.ExecutionReport) []error {
	return l.desk.OnExecutions(ctx, rs)
}

// OnCancelReject records a broker's refusal of a cancel or replace.
func (l *fixLink) OnCancelReject(ctx context.Context, r order.CancelReject) error {
	return l.desk.OnCancelReject(ctx, r)
}

// OnSessionReject maps a session or business reject back to its block.
func (l *fixLink) OnSessionReject(ctx context.Context, r order.SessionReject) error {
	return l.desk.OnSessionReject(ctx, r)
}

// OnSent logs an outbound order message, linked to its order by ClOrdID.
func (l *fixLink) OnSent(_ context.Context, m fixclient.SentMessage) {
	l.msgs.add(db.FixMessage{Session: m.Session, Broker: m.Broker, Direction: "out", MsgType: m.MsgType,
		SeqNum: m.SeqNum, ClOrdID: m.ClOrdID, At: m.SentAt, Raw: m.Raw})
}

// OnSessionStatus records logons and logouts, notes a session that dropped
// (for the alert banner) and sends the broker's queued requests at logon.
func (l *fixLink) OnSessionStatus(ctx context.Context, s fixclient.SessionStatus) {
	l.mu.Lock()
	prev := l.status[s.Broker]
	l.status[s.Broker] = s
	switch {
	case s.State == fixclient.StateLoggedOn:
		delete(l.down, s.Broker)
	case prev.State == fixclient.StateLoggedOn && s.State == fixclient.StateConnecting:
		l.down[s.Broker] = l.now().UTC()
	case s.State == fixclient.StateStopped:
		delete(l.down, s.Broker)
	}
	l.mu.Unlock()
	if prev.State != s.State {
		ev := db.FixSessionEvent{Broker: s.Broker, Session: s.Session, At: l.now().UTC(), Event: string(s.State)}
		if err := l.d.AddFixSessionEvent(ctx, ev); err != nil {
			l.log.Error("fix: record session event", "broker", s.Broker, "error", err)
		}
	}
	l.publish()
	if s.State == fixclient.StateLoggedOn {
		go l.flush(ctx, s.Broker)
	}
}

// downSince is when broker's session dropped, zero when it has not.
func (l *fixLink) downSince(broker string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.down[broker]
}

// messageLog writes outbound messages to fix_order_messages in batches from one
// goroutine, so logging never slows a send. The message itself is already
// persisted in the FIX store when OnSent is called.
type messageLog struct {
	d    *db.DB
	log  *slog.Logger
	in   chan db.FixMessage
	done chan struct{}

	mu     sync.RWMutex // guards in against its close
	closed bool
}

// messageLogBuffer is how many messages may wait for the log writer before
// OnSent writes one itself.
const messageLogBuffer = 8192

// messageLogLinger is how long the log writer gathers messages after the
// first before it writes them. Each write is a transaction of its own on
// SQLite's one writer connection, between the order book's group commits:
// written as soon as they came, at 1,100 orders/s the log's small
// transactions cost a sixth of Ballast's CPU per order (bench fix --orders
// 20000, alternating runs: 1.14-1.16 ms per order and 1,097-1,114 orders/s;
// with the linger 0.92-0.97 ms and 1,267-1,335/s). The log is for reading
// (a block's messages page); the messages themselves are in the FIX store
// before they are sent.
const messageLogLinger = 20 * time.Millisecond

func newMessageLog(d *db.DB, logger *slog.Logger) *messageLog {
	m := &messageLog{d: d, log: logger, in: make(chan db.FixMessage, messageLogBuffer), done: make(chan struct{})}
	go m.run()
	return m
}

func (m *messageLog) add(msg db.FixMessage) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		m.write([]db.FixMessage{msg})
		return
	}
	select {
	case m.in <- msg:
	default:
		m.write([]db.FixMessage{msg})
	}
}

// run writes the messages in batches: what arrives within messageLogLinger
// of a batch's first message, up to 256 (close ends the wait at once).
func (m *messageLog) run() {
	defer close(m.done)
	batch := make([]db.FixMessage, 0, 256)
	linger := time.NewTimer(messageLogLinger)
	defer linger.Stop()
	for msg := range m.in {
		batch = append(batch[:0], msg)
		linger.Reset(messageLogLinger)
	more:
		for len(batch) < cap(batch) {
			select {
			case next, ok := <-m.in:
				if !ok {
					break more
				}
				batch = append(batch, next)
			case <-linger.C:
				break more
			}
		}
		m.write(batch)
	}
}

func (m *messageLog) write(batch []db.FixMessage) {
	if err := m.d.LogFixMessages(context.Background(), batch); err != nil {
		m.log.Error("fix: log outbound messages", "count", len(batch), "error", err)
	}
}

// close writes what is waiting and stops the writer.
func (m *messageLog) close() {
	m.mu.Lock()
	if !m.closed {
		m.closed = true
		close(m.in)
	}
	m.mu.Unlock()
	<-m.done
}
