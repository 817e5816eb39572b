package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// checkBooksMatchBroker opens the database serve left and checks it
// against the broker's totals per account (= portfolio), symbol and side
// and its view of each order, and against the starting book: positions,
// cash, every order's filled quantity, every block's executions and
// allocations, exactly equal.
func checkBooksMatchBroker(t *testing.T, dbPath string, blocks []*plannedBlock, broker *brokersim.Broker) {
	t.Helper()
	d := cliOpenDB(t, dbPath)
	r := d.Reader()
	var ok string
	if err := r.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check: %q, %v", ok, err)
	}
	var unmatched int
	if err := r.QueryRow(`SELECT count(*) FROM executions WHERE block_id = 0`).Scan(&unmatched); err != nil || unmatched != 0 {
		t.Errorf("%d executions matched no order (%v)", unmatched, err)
	}
	type ps struct{ p, s string }
	wantPos := map[ps]decimal.Decimal{}
	wantCash := map[string]decimal.Decimal{}
	for k, tot := range broker.Totals() {
		sign := decimal.NewFromInt(1)
		if k.Side != "1" {
			sign = sign.Neg()
		}
		key := ps{k.Account, k.Symbol}
		wantPos[key] = wantPos[key].Add(tot.Quantity.Mul(sign))
		wantCash[k.Account] = wantCash[k.Account].Sub(tot.Notional.Mul(sign))
	}
	rows, err := r.Query(`SELECT portfolio, symbol, quantity FROM positions`)
	if err != nil {
		t.Fatal(err)
	}
	positions := 0
	for rows.Next() {
		var p, s, q string
		if err := rows.Scan(&p, &s, &q); err != nil {
			t.Fatal(err)
		}
		positions++
		if got, want := decimal.RequireFromString(q), childStartQty.Add(wantPos[ps{p, s}]); !got.Equal(want) {
			t.Errorf("position %s %s: Ballast %s, broker's fills give %s", p, s, got, want)
		}
	}
	rows.Close()
	rows, err = r.Query(`SELECT code, cash FROM portfolios`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p, c string
		if err := rows.Scan(&p, &c); err != nil {
			t.Fatal(err)
		}
		if got, want := decimal.RequireFromString(c), childStartCash.Add(wantCash[p]); !got.Equal(want) {
			t.Errorf("cash %s: Ballast %s, broker's fills give %s", p, got, want)
		}
	}
	rows.Close()
	checkBlocksMatchBroker(t, d.Reader(), blocks, broker)
	t.Logf("compared %d positions, cash of %d portfolios and %d blocks with the broker", positions, len(wantCash), len(blocks))
}

// checkBlocksMatchBroker checks each block's executions, status, orders
// and allocations against the broker's view of its order.
func checkBlocksMatchBroker(t *testing.T, r *sql.DB, blocks []*plannedBlock, broker *brokersim.Broker) {
	t.Helper()
	for _, b := range blocks {
		var status, clOrdID, cum, account string
		if err := r.QueryRow(`SELECT status, cl_ord_id, cum_qty, account FROM blocks WHERE id = ?`, b.id).Scan(&status, &clOrdID, &cum, &account); err != nil {
			t.Fatalf("block %d: %v", b.id, err)
		}
		bo, ok := broker.Order(clOrdID)
		if !ok {
			t.Errorf("block %d (%s, ClOrdID %s) never reached the broker", b.id, status, clOrdID)
			continue
		}
		var fills int
		var execQty string
		if err := r.QueryRow(`SELECT count(*), coalesce(group_concat(quantity, ' '), '') FROM executions WHERE block_id = ? AND kind IN ('fill', 'partial_fill')`, b.id).Scan(&fills, &execQty); err != nil {
			t.Fatal(err)
		}
		sum := decimal.Zero
		for _, q := range strings.Fields(execQty) {
			sum = sum.Add(decimal.RequireFromString(q))
		}
		if !sum.Equal(bo.CumQty) || !decimal.RequireFromString(cum).Equal(bo.CumQty) || account != b.portfolio {
			t.Errorf("block %d: executions add up to %s (%d fills), block cum %s, account %q; the broker filled %s for %s",
				b.id, sum, fills, cum, account, bo.CumQty, b.portfolio)
		}
		if status != "filled" || bo.OrdStatus != "2" {
			t.Errorf("block %d: Ballast %s, broker OrdStatus %s", b.id, status, bo.OrdStatus)
		}
		checkOrdersOfBlock(t, r, b)
	}
}

// checkOrdersOfBlock checks that each of b's orders is filled for its whole
// quantity and that its allocation says the same.
func checkOrdersOfBlock(t *testing.T, r *sql.DB, b *plannedBlock) {
	t.Helper()
	for i, id := range b.orderIDs {
		var status, filled, alloc, qtyDelta string
		err := r.QueryRow(`SELECT o.status, o.filled_qty, coalesce(a.quantity, '0'), coalesce(a.qty_delta, '0')
			FROM orders o LEFT JOIN allocations a ON a.order_id = o.id AND a.block_id = ? WHERE o.id = ?`, b.id, id).Scan(&status, &filled, &alloc, &qtyDelta)
		if err != nil {
			t.Fatalf("order %d: %v", id, err)
		}
		want := b.qtys[i]
		delta := want
		if b.side != "buy" {
			delta = delta.Neg()
		}
		if status != "filled" || !decimal.RequireFromString(filled).Equal(want) || !decimal.RequireFromString(alloc).Equal(want) ||
			!decimal.RequireFromString(qtyDelta).Equal(delta) {
			t.Errorf("order %d of block %d: %s, filled %s, allocated %s (position change %s); ordered %s",
				id, b.id, status, filled, alloc, qtyDelta, want)
		}
	}
}
