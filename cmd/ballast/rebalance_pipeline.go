package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
)

// pipelinePart is how many portfolios the pipeline reads, plans and checks
// at a time: small enough that the writer starts early, large enough that
// a part's orders fill several multi-row INSERTs.
const pipelinePart = 250

// errPlanFailed says some portfolios could not be planned (the run's
// planErrs say which): nothing was written.
var errPlanFailed = errors.New("some portfolios could not be planned, nothing written")

// errNoTargets says a portfolio named for a run has no targets (the run's
// noTargets say which): nothing was written.
var errNoTargets = errors.New("a portfolio named has no targets, nothing written")

// pipelineRun is what a pipelined rebalance-and-save read, planned and wrote.
type pipelineRun struct {
	results   []rebalance.Result        // every portfolio planned, in order, without its Lines (when kept)
	summaries []compliance.TradeSummary // each trade's compliance, in the order of results' trades (when kept)
	noTargets []string                  // portfolios skipped: no model, no targets
	planErrs  []error                   // portfolios that could not be planned
	planned   int                       // portfolios planned
	saved     order.StreamTotals        // what was written
	load      time.Duration             // reading the book, summed over the parts
	plan      time.Duration             // planning
	check     time.Duration             // pre-trade compliance
	rendered  bool                      // job.render was called
}

// pipelineGC is the garbage collector's target (GOGC) while a command
// (rebalance --save, its benchmark) runs the pipeline: the run allocates
// a few hundred megabytes of short-lived rows and plans, and at the default
// 100 the collector took about 10% of the process's CPU, on the core that
// reading and planning need while the writer has the other. A batch
// command trades the memory (a heap up to five times its live size) for it.
const pipelineGC = 400

// withPipelineGC runs fn with the collector's target at pipelineGC and
// restores it. Only commands call it: it sets the whole process's target.
func withPipelineGC[T any](fn func() (T, error)) (T, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(pipelineGC))
	return fn()
}

// pipelineJob is what a pipelined rebalance-and-save plans.
type pipelineJob struct {
	codes []string          // the portfolios (every portfolio when empty)
	opts  rebalance.Options // plan options
	keep  bool              // keep every plan result (its trades and cash, not its lines) and trade compliance for printing
	named bool              // codes were named one by one: each must have targets
	// render, when set (with keep), is called with every result and trade
	// compliance once the last part is handed to the writer: on the
	// producer's goroutine, while the writer writes the last parts and
	// commits. It is not called when the run was cancelled first (the
	// caller then renders run.results itself: see pipelineRun.rendered).
	render func([]rebalance.Result, []compliance.TradeSummary)
	part   int // portfolios per part (pipelinePart when 0)
}

// savePipelined plans the portfolios job.codes (every portfolio when empty) and
// saves their trades as one proposal by u, part by part: one goroutine
// reads the next pipelinePart portfolios, plans them (rebalance.PlanAll) and
// runs their pre-trade compliance on the holdings it planned from, while the
// order Service writes the part before (Service.ProposeStream). Reading and
// planning use one core while SQLite's one writer uses the other. All parts
// go in one transaction with the proposal row itself: the proposal and its
// orders are written all or none (a portfolio that cannot be planned, an
// interrupt or a crash leaves neither), and a run with nothing to trade
// leaves no empty proposal. When it returns without an error, what it
// saved is on disk (the WAL fsynced).
func (p *proposalSaver) savePipelined(ctx context.Context, u user.User, job pipelineJob) (*pipelineRun, error) {
	run := &pipelineRun{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make(chan partOrErr, 2)
	produced := make(chan struct{}) // closed once the producer, rendering included, is done with run
	go func() {
		defer close(produced)
		prod := &producer{ctx: ctx, strict: job.named, pre: newPrecheck(p.d, p.svc.Clock), opts: job.opts, keep: job.keep,
			run: run, out: parts}
		prod.pre.Observe = p.observe
		size := job.part
		if size <= 0 {
			size = pipelinePart
		}
		// One proposal, one rule set: the parts are checked under the
		// rules in force when the run starts.
		err := prod.pre.PinRules(ctx)
		if err == nil {
			err = p.d.RebalanceInputsEach(ctx, job.codes, size, prod.part)
		}
		if err == nil && len(run.planErrs) > 0 {
			err = errPlanFailed
		}
		if err != nil {
			// Not prod.send: a cancelled run (an interrupt) must still reach
			// the writer as an error, never as the end of a shorter stream.
			// The writer, or savePipelined after it, reads parts to the end.
			parts <- partOrErr{err: err}
		}
		close(parts) // the writer may commit now
		if err == nil && job.render != nil && ctx.Err() == nil {
			job.render(run.results, run.summaries)
			run.rendered = true
		}
	}()
	batches := func(yield func(order.ProposalBatch, error) bool) {
		for b := range parts {
			if !yield(b.batch, b.err) {
				return
			}
		}
	}
	tot, err := p.svc.ProposeStream(ctx, order.Actor{Name: u.Name, Roles: u.Roles}, batches)
	cancel()
	for range parts { // the producer stops at its next send
	}
	<-produced
	run.saved = tot
	if err != nil {
		return run, fmt.Errorf("save proposal: %w", err)
	}
	if tot.Orders == 0 {
		return run, nil
	}
	// Commits are written to the WAL without an fsync (synchronous
	// NORMAL): a run that says it saved a whole book's proposal makes it
	// durable first, instead of leaving that to the checkpoint when the
	// database closes.
	sync := p.sync
	if sync == nil {
		sync = p.d.SyncCommitted
	}
	if err := sync(); err != nil {
		return run, fmt.Errorf("save proposal: proposal %d is saved, but not yet on disk (a power cut before SQLite's next checkpoint would lose it): %w",
			tot.ProposalID, err)
	}
	if p.publish != nil {
		p.publish(web.Change{What: "order"})
	}
	return run, nil
}

// partOrErr is one part's proposals, or the error that ends the stream.
type partOrErr struct {
	batch order.ProposalBatch
	err   error
}

// producer reads, plans and checks the parts of a pipelined run.
type producer struct {
	ctx  context.Context // the run's: done when the writer has stopped
	pre  *order.Precheck
	opts rebalance.Options
	keep bool
	// strict refuses a portfolio without targets (named on the command line).
	strict bool
	run    *pipelineRun
	out    chan<- partOrErr
	t0     time.Time
}

// part plans and checks one part of the book and hands its proposals to the writer.
func (p *producer) part(inputs []rebalance.Input, noTargets []string) error {
	ctx := p.ctx
	t1 := time.Now()
	if !p.t0.IsZero() {
		p.run.load += t1.Sub(p.t0)
	}
	defer func() { p.t0 = time.Now() }()
	p.run.noTargets = append(p.run.noTargets, noTargets...)
	if p.strict && len(noTargets) > 0 {
		return errNoTargets
	}
	results, errs := rebalance.PlanAll(inputs, p.opts, 0)
	p.run.planned += len(results)
	t2 := time.Now()
	p.run.plan += t2.Sub(t1)
	for _, err := range errs {
		if err != nil {
			p.run.planErrs = append(p.run.planErrs, err)
		}
	}
	if len(p.run.planErrs) > 0 {
		return nil // plan the rest to report every failure; write nothing more
	}
	var b order.ProposalBatch
	trades := tradesOf(results)
	base := make(map[string]compliance.State, len(inputs))
	for _, in := range inputs {
		base[in.Holdings.Portfolio.Code] = compliance.State{Holdings: in.Holdings, Prices: in.Prices, Securities: in.Securities}
	}
	checks, err := p.pre.CheckPlanned(ctx, trades, base)
	if err != nil {
		return err
	}
	p.run.check += time.Since(t2)
	b.Proposals = proposals(0, trades) // ProposeStream sets the proposal
	b.Results = make([][]order.ResultRecord, len(trades))
	for i := range trades {
		b.Proposals[i].Check, b.Results[i] = checks[i].Check, checks[i].Results
		if p.keep {
			p.run.summaries = append(p.run.summaries, checks[i].Summary)
		}
	}
	if p.keep {
		for _, r := range results {
			r.Lines = nil // a hundred lines of eleven decimals a portfolio, which printing never reads
			p.run.results = append(p.run.results, r)
		}
	}
	return p.send(ctx, partOrErr{batch: b})
}

// send hands v to the writer, or gives up when the writer has stopped.
func (p *producer) send(ctx context.Context, v partOrErr) error {
	select {
	case p.out <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tradesOf is every trade of results, in order.
func tradesOf(results []rebalance.Result) []portfolio.Trade {
	n := 0
	for _, r := range results {
		n += len(r.Trades)
	}
	trades := make([]portfolio.Trade, 0, n)
	for _, r := range results {
		trades = append(trades, r.Trades...)
	}
	return trades
}
