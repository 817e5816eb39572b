package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/fixclient"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// benchFixOptions are the flags of "ballast bench fix".
type benchFixOptions struct {
	orders, workers, fills, basket          int
	rate                                    float64
	store, storeSync, profile, simAddr, sim string
	simPID                                  int // the brokersim child process, when there is one
}

// benchFix releases --orders blocks through order.Service to an in-process
// brokersim over a real FIX 4.4 session on loopback, with the durable
// message store and a fresh SQLite database, and prints orders/s fully
// booked and the latency from release to the last fill booked.
func benchFix(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("bench fix", e)
	var o benchFixOptions
	fs.IntVar(&o.orders, "orders", 20000, "orders (blocks of one) to release")
	fs.Float64Var(&o.rate, "rate", 0, "releases per second, paced (0: as fast as --workers allow)")
	fs.IntVar(&o.workers, "workers", 16, "releases in flight at once when --rate is 0")
	fs.IntVar(&o.basket, "basket", 1, "blocks each worker releases together in one call (order.Service.ReleaseBlocks) when above 1; needs --rate 0")
	fs.IntVar(&o.fills, "fills", 1, "executions the broker fills each order in (after its ack)")
	fs.StringVar(&o.store, "store", "file", "FIX message store: file or sql")
	fs.StringVar(&o.storeSync, "store-sync", "group", "when the file store fsyncs outbound messages (BallastStoreSync): group or message")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the releases and bookings to this file")
	fs.StringVar(&o.sim, "sim", "process", "where brokersim runs: process (a ballast simbroker child process) or inproc")
	fs.StringVar(&o.simAddr, "sim-addr", "", "trade with a \"ballast simbroker\" running at this address (its SIM session) instead of one in process")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("bench fix", err)
	}
	if len(pos) > 0 || o.orders <= 0 || o.workers <= 0 || o.fills <= 0 || o.rate < 0 || (o.sim != "process" && o.sim != "inproc") ||
		(o.storeSync != "group" && o.storeSync != "message") {
		return fmt.Errorf("bench fix: want positive --orders, --workers and --fills, --rate ≥ 0, --sim process or inproc, --store-sync group or message, and no arguments")
	}
	if err := checkBasketFlag(o); err != nil {
		return fmt.Errorf("bench fix: %w", err)
	}
	if o.sim == "process" && o.simAddr == "" {
		p, err := startSimProcess(o.fills)
		if err != nil {
			return fmt.Errorf("bench fix: %w", err)
		}
		defer p.stop()
		o.simAddr, o.simPID = p.Addr, p.cmd.Process.Pid
	}
	dir, err := os.MkdirTemp("", "ballast-bench-fix-")
	if err != nil {
		return fmt.Errorf("bench fix: %w", err)
	}
	defer os.RemoveAll(dir)
	return runBenchFix(ctx, e, dir, o)
}

func runBenchFix(ctx context.Context, e *env, dir string, o benchFixOptions) error {
	path := filepath.Join(dir, "bench.db")
	d, err := db.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("bench fix: %w", err)
	}
	defer d.Close()
	start := time.Now()
	desk, blocks, err := benchFixDesk(ctx, d, o.orders)
	if err != nil {
		return fmt.Errorf("bench fix: set up: %w", err)
	}
	fmt.Fprintf(e.stdout, "set up %d approved blocks in %s%s\n", len(blocks), time.Since(start).Round(time.Millisecond), basketNote(o))
	flags := fixFlags{store: o.store, storeDir: filepath.Join(dir, "fixstore")}
	fx, rec, err := startBenchFix(ctx, d, path, flags, desk, o)
	if err != nil {
		return fmt.Errorf("bench fix: %w", err)
	}
	defer fx.stop()
	tr := order.Actor{Name: "bench-trader", Roles: []user.Role{user.Trader}}
	stop, err := startProfile(o.profile)
	if err != nil {
		return fmt.Errorf("bench fix: %w", err)
	}
	defer stop()
	start = time.Now()
	cpu0, _ := processCPU()
	sim0, _ := pidCPU(o.simPID)
	rec.begin(blocks)
	if err := releaseAll(ctx, desk.svc, tr, blocks, o, rec); err != nil {
		return fmt.Errorf("bench fix: %w", err)
	}
	if err := rec.wait(ctx, 2*time.Minute); err != nil {
		return fmt.Errorf("bench fix: %w", err)
	}
	took := time.Since(start)
	cpu1, hasCPU := processCPU()
	sim1, hasSim := pidCPU(o.simPID)
	p50, p99, worst := rec.percentiles()
	where := "brokersim in process"
	if o.simAddr != "" {
		where = "brokersim at " + o.simAddr
	}
	store := o.store + " store"
	if o.store == "file" {
		store += ", synced by " + o.storeSync
	}
	fmt.Fprintf(e.stdout, "%d orders released and fully booked (%d fills each, %s, %s) in %s: %.0f orders/s\n",
		len(blocks), o.fills, store, where, took.Round(time.Millisecond), float64(len(blocks))/took.Seconds())
	fmt.Fprintf(e.stdout, "release → last fill booked: p50 %s, p99 %s, max %s\n",
		p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), worst.Round(10*time.Microsecond))
	s50, s99, slow := rec.stageFigures()
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }
	fmt.Fprintf(e.stdout, "stages, ms p50/p99 (mean in the slowest 1%%): release and send %s/%s (%s); ack booked %s/%s (%s); last fill booked %s/%s (%s)\n",
		ms(s50[0]), ms(s99[0]), ms(slow[0]), ms(s50[1]), ms(s99[1]), ms(slow[1]), ms(s50[2]), ms(s99[2]), ms(slow[2]))
	cpuLine := func(who string, cpu time.Duration, note string) {
		fmt.Fprintf(e.stdout, "%s CPU time: %s, %s per order (%.2f cores%s)\n", who, cpu.Round(time.Millisecond),
			(cpu / time.Duration(len(blocks))).Round(time.Microsecond), cpu.Seconds()/took.Seconds(), note)
	}
	if hasCPU {
		cpuLine("Ballast's", cpu1-cpu0, "; brokersim's own is not counted")
	}
	if hasSim {
		cpuLine("brokersim's", sim1-sim0, "; its own process")
	}
	return nil
}

// startBenchFix starts brokersim and the FIX client with the booking
// recorded by rec.
func startBenchFix(ctx context.Context, d *db.DB, path string, f fixFlags, desk *orderDesk, o benchFixOptions) (*fixServe, *fillRecorder, error) {
	logger := slog.New(slog.DiscardHandler)
	fx := &fixServe{}
	sim := []brokersim.Session{{BeginString: "FIX.4.4", SenderCompID: "SIM", TargetCompID: "BALLAST"}}
	var settings *quickfix.Settings
	var err error
	if o.simAddr != "" {
		// A fresh store here, a long-running broker there: both reset at logon.
		text := strings.Replace(simInitiatorSettings(o.simAddr, sim, ""), "ResetOnLogon=N", "ResetOnLogon=Y", 1)
		settings, err = fixclient.ParseSettings(strings.NewReader(text))
	} else {
		fx.sim, settings, err = startSimBroker(brokersim.Config{Listen: "127.0.0.1:0", Seed: 1, Sessions: sim,
			Fill: brokersim.FillConfig{Fills: o.fills, Latency: time.Microsecond}, Logger: logger})
	}
	if err != nil {
		return nil, nil, err
	}
	// SessionSettings returns copies: the global settings reach every session.
	settings.GlobalSettings().Set(fixclient.StoreSyncSetting, o.storeSync)
	fx.link = newFixLink(d, logger, time.Now, 0)
	if err := fx.addBrokers(ctx, settings, 0); err != nil {
		fx.stopSim()
		return nil, nil, err
	}
	cfg := fixclient.Config{Settings: settings, Logger: logger, Store: fixclient.StoreKind(f.store), StorePath: f.storeDir,
		SyncBooked: d.SyncCommitted}
	if f.store == "sql" {
		cfg.StorePath = path
	}
	rec := &fillRecorder{}
	desk.booked = rec.observe
	if fx.client, err = fixclient.New(cfg, fx.link); err != nil {
		fx.stopSim()
		return nil, nil, err
	}
	fx.link.client, fx.link.desk = fx.client, desk
	desk.svc.Sender, desk.hasBroker = fx.link, true
	if err := fx.client.Start(); err != nil {
		fx.stop()
		return nil, nil, err
	}
	for deadline := time.Now().Add(10 * time.Second); fx.client.Status()[0].State != fixclient.StateLoggedOn; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			fx.stop()
			return nil, nil, fmt.Errorf("SIM did not log on")
		}
	}
	return fx, rec, nil
}

// fillRecorder notes, for each block, when it was released, when the
// release returned (the order was sent), when its ack was booked and when
// its last fill was booked.
type fillRecorder struct {
	mu       sync.Mutex
	open     map[int64]*orderTimes
	done     []orderTimes
	left     int
	finished chan struct{}
}

// orderTimes are one order's moments, from release to its last fill booked.
type orderTimes struct {
	released, sent, acked, filled time.Time
}

// stages are the release's own time (its transaction and the send), the
// broker's ack until booked, and from the ack booked to the last fill
// booked; they add up to the whole. An ack booked before the release
// returned counts as booked when it returned.
func (t orderTimes) stages() [3]time.Duration {
	sent := t.sent
	if sent.IsZero() || sent.After(t.filled) {
		sent = t.filled
	}
	acked := t.acked
	if acked.Before(sent) {
		acked = sent
	}
	if acked.After(t.filled) {
		acked = t.filled
	}
	return [3]time.Duration{sent.Sub(t.released), acked.Sub(sent), t.filled.Sub(acked)}
}

func (t orderTimes) took() time.Duration { return t.filled.Sub(t.released) }

func (r *fillRecorder) begin(blocks []int64) {
	r.open = make(map[int64]*orderTimes, len(blocks))
	r.left, r.finished = len(blocks), make(chan struct{})
}

func (r *fillRecorder) released(id int64) {
	r.mu.Lock()
	r.open[id] = &orderTimes{released: time.Now()}
	r.mu.Unlock()
}

// sent notes that the release of block id returned.
func (r *fillRecorder) sent(id int64) {
	now := time.Now()
	r.mu.Lock()
	if t, ok := r.open[id]; ok {
		t.sent = now
	}
	r.mu.Unlock()
}

// observe notes when a block is acknowledged and when it is filled; it is
// the desk's booking hook, so reports are booked as serve books them.
func (r *fillRecorder) observe(_ context.Context, rep order.ExecutionReport, res order.BookResult, err error) {
	if err != nil || res.Duplicate {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.open[res.BlockID]
	if !ok {
		return
	}
	switch {
	case rep.Kind == order.ExecNew && t.acked.IsZero():
		t.acked = now
	case rep.Kind == order.ExecFill && res.Status == order.Filled:
		t.filled = now
		r.done = append(r.done, *t)
		delete(r.open, res.BlockID)
		if r.left--; r.left == 0 {
			close(r.finished)
		}
	}
}

func (r *fillRecorder) wait(ctx context.Context, limit time.Duration) error {
	select {
	case <-r.finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(limit):
		r.mu.Lock()
		defer r.mu.Unlock()
		return fmt.Errorf("%d orders not filled after %s", r.left, limit)
	}
}

func (r *fillRecorder) percentiles() (p50, p99, worst time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := make([]time.Duration, len(r.done))
	for i, t := range r.done {
		s[i] = t.took()
	}
	slices.Sort(s)
	if len(s) == 0 {
		return 0, 0, 0
	}
	at := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return at(0.50), at(0.99), s[len(s)-1]
}

// stageFigures are each stage's p50 and p99 over every order, and its mean
// over the slowest 1 % of orders: where their time went.
func (r *fillRecorder) stageFigures() (p50, p99, slowMean [3]time.Duration) {
	r.mu.Lock()
	done := slices.Clone(r.done)
	r.mu.Unlock()
	if len(done) == 0 {
		return
	}
	for k := range 3 {
		s := make([]time.Duration, len(done))
		for i, t := range done {
			s[i] = t.stages()[k]
		}
		slices.Sort(s)
		p50[k], p99[k] = s[len(s)/2], s[min(len(s)-1, len(s)*99/100)]
	}
	slices.SortFunc(done, func(a, b orderTimes) int { return cmp.Compare(b.took(), a.took()) })
	slow := done[:max(1, len(done)/100)]
	for _, t := range slow {
		st := t.stages()
		for k := range 3 {
			slowMean[k] += st[k]
		}
	}
	for k := range 3 {
		slowMean[k] /= time.Duration(len(slow))
	}
	return p50, p99, slowMean
}

// benchFixDesk seeds one security and portfolio and n approved blocks of one
// order each; it returns the order book and the blocks' ids.
func benchFixDesk(ctx context.Context, d *db.DB, n int) (*orderDesk, []int64, error) {
	if err := benchSeed(ctx, d, 1, 1); err != nil {
		return nil, nil, err
	}
	desk, err := newOrderBook(d, orderConfig{close: "23:59", zone: "UTC", sender: acceptAll{}, brokers: []string{"SIM"}})
	if err != nil {
		return nil, nil, err
	}
	pm := order.Actor{Name: "bench-pm", Roles: []user.Role{user.PM}}
	tr := order.Actor{Name: "bench-trader", Roles: []user.Role{user.Trader}}
	const batch = 500
	var blocks []int64
	for done := 0; done < n; done += batch {
		ps := make([]order.Proposal, min(batch, n-done))
		for k := range ps {
			ps[k] = order.Proposal{Order: order.Order{Portfolio: "BP0", Symbol: "BS0", Side: portfolio.Buy,
				Quantity: decimal.NewFromInt(100 * int64(1+(done+k)%5)), Type: order.Limit, LimitPrice: decimal.New(7250, -2),
				TimeInForce: order.Day, Notes: "bench " + strconv.Itoa(done+k)}, Check: order.Check{Verdict: order.VerdictPass}}
		}
		os, err := desk.svc.Propose(ctx, pm, ps)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range os {
			if _, err := desk.svc.Approve(ctx, o.ID, tr, nil); err != nil {
				return nil, nil, err
			}
			b, err := desk.svc.CreateBlock(ctx, tr, []int64{o.ID}, "SIM")
			if err != nil {
				return nil, nil, err
			}
			blocks = append(blocks, b.ID)
		}
	}
	return desk, blocks, nil
}
