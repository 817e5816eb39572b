package web

import (
	"fmt"
	"math/rand/v2"
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
	setAttachment(h, name)
	h.Set("Cache-Control", "no-store")
	var buf strings.Builder
	if err := s.orders.WriteAuditCSV(r.Context(), &buf, f); err != nil {
		h.Del("Content-Disposition")
		s.fail(w, r, fmt.Errorf("web: audit csv: %w", err))
		return
	}
	_, _ = w.Write([]byte(buf.String()))
}

// blotterEventGap is the least time between two change events of one live
// blotter. The blotter reloads on a change at most once a second (htmx's
// "throttle:1s") and drops the changes in between, with no reload at the end
// of the second: changes closer together than that could leave it showing,
// for good, a state that has passed (a filled block still "partially
// filled"). Changes within the gap are held back and the last one goes out
// when the gap ends, a margin after the blotter's second.
const blotterEventGap = 1500 * time.Millisecond

// blotterEventJitter is the most each gap is lengthened at random. A change
// after a quiet spell reaches every open blotter at the same instant; with
// equal gaps they would then all reload together every gap for as long as
// fills stream (50 blotters: 50 page loads in one instant each 1.5 s). Gaps
// of random length spread their reloads out again within a few events.
const blotterEventJitter = 500 * time.Millisecond

// eventGap is one gap between two change events of a live blotter.
func eventGap() time.Duration {
	return blotterEventGap + rand.N(blotterEventJitter)
}

// blotterEvents streams "change" server-sent events to a live blotter until
// the client goes away; each one makes the blotter reload its tables. Events
// are at least blotterEventGap apart (plus up to blotterEventJitter at
// random), and the last change is always sent.
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
	send := func(msg string) bool {
		_, err := w.Write([]byte(msg))
		return err == nil && rc.Flush() == nil
	}
	if !send(": blotter\n\n") {
		return
	}
	gap := time.NewTimer(eventGap()) // runs while spacing
	defer gap.Stop()
	spacing, held := true, "" // an event went out less than a gap ago; the change held back meanwhile
	if since, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64); err == nil && s.orderLive.Seq() > since {
		// Something changed between the page's reads and this stream.
		if !send("event: change\ndata: missed\n\n") {
			return
		}
	} else {
		spacing = false
		gap.Stop()
	}
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		msg := ""
		select {
		case <-r.Context().Done():
			return
		case c := <-changes:
			if spacing {
				held = c.What
				continue
			}
			msg, spacing = "event: change\ndata: "+c.What+"\n\n", true
			gap.Reset(eventGap())
		case <-gap.C:
			if spacing = held != ""; spacing {
				msg, held = "event: change\ndata: "+held+"\n\n", ""
				gap.Reset(eventGap())
			}
		case <-keepAlive.C:
			msg = ": keep-alive\n\n"
		}
		if msg != "" && !send(msg) {
			return
		}
	}
}
