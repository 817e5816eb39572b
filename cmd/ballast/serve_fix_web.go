package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/fixclient"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/web"
	"github.com/ballast-oms/ballast/web/views"
)

// logonGrace is how long a session may take to log on after start-up
// before the banner says it has not.
const logonGrace = time.Minute

// Limits of the sessions page's lists.
const (
	outboxShown    = 100
	unmatchedShown = 100
)

// sessionDesk is the sessions page's view of the FIX client (web.FixSessions).
type sessionDesk struct {
	link   *fixLink
	client sessionControl
	td     order.TradingDay
}

// sessionControl is what the sessions page does with the FIX client.
type sessionControl interface {
	Status() []fixclient.SessionStatus
	Logon(broker string) error
	Logout(broker string) error
	SetSequenceNumbers(broker string, nextSender, nextTarget int) error
}

var _ web.FixSessions = (*sessionDesk)(nil)

// Sessions describes every broker session with its queued requests.
func (s *sessionDesk) Sessions(context.Context) ([]views.SessionView, error) {
	st := s.client.Status()
	out := make([]views.SessionView, 0, len(st))
	for _, x := range st {
		v := views.SessionView{Broker: x.Broker, Session: x.Session, BeginString: x.BeginString,
			SenderCompID: x.SenderCompID, TargetCompID: x.TargetCompID, State: string(x.State),
			NextSenderSeq: x.NextSenderSeq, NextTargetSeq: x.NextTargetSeq, LastLogon: x.LastLogon,
			LastLogout: x.LastLogout, LastHeard: x.LastHeard, DownSince: s.link.downSince(x.Broker)}
		if b, ok := s.link.brokers[x.Broker]; ok {
			v.Queued = int(b.queued.Load())
		}
		out = append(out, v)
	}
	return out, nil
}

// Logon starts a broker's session.
func (s *sessionDesk) Logon(ctx context.Context, actor, broker string) error {
	return s.operate(ctx, actor, broker, "logon", func() error { return s.client.Logon(broker) })
}

// Logout stops a broker's session until Logon.
func (s *sessionDesk) Logout(ctx context.Context, actor, broker string) error {
	return s.operate(ctx, actor, broker, "logout", func() error { return s.client.Logout(broker) })
}

// ResetSequence sets a logged-out session's sequence numbers.
func (s *sessionDesk) ResetSequence(ctx context.Context, actor, broker string, nextSender, nextTarget int) error {
	return s.operate(ctx, actor, broker, "sequence_reset", func() error {
		err := s.client.SetSequenceNumbers(broker, nextSender, nextTarget)
		if err != nil && !errors.Is(err, fixclient.ErrUnknownBroker) && !errors.Is(err, fixclient.ErrInvalidRequest) {
			return fmt.Errorf("%w: %w", err, order.ErrConflict) // still logged on
		}
		return err
	}, fmt.Sprintf("next outbound %d, next inbound %d", nextSender, nextTarget))
}

// operate runs an operator action and records it in the session log.
func (s *sessionDesk) operate(ctx context.Context, actor, broker, what string, do func() error, detail ...string) error {
	err := do()
	switch {
	case errors.Is(err, fixclient.ErrUnknownBroker):
		return fmt.Errorf("fix: %s %s: %w: %w", what, broker, err, order.ErrNotFound)
	case errors.Is(err, fixclient.ErrInvalidRequest):
		return fmt.Errorf("fix: %s %s: %w: %w", what, broker, err, order.ErrInvalid)
	case err != nil:
		return fmt.Errorf("fix: %s %s: %w", what, broker, err)
	}
	ev := db.FixSessionEvent{Broker: broker, At: s.link.now().UTC(), Event: what, Actor: actor, Detail: strings.Join(detail, "; ")}
	if err := s.link.d.AddFixSessionEvent(ctx, ev); err != nil {
		s.link.log.Error("fix: record session event", "broker", broker, "error", err)
	}
	s.link.log.Info("fix session operator action", "broker", broker, "action", what, "actor", actor)
	return nil
}

// Outbox lists the latest requests queued while a session was down.
func (s *sessionDesk) Outbox(ctx context.Context) ([]views.QueuedView, error) {
	qs, err := s.link.d.FixOutbox(ctx, outboxShown)
	if err != nil {
		return nil, err
	}
	out := make([]views.QueuedView, 0, len(qs))
	for _, q := range qs {
		out = append(out, views.QueuedView{Broker: q.Broker, Kind: q.Kind, ClOrdID: q.ClOrdID, BlockID: q.BlockID,
			Reason: q.Reason, State: q.State, Error: q.Error, QueuedAt: q.QueuedAt, DoneAt: q.DoneAt})
	}
	return out, nil
}

// Unmatched lists the latest execution reports that matched no order.
func (s *sessionDesk) Unmatched(ctx context.Context) ([]order.Execution, error) {
	return s.link.d.UnmatchedExecutions(ctx, unmatchedShown)
}

// Alert names the sessions down during the trading day and the requests
// waiting for a session; "" when there are none.
func (s *sessionDesk) Alert() string {
	now := s.link.now()
	var parts []string
	for _, st := range s.client.Status() {
		queued := int64(0)
		if b, ok := s.link.brokers[st.Broker]; ok {
			queued = b.queued.Load()
		}
		down := s.link.downSince(st.Broker)
		switch {
		case !down.IsZero() && s.tradingNow(now):
			parts = append(parts, fmt.Sprintf("FIX session %s dropped at %s UTC", st.Broker, down.Format("15:04:05")))
		case st.State == fixclient.StateConnecting && st.LastLogon.IsZero() && now.Sub(s.link.started) > logonGrace && s.tradingNow(now):
			parts = append(parts, fmt.Sprintf("FIX session %s has not logged on since Ballast started", st.Broker))
		case st.State != fixclient.StateLoggedOn && queued > 0:
			parts = append(parts, fmt.Sprintf("FIX session %s is %s", st.Broker, strings.ReplaceAll(string(st.State), "_", " ")))
		}
		if queued > 0 {
			parts = append(parts, fmt.Sprintf("%d request(s) queued for %s", queued, st.Broker))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

// tradingNow reports whether t falls in the trading day: a weekday before
// the desk's close.
func (s *sessionDesk) tradingNow(t time.Time) bool {
	if s.td.Location == nil {
		return true
	}
	end := s.td.End(t).In(s.td.Location)
	local := t.In(s.td.Location)
	return end.YearDay() == local.YearDay() && end.Year() == local.Year()
}

// Queued maps the ClOrdIDs waiting in the outbox to why they wait.
func (s *sessionDesk) Queued(ctx context.Context) (map[string]string, error) {
	qs, err := s.link.d.QueuedFix(ctx, "")
	if err != nil || len(qs) == 0 {
		return nil, err
	}
	out := make(map[string]string, len(qs))
	for _, q := range qs {
		out[q.ClOrdID] = q.Reason
	}
	return out, nil
}

// Messages is a block's FIX message log, SOH shown as |.
func (s *sessionDesk) Messages(ctx context.Context, blockID int64) ([]views.FixMessageView, error) {
	ms, err := s.link.d.FixMessagesOfBlock(ctx, blockID)
	if err != nil {
		return nil, err
	}
	out := make([]views.FixMessageView, 0, len(ms))
	for _, m := range ms {
		out = append(out, views.FixMessageView{Direction: m.Direction, MsgType: m.MsgType, SeqNum: m.SeqNum,
			ClOrdID: m.ClOrdID, At: m.At, Raw: strings.ReplaceAll(m.Raw, "\x01", "|")})
	}
	return out, nil
}
