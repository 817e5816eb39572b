package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

func TestRouteIDAttrs(t *testing.T) {
	var got []slog.Attr
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			next.ServeHTTP(w, req)
			got = routeIDAttrs(req)
		})
	})
	noop := func(http.ResponseWriter, *http.Request) {}
	for _, p := range []string{"/orders/{id}/approve", "/blocks/{id}", "/compliance/orders/{id}", "/sessions/{broker}/logon",
		"/portfolios/{code}", "/users/{id}/tokens", "/blotter"} {
		r.Post(p, noop)
	}
	r.Route("/api/v1", func(r chi.Router) { r.Post("/orders/{id}/cancel", noop) })
	for _, tc := range []struct{ path, want string }{
		{"/orders/42/approve", "order_id=42"},
		{"/blocks/7", "block_id=7"},
		{"/compliance/orders/9", "order_id=9"},
		{"/sessions/SIM/logon", "broker=SIM"},
		{"/portfolios/GROWTH1", "portfolio=GROWTH1"},
		{"/api/v1/orders/5/cancel", "order_id=5"},
		{"/users/3/tokens", ""},
		{"/blotter", ""},
	} {
		got = nil
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, tc.path, nil))
		var s []string
		for _, a := range got {
			s = append(s, a.String())
		}
		if strings.Join(s, " ") != tc.want {
			t.Errorf("%s: attrs %q, want %q", tc.path, s, tc.want)
		}
	}
}

func TestAccessLogCarriesRouteIDs(t *testing.T) {
	app := newTestApp(t)
	app.get(app.client(), "/portfolios/GROWTH1")
	if logs := app.logs.String(); !strings.Contains(logs, `"path":"/portfolios/GROWTH1"`) || !strings.Contains(logs, `"portfolio":"GROWTH1"`) {
		t.Errorf("access log lacks the portfolio key:\n%s", logs)
	}
}

func TestAccessLogCarriesARequestID(t *testing.T) {
	app := newTestApp(t)
	app.get(app.client(), "/healthz")
	app.get(app.client(), "/healthz")
	ids := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(app.logs.String()), "\n") {
		var entry struct {
			Msg       string `json:"msg"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil || entry.Msg != "http request" {
			continue
		}
		if len(entry.RequestID) != 16 {
			t.Errorf("access log line without a request id: %s", line)
		}
		ids[entry.RequestID] = true
	}
	if len(ids) != 2 {
		t.Errorf("two requests, request ids %v", ids)
	}
}
