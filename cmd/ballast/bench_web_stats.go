package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencies collects the durations and failures of one kind of request.
// It is safe for concurrent use.
type latencies struct {
	mu     sync.Mutex
	took   []time.Duration
	bytes  int64
	errs   int
	first  string // the first failure
	failed []string
}

// ok records a successful request of n bytes.
func (l *latencies) ok(d time.Duration, n int64) {
	l.mu.Lock()
	l.took = append(l.took, d)
	l.bytes += n
	l.mu.Unlock()
}

// fail records a failed request (its duration counts too, when known).
func (l *latencies) fail(d time.Duration, why string) {
	l.mu.Lock()
	if d > 0 {
		l.took = append(l.took, d)
	}
	l.errs++
	if l.first == "" {
		l.first = why
	}
	l.mu.Unlock()
}

// summary are the count and percentiles of a set of durations.
type summary struct {
	n                  int
	p50, p90, p99, max time.Duration
	errs               int
	avgBytes           int64
}

func (l *latencies) summary() summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := summarize(l.took)
	s.errs = l.errs
	if len(l.took) > 0 {
		s.avgBytes = l.bytes / int64(len(l.took))
	}
	return s
}

// summarize sorts a copy of ds and reads its percentiles (nearest rank).
func summarize(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(sorted))+0.999999) - 1
		return sorted[min(max(i, 0), len(sorted)-1)]
	}
	return summary{n: len(sorted), p50: at(0.50), p90: at(0.90), p99: at(0.99), max: sorted[len(sorted)-1]}
}

func (s summary) String() string {
	return fmt.Sprintf("p50 %s, p90 %s, p99 %s, max %s", ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max))
}

// ms writes a duration in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// benchRoutes are the pages the users load, in the order of their loop.
var benchRoutes = []string{"GET /blotter", "GET /blotter (htmx live fragment)", "GET /portfolios", "GET /portfolios/{code}"}

// liveRoute is the live fragment an open blotter reloads on each change
// event of its stream (--live-refresh).
const liveRoute = "GET /blotter (htmx, on a change event)"

// allRoutes are the routes a run reports, in order.
func allRoutes() []string { return append(append([]string(nil), benchRoutes...), liveRoute) }

// benchWebResult is what a run measured.
type benchWebResult struct {
	wall      time.Duration
	measuring atomic.Bool // the streams' reloads count while it is set
	routes    map[string]*latencies
	streams   *latencies // the event streams: one "request" each, its errors
	events    int64      // change events the streams received
	feed      *benchFeed
	rows      benchRows
	cpu       time.Duration
	hasCPU    bool
	metrics   string // the fills line scraped from /metrics
}

// benchRows is what the executions table holds after the run.
type benchRows struct{ executions, refused, discrepancies int }

func (r *benchWebResult) errors() int {
	n := r.streams.summary().errs + r.feed.stats.summary().errs + r.rows.refused + r.rows.discrepancies
	for _, l := range r.routes {
		n += l.summary().errs
	}
	if r.rows.executions != r.feed.booked() {
		n++
	}
	return n
}

func (r *benchWebResult) firstError() string {
	for _, name := range allRoutes() {
		if f := r.routes[name].first; f != "" {
			return name + ": " + f
		}
	}
	switch {
	case r.streams.first != "":
		return "event stream: " + r.streams.first
	case r.feed.stats.first != "":
		return "booking: " + r.feed.stats.first
	case r.rows.refused > 0:
		return fmt.Sprintf("%d execution(s) refused by the order book", r.rows.refused)
	case r.rows.discrepancies > 0:
		return fmt.Sprintf("%d execution(s) booked with a discrepancy", r.rows.discrepancies)
	case r.rows.executions != r.feed.booked():
		return fmt.Sprintf("%d executions stored for %d booked", r.rows.executions, r.feed.booked())
	}
	return ""
}

// print writes the per-route table, the overall line, the fills and the
// machine's load.
func (r *benchWebResult) print(w io.Writer, cfg *webBenchConfig) {
	streams := "no event streams"
	switch {
	case cfg.sse && cfg.liveRefresh:
		streams = "each with the blotter's event stream open, reloading the live fragment on each change event"
	case cfg.sse:
		streams = "each with the blotter's event stream open"
	}
	fmt.Fprintf(w, "load: %d users (think %s between requests, %s) for %s; fills at %d/s\n",
		cfg.users, cfg.think, streams, r.wall.Round(time.Millisecond), cfg.fillsPerSecond)
	fmt.Fprintf(w, "%-40s %9s %9s %9s %9s %9s %7s %9s\n", "route", "requests", "p50", "p90", "p99", "max", "errors", "avg size")
	var all []time.Duration
	errs := 0
	for _, name := range allRoutes() {
		l := r.routes[name]
		s := l.summary()
		if name == liveRoute && !cfg.liveRefresh {
			continue
		}
		printRow(w, name, s)
		l.mu.Lock()
		all = append(all, l.took...)
		l.mu.Unlock()
		errs += s.errs
	}
	s := summarize(all)
	s.errs = errs
	printRow(w, "all pages", s)
	fmt.Fprintf(w, "requests: %d in %s: %.0f requests/s\n", s.n, r.wall.Round(time.Millisecond), float64(s.n)/r.wall.Seconds())
	if cfg.sse {
		ss := r.streams.summary()
		fmt.Fprintf(w, "event streams: %d held open, %d change events received, %d errors\n", ss.n, r.events, ss.errs)
	}
	fb := r.feed.stats.summary()
	fmt.Fprintf(w, "fills: %d booked in %s: %.0f fills/s achieved (target %d/s), %d errors\n",
		r.feed.booked(), r.wall.Round(time.Millisecond), float64(r.feed.booked())/r.wall.Seconds(), cfg.fillsPerSecond, fb.errs)
	fmt.Fprintf(w, "booking latency (desk OnExecution): %s\n", fb)
	fmt.Fprintf(w, "executions stored: %d (refused %d, with a discrepancy %d)\n", r.rows.executions, r.rows.refused, r.rows.discrepancies)
	if r.metrics != "" {
		fmt.Fprintf(w, "/metrics: %s\n", r.metrics)
	}
	if r.hasCPU {
		fmt.Fprintf(w, "process CPU time %s over %s: %.2f cores busy\n", r.cpu.Round(time.Millisecond),
			r.wall.Round(time.Millisecond), r.cpu.Seconds()/r.wall.Seconds())
	}
	if la := loadAverage(); la != "" {
		fmt.Fprintf(w, "load average (1, 5, 15 min): %s\n", la)
	}
	fmt.Fprintf(w, "errors: %d\n", r.errors())
}

func printRow(w io.Writer, name string, s summary) {
	fmt.Fprintf(w, "%-40s %9d %9s %9s %9s %9s %7d %7d KB\n", name, s.n, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), s.errs, s.avgBytes/1024)
}

// loadAverage is the machine's load average where /proc tells it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
