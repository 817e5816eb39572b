package fixclient

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/tag"
)

func TestStaleResend(t *testing.T) {
	msg := func(msgType string, possDup bool, age time.Duration) *quickfix.Message {
		m := newAppMessage("FIX.4.4", msgType)
		if possDup {
			m.Header.SetBool(tag.PossDupFlag, true)
		}
		m.Header.SetField(tag.OrigSendingTime, quickfix.FIXUTCTimestamp{Time: at.Add(-age)})
		return m
	}
	c := &Client{cfg: Config{MaxResendAge: time.Minute}, now: func() time.Time { return at }}
	tests := []struct {
		name string
		m    *quickfix.Message
		want bool
	}{
		{"old resent order", msg("D", true, 2*time.Minute), true},
		{"old resent cancel", msg("F", true, 2*time.Minute), true},
		{"old resent replace", msg("G", true, 2*time.Minute), true},
		{"fresh resent order", msg("D", true, 30*time.Second), false},
		{"first send", msg("D", false, 2*time.Minute), false},
		{"other message", msg("8", true, 2*time.Minute), false},
	}
	for _, tt := range tests {
		if got := c.staleResend(tt.m); got != tt.want {
			t.Errorf("%s: staleResend = %v, want %v", tt.name, got, tt.want)
		}
	}
	c.cfg.MaxResendAge = 0
	if c.staleResend(msg("D", true, time.Hour)) {
		t.Error("MaxResendAge 0 still refused a resend")
	}
}

func TestSeqNumOf(t *testing.T) {
	for raw, want := range map[string]int{
		"8=FIX.4.4\x019=5\x0135=D\x0134=42\x0149=A\x01": 42,
		"8=FIX.4.4\x0134=7":                             7,
		"8=FIX.4.4\x0135=0\x01":                         -1,
		"8=FIX.4.4\x0134=\x01":                          -1,
	} {
		got, ok := seqNumOf([]byte(raw))
		if (want < 0 && ok) || (want >= 0 && (!ok || got != want)) {
			t.Errorf("seqNumOf(%q) = %d, %v; want %d", raw, got, ok, want)
		}
	}
}

func TestGuardStoreHoldsTheTargetSequenceOnce(t *testing.T) {
	inner, err := quickfix.NewMemoryStoreFactory().Create(quickfix.SessionID{BeginString: "FIX.4.4"})
	if err != nil {
		t.Fatal(err)
	}
	g := newGuardStore(inner, nil, nil)
	if err := g.IncrNextTargetMsgSeqNum(); err != nil || g.nextTarget.Load() != 2 {
		t.Fatalf("incr: %v, mirror %d", err, g.nextTarget.Load())
	}
	g.hold.Store(true)
	if err := g.IncrNextTargetMsgSeqNum(); !errors.Is(err, errHeld) || inner.NextTargetMsgSeqNum() != 2 {
		t.Errorf("held incr: %v, next target %d; want errHeld and 2", err, inner.NextTargetMsgSeqNum())
	}
	if err := g.IncrNextTargetMsgSeqNum(); err != nil || inner.NextTargetMsgSeqNum() != 3 || g.nextTarget.Load() != 3 {
		t.Errorf("incr after hold: %v, next target %d, mirror %d", err, inner.NextTargetMsgSeqNum(), g.nextTarget.Load())
	}
	if err := g.SaveMessageAndIncrNextSenderMsgSeqNum(1, []byte("x")); err != nil || g.nextSender.Load() != 2 {
		t.Errorf("save: %v, sender mirror %d", err, g.nextSender.Load())
	}
	if err := g.Reset(); err != nil || g.nextSender.Load() != 1 || g.nextTarget.Load() != 1 {
		t.Errorf("reset: %v, mirrors %d/%d", err, g.nextSender.Load(), g.nextTarget.Load())
	}
}

func TestSessionSettings(t *testing.T) {
	text := func(extra string) string {
		return "[DEFAULT]\nSocketConnectHost=127.0.0.1\nSocketConnectPort=1\nHeartBtInt=1\n" +
			"[SESSION]\nBeginString=FIX.4.4\nSenderCompID=US\nTargetCompID=BRK1\n" + extra +
			"[SESSION]\nBeginString=FIX.4.2\nSenderCompID=US\nTargetCompID=BRK2\nBallastBroker=Second\n"
	}
	newClient := func(extra string) (*Client, error) {
		settings, err := ParseSettings(strings.NewReader(text(extra)))
		if err != nil {
			t.Fatal(err)
		}
		return New(Config{Settings: settings, Store: StoreMemory, Throttle: 10}, &recorder{})
	}
	c, err := newClient("BallastThrottle=4\n")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if got := strings.Join(c.Brokers(), ","); got != "BRK1,Second" {
		t.Errorf("brokers %s, want BRK1 (TargetCompID) and Second (BallastBroker)", got)
	}
	if c.sessions["BRK1"].throttle.interval != 250*time.Millisecond || c.sessions["Second"].throttle.interval != 100*time.Millisecond {
		t.Errorf("throttle intervals %v and %v, want 250ms (session) and 100ms (default)",
			c.sessions["BRK1"].throttle.interval, c.sessions["Second"].throttle.interval)
	}
	if st := c.Status(); len(st) != 2 || st[0].State != StateStopped || st[1].BeginString != "FIX.4.2" {
		t.Errorf("status before start %+v", st)
	}
	for _, bad := range []string{"BallastThrottle=fast\n", "BallastThrottle=-1\n", "BallastBroker=Second\n", "BallastBroker=.\n", "BallastBroker=..\n"} {
		if c, err := newClient(bad); err == nil {
			c.Stop()
			t.Errorf("New accepted %q", bad)
		}
	}
}
