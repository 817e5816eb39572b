package fixclient

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/order"
)

// crashOrders is how many 100-share orders the crash test trades.
const crashOrders = 60

// bookingLog is a Handler that books each execution durably (a line in a
// file, fsynced) before returning, as the order book's transaction would.
type bookingLog struct {
	mu sync.Mutex
	f  *os.File
}

func (b *bookingLog) OnExecution(_ context.Context, e order.ExecutionReport) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := fmt.Fprintf(b.f, "%s %s %s %s\n", e.ExecID, e.Kind, e.ClOrdID, e.LastQty); err != nil {
		return err
	}
	return b.f.Sync()
}

func (b *bookingLog) OnCancelReject(context.Context, order.CancelReject) error   { return nil }
func (b *bookingLog) OnSessionReject(context.Context, order.SessionReject) error { return nil }
func (b *bookingLog) OnSessionStatus(context.Context, SessionStatus)             {}

// TestCrashChild is not a test: TestKillDuringFillsBooksEveryFillOnce runs
// the test binary again with BALLAST_CRASH_DIR set to play Ballast, which
// it then kills with SIGKILL.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("BALLAST_CRASH_DIR")
	if dir == "" {
		t.Skip("helper process for TestKillDuringFillsBooksEveryFillOnce")
	}
	f, err := os.OpenFile(filepath.Join(dir, "booked.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := ParseSettings(strings.NewReader(os.Getenv("BALLAST_CRASH_SETTINGS")))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Settings: settings, StorePath: filepath.Join(dir, "store")}
	if os.Getenv("BALLAST_CRASH_LAZY") != "" {
		// Each booking is fsynced before OnExecution returns, so there is
		// nothing more to make durable; the inbound number is stored lazily.
		cfg.SyncBooked = func() error { return nil }
	}
	c, err := New(cfg, &bookingLog{f: f})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	for c.Status()[0].State != StateLoggedOn {
		time.Sleep(5 * time.Millisecond)
	}
	if os.Getenv("BALLAST_CRASH_SEND") != "" {
		for i := range crashOrders {
			if err := c.Send(context.Background(), newOrder(fmt.Sprintf("K%d", i), "KILL", "100", "10")); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Println("SENT")
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	c.Stop()
}

// booked reads the booking log: every line, and the fill quantity over
// distinct ExecIDs.
func booked(t *testing.T, dir string) (lines int, unique decimal.Decimal, dups int) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "booked.log"))
	if err != nil {
		return 0, decimal.Zero, 0
	}
	defer f.Close()
	seen := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			continue // a line cut by the kill is never complete and never synced
		}
		lines++
		if prev, ok := seen[fields[0]]; ok {
			dups++
			if prev != sc.Text() {
				t.Errorf("ExecID %s booked as %q and %q", fields[0], prev, sc.Text())
			}
			continue
		}
		seen[fields[0]] = sc.Text()
		if order.ExecKind(fields[1]) == order.ExecPartialFill || order.ExecKind(fields[1]) == order.ExecFill {
			unique = unique.Add(decimal.RequireFromString(fields[3]))
		}
	}
	return lines, unique, dups
}

func startCrashChild(t *testing.T, dir, settings string, send, lazy bool) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), "BALLAST_CRASH_DIR="+dir, "BALLAST_CRASH_SETTINGS="+settings)
	if lazy {
		cmd.Env = append(cmd.Env, "BALLAST_CRASH_LAZY=1")
	}
	if send {
		cmd.Env = append(cmd.Env, "BALLAST_CRASH_SEND=1")
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, stdin, bufio.NewScanner(stdout)
}

// TestKillDuringFillsBooksEveryFillOnce kills Ballast's process with
// SIGKILL while the broker streams fills, restarts it on the same message
// store, and checks that every fill the broker sent is booked, and that
// deduplicating on ExecID gives exactly the broker's filled quantity.
func TestKillDuringFillsBooksEveryFillOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Run("inbound number stored per message", func(t *testing.T) { killDuringFills(t, false) })
	// The killed process stored the inbound number up to 100 ms behind its
	// bookings: the broker resends what followed, and nothing is booked twice.
	t.Run("inbound number stored lazily", func(t *testing.T) { killDuringFills(t, true) })
}

func killDuringFills(t *testing.T, lazy bool) {
	b, err := brokersim.New(brokersim.Config{
		Sessions: []brokersim.Session{{BeginString: "FIX.4.4", SenderCompID: "KSIM", TargetCompID: "KBALLAST"}},
		Fill:     brokersim.FillConfig{Fills: 5, Latency: 20 * time.Millisecond},
		Scenario: func(brokersim.Order) brokersim.Plan { return brokersim.Plan{Action: brokersim.Fill} },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	settings := fmt.Sprintf("[DEFAULT]\nHeartBtInt=1\nReconnectInterval=200ms\nSocketConnectHost=127.0.0.1\nSocketConnectPort=%s\n"+
		"[SESSION]\nBeginString=FIX.4.4\nSenderCompID=KBALLAST\nTargetCompID=KSIM\nBallastBroker=SIM\n",
		b.Addr()[strings.LastIndex(b.Addr(), ":")+1:])
	dir := t.TempDir()

	first, _, out := startCrashChild(t, dir, settings, true, lazy)
	for out.Scan() && out.Text() != "SENT" {
	}
	waitFor(t, "some fills booked", func() bool { n, _, _ := booked(t, dir); return n >= 30 })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	want := decimal.NewFromInt(100 * crashOrders)
	total := func() decimal.Decimal {
		return b.Totals()[brokersim.TotalKey{Account: "P1", Symbol: "KILL", Side: "1"}].Quantity
	}
	_, before, _ := booked(t, dir)
	if before.Equal(want) {
		t.Fatalf("everything was booked before the kill; the test proves nothing")
	}

	// Orders handed to quickfixgo but not yet on the wire at the kill are in
	// the store: the broker asks for them after the restart.
	_, stdin, _ := startCrashChild(t, dir, settings, false, lazy)
	waitFor(t, "every fill booked after the restart", func() bool {
		_, q, _ := booked(t, dir)
		return q.Equal(want) && total().Equal(want)
	})
	stdin.Close()
	lines, q, dups := booked(t, dir)
	t.Logf("booked %s of %s before the kill; %d lines after the restart, %d redelivered duplicates",
		before, want, lines, dups)
	if !q.Equal(total()) {
		t.Errorf("booked %s over distinct ExecIDs, broker filled %s", q, total())
	}
}
