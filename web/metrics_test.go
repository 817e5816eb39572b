package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
)

// countingOrders answers order counts by status; other reads are not used.
type countingOrders struct {
	OrderReader
	counts map[order.Status]int
}

func (c countingOrders) Orders(_ context.Context, f order.Filter) ([]order.Line, int, error) {
	if len(f.Statuses) != 1 {
		return nil, 0, errors.New("countingOrders: want one status")
	}
	return nil, c.counts[f.Statuses[0]], nil
}

const metricsToken = "scrape-secret-0123456789"

func newMetricsApp(t *testing.T) (*httptest.Server, *Metrics, *fakeStore) {
	t.Helper()
	store := newFakeStore(testHash())
	m := NewMetrics()
	h, err := NewServer(Config{
		Store:        store,
		SessionStore: memstore.New(),
		IsNotFound:   func(err error) bool { return errors.Is(err, errNotFound) },
		Orders:       countingOrders{counts: map[order.Status]int{order.Filled: 3, order.Ready: 2}},
		Sessions:     &fakeSessions{state: "logged_on"},
		Metrics:      m,
		MetricsToken: metricsToken,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, m, store
}

func scrape(t *testing.T, srv *httptest.Server, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func TestMetricsExposition(t *testing.T) {
	srv, m, _ := newMetricsApp(t)
	for _, p := range []string{"/healthz", "/healthz", "/portfolios/GROWTH", "/no/such/page"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	m.FillBooked("SIM")
	m.FillBooked("SIM")
	m.ObserveRebalance(30 * time.Millisecond)
	m.ObserveCompliance(2 * time.Millisecond)

	status, body := scrape(t, srv, metricsToken)
	if status != http.StatusOK {
		t.Fatalf("scrape: status %d: %s", status, body)
	}
	for _, want := range []string{
		`ballast_orders{status="filled"} 3`,
		`ballast_orders{status="ready"} 2`,
		`ballast_orders{status="rejected"} 0`,
		`ballast_fix_session_up{broker="SIM",session="FIX.4.4:BALLAST->SIM"} 1`,
		`ballast_fills_booked_total{broker="SIM"} 2`,
		`ballast_http_request_duration_seconds_count{route="/healthz",code="2xx"} 2`,
		`ballast_http_request_duration_seconds_count{route="/portfolios/{code}",code="3xx"} 1`,
		`ballast_http_request_duration_seconds_bucket{route="/healthz",code="2xx",le="+Inf"} 2`,
		`ballast_rebalance_duration_seconds_bucket{le="0.05"} 1`,
		`ballast_rebalance_duration_seconds_bucket{le="0.01"} 0`,
		`ballast_rebalance_duration_seconds_count 1`,
		`ballast_compliance_duration_seconds_count 1`,
		`ballast_scrape_error 0`,
		"# TYPE ballast_http_request_duration_seconds histogram",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("exposition lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "GROWTH") || strings.Contains(body, "/no/such/page") {
		t.Errorf("exposition names a raw path (one series per id):\n%s", body)
	}
	if !strings.Contains(body, `route="unmatched",code="4xx"`) {
		t.Errorf("unknown address not counted as unmatched:\n%s", body)
	}
}

func TestMetricsGuard(t *testing.T) {
	srv, _, store := newMetricsApp(t)
	ctx := context.Background()
	for id, tok := range map[int64]string{1: "pm-token", 2: "admin-token", 4: "disabled-token"} {
		if err := store.AddAPIToken(ctx, id, user.HashToken(tok), "t"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		token string
		want  int
	}{
		{"", http.StatusUnauthorized},
		{"wrong", http.StatusUnauthorized},
		{metricsToken + "x", http.StatusUnauthorized},
		{"pm-token", http.StatusForbidden},
		{"disabled-token", http.StatusUnauthorized},
		{"admin-token", http.StatusOK},
		{metricsToken, http.StatusOK},
	} {
		if got, body := scrape(t, srv, tc.token); got != tc.want {
			t.Errorf("token %q: status %d, want %d: %s", tc.token, got, tc.want, body)
		}
	}
}

func TestNoMetricsWithoutConfig(t *testing.T) {
	app := newTestApp(t)
	res := app.get(app.client(), "/metrics")
	if res.status != http.StatusNotFound {
		t.Errorf("/metrics without Metrics: status %d, want 404", res.status)
	}
}

func TestLabelValueEscapes(t *testing.T) {
	if got := labelValue("a\"b\\c\nd"); got != `a\"b\\c\nd` {
		t.Errorf("labelValue: %q", got)
	}
}
