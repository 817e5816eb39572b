package views

import (
	"time"

	"github.com/ballast-oms/ballast/order"
)

// SessionView is one broker's FIX session as the sessions page shows it.
type SessionView struct {
	Broker        string
	Session       string // FIX session id, e.g. FIX.4.4:BALLAST->SIM
	BeginString   string
	SenderCompID  string
	TargetCompID  string
	State         string // logged_on, connecting or stopped
	NextSenderSeq int
	NextTargetSeq int
	LastLogon     time.Time
	LastLogout    time.Time
	LastHeard     time.Time // last message from the broker, heartbeats included
	DownSince     time.Time // when the session dropped (not by an operator); zero when up
	Queued        int       // requests waiting in the outbox for this session
}

// QueuedView is a request kept in the FIX outbox while its session was down.
type QueuedView struct {
	Broker   string
	Kind     string // new, cancel or replace
	ClOrdID  string
	BlockID  int64
	Reason   string
	State    string // queued, sent or failed
	Error    string
	QueuedAt time.Time
	DoneAt   time.Time
}

// FixMessageView is one FIX message of a block's message log.
type FixMessageView struct {
	Direction string // "out" or "in"
	MsgType   string
	SeqNum    int
	ClOrdID   string
	At        time.Time
	Raw       string // SOH shown as |
}

// SessionsPage is the sessions page: sessions, outbox and unmatched executions.
type SessionsPage struct {
	Sessions  []SessionView
	Outbox    []QueuedView
	Unmatched []order.Execution
	Admin     bool // may reset sequence numbers
}

func sessionStateText(s string) string {
	switch s {
	case "logged_on":
		return "logged on"
	case "connecting":
		return "connecting"
	case "stopped":
		return "stopped"
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}
