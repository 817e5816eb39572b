package web

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/ballast-oms/ballast/web/views"
)

// priceList shows the latest price of every priced security, by symbol.
func (s *server) priceList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	latest, err := s.store.LatestPrices(ctx)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: prices: %w", err))
		return
	}
	secs, err := s.store.Securities(ctx, "")
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: prices: securities: %w", err))
		return
	}
	rows := make([]views.PriceRow, 0, len(latest))
	for _, sec := range secs {
		if p, ok := latest[sec.Symbol]; ok {
			rows = append(rows, views.PriceRow{Price: p, Name: sec.Name, Currency: sec.Currency})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Price.Symbol < rows[j].Price.Symbol })
	s.render(w, r, s.pageWithFlash(r, "Prices", "prices"), views.PricePage(rows), nil)
}
