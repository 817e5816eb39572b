package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
)

// TestGracefulShutdownWhileFillsStream sends SIGTERM to "ballast serve"
// while the broker streams fills, a trader's live blotter is open and
// releases are still arriving, and checks that serve exits 0 after, in
// this order, refusing new requests, logging its FIX session out (the
// broker receives a Logout) and closing the database (no WAL left to
// recover, integrity_check ok); then that a restart on the same database
// and FIX store books the fills sent meanwhile, releases the rest, and
// ends with books equal to the broker's, no fill lost or doubled.
func TestGracefulShutdownWhileFillsStream(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ballast and runs it as a child process")
	}
	bin := buildBallast(t)
	dir := t.TempDir()
	var brokerLog browserLog
	logger := slog.New(slog.NewTextHandler(&brokerLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
	broker, fixCfg := childBroker(t, dir, 4, 100*time.Millisecond, logger)
	srv := newServeChild(t, bin, dir, fixCfg)
	desk := seedChildDesk(t, srv.dbPath, srv.base(), 10, 3)
	blocks := desk.planBlocks(rand.New(rand.NewPCG(11, 12)), 80, 5)
	srv.start(t)
	ctx := context.Background()
	if err := parallel(len(blocks), 4, func(i int) error { return desk.enter(ctx, blocks[i]) }); err != nil {
		t.Fatalf("entering orders: %v\n%s", err, srv.logTail())
	}
	stream := openBlotterStream(t, srv.base())
	defer stream.Body.Close()

	first, rest := blocks[:60], blocks[60:]
	for _, b := range first[:40] {
		if err := desk.trader.do(ctx, "POST", fmt.Sprintf("/api/v1/blocks/%d/release", b.id), nil, nil); err != nil {
			t.Fatalf("release block %d: %v", b.id, err)
		}
	}
	for filledAtBroker(broker).IsZero() {
		time.Sleep(10 * time.Millisecond)
	}
	late := make([]error, len(first[40:]))
	lateDone := make(chan struct{})
	go func() { // releases still arriving while serve stops: answered, or refused whole
		defer close(lateDone)
		for i, b := range first[40:] {
			late[i] = desk.trader.do(ctx, "POST", fmt.Sprintf("/api/v1/blocks/%d/release", b.id), nil, nil)
		}
	}()
	time.Sleep(50 * time.Millisecond)
	termAt := filledAtBroker(broker)
	code, err := srv.terminate(30 * time.Second)
	if err != nil || code != 0 {
		t.Fatalf("SIGTERM: exit code %d, %v\n%s", code, err, srv.logTail())
	}
	t.Logf("SIGTERM with %s filled at the broker; serve exited 0", termAt)
	checkShutdownLog(t, srv)
	if !brokerInLogout(brokerLog.String()) {
		t.Errorf("the broker received no Logout from Ballast")
	}
	checkClosedCleanly(t, srv.dbPath)
	<-lateDone
	var again []*plannedBlock
	for i, err := range late {
		switch {
		case err == nil:
		case errors.Is(err, errTransport):
			again = append(again, first[40+i]) // refused whole: release it after the restart
		default:
			t.Errorf("a release during shutdown: %v", err)
		}
	}
	t.Logf("%d of %d releases sent during shutdown were refused (connection)", len(again), len(late))
	if filledAtBroker(broker).Equal(termAt) {
		t.Log("note: no fill arrived while serve was down")
	}

	srv.start(t)
	for _, b := range append(again, rest...) {
		if err := releaseOne(ctx, desk, srv, b.id); err != nil {
			t.Fatal(err)
		}
	}
	want := decimal.Zero
	for _, b := range blocks {
		for _, q := range b.qtys {
			want = want.Add(q)
		}
	}
	waitAllFilled(t, desk, broker, want, srv)
	if code, err := srv.terminate(30 * time.Second); err != nil || code != 0 {
		t.Fatalf("second SIGTERM: exit code %d, %v\n%s", code, err, srv.logTail())
	}
	checkBooksMatchBroker(t, srv.dbPath, blocks, broker)
}

// openBlotterStream signs the trader in and opens the live blotter's
// server-sent event stream, as a browser on the blotter page does.
func openBlotterStream(t *testing.T, base string) *http.Response {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.PostForm(base+"/signin", url.Values{"name": {"trader"}, "password": {db.DemoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, base+"/blotter/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		t.Fatalf("blotter events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, ":") {
		t.Fatalf("blotter events: first line %q, %v", line, err)
	}
	return resp
}

// checkShutdownLog checks that the last run logged its shutdown steps in order.
func checkShutdownLog(t *testing.T, srv *serveChild) {
	t.Helper()
	b, _ := os.ReadFile(srv.logPath)
	log := string(b)
	log = log[strings.LastIndex(log, "=== run"):]
	at := 0
	for _, step := range []string{`msg="shutting down"`, `msg="web server stopped"`, `msg="fix session logged out"`,
		`msg="fix sessions logged out"`, `msg="database closed"`} {
		i := strings.Index(log[at:], step)
		if i < 0 {
			t.Errorf("shutdown log lacks %s after the previous step:\n%s", step, log)
			return
		}
		at += i + len(step)
	}
	if strings.Contains(log, "level=ERROR") {
		t.Errorf("errors logged during the run that was stopped:\n%s", log)
	}
}

// brokerInLogout reports whether a message the broker received was a
// Logout (35=5) from BALLAST.
func brokerInLogout(log string) bool {
	for line := range strings.Lines(log) {
		if strings.Contains(line, "brokersim fix in") && strings.Contains(line, `\x0135=5\x01`) && strings.Contains(line, `49=BALLAST`) {
			return true
		}
	}
	return false
}

// checkClosedCleanly checks that serve left no write-ahead log to recover
// and that the database is intact.
func checkClosedCleanly(t *testing.T, dbPath string) {
	t.Helper()
	if fi, err := os.Stat(dbPath + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("serve left a %d-byte write-ahead log: the database was not closed", fi.Size())
	}
	d, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var ok string
	if err := d.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check after SIGTERM: %q, %v", ok, err)
	}
	if err := d.Close(); err != nil {
		t.Error(err)
	}
}
