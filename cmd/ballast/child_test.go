package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/db"
)

// buildBallast builds this command into a temporary directory and returns
// the binary's path: the crash and shutdown tests run "ballast serve" as a
// child process they can kill.
func buildBallast(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ballast")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveChild runs "ballast serve" as a child process on one database, one
// FIX settings file and one address, again and again: every run appends
// its standard error (the log) to one file.
type serveChild struct {
	bin, dbPath, fixConfig, addr, logPath string
	cmd                                   *exec.Cmd
	done                                  chan struct{}
	exit                                  error
	runs                                  int
}

func newServeChild(t *testing.T, bin, dir, fixConfig string) *serveChild {
	t.Helper()
	s := &serveChild{bin: bin, dbPath: filepath.Join(dir, "ballast.db"), fixConfig: fixConfig,
		addr: freeAddr(t), logPath: filepath.Join(dir, "serve.log")}
	t.Cleanup(func() {
		if s.cmd != nil && s.running() {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

func (s *serveChild) base() string { return "http://" + s.addr }

// start runs serve and waits until /healthz answers.
func (s *serveChild) start(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s.runs++
	fmt.Fprintf(logf, "=== run %d\n", s.runs)
	s.cmd = exec.Command(s.bin, "serve", "--addr", s.addr, "--db", s.dbPath, "--no-demo",
		"--price-feed", "none", "--compliance-batch-at", "off", "--fix-config", s.fixConfig)
	s.cmd.Env = append(os.Environ(), "BALLAST_DB=", "BALLAST_FIX_CONFIG=", "BALLAST_ADDR=")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	dieWithTest(s.cmd)
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		t.Fatal(err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		s.exit = cmd.Wait()
		logf.Close()
		close(done)
	}(s.cmd, s.done)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if !s.running() {
			t.Fatalf("serve exited at start: %v\n%s", s.exit, s.logTail())
		}
		resp, err := http.Get(s.base() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("serve not healthy after 60s\n%s", s.logTail())
}

func (s *serveChild) running() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// kill ends serve with SIGKILL and waits for it.
func (s *serveChild) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// terminate sends SIGTERM and returns serve's exit code (-1: killed by a
// signal) once it exits, or an error when it does not within limit.
func (s *serveChild) terminate(limit time.Duration) (int, error) {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case <-s.done:
		return s.cmd.ProcessState.ExitCode(), nil
	case <-time.After(limit):
		s.kill()
		return 0, fmt.Errorf("serve did not exit %s after SIGTERM", limit)
	}
}

// logTail is the end of serve's log, for failure messages.
func (s *serveChild) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	return string(b)
}

// apiClient calls Ballast's JSON API with one user's bearer token; it
// returns transport errors (serve killed) instead of failing the test.
type apiClient struct {
	base, token string
	hc          *http.Client
}

func newAPIClient(base, token string) *apiClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}
	return &apiClient{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// errTransport marks a request that got no HTTP answer.
var errTransport = errors.New("no answer")

// do sends body as JSON and decodes a 2xx answer into out; any other
// status is an error carrying the answer.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w: %v", method, path, errTransport, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w: %v", method, path, errTransport, err)
	}
	if resp.StatusCode/100 != 2 {
		return &apiStatusError{code: resp.StatusCode, body: strings.TrimSpace(string(data))}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// apiStatusError is an API answer that is not 2xx.
type apiStatusError struct {
	code int
	body string
}

func (e *apiStatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

// parallel runs fn(i) for i in [0, n) on workers goroutines and returns
// the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// childDesk is the book the child-process tests trade: portfolios P00…,
// securities S0…, every portfolio holding startQty of each at startCash,
// a PM who proposes and a trader who approves, blocks and releases.
type childDesk struct {
	portfolios, symbols []string
	pm, trader          *apiClient
}

var (
	childStartQty  = decimal.NewFromInt(1_000_000)
	childStartCash = decimal.NewFromInt(1_000_000_000)
)

// seedChildDesk imports the book and the users into dbPath (serve not
// running) and returns the API clients for base.
func seedChildDesk(t *testing.T, dbPath, base string, nPortfolios, nSymbols int) *childDesk {
	t.Helper()
	dir := filepath.Dir(dbPath)
	cd := &childDesk{}
	var secs, ports, holds, prices strings.Builder
	secs.WriteString("symbol,name,issuer,sector,country,currency,asset_class,lot_size,adv,shares_outstanding\n")
	ports.WriteString("portfolio,name,base_currency,cash\n")
	holds.WriteString("portfolio,symbol,quantity,avg_cost\n")
	prices.WriteString("symbol,price\n")
	for i := range nSymbols {
		s := fmt.Sprintf("S%d", i)
		cd.symbols = append(cd.symbols, s)
		fmt.Fprintf(&secs, "%s,Security %d,Issuer %d,Industrials,GB,GBP,equity,1,1000000000,10000000000\n", s, i, i)
		fmt.Fprintf(&prices, "%s,50\n", s)
	}
	for i := range nPortfolios {
		p := fmt.Sprintf("P%02d", i)
		cd.portfolios = append(cd.portfolios, p)
		fmt.Fprintf(&ports, "%s,Portfolio %d,GBP,%s\n", p, i, childStartCash)
		for _, s := range cd.symbols {
			fmt.Fprintf(&holds, "%s,%s,%s,50\n", p, s, childStartQty)
		}
	}
	for _, f := range []struct{ kind, body string }{{"securities", secs.String()}, {"portfolios", ports.String()},
		{"holdings", holds.String()}, {"prices", prices.String()}} {
		path := cliWriteFile(t, dir, f.kind+".csv", f.body)
		if res := cliRun(t, dir, "", "import", f.kind, path, "--db", dbPath); res.err != nil {
			t.Fatalf("import %s: %v\n%s", f.kind, res.err, res.stderr)
		}
	}
	for _, u := range []struct{ name, role string }{{"pm", "pm"}, {"trader", "trader"}} {
		if res := cliRun(t, dir, db.DemoPassword+"\n", "user", "add", "--name", u.name, "--role", u.role, "--db", dbPath); res.err != nil {
			t.Fatalf("user add %s: %v", u.name, res.err)
		}
	}
	cd.pm = newAPIClient(base, cliToken(t, dbPath, "pm"))
	cd.trader = newAPIClient(base, cliToken(t, dbPath, "trader"))
	return cd
}

// plannedBlock is one block the test trades: perBlock orders of one
// portfolio, symbol, side and limit price (the broker's Account is then the
// portfolio, so its totals per account are the portfolio's).
type plannedBlock struct {
	portfolio, symbol, side string
	limit                   decimal.Decimal
	qtys                    []decimal.Decimal
	orderIDs                []int64
	id                      int64
}

// planBlocks draws n blocks of perBlock orders from rng.
func (cd *childDesk) planBlocks(rng *rand.Rand, n, perBlock int) []*plannedBlock {
	out := make([]*plannedBlock, n)
	for i := range out {
		b := &plannedBlock{portfolio: cd.portfolios[rng.IntN(len(cd.portfolios))], symbol: cd.symbols[rng.IntN(len(cd.symbols))],
			side: []string{"buy", "sell"}[rng.IntN(2)], limit: decimal.New(int64(1000+rng.IntN(9000)), -2)}
		for range perBlock {
			b.qtys = append(b.qtys, decimal.NewFromInt(int64(1+rng.IntN(200))))
		}
		out[i] = b
	}
	return out
}

// enter proposes b's orders as the PM, approves them as the trader (four
// eyes) and gathers them into a block at SIM.
func (cd *childDesk) enter(ctx context.Context, b *plannedBlock) error {
	for _, q := range b.qtys {
		id, err := cd.proposeApproved(ctx, b, q)
		var st *apiStatusError
		if errors.As(err, &st) && strings.Contains(st.body, "expired at") {
			id, err = cd.proposeApproved(ctx, b, q) // proposed just before the day's close: once more
		}
		if err != nil {
			return err
		}
		b.orderIDs = append(b.orderIDs, id)
	}
	var blk struct {
		ID int64 `json:"id"`
	}
	if err := cd.trader.do(ctx, "POST", "/api/v1/blocks", map[string]any{"order_ids": b.orderIDs, "broker": "SIM"}, &blk); err != nil {
		return fmt.Errorf("block: %w", err)
	}
	b.id = blk.ID
	return nil
}

// proposeApproved proposes one order of b as the PM and approves it as the trader.
func (cd *childDesk) proposeApproved(ctx context.Context, b *plannedBlock, qty decimal.Decimal) (int64, error) {
	in := map[string]string{"portfolio": b.portfolio, "symbol": b.symbol, "side": b.side, "quantity": qty.String(),
		"order_type": "limit", "limit_price": b.limit.StringFixed(2), "time_in_force": "day", "broker": "SIM"}
	var o struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if err := cd.pm.do(ctx, "POST", "/api/v1/orders", in, &o); err != nil {
		return 0, fmt.Errorf("propose: %w", err)
	}
	if err := cd.trader.do(ctx, "POST", fmt.Sprintf("/api/v1/orders/%d/approve", o.ID), nil, nil); err != nil {
		return 0, fmt.Errorf("approve %d (%s): %w", o.ID, o.Status, err)
	}
	return o.ID, nil
}

// childBroker starts an in-process brokersim with one FIX 4.4 session SIM
// that fills every order in fills executions, latency apart, and writes
// the initiator settings for serve into dir. logger (nil: none) hears its
// FIX messages at debug level.
func childBroker(t *testing.T, dir string, fills int, latency time.Duration, logger *slog.Logger) (*brokersim.Broker, string) {
	t.Helper()
	sessions := []brokersim.Session{{BeginString: "FIX.4.4", SenderCompID: "SIM", TargetCompID: "BALLAST"}}
	b, err := brokersim.New(brokersim.Config{Sessions: sessions, Seed: 7, Logger: logger,
		Fill:     brokersim.FillConfig{Fills: fills, Latency: latency},
		Scenario: func(brokersim.Order) brokersim.Plan { return brokersim.Plan{Action: brokersim.Fill} }})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	text := strings.Replace(simInitiatorSettings(b.Addr(), sessions, ""), "ReconnectInterval=2", "ReconnectInterval=1", 1)
	path := cliWriteFile(t, dir, "fix.cfg", text)
	return b, path
}

// logLines are the lines of serve's log, every run, that contain any of subs.
func (s *serveChild) logLines(subs ...string) string {
	b, _ := os.ReadFile(s.logPath)
	var out strings.Builder
	for line := range strings.Lines(string(b)) {
		for _, sub := range subs {
			if sub != "" && strings.Contains(line, sub) {
				out.WriteString(line)
				break
			}
		}
	}
	return out.String()
}
