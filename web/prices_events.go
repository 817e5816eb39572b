package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web/views"
)

// eventHeartbeat keeps idle event streams open through proxies.
const eventHeartbeat = 25 * time.Second

// browserBacklog is a browser's subscription backlog: it needs only the
// latest price of each symbol, so anything older is collapsed.
const browserBacklog = 1

// priceEvents streams live prices as server-sent events for htmx's sse
// extension: for every symbol of each batch, "price-SYM" carries the
// formatted price. With ?portfolio=CODE it also sends "mv-SYM", the market
// value of the portfolio's position, and "dist-ID", each waiting condition's
// distance to its trigger. Only symbols that changed are sent; a slow browser
// gets the latest price of each.
func (s *server) priceEvents(w http.ResponseWriter, r *http.Request) {
	if s.live.prices == nil {
		s.fail(w, r, fault(kindNotFound, "Live prices are not running on this server."))
		return
	}
	sub := s.live.prices.Subscribe("browser", browserBacklog)
	defer sub.Close()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return
	}
	pf := strings.TrimSpace(r.URL.Query().Get("portfolio"))
	beat := time.NewTicker(eventHeartbeat)
	defer beat.Stop()
	ctx := r.Context()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Done():
			return
		case <-beat.C:
			_, err := io.WriteString(w, ": keep-alive\n\n")
			if err != nil || rc.Flush() != nil {
				return
			}
		case <-sub.Ready():
			latest := latestOf(sub.Take())
			if len(latest) == 0 {
				continue
			}
			if err := s.writePriceEvents(ctx, w, pf, latest); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// latestOf merges batches into the latest price of each symbol.
func latestOf(batches [][]portfolio.Price) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, b := range batches {
		for _, p := range b {
			out[p.Symbol] = p.Value
		}
	}
	return out
}

// writePriceEvents writes the events of one update.
func (s *server) writePriceEvents(ctx context.Context, w io.Writer, pf string, latest map[string]decimal.Decimal) error {
	var b strings.Builder
	for sym, v := range latest {
		sseEvent(&b, views.EventName("price", sym), views.Price(v))
	}
	if pf != "" {
		if err := s.portfolioEvents(ctx, &b, pf, latest); err != nil {
			s.log.WarnContext(ctx, "price events", "portfolio", pf, "err", err)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// portfolioEvents adds the market values and condition distances of the
// portfolio's holdings whose prices changed.
func (s *server) portfolioEvents(ctx context.Context, b *strings.Builder, pf string, latest map[string]decimal.Decimal) error {
	h, err := s.store.Holdings(ctx, pf)
	if err != nil {
		return fmt.Errorf("holdings: %w", err)
	}
	for _, p := range h.Positions {
		if v, ok := latest[p.Symbol]; ok {
			sseEvent(b, views.EventName("mv", p.Symbol), views.Money(p.Quantity.Mul(v)))
		}
	}
	if s.live.conds == nil {
		return nil
	}
	conds, err := s.live.conds.List(ctx, ConditionFilter{State: "waiting", Portfolio: pf})
	if err != nil {
		return fmt.Errorf("conditions: %w", err)
	}
	for _, c := range conds {
		if v, ok := latest[c.Symbol]; ok {
			sseEvent(b, views.ConditionEvent(c.ID), views.ConditionDistance(c.Condition, v))
		}
	}
	return nil
}

// sseEvent appends one event; data is a single line of HTML-safe text.
func sseEvent(b *strings.Builder, name, data string) {
	b.WriteString("event: ")
	b.WriteString(name)
	b.WriteString("\ndata: ")
	b.WriteString(strings.ReplaceAll(data, "\n", " "))
	b.WriteString("\n\n")
}
