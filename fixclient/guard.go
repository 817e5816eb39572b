package fixclient

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/quickfixgo/quickfix"
)

// Inbound guard. quickfixgo v0.9.11 frames a message from the wire by its
// BodyLength(9) and the "10=" that follows, then parses it on the session
// goroutine without verifying the CheckSum(10), and its parser panics on
// some framed input (an XMLDataLen(212) longer than the rest of the message
// indexes past the end), which would end the whole Ballast process. The
// session log's OnIncoming is handed the very bytes about to be parsed, on
// the same goroutine, just before parsing: the guard checks them there and,
// when they are bad, spoils the BeginString so that quickfixgo's parser
// refuses the message with an error (and drops it, leaving the inbound
// sequence number where it was) instead of booking a garbled report or
// panicking.

// checkInbound says why a framed inbound message must not reach quickfixgo's
// parser, and whether the connection should be dropped; "" means it is fine.
func checkInbound(msg []byte) (problem string, drop bool) {
	if want, got, ok := checkSums(msg); !ok {
		return fmt.Sprintf("CheckSum(10) is %q, the bytes sum to %03d", got, want), false
	}
	if p := parsePanic(msg); p != nil {
		return fmt.Sprintf("quickfixgo's parser panics on it: %v", p), true
	}
	return "", false
}

// spoil makes msg unparsable in place: quickfixgo then logs a parse error
// and ignores it.
func spoil(msg []byte) {
	if len(msg) > 0 {
		msg[0] = 'X'
	}
}

var checkSumTag = []byte("\x0110=")

// checkSums compares msg's CheckSum(10) with the sum of the bytes before it.
func checkSums(msg []byte) (want int, got string, ok bool) {
	i := bytes.LastIndex(msg, checkSumTag)
	if i < 0 {
		return 0, "", false
	}
	for _, c := range msg[:i+1] {
		want += int(c)
	}
	want %= 256
	got = string(bytes.TrimSuffix(msg[i+len(checkSumTag):], []byte{1}))
	n, err := strconv.Atoi(got)
	return want, got, err == nil && len(got) == 3 && n == want
}

// parsePanic parses a copy of msg the way the session will, and returns
// what the parser panicked with, if it did.
func parsePanic(msg []byte) (p any) {
	defer func() { p = recover() }()
	m := quickfix.NewMessage()
	_ = quickfix.ParseMessage(m, bytes.NewBuffer(bytes.Clone(msg)))
	return nil
}

// reconnect drops s's connection by restarting its initiator, after an
// inbound message that quickfixgo could not have parsed safely or that could
// not be booked; after the next logon the broker resends what Ballast has
// not received (or booked).
func (c *Client) reconnect(s *session, why string) {
	if !s.reconnecting.CompareAndSwap(false, true) {
		return
	}
	defer s.reconnecting.Store(false)
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if s.ini == nil || c.ctx.Err() != nil {
		return // logged out or stopped meanwhile
	}
	c.log.Error("fixclient: dropping the connection to reconnect", "session", s.id.String(), "broker", s.broker, "reason", why)
	s.ini.Stop()
	s.ini = nil
	s.loggedOn.Store(false)
	if err := c.startLocked(s); err != nil {
		s.running.Store(false)
		c.log.Error("fixclient: reconnect failed; the session stays down until an operator logs it on",
			"session", s.id.String(), "broker", s.broker, "error", err)
		c.notify(s)
	}
}
