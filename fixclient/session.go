package fixclient

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/tag"

	"github.com/ballast-oms/ballast/order"
)

var _ order.Sender = (*Client)(nil)

// maxSentRefs bounds the outbound MsgSeqNum → ClOrdID map per session.
const maxSentRefs = 1 << 16

// session is one broker's FIX session.
type session struct {
	id       quickfix.SessionID
	broker   string
	settings *quickfix.Settings // this session only, for its own initiator
	store    *sessionStores
	throttle *Throttle
	handoff  *handoff
	booker   *booker // books inbound messages off the session goroutine; nil without Config.SyncBooked

	resetOnLogon bool // the store is reset at each logon: unsent messages are never resent

	ctl sync.Mutex // guards ini
	ini *quickfix.Initiator

	running      atomic.Bool  // an initiator is running (not logged out by an operator)
	reconnecting atomic.Bool  // reconnect is restarting the initiator
	inHandler    atomic.Int32 // the session goroutine is inside a Handler call
	loggedOn     atomic.Bool
	lastHeard    atomic.Int64 // unix nanoseconds
	lastLogon    atomic.Int64
	lastLogout   atomic.Int64

	sending sync.Mutex // held from SendToTarget until the message is handed to the writer

	sentMu sync.Mutex
	sent   map[int]string // outbound MsgSeqNum → ClOrdID
}

func unixTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (s *session) status() SessionStatus {
	st := SessionStatus{
		Session: s.id.String(), Broker: s.broker, BeginString: s.id.BeginString,
		SenderCompID: s.id.SenderCompID, TargetCompID: s.id.TargetCompID,
		State:      StateStopped,
		LastLogon:  unixTime(s.lastLogon.Load()),
		LastLogout: unixTime(s.lastLogout.Load()),
		LastHeard:  unixTime(s.lastHeard.Load()),
	}
	switch {
	case s.loggedOn.Load():
		st.State = StateLoggedOn
	case s.running.Load():
		st.State = StateConnecting
	}
	if g := s.store.get(); g != nil {
		st.NextSenderSeq = int(g.nextSender.Load())
		st.NextTargetSeq = int(g.nextTarget.Load())
	}
	return st
}

func (s *session) recordSent(seq int, clOrdID string) {
	s.sentMu.Lock()
	defer s.sentMu.Unlock()
	if seq == 1 || len(s.sent) >= maxSentRefs {
		clear(s.sent) // sequence reset, or bound reached
	}
	s.sent[seq] = clOrdID
}

func (s *session) sentClOrdID(seq int) string {
	s.sentMu.Lock()
	defer s.sentMu.Unlock()
	return s.sent[seq]
}

// Send sends a NewOrderSingle. It returns ErrSessionDown, without sending,
// when the broker's session is not logged on.
func (c *Client) Send(ctx context.Context, r order.NewOrderRequest) error {
	s, err := c.session(r.Broker)
	if err != nil {
		return fmt.Errorf("fixclient: send %s: %w", r.ClOrdID, err)
	}
	msg, err := BuildNewOrderSingle(s.id.BeginString, r, c.now())
	if err != nil {
		return err
	}
	return c.sendApp(ctx, s, msg, "send "+r.ClOrdID)
}

// Cancel sends an OrderCancelRequest; ErrSessionDown as for Send.
func (c *Client) Cancel(ctx context.Context, r order.CancelRequest) error {
	s, err := c.session(r.Broker)
	if err != nil {
		return fmt.Errorf("fixclient: cancel %s: %w", r.ClOrdID, err)
	}
	msg, err := BuildCancelRequest(s.id.BeginString, r, c.now())
	if err != nil {
		return err
	}
	return c.sendApp(ctx, s, msg, "cancel "+r.OrigClOrdID)
}

// Replace sends an OrderCancelReplaceRequest; ErrSessionDown as for Send.
func (c *Client) Replace(ctx context.Context, r order.ReplaceRequest) error {
	s, err := c.session(r.Broker)
	if err != nil {
		return fmt.Errorf("fixclient: replace %s: %w", r.ClOrdID, err)
	}
	msg, err := BuildReplaceRequest(s.id.BeginString, r, c.now())
	if err != nil {
		return err
	}
	return c.sendApp(ctx, s, msg, "replace "+r.OrigClOrdID)
}

func (c *Client) sendApp(ctx context.Context, s *session, msg *quickfix.Message, what string) error {
	if !s.loggedOn.Load() {
		return fmt.Errorf("fixclient: %s to %s: %w", what, s.broker, ErrSessionDown)
	}
	if err := s.throttle.Wait(ctx); err != nil {
		return fmt.Errorf("fixclient: %s to %s: throttled: %w", what, s.broker, err)
	}
	if !s.loggedOn.Load() {
		return fmt.Errorf("fixclient: %s to %s: %w", what, s.broker, ErrSessionDown)
	}
	onSession := s.inHandler.Load() > 0
	if !onSession {
		// One order message at a time in quickfixgo's queue: its session
		// goroutine retries a message the writer cannot take yet in a busy
		// loop, so concurrent senders queueing behind a busy writer burn the
		// CPU the session needs for reading.
		s.sending.Lock()
		defer s.sending.Unlock()
	}
	if err := quickfix.SendToTarget(msg, s.id); err != nil {
		return fmt.Errorf("fixclient: %s to %s: %w", what, s.broker, err)
	}
	seq, err := msg.Header.GetInt(tag.MsgSeqNum)
	if err != nil {
		return nil
	}
	c.recordSent(ctx, s, msg, seq)
	if onSession {
		// Possibly called from a Handler on the session goroutine, which
		// cannot hand the message over until the Handler returns.
		return nil
	}
	down := func() bool { return !s.loggedOn.Load() }
	if !s.handoff.wait(ctx, seq, down) && down() && s.resetOnLogon {
		// Persisted but not sent, and the next logon resets the store: the
		// message would never be resent, so the caller must send it again.
		return fmt.Errorf("fixclient: %s to %s: session dropped before sending, and ResetOnLogon discards it: %w",
			what, s.broker, ErrSessionDown)
	}
	return nil
}

func (c *Client) recordSent(ctx context.Context, s *session, msg *quickfix.Message, seq int) {
	rec, ok := c.h.(SentRecorder)
	if !ok {
		return
	}
	t, _ := msg.MsgType()
	rec.OnSent(ctx, SentMessage{Session: s.id.String(), Broker: s.broker, ClOrdID: str(&msg.Body, tag.ClOrdID),
		MsgType: t, SeqNum: seq, SentAt: c.now().UTC(), Raw: msg.String()})
}
