package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
)

// The crash test's size: crashBlocks blocks of crashPerBlock orders, each
// block filled by the broker in crashFills executions.
const (
	crashBlocks   = 1000
	crashPerBlock = 10
	crashFills    = 3
	crashKills    = 6
)

// TestCrashKillDuringFillsBooksExactlyOnce trades 10,000 orders through
// the JSON API and a brokersim over FIX while "ballast serve" runs as a
// child process, kills it with SIGKILL at random moments while fills
// stream (at least five times), restarts it on the same database and FIX
// store each time, and at the end checks positions, cash, orders,
// allocations and executions against the broker's own totals: exactly
// equal, no fill lost or booked twice. BALLAST_CRASH_SEED replays a run's
// plan and kill delays; BALLAST_CRASH_KEEP=DIR keeps a failed run's
// database, FIX store, serve log and the broker's FIX log.
func TestCrashKillDuringFillsBooksExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ballast and kills it repeatedly")
	}
	began := time.Now()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BALLAST_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (BALLAST_CRASH_SEED=%d replays the plan and the kill delays)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	bin := buildBallast(t)
	dir := t.TempDir()
	var brokerLog *slog.Logger
	if keep := os.Getenv("BALLAST_CRASH_KEEP"); keep != "" {
		f, err := os.Create(filepath.Join(dir, "broker.log"))
		if err != nil {
			t.Fatal(err)
		}
		brokerLog = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
		t.Cleanup(func() {
			f.Close()
			if t.Failed() {
				_ = exec.Command("cp", "-r", dir, keep).Run()
				t.Logf("database, FIX store and log kept in %s", keep)
			}
		})
	}
	broker, fixCfg := childBroker(t, dir, crashFills, 40*time.Millisecond, brokerLog)
	srv := newServeChild(t, bin, dir, fixCfg)
	desk := seedChildDesk(t, srv.dbPath, srv.base(), 100, 5)
	blocks := desk.planBlocks(rng, crashBlocks, crashPerBlock)
	srv.start(t)
	t.Logf("built, seeded and started in %s", time.Since(began).Round(time.Millisecond))
	entering := time.Now()
	ctx := context.Background()
	if err := parallel(len(blocks), 4, func(i int) error { return desk.enter(ctx, blocks[i]) }); err != nil {
		t.Fatalf("entering orders: %v\n%s", err, srv.logTail())
	}
	t.Logf("%d orders proposed, approved and gathered in %d blocks in %s", crashBlocks*crashPerBlock, crashBlocks, time.Since(entering).Round(time.Millisecond))

	want := decimal.Zero
	for _, b := range blocks {
		for _, q := range b.qtys {
			want = want.Add(q)
		}
	}
	relDone := make(chan error, 1)
	go func() { relDone <- releaseEvery(ctx, desk, srv, blocks) }()
	crashKillLoop(t, rng, srv, broker, want)
	if err := <-relDone; err != nil {
		t.Fatalf("releasing: %v\n%s", err, srv.logTail())
	}
	waitAllFilled(t, desk, broker, want, srv)
	code, err := srv.terminate(30 * time.Second)
	if err != nil || code != 0 {
		t.Fatalf("final SIGTERM: exit %d, %v\n%s", code, err, srv.logTail())
	}
	checkBooksMatchBroker(t, srv.dbPath, blocks, broker)
	t.Logf("wall time %s (build included)", time.Since(began).Round(time.Millisecond))
}

// crashKillLoop kills serve crashKills times, each a random 0.3–1.8 s
// after it came up, while the broker has fills still to send, and
// restarts it on the same database and FIX store.
func crashKillLoop(t *testing.T, rng *rand.Rand, srv *serveChild, broker *brokersim.Broker, want decimal.Decimal) {
	t.Helper()
	start := time.Now()
	for k := 1; k <= crashKills; k++ {
		delay := time.Duration(300+rng.IntN(1500)) * time.Millisecond
		time.Sleep(delay)
		filled := filledAtBroker(broker)
		if !filled.LessThan(want) {
			t.Fatalf("kill %d: the broker had already filled everything (%s): the kills came too late", k, filled)
		}
		srv.kill()
		t.Logf("kill %d: SIGKILL at +%s (%s after start-up), broker had filled %s of %s", k,
			time.Since(start).Round(time.Millisecond), delay, filled, want)
		srv.start(t)
	}
}

// filledAtBroker is the quantity the broker has filled, all accounts.
func filledAtBroker(b *brokersim.Broker) decimal.Decimal {
	sum := decimal.Zero
	for _, tot := range b.Totals() {
		sum = sum.Add(tot.Quantity)
	}
	return sum
}

// releaseEvery releases every block as the trader, about 60 a second so
// that releases and fills span the kills; a release cut by a kill is
// retried once serve is back (a second release of a sent block is refused
// with 409, which is fine).
func releaseEvery(ctx context.Context, desk *childDesk, srv *serveChild, blocks []*plannedBlock) error {
	tick := time.NewTicker(16 * time.Millisecond)
	defer tick.Stop()
	for _, b := range blocks {
		<-tick.C
		if err := releaseOne(ctx, desk, srv, b.id); err != nil {
			return err
		}
	}
	return nil
}

func releaseOne(ctx context.Context, desk *childDesk, srv *serveChild, id int64) error {
	for attempt := 0; ; attempt++ {
		err := desk.trader.do(ctx, "POST", fmt.Sprintf("/api/v1/blocks/%d/release", id), nil, nil)
		var st *apiStatusError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &st) && st.code == http.StatusConflict && attempt > 0:
			return nil // released by the attempt a kill cut short
		case errors.Is(err, errTransport) && attempt < 100:
			waitHealthy(srv)
		default:
			return fmt.Errorf("release block %d: %w", id, err)
		}
	}
}

// waitHealthy waits (up to a minute) until serve answers /healthz.
func waitHealthy(srv *serveChild) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(srv.base() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
}

// waitAllFilled waits until the broker has filled want and Ballast has no
// open block left.
func waitAllFilled(t *testing.T, desk *childDesk, broker *brokersim.Broker, want decimal.Decimal, srv *serveChild) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	last, lastMoved := decimal.Zero, time.Now()
	for {
		var open struct {
			Blocks []blockView `json:"blocks"`
		}
		err := desk.trader.do(context.Background(), "GET", "/api/v1/blocks?state=open&limit=20", nil, &open)
		filled := filledAtBroker(broker)
		if err == nil && len(open.Blocks) == 0 && filled.Equal(want) {
			return
		}
		if !filled.Equal(last) {
			last, lastMoved = filled, time.Now()
		}
		if time.Now().After(deadline) || time.Since(lastMoved) > 20*time.Second {
			subs := []string{"=== run", "cut short", "found sent", "message store", "level=ERROR"}
			for _, b := range open.Blocks {
				subs = append(subs, b.ClOrdID)
			}
			t.Fatalf("not settled (no fill for 20 s, or 2 minutes): broker filled %s of %s; open blocks in Ballast %+v (%v)\n%s",
				filled, want, open.Blocks, err, srv.logLines(subs...))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// blockView is what the test reads of a block from the API.
type blockView struct {
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	ClOrdID   string `json:"cl_ord_id"`
	Quantity  string `json:"quantity"`
	FilledQty string `json:"filled_qty"`
}
