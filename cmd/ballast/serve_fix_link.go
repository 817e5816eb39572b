package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/fixclient"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/web"
)

// fixLink joins the order desk and the FIX client. As the order Service's
// Sender it sends through the client or, while the broker's session is down,
// keeps the request in the durable FIX outbox (fix_outbox) and sends it at
// the next logon: a released order is never dropped. As the client's Handler
// it books what brokers send through the desk (order.Service.BookExecution,
// one transaction per report, deduplicated by the executions' UNIQUE key),
// logs outbound order messages, and records session logons and logouts.
type fixLink struct {
	d       *db.DB
	client  order.Sender // the FIX client
	desk    *orderDesk
	log     *slog.Logger
	now     func() time.Time
	maxAge  time.Duration // a request queued longer fails instead of going out late; 0: never
	brokers map[string]*brokerLane
	msgs    *messageLog
	started time.Time // when the link was made: sessions get logonGrace to log on

	mu     sync.Mutex
	status map[string]fixclient.SessionStatus // last status heard per broker
	down   map[string]time.Time               // when a session dropped (not by an operator)
}

// brokerLane orders one broker's sends: while requests wait in the outbox,
// new ones queue behind them; the flush at logon holds the lane exclusively.
type brokerLane struct {
	lane   sync.RWMutex
	limit  *fixclient.Throttle
	queued atomic.Int64 // requests waiting in the outbox
}

func newFixLink(d *db.DB, logger *slog.Logger, now func() time.Time, maxAge time.Duration) *fixLink {
	return &fixLink{d: d, log: logger, now: now, maxAge: maxAge, brokers: map[string]*brokerLane{}, started: now(),
		msgs: newMessageLog(d, logger), status: map[string]fixclient.SessionStatus{}, down: map[string]time.Time{}}
}

// addBroker prepares a broker's lane with its outbound rate (0: no limit)
// and the requests still queued from before a restart.
func (l *fixLink) addBroker(ctx context.Context, name string, perSecond float64) error {
	waiting, err := l.d.QueuedFix(ctx, name)
	if err != nil {
		return err
	}
	b := &brokerLane{limit: fixclient.NewThrottle(perSecond, time.Now)}
	b.queued.Store(int64(len(waiting)))
	l.brokers[name] = b
	return nil
}

// Send sends a NewOrderSingle, or queues it while the session is down.
func (l *fixLink) Send(ctx context.Context, r order.NewOrderRequest) error {
	return l.send(ctx, r.Broker, "new", r.ClOrdID, r, func() error { return l.client.Send(ctx, r) })
}

// Cancel sends an OrderCancelRequest, or queues it while the session is down.
func (l *fixLink) Cancel(ctx context.Context, r order.CancelRequest) error {
	return l.send(ctx, r.Broker, "cancel", r.ClOrdID, r, func() error { return l.client.Cancel(ctx, r) })
}

// Replace sends an OrderCancelReplaceRequest, or queues it while the session is down.
func (l *fixLink) Replace(ctx context.Context, r order.ReplaceRequest) error {
	return l.send(ctx, r.Broker, "replace", r.ClOrdID, r, func() error { return l.client.Replace(ctx, r) })
}

func (l *fixLink) send(ctx context.Context, broker, kind, clOrdID string, req any, do func() error) error {
	b, ok := l.brokers[broker]
	if !ok {
		return fmt.Errorf("fix: %s %s: %w", kind, clOrdID, fixclient.ErrUnknownBroker)
	}
	b.lane.RLock()
	defer b.lane.RUnlock()
	if n := b.queued.Load(); n > 0 {
		return l.queue(ctx, b, broker, kind, clOrdID, req, fmt.Sprintf("session %s: behind %d queued request(s)", broker, n))
	}
	if err := b.limit.Wait(ctx); err != nil {
		return fmt.Errorf("fix: %s %s: throttled: %w", kind, clOrdID, err)
	}
	err := do()
	if errors.Is(err, fixclient.ErrSessionDown) {
		return l.queue(ctx, b, broker, kind, clOrdID, req, "session "+broker+" down")
	}
	return err
}

// queue stores a request in the outbox; the Service then holds the order as
// sent (or pending cancel/replace) and the pages show it queued.
func (l *fixLink) queue(ctx context.Context, b *brokerLane, broker, kind, clOrdID string, req any, reason string) error {
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("fix: queue %s %s: %w", kind, clOrdID, err)
	}
	q := db.FixQueued{Broker: broker, Kind: kind, ClOrdID: clOrdID, Request: body, Reason: reason, QueuedAt: l.now().UTC()}
	if _, err := l.d.QueueFix(ctx, q); err != nil {
		return fmt.Errorf("fix: queue %s %s: %w", kind, clOrdID, err)
	}
	b.queued.Add(1)
	l.log.Warn("fix request queued", "broker", broker, "kind", kind, "cl_ord_id", clOrdID, "reason", reason)
	l.publish()
	return nil
}

// flush sends broker's queued requests in order once its session is up. A
// request older than maxAge fails: its order is rejected (or its cancel or
// replace refused) with the reason, for the trader to see.
func (l *fixLink) flush(ctx context.Context, broker string) {
	b, ok := l.brokers[broker]
	if !ok {
		return
	}
	b.lane.Lock()
	defer b.lane.Unlock()
	waiting, err := l.d.QueuedFix(ctx, broker)
	if err != nil {
		l.log.Error("fix: read queued requests", "broker", broker, "error", err)
		return
	}
	for _, q := range waiting {
		if l.expire(ctx, b, q) {
			continue
		}
		if err := b.limit.Wait(ctx); err != nil {
			return
		}
		err := l.sendQueued(ctx, q)
		if errors.Is(err, fixclient.ErrSessionDown) {
			return // down again: the next logon carries on
		}
		state, why := db.FixQueuedSent, ""
		if err != nil {
			state, why = db.FixQueuedFailed, err.Error()
			l.refuse(ctx, q, "not sent: "+why)
		}
		if err := l.d.FinishFix(ctx, q.ID, state, why, l.now()); err != nil {
			l.log.Error("fix: finish queued request", "cl_ord_id", q.ClOrdID, "error", err)
		}
		b.queued.Add(-1)
	}
	l.publish()
}

func (l *fixLink) sendQueued(ctx context.Context, q db.FixQueued) error {
	switch q.Kind {
	case "new":
		var r order.NewOrderRequest
		if err := json.Unmarshal(q.Request, &r); err != nil {
			return fmt.Errorf("fix: queued %s: %w", q.ClOrdID, err)
		}
		return l.client.Send(ctx, r)
	case "cancel":
		var r order.CancelRequest
		if err := json.Unmarshal(q.Request, &r); err != nil {
			return fmt.Errorf("fix: queued %s: %w", q.ClOrdID, err)
		}
		return l.client.Cancel(ctx, r)
	case "replace":
		var r order.ReplaceRequest
		if err := json.Unmarshal(q.Request, &r); err != nil {
			return fmt.Errorf("fix: queued %s: %w", q.ClOrdID, err)
		}
		return l.client.Replace(ctx, r)
	}
	return fmt.Errorf("fix: queued %s: unknown kind %q", q.ClOrdID, q.Kind)
}

// expire fails q when it waited longer than maxAge, and reports whether it did.
func (l *fixLink) expire(ctx context.Context, b *brokerLane, q db.FixQueued) bool {
	if l.maxAge <= 0 || l.now().Sub(q.QueuedAt) <= l.maxAge {
		return false
	}
	why := fmt.Sprintf("not sent: session %s was down for more than %s after it was queued at %s UTC; release it again",
		q.Broker, l.maxAge, q.QueuedAt.Format("15:04:05"))
	if err := l.d.FinishFix(ctx, q.ID, db.FixQueuedFailed, why, l.now()); err != nil {
		return true // someone else finished it
	}
	b.queued.Add(-1)
	l.refuse(ctx, q, why)
	return true
}

// expireAll fails every request queued for longer than maxAge, at any broker.
func (l *fixLink) expireAll(ctx context.Context) {
	for name, b := range l.brokers {
		b.lane.Lock()
		waiting, err := l.d.QueuedFix(ctx, name)
		n := 0
		for _, q := range waiting {
			if l.expire(ctx, b, q) {
				n++
			}
		}
		b.lane.Unlock()
		if err != nil {
			l.log.Error("fix: read queued requests", "broker", name, "error", err)
		}
		if n > 0 {
			l.publish()
		}
	}
}

// refuse tells the order book a queued request will not go out, as a
// session-level refusal of its ClOrdID: a new order becomes rejected, a
// cancel or replace is refused, each with why in the audit trail.
func (l *fixLink) refuse(ctx context.Context, q db.FixQueued, why string) {
	sr := order.SessionReject{Session: "outbox:" + q.Broker, ClOrdID: q.ClOrdID, Reason: why, ReceivedAt: l.now().UTC()}
	if err := l.desk.OnSessionReject(ctx, sr); err != nil {
		l.log.Error("fix: record an unsent request", "cl_ord_id", q.ClOrdID, "error", err)
	}
}

func (l *fixLink) publish() {
	if l.desk != nil {
		l.desk.publish(web.Change{What: "block"})
	}
}
