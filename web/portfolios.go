package web

import (
	"fmt"
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web/views"
)

// portfolioList shows every portfolio valued at the latest prices.
func (s *server) portfolioList(w http.ResponseWriter, r *http.Request) {
	rows, err := s.valueAll(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, s.pageWithFlash(r, "Portfolios", "portfolios"), views.PortfolioList(rows), nil)
}

// portfolioDetail shows one portfolio's positions, weights and P&L.
func (s *server) portfolioDetail(w http.ResponseWriter, r *http.Request) {
	d, err := s.valueOne(r, pathParam(r, "code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// With the flash: saving an auto order comes back here (its panel is a fragment, with no room for it).
	s.render(w, r, s.pageWithFlash(r, d.Portfolio.Name, "portfolios"), views.PortfolioPage(d), nil)
}

// valueAll values every portfolio at the latest prices.
func (s *server) valueAll(r *http.Request) ([]views.PortfolioSummary, error) {
	all, err := s.store.AllTotals(r.Context())
	if err != nil {
		return nil, fmt.Errorf("web: list portfolios: %w", err)
	}
	rows := make([]views.PortfolioSummary, len(all))
	for i, t := range all {
		rows[i] = views.PortfolioSummary{Portfolio: t.Portfolio, Valuation: t.Valuation(), Positions: t.Positions}
	}
	return rows, nil
}

// valueOne values the portfolio code at the latest prices, with security names.
func (s *server) valueOne(r *http.Request, code string) (views.PortfolioDetail, error) {
	ctx := r.Context()
	h, err := s.store.Holdings(ctx, code)
	if err != nil {
		if s.isNotFound(err) {
			return views.PortfolioDetail{}, fault(kindNotFound, fmt.Sprintf("There is no portfolio %q.", code))
		}
		return views.PortfolioDetail{}, fmt.Errorf("web: portfolio %q: %w", code, err)
	}
	prices, err := s.latestPrices(r)
	if err != nil {
		return views.PortfolioDetail{}, err
	}
	secs, err := s.store.Securities(ctx, "")
	if err != nil {
		return views.PortfolioDetail{}, fmt.Errorf("web: portfolio %q: securities: %w", code, err)
	}
	names := make(map[string]string, len(secs))
	for _, sec := range secs {
		names[sec.Symbol] = sec.Name
	}
	return views.PortfolioDetail{Portfolio: h.Portfolio, Valuation: portfolio.Value(h, prices), Names: names}, nil
}

// latestPrices returns the latest price value of every priced security.
func (s *server) latestPrices(r *http.Request) (map[string]decimal.Decimal, error) {
	latest, err := s.store.LatestPrices(r.Context())
	if err != nil {
		return nil, fmt.Errorf("web: latest prices: %w", err)
	}
	prices := make(map[string]decimal.Decimal, len(latest))
	for sym, p := range latest {
		prices[sym] = p.Value
	}
	return prices, nil
}
