package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// routeIDs maps a route pattern's segment to the log key of the id that
// follows it: an order action's access-log line then carries order_id, a
// block's block_id, a FIX session's broker, and so on, as structured keys
// rather than only inside the path.
var routeIDs = []struct{ segment, param, key string }{
	{"/orders/{id}", "id", "order_id"},
	{"/blocks/{id}", "id", "block_id"},
	{"/conditions/{id}", "id", "condition_id"},
	{"/alerts/{id}", "id", "alert_id"},
	{"/jobs/{id}", "id", "rebalance_job_id"},
	{"/sessions/{broker}", "broker", "broker"},
	{"/portfolios/{code}", "code", "portfolio"},
}

// routeIDAttrs names the ids in r's matched route (read once the router has
// routed it) for the access log.
func routeIDAttrs(r *http.Request) []slog.Attr {
	rc := chi.RouteContext(r.Context())
	if rc == nil {
		return nil
	}
	pattern := rc.RoutePattern()
	var out []slog.Attr
	for _, id := range routeIDs {
		if strings.Contains(pattern, id.segment) {
			if v := pathParam(r, id.param); v != "" {
				out = append(out, slog.String(id.key, v))
			}
		}
	}
	return out
}
