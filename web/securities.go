package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ballast-oms/ballast/web/views"
)

// maxFilterLen bounds the securities filter; longer input is cut.
const maxFilterLen = 100

// securityList shows the securities master; an htmx request (the live filter)
// gets only the table body.
func (s *server) securityList(w http.ResponseWriter, r *http.Request) {
	filter := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(filter) > maxFilterLen {
		filter = filter[:maxFilterLen]
	}
	ctx := r.Context()
	secs, err := s.store.Securities(ctx, filter)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: securities %q: %w", filter, err))
		return
	}
	prices, err := s.store.LatestPrices(ctx)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: securities: latest prices: %w", err))
		return
	}
	l := views.SecurityList{Filter: filter, Securities: secs, Prices: prices}
	s.render(w, r, s.page(r, "Securities", "securities"), views.SecurityPage(l), views.SecurityRows(l))
}
