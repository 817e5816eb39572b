package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
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

// logEntries are the JSON log lines with message msg.
func logEntries(t *testing.T, logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry["msg"] == msg {
			out = append(out, entry)
		}
	}
	return out
}

// TestInternalErrorShowsTheRequestID: a page or an API request that fails
// on a storage error answers with the request's id, the one on the line
// that logged the error and on the access-log line, and not the error.
func TestInternalErrorShowsTheRequestID(t *testing.T) {
	app := newOrderApp(t)
	trader, token := app.signedIn("trader"), app.tokenFor("trader")
	if err := app.db.Close(); err != nil { // any storage failure will do
		t.Fatal(err)
	}
	idOnPage := regexp.MustCompile(`data-testid="request-id">([0-9a-f]{16})<`)

	res := app.get(trader, "/blotter")
	wantStatus(t, "blotter", res, http.StatusInternalServerError)
	m := idOnPage.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("the error page shows no request id:\n%s", res.body)
	}
	if strings.Contains(res.body, "sql:") {
		t.Errorf("the error page shows the storage error:\n%s", res.body)
	}
	wantLogged(t, app.logs.String(), "request failed", m[1], "/blotter")

	res = app.apiDo(token, http.MethodGet, "/api/v1/orders", "")
	wantStatus(t, "API orders", res, http.StatusInternalServerError)
	var body map[string]string
	if err := json.Unmarshal([]byte(res.body), &body); err != nil || body["error"] != "internal error" || len(body["request_id"]) != 16 {
		t.Fatalf("API error body %s, %v: want the error and a request id", res.body, err)
	}
	wantLogged(t, app.logs.String(), "api request failed", body["request_id"], "/api/v1/orders")

	// A refusal is no internal error: its page has no id to quote.
	res = app.get(trader, "/no-such-page")
	wantStatus(t, "unknown page", res, http.StatusNotFound)
	if idOnPage.MatchString(res.body) {
		t.Error("a 404 page shows a request id")
	}
}

// wantLogged wants one line msg with the request id, carrying the storage
// error, and one access-log line of path with the same id.
func wantLogged(t *testing.T, logs, msg, id, path string) {
	t.Helper()
	found := 0
	for _, e := range logEntries(t, logs, msg) {
		if e["request_id"] == id {
			found++
			if err, _ := e["err"].(string); !strings.Contains(err, "sql: database is closed") {
				t.Errorf("%s line of request %s without the error: %v", msg, id, e)
			}
		}
	}
	if found != 1 {
		t.Errorf("%d %q lines with request id %s, want 1:\n%s", found, msg, id, logs)
	}
	found = 0
	for _, e := range logEntries(t, logs, "http request") {
		if e["request_id"] == id && e["path"] == path {
			found++
		}
	}
	if found != 1 {
		t.Errorf("%d access-log lines of %s with request id %s, want 1", found, path, id)
	}
}
