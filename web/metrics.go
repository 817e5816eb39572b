package web

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
)

// Histogram bucket upper bounds, in seconds.
var (
	httpBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	workBuckets = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
)

// Metrics collects what /metrics reports in the Prometheus text format:
// counters and histograms updated as work happens, and gauges (orders by
// status, FIX session state) read when the page is scraped. A nil *Metrics
// records nothing. Its methods are safe for concurrent use.
type Metrics struct {
	mu         sync.Mutex
	fills      map[string]uint64 // by broker
	requests   map[[2]string]*histogram
	rebalance  *histogram
	compliance *histogram
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		fills:      map[string]uint64{},
		requests:   map[[2]string]*histogram{},
		rebalance:  newHistogram(workBuckets),
		compliance: newHistogram(workBuckets),
	}
}

// FillBooked counts one fill (partial or full) booked for broker.
func (m *Metrics) FillBooked(broker string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.fills[broker]++
	m.mu.Unlock()
}

// ObserveRebalance records how long one rebalance run took.
func (m *Metrics) ObserveRebalance(d time.Duration) {
	if m != nil {
		m.observe(m.rebalance, d)
	}
}

// ObserveCompliance records how long one pre-trade compliance check took.
func (m *Metrics) ObserveCompliance(d time.Duration) {
	if m != nil {
		m.observe(m.compliance, d)
	}
}

func (m *Metrics) observe(h *histogram, d time.Duration) {
	m.mu.Lock()
	h.observe(d.Seconds())
	m.mu.Unlock()
}

// observeRequest records a request's latency by its route pattern (never
// its raw path, which would make a series per order id) and status class.
func (m *Metrics) observeRequest(r *http.Request, status int, d time.Duration) {
	if m == nil {
		return
	}
	route := "unmatched"
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" && !strings.HasSuffix(p, "*") {
			route = p
		}
	}
	key := [2]string{route, strconv.Itoa(status/100) + "xx"}
	m.mu.Lock()
	h := m.requests[key]
	if h == nil {
		h = newHistogram(httpBuckets)
		m.requests[key] = h
	}
	h.observe(d.Seconds())
	m.mu.Unlock()
}

// histogram is a cumulative Prometheus histogram.
type histogram struct {
	bounds []float64
	counts []uint64 // counts[i]: observations ≤ bounds[i] (not yet cumulative)
	count  uint64
	sum    float64
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds))}
}

func (h *histogram) observe(v float64) {
	if i, _ := slices.BinarySearch(h.bounds, v); i < len(h.bounds) {
		h.counts[i]++
	}
	h.count++
	h.sum += v
}

// write writes the histogram's series, labels being `k="v",…` or "".
func (h *histogram) write(w io.Writer, name, labels string) {
	sep := ""
	if labels != "" {
		sep = ","
	}
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{%s%sle=\"%s\"} %d\n", name, labels, sep, formatFloat(b), cum)
	}
	fmt.Fprintf(w, "%s_bucket{%s%sle=\"+Inf\"} %d\n", name, labels, sep, h.count)
	braces := ""
	if labels != "" {
		braces = "{" + labels + "}"
	}
	fmt.Fprintf(w, "%s_sum%s %s\n%s_count%s %d\n", name, braces, formatFloat(h.sum), name, braces, h.count)
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// labelValue escapes a label value as the text format requires.
func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// WriteCounters writes the counters and histograms in the text format (the
// gauges need the server: they are read from the store on scrape).
func (m *Metrics) WriteCounters(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprint(w, "# HELP ballast_fills_booked_total Fills (partial or full) booked from execution reports.\n# TYPE ballast_fills_booked_total counter\n")
	for _, b := range sortedKeys(m.fills) {
		fmt.Fprintf(w, "ballast_fills_booked_total{broker=\"%s\"} %d\n", labelValue(b), m.fills[b])
	}
	fmt.Fprint(w, "# HELP ballast_http_request_duration_seconds Latency of HTTP requests by route pattern and status class.\n# TYPE ballast_http_request_duration_seconds histogram\n")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, k := range keys {
		m.requests[k].write(w, "ballast_http_request_duration_seconds", fmt.Sprintf("route=\"%s\",code=\"%s\"", labelValue(k[0]), k[1]))
	}
	fmt.Fprint(w, "# HELP ballast_rebalance_duration_seconds Time taken by one rebalance run (one or many portfolios).\n# TYPE ballast_rebalance_duration_seconds histogram\n")
	m.rebalance.write(w, "ballast_rebalance_duration_seconds", "")
	fmt.Fprint(w, "# HELP ballast_compliance_duration_seconds Time taken by one pre-trade compliance check.\n# TYPE ballast_compliance_duration_seconds histogram\n")
	m.compliance.write(w, "ballast_compliance_duration_seconds", "")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// metricsPage serves /metrics to a scraper holding the metrics token or an
// admin's API token, both as a bearer token; anyone else gets 401 or 403.
func (s *server) metricsPage(w http.ResponseWriter, r *http.Request) {
	if !s.metricsAllowed(w, r) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	s.writeGauges(r.Context(), bw)
	s.metrics.WriteCounters(bw)
	_ = bw.Flush()
}

// metricsAllowed checks the bearer token, answering the refusal itself.
func (s *server) metricsAllowed(w http.ResponseWriter, r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ballast"`)
		http.Error(w, "metrics need a bearer token", http.StatusUnauthorized)
		return false
	}
	if s.metricsTok != "" {
		want, got := sha256.Sum256([]byte(s.metricsTok)), sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(want[:], got[:]) == 1 {
			return true
		}
	}
	u, err := s.store.UserByTokenHash(r.Context(), user.HashToken(token))
	switch {
	case err != nil && !s.isNotFound(err):
		id := requestID(r.Context())
		s.log.ErrorContext(r.Context(), "metrics: read token", "request_id", id, "err", err)
		http.Error(w, "internal error, logged as request "+id, http.StatusInternalServerError)
		return false
	case err != nil || u.Disabled:
		w.Header().Set("WWW-Authenticate", `Bearer realm="ballast", error="invalid_token"`)
		http.Error(w, "invalid bearer token", http.StatusUnauthorized)
		return false
	case !u.Has(user.Admin):
		http.Error(w, "metrics are for admins and the metrics token", http.StatusForbidden)
		return false
	}
	return true
}

// writeGauges reads orders by status and FIX session state. A failed read is
// reported by ballast_scrape_error rather than failing the whole page.
func (s *server) writeGauges(ctx context.Context, w io.Writer) {
	failed := 0
	if s.orders != nil {
		fmt.Fprint(w, "# HELP ballast_orders Orders by status, read from the order book.\n# TYPE ballast_orders gauge\n")
		for _, st := range order.Statuses() {
			_, n, err := s.orders.Orders(ctx, order.Filter{Statuses: []order.Status{st}, Limit: 1})
			if err != nil {
				s.log.ErrorContext(ctx, "metrics: count orders", "status", string(st), "err", err)
				failed = 1
				continue
			}
			fmt.Fprintf(w, "ballast_orders{status=\"%s\"} %d\n", st, n)
		}
	}
	if s.fix != nil {
		fmt.Fprint(w, "# HELP ballast_fix_session_up 1 while the broker's FIX session is logged on, else 0.\n# TYPE ballast_fix_session_up gauge\n")
		sessions, err := s.fix.Sessions(ctx)
		if err != nil {
			s.log.ErrorContext(ctx, "metrics: read FIX sessions", "err", err)
			failed = 1
		}
		for _, x := range sessions {
			up := 0
			if x.State == "logged_on" {
				up = 1
			}
			fmt.Fprintf(w, "ballast_fix_session_up{broker=\"%s\",session=\"%s\"} %d\n", labelValue(x.Broker), labelValue(x.Session), up)
		}
	}
	fmt.Fprintf(w, "# HELP ballast_scrape_error 1 when a gauge could not be read for this scrape.\n# TYPE ballast_scrape_error gauge\nballast_scrape_error %d\n", failed)
}
