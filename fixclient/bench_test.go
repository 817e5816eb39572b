package fixclient

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
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
// cut), and the SQL store on SQLite in WAL mode, with synchronous FULL (the
// default) and NORMAL (survives a process kill, not a power cut).
func BenchmarkRoundTrip(b *testing.B) {
	stores := []struct {
		name  string
		kind  StoreKind
		extra string
	}{
		{"file_fsync", StoreFile, ""},
		{"file_nosync", StoreFile, "FileStoreSync=N\n"},
		{"sqlite_wal", StoreSQL, ""},
		{"sqlite_wal_normal", StoreSQL, "synchronous(NORMAL)"},
	}
	for _, sim := range []string{"process", "inproc"} {
		for _, st := range stores {
			for _, rate := range []int{0, 500} {
				name := fmt.Sprintf("sim=%s/%s/burst", sim, st.name)
				if rate > 0 {
					name = fmt.Sprintf("sim=%s/%s/paced%d", sim, st.name, rate)
				}
				b.Run(name, func(b *testing.B) { roundTrip(b, sim == "process", st.kind, st.extra, rate) })
			}
		}
	}
}

func roundTrip(b *testing.B, external bool, kind StoreKind, extra string, rate int) {
	h := &latencyHandler{sent: make(map[string]time.Time), fills: make(chan struct{}, 1<<20)}
	r := benchRig(b, h, external, kind, extra)
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

// benchBroker is the broker the benchmark trades with: it fills every order at once.
func benchBroker() (*brokersim.Broker, error) {
	br, err := brokersim.New(brokersim.Config{
		Sessions: []brokersim.Session{{BeginString: "FIX.4.4", SenderCompID: "BSIM", TargetCompID: "BBALLAST"}},
		Fill:     brokersim.FillConfig{Latency: time.Microsecond},
		Scenario: func(brokersim.Order) brokersim.Plan { return brokersim.Plan{Action: brokersim.FillAtOnce} },
	})
	if err != nil {
		return nil, err
	}
	return br, br.Start()
}

// TestBrokerProcess is not a test: BenchmarkRoundTrip runs the test binary
// again with BALLAST_BROKERSIM_CHILD=1 to host the broker in a process of
// its own, as a real broker would be. It prints the address and serves
// until its stdin closes.
func TestBrokerProcess(t *testing.T) {
	if os.Getenv("BALLAST_BROKERSIM_CHILD") == "" {
		t.Skip("helper process for BenchmarkRoundTrip")
	}
	br, err := benchBroker()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ADDR", br.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	br.Stop()
}

// startBroker returns the broker's address, in this process or another.
func startBroker(b *testing.B, external bool) string {
	b.Helper()
	if !external {
		br, err := benchBroker()
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(br.Stop)
		return br.Addr()
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokerProcess$")
	cmd.Env = append(os.Environ(), "BALLAST_BROKERSIM_CHILD=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return addr
		}
	}
	b.Fatal("broker process printed no address")
	return ""
}

func benchRig(b *testing.B, h Handler, external bool, kind StoreKind, extra string) *rig {
	b.Helper()
	addr := startBroker(b, external)
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
%s`, addr[strings.LastIndex(addr, ":")+1:], fileExtra(kind, extra))
	settings, err := ParseSettings(strings.NewReader(text))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if kind == StoreSQL {
		dir = sqliteDSN(dir + "/fix.db")
		if extra != "" {
			dir += "&_pragma=" + extra
		}
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
	return &rig{client: c}
}

// fileExtra is the settings line a store variant adds (file store only).
func fileExtra(kind StoreKind, extra string) string {
	if kind == StoreFile {
		return extra
	}
	return ""
}
