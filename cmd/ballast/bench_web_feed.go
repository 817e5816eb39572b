package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
)

// benchFeedSession is the FIX session name the bench's fills arrive on.
const benchFeedSession = "BENCHWEB"

// benchFeedTick is how often the feeder books the fills that fell due.
const benchFeedTick = 5 * time.Millisecond

// benchFeed books partial fills on the released blocks at a steady rate,
// one report at a time through the desk's OnExecution, as the FIX client
// hands them over: the booking, the metrics and log hook, and the live
// blotters' notification.
type benchFeed struct {
	desk   *orderDesk
	blocks []benchBlock
	rate   int
	stats  latencies
	n      atomic.Int64 // fills booked
	// The broker's totals of each block, reported with every fill as a
	// broker does (CumQty, LeavesQty, AvgPx).
	cum, notional []decimal.Decimal
}

// newBenchFeed puts the blotter's orders on the desk and returns the feeder
// of its released blocks.
func newBenchFeed(ctx context.Context, desk *orderDesk, b *benchWebBook, cfg *webBenchConfig) (*benchFeed, error) {
	blocks, err := seedBenchWebOrders(ctx, desk.svc, b, cfg)
	if err != nil {
		return nil, err
	}
	f := &benchFeed{desk: desk, blocks: blocks, rate: cfg.fillsPerSecond,
		cum: make([]decimal.Decimal, len(blocks)), notional: make([]decimal.Decimal, len(blocks))}
	return f, nil
}

func (f *benchFeed) booked() int { return int(f.n.Load()) }

// run books fills until ctx ends, keeping up with rate per second since it
// started: each tick books the fills that fell due. A booking that fails is
// counted and the feed goes on.
func (f *benchFeed) run(ctx context.Context) {
	if f.rate == 0 {
		return
	}
	t := time.NewTicker(benchFeedTick)
	defer t.Stop()
	start := time.Now()
	sent := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		due := int(time.Since(start).Seconds() * float64(f.rate))
		for ; sent < due && ctx.Err() == nil; sent++ {
			f.book(ctx, sent)
		}
	}
}

// book books the i-th fill: 100 shares on block i mod blocks, near its price.
func (f *benchFeed) book(ctx context.Context, i int) {
	k := i % len(f.blocks)
	blk := f.blocks[k]
	qty, px := decimal.NewFromInt(100), blk.price.Add(decimal.New(int64(i%5-2), -2))
	cum, notional := f.cum[k].Add(qty), f.notional[k].Add(qty.Mul(px))
	r := order.ExecutionReport{Session: benchFeedSession, Broker: benchBroker, Kind: order.ExecPartialFill,
		ExecID: "W" + strconv.Itoa(i), ClOrdID: blk.clOrdID, LastQty: qty, LastPx: px,
		CumQty: cum, LeavesQty: blk.quantity.Sub(cum), AvgPx: notional.DivRound(cum, 8), ReceivedAt: time.Now().UTC()}
	t0 := time.Now()
	err := f.desk.OnExecution(context.WithoutCancel(ctx), r)
	took := time.Since(t0)
	f.cum[k], f.notional[k] = cum, notional
	if err != nil {
		f.stats.fail(took, fmt.Sprintf("%s: %v", r.ExecID, err))
		return
	}
	f.stats.ok(took, 0)
	f.n.Add(1)
}

// countBenchExecutions reads what the feed left in the executions table.
func countBenchExecutions(ctx context.Context, d *db.DB) (benchRows, error) {
	var r benchRows
	var refused, disc sql.NullInt64
	err := d.Reader().QueryRowContext(ctx, `SELECT count(*), sum(refused <> ''), sum(discrepancy <> '')
		FROM executions WHERE session = ?`, benchFeedSession).Scan(&r.executions, &refused, &disc)
	r.refused, r.discrepancies = int(refused.Int64), int(disc.Int64)
	return r, err
}
