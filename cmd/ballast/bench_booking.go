package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// benchBooking books --executions partial fills through order.Service on a
// fresh SQLite database in a temporary directory and prints executions/s and
// the process CPU time per execution. Each booking writes the execution row,
// the block, the allocation of its cumulative fill to every order of the
// block (position, cash, allocation record, order), and the audit events.
// By default reports are booked --batch 100 at a time, as a burst arriving
// together would be (one transaction and commit per batch); --batch 1 books
// each in its own transaction.
func benchBooking(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("bench booking", e)
	execs := fs.Int("executions", 100000, "executions to book")
	blocks := fs.Int("blocks", 100, "released blocks the fills are spread over")
	perBlock := fs.Int("orders-per-block", 1, "orders (accounts) in each block")
	batch := fs.Int("batch", 100, "reports that arrive together and are booked in one transaction by each session (order.Service.BookExecutions; 1: each alone with BookExecution)")
	sessions := fs.Int("sessions", 1, "FIX sessions feeding fills at once (each its own blocks, one goroutine each)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the booking loop to this file")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("bench booking", err)
	}
	if len(pos) > 0 || *execs <= 0 || *blocks <= 0 || *perBlock <= 0 || *sessions <= 0 || *sessions > *blocks || *batch <= 0 {
		return fmt.Errorf("bench booking: want positive --executions, --blocks, --orders-per-block, --batch and --sessions (at most one per block), and no arguments")
	}
	dir, err := os.MkdirTemp("", "ballast-bench-")
	if err != nil {
		return fmt.Errorf("bench booking: %w", err)
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		return fmt.Errorf("bench booking: %w", err)
	}
	defer d.Close()
	desk, clOrdIDs, err := benchDesk(ctx, d, *blocks, *perBlock)
	if err != nil {
		return fmt.Errorf("bench booking: %w", err)
	}
	feeds := benchFeeds(*execs, *sessions, clOrdIDs)
	stop, err := startProfile(*profile)
	if err != nil {
		return fmt.Errorf("bench booking: %w", err)
	}
	cpu0, _ := processCPU()
	start := time.Now()
	err = bookAll(ctx, desk.svc, feeds, *batch)
	took := time.Since(start)
	cpu1, hasCPU := processCPU()
	stop()
	if err != nil {
		return fmt.Errorf("bench booking: %w", err)
	}
	fmt.Fprintf(e.stdout, "booked %d executions from %d session(s) over %d blocks of %d orders in %s: %.0f executions/s\n",
		*execs, *sessions, *blocks, *perBlock, took.Round(time.Millisecond), float64(*execs)/took.Seconds())
	fmt.Fprintln(e.stdout, commitNote(*batch, *sessions))
	if hasCPU {
		cpu := cpu1 - cpu0
		fmt.Fprintf(e.stdout, "process CPU time %s (user+system): %.1f µs per execution\n",
			cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(*execs))
	}
	return nil
}

// commitNote says how many bookings share one commit in this run.
func commitNote(batch, sessions int) string {
	s := "each booking is its own transaction and commit"
	if batch > 1 {
		s = fmt.Sprintf("each session books %d reports at a time with order.Service.BookExecutions: up to %d bookings share one transaction and commit (all or none; a failing batch is booked again report by report)", batch, batch)
	}
	if sessions > 1 {
		s += "; sessions booking at the same time may also share a commit (group commit, each call in its own savepoint)"
	}
	return s
}

// bookAll books every feed, each from its own goroutine as a FIX session's
// inbound messages would be, in order within the feed, batch reports per
// transaction.
func bookAll(ctx context.Context, svc *order.Service, feeds [][]order.ExecutionReport, batch int) error {
	errs := make(chan error, len(feeds))
	for _, feed := range feeds {
		go func() { errs <- bookFeed(ctx, svc, feed, batch) }()
	}
	var first error
	for range feeds {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// benchFeeds deals n partial fills round-robin over the blocks, and the
// blocks round-robin over the sessions.
func benchFeeds(n, sessions int, clOrdIDs []string) [][]order.ExecutionReport {
	feeds := make([][]order.ExecutionReport, sessions)
	for i, r := range benchReports(n, clOrdIDs) {
		k := i % len(clOrdIDs) % sessions
		r.Session = "BENCH" + strconv.Itoa(k)
		feeds[k] = append(feeds[k], r)
	}
	return feeds
}

// startProfile starts a CPU profile into path ("" profiles nothing) and
// returns the function that stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// benchReports are n partial fills spread round-robin over the blocks.
func benchReports(n int, clOrdIDs []string) []order.ExecutionReport {
	out := make([]order.ExecutionReport, n)
	for i := range out {
		out[i] = order.ExecutionReport{Session: "BENCH", Broker: "SIM", Kind: order.ExecPartialFill,
			ExecID: "X" + strconv.Itoa(i), ClOrdID: clOrdIDs[i%len(clOrdIDs)],
			LastQty: decimal.NewFromInt(100 + int64(i%7)*100), LastPx: decimal.New(7250+int64(i%13), -2),
			ReceivedAt: time.Now().UTC()}
	}
	return out
}

// benchDesk seeds securities and portfolios, then proposes, approves,
// blocks and releases the orders; it returns the blocks' ClOrdIDs.
func benchDesk(ctx context.Context, d *db.DB, blocks, perBlock int) (*orderDesk, []string, error) {
	if err := benchSeed(ctx, d, blocks, perBlock); err != nil {
		return nil, nil, err
	}
	desk, err := newOrderBook(d, orderConfig{close: "23:59", zone: "UTC", sender: acceptAll{}})
	if err != nil {
		return nil, nil, err
	}
	pm := order.Actor{Name: "bench-pm", Roles: []user.Role{user.PM}}
	tr := order.Actor{Name: "bench-trader", Roles: []user.Role{user.Trader}}
	var ids []string
	for b := 0; b < blocks; b++ {
		ps := make([]order.Proposal, perBlock)
		for k := range ps {
			ps[k] = order.Proposal{Order: order.Order{Portfolio: "BP" + strconv.Itoa(k), Symbol: "BS" + strconv.Itoa(b),
				Side: portfolio.Buy, Quantity: decimal.New(1, 12), Type: order.Market, TimeInForce: order.GTC},
				Check: order.Check{Verdict: order.VerdictPass}}
		}
		os, err := desk.svc.Propose(ctx, pm, ps)
		if err != nil {
			return nil, nil, err
		}
		oids := make([]int64, len(os))
		for k, o := range os {
			if _, err := desk.svc.Approve(ctx, o.ID, tr, nil); err != nil {
				return nil, nil, err
			}
			oids[k] = o.ID
		}
		blk, err := desk.svc.CreateBlock(ctx, tr, oids, "SIM")
		if err != nil {
			return nil, nil, err
		}
		if blk, err = desk.svc.Release(ctx, tr, blk.ID); err != nil {
			return nil, nil, err
		}
		ids = append(ids, blk.ClOrdID)
	}
	return desk, ids, nil
}

func benchSeed(ctx context.Context, d *db.DB, blocks, perBlock int) error {
	tx, err := d.Writer().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for b := 0; b < blocks; b++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO securities (symbol, name, issuer, currency, asset_class, lot_size)
			VALUES (?, ?, ?, 'USD', 'equity', '100')`, "BS"+strconv.Itoa(b), "Bench "+strconv.Itoa(b), "Bench"); err != nil {
			return err
		}
	}
	for k := 0; k < perBlock; k++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO portfolios (code, name, base_currency, cash) VALUES (?, ?, 'USD', '1000000000')`,
			"BP"+strconv.Itoa(k), "Bench "+strconv.Itoa(k)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// acceptAll is the Sender of "ballast bench booking" only: it accepts every
// request and sends nothing, since the benchmark feeds the fills itself.
type acceptAll struct{}

func (acceptAll) Send(context.Context, order.NewOrderRequest) error   { return nil }
func (acceptAll) Cancel(context.Context, order.CancelRequest) error   { return nil }
func (acceptAll) Replace(context.Context, order.ReplaceRequest) error { return nil }

// bookFeed books one session's reports, batch at a time.
func bookFeed(ctx context.Context, svc *order.Service, feed []order.ExecutionReport, batch int) error {
	for len(feed) > 0 {
		n := min(batch, len(feed))
		var results []order.BookResult
		var err error
		if n == 1 {
			var res order.BookResult
			res, err = svc.BookExecution(ctx, feed[0])
			results = []order.BookResult{res}
		} else {
			results, err = svc.BookExecutions(ctx, feed[:n])
		}
		if err != nil {
			return fmt.Errorf("%s: %w", feed[0].ExecID, err)
		}
		for i, res := range results {
			if res.Refused != "" || res.Duplicate {
				return fmt.Errorf("%s: %+v", feed[i].ExecID, res)
			}
		}
		feed = feed[n:]
	}
	return nil
}
