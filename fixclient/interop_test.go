package fixclient

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/order"
)

// TestInteropQuickFIXExecutor trades against the QuickFIX C++ example
// executor on FIX 4.4 and 4.2: a fill, then a cancel the executor refuses
// with a BusinessMessageReject. Set BALLAST_QUICKFIX_EXECUTOR to the
// executor binary to run it. To build it on Debian:
//
//	apt-get install libquickfix-dev libquickfix-doc
//	D=/usr/share/doc/libquickfix-doc/examples/executor/C++
//	cp $D/Application.h $D/executor.cpp . && zcat $D/Application.cpp.gz > Application.cpp && touch config.h
//	g++ -O1 -std=c++11 -I. -o executor executor.cpp Application.cpp -lquickfix -lpthread
func TestInteropQuickFIXExecutor(t *testing.T) {
	bin := os.Getenv("BALLAST_QUICKFIX_EXECUTOR")
	if bin == "" {
		t.Skip("BALLAST_QUICKFIX_EXECUTOR is not set")
	}
	dir := t.TempDir()
	port := startExecutor(t, bin, dir)

	settings, err := ParseSettings(strings.NewReader(fmt.Sprintf(`[DEFAULT]
HeartBtInt=1
ReconnectInterval=200ms
SocketConnectHost=127.0.0.1
SocketConnectPort=%d
TargetCompID=EXECUTOR

[SESSION]
BeginString=FIX.4.4
SenderCompID=BALLAST44
BallastBroker=EX44

[SESSION]
BeginString=FIX.4.2
SenderCompID=BALLAST42
BallastBroker=EX42
`, port)))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	c, err := New(Config{Settings: settings, StorePath: filepath.Join(dir, "ballast-store")}, rec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both sessions logged on", func() bool {
		st := c.Status()
		return st[0].State == StateLoggedOn && st[1].State == StateLoggedOn
	})
	for _, broker := range []string{"EX44", "EX42"} {
		o := newOrder("I-"+broker, "IBM", "250", "101.5")
		o.Broker = broker
		if err := c.Send(t.Context(), o); err != nil {
			t.Fatal(err)
		}
		es := waitKinds(t, rec, []order.ExecKind{order.ExecFill}, o.ClOrdID)
		f := es[0]
		if !f.LastQty.Equal(d("250")) || !f.LastPx.Equal(d("101.5")) || !f.CumQty.Equal(d("250")) ||
			!f.LeavesQty.IsZero() || !f.AvgPx.Equal(d("101.5")) || f.Broker != broker {
			t.Errorf("%s fill %+v", broker, f)
		}
		// The executor does not take cancels: its BusinessMessageReject
		// must come back mapped to the cancel request.
		cxl := order.CancelRequest{Broker: broker, ClOrdID: "C-" + broker, OrigClOrdID: o.ClOrdID,
			Symbol: "IBM", Side: o.Side, Quantity: o.Quantity}
		if err := c.Cancel(t.Context(), cxl); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "reject of the cancel", func() bool {
			for _, r := range rec.sessionRejects() {
				if r.ClOrdID == cxl.ClOrdID {
					t.Logf("%s: cancel rejected (business=%v): %s", broker, r.Business, r.Reason)
					return true
				}
			}
			return false
		})
	}
}

// startExecutor runs the executor on a free port and returns the port once
// the executor itself listens on it. The port is picked before the executor
// binds it, so another test process may take it meanwhile: the executor then
// exits (its bind fails), or, worse, that process answers on the port. So
// the port counts only once the executor holds a listening socket on it, and
// a taken port is given up for another.
func startExecutor(t *testing.T, bin, dir string) int {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		cfg := filepath.Join(dir, fmt.Sprintf("executor%d.cfg", attempt))
		err := os.WriteFile(cfg, []byte(fmt.Sprintf(`[DEFAULT]
ConnectionType=acceptor
SocketAcceptPort=%d
SocketReuseAddress=Y
FileStorePath=%s
StartTime=00:00:00
EndTime=00:00:00
UseDataDictionary=N
SenderCompID=EXECUTOR

[SESSION]
BeginString=FIX.4.4
TargetCompID=BALLAST44

[SESSION]
BeginString=FIX.4.2
TargetCompID=BALLAST42
`, port, filepath.Join(dir, "executor-store"))), 0o600)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, cfg)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
		listening := false
		waitFor(t, "executor to listen or exit", func() bool {
			select {
			case <-exited:
				return true
			default:
			}
			listening = listensOn(cmd.Process.Pid, port)
			return listening
		})
		if listening {
			return port
		}
		if attempt == 5 {
			t.Fatalf("the executor exited at start %d times (port taken?)", attempt)
		}
		t.Logf("the executor exited at start on port %d; trying another port", port)
	}
}

// listensOn reports whether process pid holds a listening TCP socket on
// port. Without Linux's /proc it settles for anyone answering on the port.
func listensOn(pid, port int) bool {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	}
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			// sl local_address rem_address st ... inode: "0: 0100007F:1F90 00000000:0000 0A ..."
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hex, _ := strings.Cut(f[1], ":")
			if p, err := strconv.ParseUint(hex, 16, 16); err == nil && int(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		if link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && inodes[link] {
			return true
		}
	}
	return false
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
