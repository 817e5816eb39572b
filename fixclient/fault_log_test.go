package fixclient

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// logSink is a slog.Handler that keeps warnings and errors.
type logSink struct {
	mu   sync.Mutex
	recs []string
}

func (l *logSink) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (l *logSink) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l *logSink) WithGroup(string) slog.Handler                 { return l }

func (l *logSink) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	l.mu.Lock()
	l.recs = append(l.recs, b.String())
	l.mu.Unlock()
	return nil
}

// errors returns the ERROR records that contain every one of subs.
func (l *logSink) errors(subs ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
next:
	for _, r := range l.recs {
		if !strings.HasPrefix(r, "ERROR ") {
			continue
		}
		for _, s := range subs {
			if !strings.Contains(r, s) {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}
