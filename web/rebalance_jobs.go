package web

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-oms/ballast/rebalance"
)

// maxJobs is how many rebalance runs the server remembers (a run keeps its
// inputs, which for thousands of portfolios is large); the oldest is
// forgotten first, and any run older than jobLifetime.
const (
	maxJobs     = 8
	jobLifetime = 4 * time.Hour
)

// rebalanceJob is one rebalance run: planned in the background so that the
// page can show its progress, then previewed, edited and submitted.
type rebalanceJob struct {
	id      string
	owner   int64 // the user who started it; nobody else sees it
	created time.Time
	opts    rebalance.Options
	inputs  []rebalance.Input
	skipped []string // portfolios without targets

	done    atomic.Int64
	total   int
	mu      sync.Mutex
	results []rebalance.Result
	errs    []error
	ready   bool
	saved   bool

	metrics *Metrics // observes the run's duration; nil: none
}

// progress returns how many portfolios are planned, of how many, and whether the run is over.
func (j *rebalanceJob) progress() (done, total int, ready bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return int(j.done.Load()), j.total, j.ready
}

// run plans every input on all cores, counting progress as it goes.
func (j *rebalanceJob) run() {
	defer func(t0 time.Time) { j.metrics.ObserveRebalance(time.Since(t0)) }(time.Now())
	results, errs := rebalance.PlanAllProgress(j.inputs, j.opts, 0, func(n int) { j.done.Store(int64(n)) })
	j.mu.Lock()
	defer j.mu.Unlock()
	j.results, j.errs, j.ready = results, errs, true
	j.done.Store(int64(j.total))
}

// rebalanceJobs keeps recent runs by id.
type rebalanceJobs struct {
	mu    sync.Mutex
	byID  map[string]*rebalanceJob
	order []string

	metrics *Metrics // given to each job
}

func newRebalanceJobs() *rebalanceJobs {
	return &rebalanceJobs{byID: map[string]*rebalanceJob{}}
}

// start registers a new job and plans it in the background.
func (js *rebalanceJobs) start(owner int64, now time.Time, opts rebalance.Options, inputs []rebalance.Input, skipped []string) *rebalanceJob {
	j := &rebalanceJob{id: newJobID(), owner: owner, created: now, opts: opts, inputs: inputs, skipped: skipped, total: len(inputs), metrics: js.metrics}
	js.mu.Lock()
	js.byID[j.id] = j
	js.order = append(js.order, j.id)
	for len(js.order) > 0 && (len(js.order) > maxJobs || now.Sub(js.byID[js.order[0]].created) > jobLifetime) {
		delete(js.byID, js.order[0])
		js.order = js.order[1:]
	}
	js.mu.Unlock()
	go j.run()
	return j
}

// get returns owner's job id, if it is still remembered.
func (js *rebalanceJobs) get(id string, owner int64) (*rebalanceJob, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j, ok := js.byID[id]
	if !ok || j.owner != owner {
		return nil, false
	}
	return j, true
}

// newJobID returns a random, unguessable job id.
func newJobID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// markSaved records that the run's proposal is being saved; false when it already was.
func (j *rebalanceJob) markSaved() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.saved {
		return false
	}
	j.saved = true
	return true
}

// unmarkSaved undoes markSaved after a failed save.
func (j *rebalanceJob) unmarkSaved() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.saved = false
}
