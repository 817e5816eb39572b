package fixclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// recorder is a Handler that keeps what arrives.
type recorder struct {
	mu        sync.Mutex
	execs     []order.ExecutionReport
	cxlRejs   []order.CancelReject
	rejects   []order.SessionReject
	statuses  []SessionStatus
	attempts  int
	failExec  func(order.ExecutionReport) bool // true: fail this delivery
	failCount int
	onExec    func(order.ExecutionReport) // called after recording, outside the lock
	sent      []SentMessage
}

func (r *recorder) OnSent(_ context.Context, m SentMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
}

func (r *recorder) OnExecution(_ context.Context, e order.ExecutionReport) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if r.failExec != nil && r.failExec(e) {
		r.failCount++
		return errors.New("booking failed")
	}
	r.execs = append(r.execs, e)
	if hook := r.onExec; hook != nil {
		r.mu.Unlock()
		hook(e)
		r.mu.Lock()
	}
	return nil
}

func (r *recorder) OnCancelReject(_ context.Context, c order.CancelReject) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cxlRejs = append(r.cxlRejs, c)
	return nil
}

func (r *recorder) OnSessionReject(_ context.Context, s order.SessionReject) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejects = append(r.rejects, s)
	return nil
}

func (r *recorder) OnSessionStatus(_ context.Context, s SessionStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = append(r.statuses, s)
}

// execsFor returns the reports received for any of the ClOrdIDs.
func (r *recorder) execsFor(ids ...string) []order.ExecutionReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []order.ExecutionReport
	for _, e := range r.execs {
		for _, id := range ids {
			if e.ClOrdID == id {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

func (r *recorder) cancelRejects() []order.CancelReject {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]order.CancelReject(nil), r.cxlRejs...)
}

func (r *recorder) sessionRejects() []order.SessionReject {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]order.SessionReject(nil), r.rejects...)
}

func kinds(es []order.ExecutionReport) []order.ExecKind {
	out := make([]order.ExecKind, len(es))
	for i, e := range es {
		out[i] = e.Kind
	}
	return out
}

// waitFor polls cond until it holds, failing the test after 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitKinds waits until the order's reports have at least len(want) entries
// and checks their kinds.
func waitKinds(t *testing.T, rec *recorder, want []order.ExecKind, ids ...string) []order.ExecutionReport {
	t.Helper()
	waitFor(t, fmt.Sprintf("%v for %v", want, ids), func() bool { return len(rec.execsFor(ids...)) >= len(want) })
	got := rec.execsFor(ids...)
	if fmt.Sprint(kinds(got)) != fmt.Sprint(want) {
		t.Fatalf("kinds for %v = %v, want %v", ids, kinds(got), want)
	}
	return got
}

var rigSeq atomic.Int64

// rig is a brokersim acceptor and a fixclient initiator on loopback.
type rig struct {
	broker *brokersim.Broker
	client *Client
	rec    *recorder
	dir    string
	begin  string
	cfg    Config
	text   string
}

type rigOpt struct {
	fill     brokersim.FillConfig
	noStart  bool
	store    StoreKind
	storeDir string
	async    bool // store the inbound number lazily and book on the session's booker, as serve does
}

func newRig(t *testing.T, begin string, plans map[string]brokersim.Plan, opt rigOpt) *rig {
	t.Helper()
	n := rigSeq.Add(1)
	us, them := fmt.Sprintf("BALLAST%d", n), fmt.Sprintf("SIM%d", n)
	if opt.fill.Latency == 0 {
		opt.fill.Latency = 2 * time.Millisecond
	}
	b, err := brokersim.New(brokersim.Config{
		Sessions: []brokersim.Session{{BeginString: begin, SenderCompID: them, TargetCompID: us}},
		Seed:     uint64(n), Fill: opt.fill, Scenario: brokersim.BySymbol(plans),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	port := b.Addr()[strings.LastIndex(b.Addr(), ":")+1:]
	r := &rig{broker: b, rec: &recorder{}, dir: opt.storeDir, begin: begin}
	if r.dir == "" {
		r.dir = t.TempDir()
	}
	r.text = fmt.Sprintf(`[DEFAULT]
ConnectionType=initiator
HeartBtInt=1
ReconnectInterval=200ms
LogoutTimeout=1s
SocketConnectHost=127.0.0.1
SocketConnectPort=%s

[SESSION]
BeginString=%s
SenderCompID=%s
TargetCompID=%s
BallastBroker=SIM
`, port, begin, us, them)
	r.cfg = Config{Store: opt.store, StorePath: r.dir}
	if opt.async {
		r.cfg.SyncBooked = func() error { return nil } // the recorder books in memory
	}
	if r.cfg.Store == StoreSQL {
		r.cfg.StorePath = r.dir + "/fix.db"
	}
	r.client = r.newClient(t)
	if !opt.noStart {
		r.start(t)
	}
	return r
}

func (r *rig) newClient(t *testing.T) *Client {
	t.Helper()
	settings, err := ParseSettings(strings.NewReader(r.text))
	if err != nil {
		t.Fatal(err)
	}
	cfg := r.cfg
	cfg.Settings = settings
	c, err := New(cfg, r.rec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

func (r *rig) start(t *testing.T) {
	t.Helper()
	if err := r.client.Start(); err != nil {
		t.Fatal(err)
	}
	r.waitLoggedOn(t)
}

func (r *rig) waitLoggedOn(t *testing.T) {
	t.Helper()
	waitFor(t, "logon", func() bool { return r.client.Status()[0].State == StateLoggedOn })
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// newOrder is a day limit buy of qty at px.
func newOrder(id, symbol, qty, px string) order.NewOrderRequest {
	return order.NewOrderRequest{
		Broker: "SIM", ClOrdID: id, Account: "P1", Symbol: symbol, Side: portfolio.Buy,
		Quantity: d(qty), Type: order.Limit, LimitPrice: d(px), TimeInForce: order.Day,
	}
}

func (r *rig) send(t *testing.T, o order.NewOrderRequest) {
	t.Helper()
	if err := r.client.Send(context.Background(), o); err != nil {
		t.Fatalf("send %s: %v", o.ClOrdID, err)
	}
}

var versions = []string{"FIX.4.4", "FIX.4.2"}
