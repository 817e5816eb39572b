package fixclient

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/quickfixgo/quickfix"
)

// logFactory sends quickfixgo's message and event log to slog: messages at
// debug level, session events at info.
// It also tells the session's handoff tracker what reached the writer, and
// guards the session's parser against bad inbound bytes (guard.go).
type logFactory struct {
	log     *slog.Logger
	handoff *handoff
	bad     func(problem string, drop bool) // a bad inbound message was dropped
}

func (f logFactory) Create() (quickfix.Log, error) { return fixLog{log: f.log}, nil }

func (f logFactory) CreateSessionLog(id quickfix.SessionID) (quickfix.Log, error) {
	return fixLog{f.log, id.String(), f.handoff, f.bad}, nil
}

type fixLog struct {
	log     *slog.Logger
	session string
	handoff *handoff
	bad     func(problem string, drop bool)
}

// OnIncoming is called on the session goroutine with the bytes quickfixgo
// is about to parse: a bad message is logged and spoiled so that quickfixgo
// drops it.
func (l fixLog) OnIncoming(b []byte) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug("fix in", "session", l.session, "msg", string(b))
	}
	if l.bad == nil {
		return
	}
	if problem, drop := checkInbound(b); problem != "" {
		l.log.Error("fixclient: dropping a garbled inbound FIX message", "session", l.session,
			"problem", problem, "drop_connection", drop, "msg", truncated(b))
		spoil(b)
		l.bad(problem, drop)
	}
}

// truncated is b as text, cut to 512 bytes for the log.
func truncated(b []byte) string {
	if len(b) > 512 {
		return string(b[:512]) + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return string(b)
}

func (l fixLog) OnOutgoing(b []byte) {
	if l.handoff != nil {
		l.handoff.outgoing(b)
	}
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug("fix out", "session", l.session, "msg", string(b))
	}
}
func (l fixLog) OnEvent(s string) { l.log.Info("fix event", "session", l.session, "event", s) }
func (l fixLog) OnEventf(f string, a ...any) {
	if strings.HasPrefix(f, "Msg Parse Error") {
		// quickfixgo drops a message it cannot parse: say so loudly.
		l.log.Error("fixclient: dropped an unparsable inbound FIX message", "session", l.session, "event", truncated([]byte(fmt.Sprintf(f, a...))))
		return
	}
	l.log.Info("fix event", "session", l.session, "event", fmt.Sprintf(f, a...))
}
