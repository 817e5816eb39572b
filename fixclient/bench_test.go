package fixclient

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/order"
)

// latencyHandler measures the time from Send to the fill arriving.
type latencyHandler struct {
	recorder
	mu    sync.Mutex
	sent  map[string]time.Time
	lat   []time.Duration
	fills chan struct{}
}

func (h *latencyHandler) OnExecution(_ context.Context, e order.ExecutionReport) error {
	if e.Kind != order.ExecFill {
		return nil
	}
	h.mu.Lock()
	h.lat = append(h.lat, time.Since(h.sent[e.ClOrdID]))
	h.mu.Unlock()
	h.fills <- struct{}{}
	return nil
}

// BenchmarkRoundTrip sends orders through a logged-on FIX 4.4 session to
// brokersim, which acks and fills each at once, and reports orders/s and
// the p50/p99 time from Send to the fill reaching the Handler. "burst"
// sends as fast as the session takes them; "paced500" sends 500 orders/s.
// Stores: the file store with fsync on every write (FileStoreSync=Y, the
// quickfixgo default), without fsync (survives a process kill, not a power
// cut), and the SQL store on SQLite in WAL mode.
func BenchmarkRoundTrip(b *testing.B) {
	stores := []struct {
		name  string
		kind  StoreKind
		extra string
	}{
		{"file_fsync", StoreFile, ""},
		{"file_nosync", StoreFile, "FileStoreSync=N\n"},
		{"sqlite_wal", StoreSQL, ""},
	}
	for _, st := range stores {
		for _, rate := range []int{0, 500} {
			name := st.name + "/burst"
			if rate > 0 {
				name = fmt.Sprintf("%s/paced%d", st.name, rate)
			}
			b.Run(name, func(b *testing.B) { roundTrip(b, st.kind, st.extra, rate) })
		}
	}
}

func roundTrip(b *testing.B, kind StoreKind, extra string, rate int) {
	h := &latencyHandler{sent: make(map[string]time.Time), fills: make(chan struct{}, 1<<20)}
	r := benchRig(b, h, kind, extra)
	ctx := context.Background()
	var tick <-chan time.Time
	if rate > 0 {
		tk := time.NewTicker(time.Second / time.Duration(rate))
		defer tk.Stop()
		tick = tk.C
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if tick != nil {
			<-tick
		}
		id := fmt.Sprintf("B%d", i)
		h.mu.Lock()
		h.sent[id] = time.Now()
		h.mu.Unlock()
		if err := r.client.Send(ctx, newOrder(id, "BENCH", "100", "10")); err != nil {
			b.Fatal(err)
		}
	}
	for range b.N {
		<-h.fills
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(h.lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(h.lat[len(h.lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(h.lat[len(h.lat)*99/100].Microseconds())/1000, "p99_ms")
	b.ReportMetric(0, "ns/op")
}

func benchRig(b *testing.B, h Handler, kind StoreKind, extra string) *rig {
	b.Helper()
	br, err := brokersim.New(brokersim.Config{
		Sessions: []brokersim.Session{{BeginString: "FIX.4.4", SenderCompID: "BSIM", TargetCompID: "BBALLAST"}},
		Fill:     brokersim.FillConfig{Latency: time.Microsecond},
		Scenario: func(brokersim.Order) brokersim.Plan { return brokersim.Plan{Action: brokersim.FillAtOnce} },
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := br.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(br.Stop)
	text := fmt.Sprintf(`[DEFAULT]
HeartBtInt=30
ReconnectInterval=1
SocketConnectHost=127.0.0.1
SocketConnectPort=%s
[SESSION]
BeginString=FIX.4.4
SenderCompID=BBALLAST
TargetCompID=BSIM
BallastBroker=SIM
%s`, br.Addr()[len("127.0.0.1:"):], extra)
	settings, err := ParseSettings(strings.NewReader(text))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if kind == StoreSQL {
		dir += "/fix.db"
	}
	c, err := New(Config{Settings: settings, Store: kind, StorePath: dir}, h)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Stop)
	if err := c.Start(); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for c.Status()[0].State != StateLoggedOn {
		if time.Now().After(deadline) {
			b.Fatal("no logon")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return &rig{broker: br, client: c}
}
