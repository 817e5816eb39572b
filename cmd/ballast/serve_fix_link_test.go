package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/fixclient"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
)

// fakeSession is the FIX client as the link sees it: down refuses with
// ErrSessionDown, refuse answers every send with an error of its own.
type fakeSession struct {
	mu     sync.Mutex
	down   bool
	refuse error
	sent   []string // "new B1", "cancel B2"…
}

func (f *fakeSession) do(kind, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return fmt.Errorf("fake: %w", fixclient.ErrSessionDown)
	}
	if f.refuse != nil {
		return f.refuse
	}
	f.sent = append(f.sent, kind+" "+id)
	return nil
}

func (f *fakeSession) Send(_ context.Context, r order.NewOrderRequest) error {
	return f.do("new", r.ClOrdID)
}
func (f *fakeSession) Cancel(_ context.Context, r order.CancelRequest) error {
	return f.do("cancel", r.ClOrdID)
}
func (f *fakeSession) Replace(_ context.Context, r order.ReplaceRequest) error {
	return f.do("replace", r.ClOrdID)
}

func (f *fakeSession) set(down bool, refuse error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down, f.refuse = down, refuse
}

func (f *fakeSession) sentList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

type linkRig struct {
	link *fixLink
	fake *fakeSession
	desk *orderDesk
	now  time.Time
}

func newLinkRig(t *testing.T, maxAge time.Duration) *linkRig {
	t.Helper()
	r := &linkRig{fake: &fakeSession{down: true}, now: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	desk, d := testOrderBook(t, nil)
	r.link = newFixLink(d, slog.New(slog.DiscardHandler), func() time.Time { return r.now }, maxAge)
	t.Cleanup(r.link.msgs.close)
	r.link.client, r.link.desk, r.desk = r.fake, desk, desk
	if err := r.link.addBroker(context.Background(), "SIM", 0); err != nil {
		t.Fatal(err)
	}
	desk.svc.Sender, desk.hasBroker = r.link, true
	return r
}

func (r *linkRig) release(t *testing.T) order.Block {
	t.Helper()
	b := approvedBlock(t, r.desk)
	tr := order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	got, err := r.desk.Release(context.Background(), tr, b.ID)
	if err != nil {
		t.Fatalf("release while down: %v (want it queued, not refused)", err)
	}
	return got
}

func (r *linkRig) status(t *testing.T, id int64) order.Block {
	t.Helper()
	bs, err := r.desk.store.Blocks(context.Background(), order.BlockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.ID == id {
			return b
		}
	}
	t.Fatalf("block %d not found", id)
	return order.Block{}
}

func TestLinkQueuesWhileDownAndFlushesInOrderAtLogon(t *testing.T) {
	r := newLinkRig(t, time.Hour)
	ctx := context.Background()
	b1 := r.release(t)
	r.fake.set(false, nil) // up again, but b1 still waits: b2 must queue behind it
	b2 := r.release(t)
	if got := r.fake.sentList(); len(got) != 0 {
		t.Fatalf("sent %v before the flush; want everything queued behind b1", got)
	}
	q, err := r.link.d.QueuedFix(ctx, "SIM")
	if err != nil || len(q) != 2 || q[0].BlockID != b1.ID || q[1].BlockID != b2.ID {
		t.Fatalf("queued %+v, %v; want blocks %d then %d", q, err, b1.ID, b2.ID)
	}
	if st := r.status(t, b1.ID).Status; st != order.Sent {
		t.Errorf("queued block is %s, want sent", st)
	}
	r.link.flush(ctx, "SIM")
	want := []string{"new " + b1.ClOrdID, "new " + b2.ClOrdID}
	if got := r.fake.sentList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("flushed %v, want %v", got, want)
	}
	if q, _ := r.link.d.QueuedFix(ctx, ""); len(q) != 0 || r.link.brokers["SIM"].queued.Load() != 0 {
		t.Errorf("still queued after the flush: %+v", q)
	}
	b3 := r.release(t)
	if got := r.fake.sentList(); len(got) != 3 || got[2] != "new "+b3.ClOrdID {
		t.Errorf("a release with an empty queue and the session up went %v; want straight out", got)
	}
}

func TestLinkFailsQueuedReleaseAfterMaxAge(t *testing.T) {
	r := newLinkRig(t, 30*time.Minute)
	ctx := context.Background()
	b := r.release(t)
	r.now = r.now.Add(29 * time.Minute)
	r.link.expireAll(ctx)
	if st := r.status(t, b.ID).Status; st != order.Sent {
		t.Fatalf("block is %s after 29 minutes, want still sent (queued)", st)
	}
	r.now = r.now.Add(2 * time.Minute)
	r.link.expireAll(ctx)
	got := r.status(t, b.ID)
	if got.Status != order.Rejected {
		t.Fatalf("block is %s after 31 minutes queued, want rejected", got.Status)
	}
	qs, err := r.link.d.FixOutbox(ctx, 10)
	if err != nil || len(qs) != 1 || qs[0].State != "failed" || !strings.Contains(qs[0].Error, "session SIM was down for more than 30m0s") {
		t.Errorf("outbox %+v, %v: want the request failed with the reason", qs, err)
	}
	r.fake.set(false, nil)
	r.link.flush(ctx, "SIM")
	if sent := r.fake.sentList(); len(sent) != 0 {
		t.Errorf("an expired request went out at logon: %v", sent)
	}
}

func TestLinkRejectsQueuedReleaseTheSessionRefuses(t *testing.T) {
	r := newLinkRig(t, 0)
	ctx := context.Background()
	b := r.release(t)
	r.fake.set(false, fmt.Errorf("fake: %w", fixclient.ErrInvalidRequest))
	r.link.flush(ctx, "SIM")
	if got := r.status(t, b.ID).Status; got != order.Rejected {
		t.Errorf("block is %s, want rejected when the session refuses its queued order", got)
	}
	qs, _ := r.link.d.FixOutbox(ctx, 10)
	if len(qs) != 1 || qs[0].State != "failed" || !strings.Contains(qs[0].Error, "invalid FIX request") {
		t.Errorf("outbox %+v: want failed with the session's reason", qs)
	}
}

func TestLinkRefusesUnknownBroker(t *testing.T) {
	r := newLinkRig(t, 0)
	err := r.link.Send(context.Background(), order.NewOrderRequest{Broker: "NOPE", ClOrdID: "X"})
	if err == nil || !strings.Contains(err.Error(), "no FIX session for broker") {
		t.Errorf("send to an unknown broker: %v", err)
	}
}

// fakeControl is the FIX client as the sessions page sees it.
type fakeControl struct{ st []fixclient.SessionStatus }

func (f *fakeControl) Status() []fixclient.SessionStatus         { return f.st }
func (f *fakeControl) Logon(string) error                        { return nil }
func (f *fakeControl) Logout(string) error                       { return nil }
func (f *fakeControl) SetSequenceNumbers(string, int, int) error { return nil }

func TestSessionAlertWhenASessionDropsDuringTheTradingDay(t *testing.T) {
	r := newLinkRig(t, 0)
	ctx := context.Background()
	ctl := &fakeControl{}
	sd := &sessionDesk{link: r.link, client: ctl, td: r.desk.svc.TradingDay}
	status := func(s fixclient.SessionState) {
		ctl.st = []fixclient.SessionStatus{{Broker: "SIM", Session: "FIX.4.4:BALLAST->SIM", State: s}}
		r.link.OnSessionStatus(ctx, ctl.st[0])
	}
	status(fixclient.StateLoggedOn)
	if a := sd.Alert(); a != "" {
		t.Errorf("alert while logged on: %q", a)
	}
	r.now = time.Date(2026, 11, 20, 10, 15, 0, 0, time.UTC) // a Friday, before the 16:30 London close
	status(fixclient.StateConnecting)
	if a := sd.Alert(); !strings.Contains(a, "FIX session SIM dropped at 10:15:00 UTC") {
		t.Errorf("alert after a drop in the trading day: %q", a)
	}
	r.now = time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC) // Saturday
	if a := sd.Alert(); a != "" {
		t.Errorf("alert on a Saturday: %q", a)
	}
	r.now = time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)
	r.release(t) // queued: the session is down
	if a := sd.Alert(); !strings.Contains(a, "1 request(s) queued for SIM") {
		t.Errorf("alert with a queued release: %q", a)
	}
	r.fake.set(false, nil)
	status(fixclient.StateLoggedOn)
	waitUntil(t, "the queue flushed at logon", func() bool { return r.link.brokers["SIM"].queued.Load() == 0 })
	if a := sd.Alert(); a != "" {
		t.Errorf("alert after logon and flush: %q", a)
	}
	status(fixclient.StateStopped) // an operator's logout is no drop
	if a := sd.Alert(); a != "" {
		t.Errorf("alert after an operator logout: %q", a)
	}
	ctl.st = []fixclient.SessionStatus{{Broker: "SIM", State: fixclient.StateConnecting}} // never logged on
	if a := sd.Alert(); !strings.Contains(a, "FIX session SIM has not logged on since Ballast started") {
		t.Errorf("alert for a session that never logged on: %q", a)
	}
	evs, err := r.link.d.FixSessionEvents(ctx, 10)
	if err != nil || len(evs) != 4 {
		t.Errorf("session events %+v, %v; want 4 state changes", evs, err)
	}
}

func TestLinkKeepsFillsForUnknownOrders(t *testing.T) {
	r := newLinkRig(t, 0)
	ctx := context.Background()
	rep := order.ExecutionReport{Session: "FIX.4.4:BALLAST->SIM", Broker: "SIM", ExecID: "E1", Kind: order.ExecFill,
		ClOrdID: "NOT-OURS", Symbol: "AAA", LastQty: decimal.NewFromInt(10), LastPx: decimal.NewFromInt(5),
		ReceivedAt: r.now, Raw: "8=FIX.4.4\x0135=8\x0111=NOT-OURS"}
	for range 2 { // the second is a PossDup copy
		if err := r.link.OnExecution(ctx, rep); err != nil {
			t.Fatal(err)
		}
	}
	un, err := r.link.d.UnmatchedExecutions(ctx, 10)
	if err != nil || len(un) != 1 || un[0].Report.ClOrdID != "NOT-OURS" || !strings.Contains(un[0].Report.Raw, "11=NOT-OURS") {
		t.Fatalf("unmatched %+v, %v; want the report kept once with its raw message", un, err)
	}
}

func TestAddBrokersReadsTheThrottleSetting(t *testing.T) {
	r := newLinkRig(t, 0)
	settings, err := fixclient.ParseSettings(strings.NewReader(simInitiatorSettings("127.0.0.1:9", []brokersim.Session{
		{BeginString: "FIX.4.4", SenderCompID: "FAST", TargetCompID: "BALLAST"},
		{BeginString: "FIX.4.2", SenderCompID: "SLOW", TargetCompID: "BALLAST"},
	}, "") + "BallastMaxMsgsPerSecond=4\n"))
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixServe{link: r.link}
	if err := fx.addBrokers(context.Background(), settings, 100); err != nil {
		t.Fatal(err)
	}
	if got := r.link.brokers["FAST"].limit.Interval(); got != 10*time.Millisecond {
		t.Errorf("FAST throttle interval %s, want 10ms from the flag", got)
	}
	if got := r.link.brokers["SLOW"].limit.Interval(); got != 250*time.Millisecond {
		t.Errorf("SLOW throttle interval %s, want 250ms from BallastMaxMsgsPerSecond=4", got)
	}
	bad, _ := fixclient.ParseSettings(strings.NewReader(simInitiatorSettings("127.0.0.1:9", brokersim.DefaultSessions()[:1], "") + "BallastMaxMsgsPerSecond=fast\n"))
	if err := fx.addBrokers(context.Background(), bad, 0); err == nil || !strings.Contains(err.Error(), `BallastMaxMsgsPerSecond="fast"`) {
		t.Errorf("a bad throttle setting: %v", err)
	}
}

func TestSimbrokerPrintsSettingsThatParse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &cliBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"ballast", "simbroker", "--listen", "127.0.0.1:0", "--seed", "7"},
			func(string) string { return "" }, strings.NewReader(""), out, &cliBuffer{})
	}()
	waitUntil(t, "simbroker to print its settings", func() bool { return strings.Contains(out.String(), "BallastBroker=SIM42") })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	text := out.String()
	text = text[strings.Index(text, "# Ballast initiator settings"):strings.Index(text, "brokersim stopped")]
	s, err := fixclient.ParseSettings(strings.NewReader(text))
	if err != nil || len(s.SessionSettings()) != 2 {
		t.Errorf("printed settings: %v, %d sessions; want FIX 4.4 SIM and FIX 4.2 SIM42:\n%s", err, len(s.SessionSettings()), text)
	}
	if res := cliRun(t, t.TempDir(), "", "simbroker", "--fill-ratio", "2"); res.err == nil || !strings.Contains(res.err.Error(), "--fill-ratio") {
		t.Errorf("simbroker --fill-ratio 2: %v", res.err)
	}
}
