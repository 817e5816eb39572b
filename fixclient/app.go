package fixclient

import (
	"fmt"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/tag"

	"github.com/ballast-oms/ballast/order"
)

// fixApp is the quickfix.Application of a Client, kept apart so that the
// Client's exported API is Ballast's. quickfixgo calls it on the session's
// goroutine (ToApp also on the sender's).
type fixApp struct{ *Client }

// OnCreate is a quickfixgo callback.
func (c fixApp) OnCreate(quickfix.SessionID) {}

// OnLogon marks the session up and tells the Handler, which can now send
// queued orders.
func (c fixApp) OnLogon(id quickfix.SessionID) {
	s := c.byID[id]
	s.lastLogon.Store(c.now().UnixNano())
	s.loggedOn.Store(true)
	c.log.Info("fix session logged on", "session", id.String(), "broker", s.broker)
	c.notify(s)
}

// OnLogout marks the session down, waits for what the session received to
// be booked (rewinding the inbound number after a failed booking) and tells
// the Handler.
func (c fixApp) OnLogout(id quickfix.SessionID) {
	s := c.byID[id]
	s.lastLogout.Store(c.now().UnixNano())
	s.loggedOn.Store(false)
	s.handoff.kick()
	c.settleInbound(s)
	c.log.Warn("fix session logged out", "session", id.String(), "broker", s.broker)
	c.notify(s)
}

// ToAdmin logs, as an error, every session Reject (35=3) Ballast sends: the
// broker's message it refuses (malformed, or an execution report that cannot
// be mapped) is not booked, and the broker must correct and resend it.
func (c fixApp) ToAdmin(msg *quickfix.Message, id quickfix.SessionID) {
	if t, _ := msg.MsgType(); t == "3" {
		ref, _ := msg.Body.GetInt(tag.RefSeqNum)
		c.log.Error("fixclient: rejected an inbound FIX message; it is not booked", "session", id.String(),
			"ref_seq", ref, "reason", str(&msg.Body, tag.SessionRejectReason), "text", str(&msg.Body, tag.Text))
	}
}

// ToApp records which order each outbound MsgSeqNum carries, and refuses to
// resend order messages older than MaxResendAge.
func (c fixApp) ToApp(msg *quickfix.Message, id quickfix.SessionID) error {
	s := c.byID[id]
	seq, _ := msg.Header.GetInt(tag.MsgSeqNum)
	clOrdID := str(&msg.Body, tag.ClOrdID)
	if c.staleResend(msg) {
		c.log.Warn("fix order message not resent: too old", "session", id.String(), "cl_ord_id", clOrdID, "seq", seq)
		err := c.h.OnSessionReject(c.ctx, order.SessionReject{
			Session: id.String(), RefSeqNum: seq, ClOrdID: clOrdID, ReceivedAt: c.now().UTC(), Raw: msg.String(),
			Reason: fmt.Sprintf("not resent after reconnecting: older than %s", c.cfg.MaxResendAge),
		})
		if err != nil {
			c.log.Error("fixclient: handler failed on an unsent order", "session", id.String(), "cl_ord_id", clOrdID, "error", err)
		}
		return quickfix.ErrDoNotSend
	}
	s.recordSent(seq, clOrdID)
	return nil
}

func (c *Client) staleResend(msg *quickfix.Message) bool {
	if c.cfg.MaxResendAge <= 0 {
		return false
	}
	if dup, _ := msg.Header.GetBool(tag.PossDupFlag); !dup {
		return false
	}
	switch t, _ := msg.MsgType(); t {
	case "D", "F", "G":
	default:
		return false
	}
	orig, err := msg.Header.GetTime(tag.OrigSendingTime)
	return err == nil && c.now().Sub(orig) > c.cfg.MaxResendAge
}

// FromAdmin notes the broker is alive and maps session Rejects (35=3).
func (c fixApp) FromAdmin(msg *quickfix.Message, id quickfix.SessionID) quickfix.MessageRejectError {
	s := c.byID[id]
	s.lastHeard.Store(c.now().UnixNano())
	if t, _ := msg.MsgType(); t == "3" {
		c.fromReject(s, msg)
	}
	return nil
}

// FromApp hands execution reports, cancel rejects and business rejects to
// the session's booker (or, without one, to the Handler before quickfixgo
// advances the inbound sequence number). A failed booking holds the
// sequence number: the session drops and the broker resends the message
// after reconnecting.
func (c fixApp) FromApp(msg *quickfix.Message, id quickfix.SessionID) quickfix.MessageRejectError {
	s := c.byID[id]
	now := c.now().UTC()
	s.lastHeard.Store(now.UnixNano())
	seq, _ := msg.Header.GetInt(tag.MsgSeqNum)
	switch t, _ := msg.MsgType(); t {
	case "8":
		r, merr := MapExecutionReport(msg)
		if merr != nil {
			c.log.Error("fixclient: unmappable execution report", "session", id.String(), "error", merr, "msg", msg.String())
			return quickfix.NewMessageRejectError(merr.Error(), 5, nil) // value is incorrect
		}
		r.Session, r.Broker, r.ReceivedAt = id.String(), s.broker, now
		c.deliver(s, msg, inboundItem{seq: seq, exec: &r})
	case "9":
		r, _ := MapCancelReject(msg)
		r.Session, r.Broker, r.ReceivedAt = id.String(), s.broker, now
		c.deliver(s, msg, inboundItem{seq: seq, cxlRej: &r})
	case "j":
		c.fromReject(s, msg)
	default:
		c.log.Info("fixclient: ignoring application message", "session", id.String(), "msg_type", t)
	}
	return nil
}

func (c *Client) fromReject(s *session, msg *quickfix.Message) {
	r, _ := MapReject(msg)
	r.Session, r.ReceivedAt = s.id.String(), c.now().UTC()
	if id := s.sentClOrdID(r.RefSeqNum); id != "" && (r.ClOrdID == "" || !r.Business) {
		r.ClOrdID = id
	}
	seq, _ := msg.Header.GetInt(tag.MsgSeqNum)
	c.deliver(s, msg, inboundItem{seq: seq, reject: &r})
}

// deliver hands an inbound message to the session's booker, or, without
// one, to the Handler at once on the session goroutine, holding the inbound
// sequence number when the Handler fails.
func (c *Client) deliver(s *session, msg *quickfix.Message, it inboundItem) {
	if s.booker != nil {
		s.booker.enqueue(it) // when refused, the session drops before the number is stored
		return
	}
	s.inHandler.Add(1)
	defer s.inHandler.Add(-1)
	var err error
	switch {
	case it.exec != nil:
		err = c.h.OnExecution(c.ctx, *it.exec)
	case it.cxlRej != nil:
		err = c.h.OnCancelReject(c.ctx, *it.cxlRej)
	case it.reject != nil:
		err = c.h.OnSessionReject(c.ctx, *it.reject)
	}
	if err != nil {
		c.hold(s, msg, err)
	}
}

// hold keeps the inbound sequence number where it is so msg is redelivered.
func (c *Client) hold(s *session, msg *quickfix.Message, err error) {
	seq, _ := msg.Header.GetInt(tag.MsgSeqNum)
	c.log.Error("fixclient: handler failed; dropping the session for redelivery",
		"session", s.id.String(), "seq", seq, "cl_ord_id", str(&msg.Body, tag.ClOrdID), "exec_id", str(&msg.Body, tag.ExecID), "error", err)
	if g := s.store.get(); g != nil {
		g.hold.Store(true)
	}
}
