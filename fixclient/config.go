// Package fixclient is Ballast's FIX initiator: it turns order requests into
// FIX 4.4 / 4.2 NewOrderSingle, OrderCancelRequest and
// OrderCancelReplaceRequest messages, one quickfixgo session per broker, and
// hands execution reports, cancel rejects and session rejects back to the
// order book normalised across versions.
//
// Exactly-once booking: inbound application messages are handed to the
// Handler synchronously, before quickfixgo advances the inbound sequence
// number in its persistent store. When the Handler fails (or the process
// dies before it returns), the sequence number is not advanced, the session
// is dropped and, after reconnecting, the broker resends the message with
// PossDup=Y. The order book deduplicates on (session, ExecID).
package fixclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/quickfixgo/quickfix"

	"github.com/ballast-oms/ballast/order"
)

// ErrSessionDown is returned by Send, Cancel and Replace when the broker's
// session is not logged on. Nothing was sent: keep the request queued and
// retry when the Handler hears the session is logged on.
var ErrSessionDown = errors.New("FIX session is not logged on")

// ErrUnknownBroker is returned when no session is configured for a broker.
var ErrUnknownBroker = errors.New("no FIX session for broker")

// ErrInvalidRequest is returned for a request that cannot be spelled in FIX.
var ErrInvalidRequest = errors.New("invalid FIX request")

// BrokerSetting is the session setting that names the broker in Ballast;
// without it the broker is the session's TargetCompID.
const BrokerSetting = "BallastBroker"

// ThrottleSetting is the session setting that overrides Config.Throttle for
// one session (application messages per second; 0 means no limit).
const ThrottleSetting = "BallastThrottle"

// StoreSyncSetting is the session setting that says when the file store
// fsyncs an outbound message: "group" (the default) syncs in the background,
// at most every few milliseconds, and keeps the outbound numbers safe with a
// synced reservation; "message" fsyncs each message before it is sent. See
// internal/fixstore's group.go for what a power cut can lose in each.
const StoreSyncSetting = "BallastStoreSync"

// StoreKind selects the persistent message store.
type StoreKind string

// The message stores fixclient supports.
const (
	StoreFile   StoreKind = "file"   // quickfixgo file store (default)
	StoreSQL    StoreKind = "sql"    // quickfixgo SQL store on a SQLite file
	StoreMemory StoreKind = "memory" // not persistent: tests only
)

// Config configures a Client.
type Config struct {
	// Settings are standard QuickFIX settings, one [SESSION] per broker.
	Settings *quickfix.Settings
	// Store is the message store kind; empty means StoreFile.
	Store StoreKind
	// StorePath is the file store directory, used when the settings do not
	// set FileStorePath, or the SQLite file for StoreSQL.
	StorePath string
	// Logger receives session events and FIX messages (debug level).
	Logger *slog.Logger
	// Throttle is the most application messages per second sent on one
	// session; 0 means no limit. A session's BallastThrottle overrides it.
	Throttle float64
	// MaxResendAge, when positive, stops order messages older than this from
	// being resent after a reconnect: they are gap-filled instead and the
	// Handler hears a SessionReject for the order.
	MaxResendAge time.Duration
	// Clock is the time source; nil means time.Now.
	Clock func() time.Time
	// SyncBooked, when set, makes every booking the Handler has committed so
	// far durable (an fsync of the order book's database). The client then
	// stores each session's inbound sequence number a few times a second
	// after calling it, instead of writing and fsyncing it after every
	// inbound message (guardStore). Nil: the store advances it per message.
	SyncBooked func() error
}

// LoadSettings reads a QuickFIX settings file.
func LoadSettings(path string) (*quickfix.Settings, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fixclient: open settings: %w", err)
	}
	defer f.Close()
	return ParseSettings(f)
}

// ParseSettings reads QuickFIX settings from r.
func ParseSettings(r io.Reader) (*quickfix.Settings, error) {
	s, err := quickfix.ParseSettings(r)
	if err != nil {
		return nil, fmt.Errorf("fixclient: parse settings: %w", err)
	}
	return s, nil
}

// Handler receives what brokers send. OnExecution, OnCancelReject and
// OnSessionReject are called on the FIX session's goroutine, one message at
// a time per session, before the message counts as received: book it
// durably before returning. Returning an error means "not booked": the
// session drops and the broker resends the message after reconnecting (with
// PossDup set), so booking must be idempotent on (Session, ExecID). They
// may call Send, Cancel and Replace, which then only queue the message.
type Handler interface {
	OnExecution(ctx context.Context, r order.ExecutionReport) error
	OnCancelReject(ctx context.Context, r order.CancelReject) error
	OnSessionReject(ctx context.Context, r order.SessionReject) error
	// OnSessionStatus is told of logons and logouts, in order, from a
	// goroutine of its own: on a logon, queued orders can be sent.
	OnSessionStatus(ctx context.Context, s SessionStatus)
}

// SentRecorder is an optional extension of Handler: a Handler that has it
// is told of every order message Send, Cancel and Replace pass to the FIX
// session, for the order's message log. It is called on the sender's
// goroutine after the message is persisted in the message store.
type SentRecorder interface {
	OnSent(ctx context.Context, m SentMessage)
}

// SentMessage is an outbound order message as it was sent.
type SentMessage struct {
	Session string
	Broker  string
	ClOrdID string
	MsgType string // "D" new order, "F" cancel, "G" cancel/replace
	SeqNum  int
	SentAt  time.Time
	Raw     string
}

// SessionState is where a session is in its life.
type SessionState string

// The session states.
const (
	StateStopped    SessionState = "stopped"    // logged out by an operator or not started
	StateConnecting SessionState = "connecting" // trying to connect or log on
	StateLoggedOn   SessionState = "logged_on"
)

// SessionStatus describes one broker session.
type SessionStatus struct {
	Session       string // FIX session id, e.g. FIX.4.4:BALLAST->SIM
	Broker        string
	BeginString   string
	SenderCompID  string
	TargetCompID  string
	State         SessionState
	NextSenderSeq int // next outbound MsgSeqNum
	NextTargetSeq int // next inbound MsgSeqNum expected
	LastLogon     time.Time
	LastLogout    time.Time
	LastHeard     time.Time // last message of any kind from the broker (heartbeats included)
}
