package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/web/views"
)

// auditPage lets compliance search the audit trail by order, portfolio,
// user and date.
func (s *server) auditPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := views.AuditView{Order: q.Get("order"), Portfolio: q.Get("portfolio"), User: q.Get("user"), From: q.Get("from"),
		To: q.Get("to"), Query: q.Encode()}
	f, err := auditFilterFrom(r)
	if err != nil {
		v.Error = refusalText(err)
		s.renderStatus(w, r, http.StatusUnprocessableEntity, s.page(r, "Audit trail", "audit"), views.AuditPage(v), nil)
		return
	}
	if f.Limit == 0 {
		f.Limit = 1000
	}
	v.Limit = f.Limit
	if v.Events, err = s.orders.AuditEvents(r.Context(), f); err != nil {
		s.fail(w, r, fmt.Errorf("web: audit: %w", err))
		return
	}
	s.render(w, r, s.page(r, "Audit trail", "audit"), views.AuditPage(v), nil)
}

// auditCSV exports every event matching the search as CSV; cells that a
// spreadsheet would read as formulas are defused by the store.
func (s *server) auditCSV(w http.ResponseWriter, r *http.Request) {
	f, err := auditFilterFrom(r)
	if err != nil {
		s.fail(w, r, fault(kindInvalid, refusalText(err)))
		return
	}
	name := "ballast-audit-" + s.now().UTC().Format("20060102-150405") + ".csv"
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	var buf strings.Builder
	if err := s.orders.WriteAuditCSV(r.Context(), &buf, f); err != nil {
		h.Del("Content-Disposition")
		s.fail(w, r, fmt.Errorf("web: audit csv: %w", err))
		return
	}
	_, _ = w.Write([]byte(buf.String()))
}

// blotterEvents streams "change" server-sent events to a live blotter until
// the client goes away; each one makes the blotter reload its tables.
func (s *server) blotterEvents(w http.ResponseWriter, r *http.Request) {
	if s.orderLive == nil {
		http.NotFound(w, r)
		return
	}
	// Subscribe before answering, so that a client that has read the
	// opening comment misses no change.
	changes, stop := s.orderLive.Subscribe()
	defer stop()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(": blotter\n\n"))
	if err := rc.Flush(); err != nil {
		return
	}
	if since, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64); err == nil && s.orderLive.Seq() > since {
		// Something changed between the page's reads and this stream.
		if _, err := w.Write([]byte("event: change\ndata: missed\n\n")); err != nil || rc.Flush() != nil {
			return
		}
	}
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		var msg string
		select {
		case <-r.Context().Done():
			return
		case c := <-changes:
			msg = "event: change\ndata: " + c.What + "\n\n"
		case <-keepAlive.C:
			msg = ": keep-alive\n\n"
		}
		if _, err := w.Write([]byte(msg)); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
