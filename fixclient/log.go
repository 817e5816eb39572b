package fixclient

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/quickfixgo/quickfix"
)

// logFactory sends quickfixgo's message and event log to slog: messages at
// debug level, session events at info.
// It also tells the session's handoff tracker what reached the writer.
type logFactory struct {
	log     *slog.Logger
	handoff *handoff
}

func (f logFactory) Create() (quickfix.Log, error) { return fixLog{log: f.log}, nil }

func (f logFactory) CreateSessionLog(id quickfix.SessionID) (quickfix.Log, error) {
	return fixLog{f.log, id.String(), f.handoff}, nil
}

type fixLog struct {
	log     *slog.Logger
	session string
	handoff *handoff
}

func (l fixLog) OnIncoming(b []byte) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug("fix in", "session", l.session, "msg", string(b))
	}
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
	l.log.Info("fix event", "session", l.session, "event", fmt.Sprintf(f, a...))
}
