package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// securityJSON is one security of the master; numbers are decimal strings.
type securityJSON struct {
	Symbol            string `json:"symbol"`
	Name              string `json:"name"`
	Issuer            string `json:"issuer"`
	Sector            string `json:"sector"`
	Country           string `json:"country"`
	Currency          string `json:"currency"`
	AssetClass        string `json:"asset_class"`
	LotSize           string `json:"lot_size"`
	ADV               string `json:"adv"`
	SharesOutstanding string `json:"shares_outstanding"`
}

// priceJSON is a security's latest price.
type priceJSON struct {
	Symbol string `json:"symbol"`
	Price  string `json:"price"`
	AsOf   string `json:"as_of"`
	Source string `json:"source"`
}

// apiSecurities lists the securities master, filtered by ?q= like the page.
func (s *server) apiSecurities(w http.ResponseWriter, r *http.Request) {
	filter := strings.TrimSpace(r.URL.Query().Get("q"))
	secs, err := s.store.Securities(r.Context(), filter)
	if err != nil {
		s.apiFail(w, r, fmt.Errorf("web: api securities: %w", err))
		return
	}
	out := make([]securityJSON, len(secs))
	for i, sec := range secs {
		out[i] = securityJSON{
			Symbol: sec.Symbol, Name: sec.Name, Issuer: sec.Issuer, Sector: sec.Sector,
			Country: sec.Country, Currency: sec.Currency, AssetClass: sec.AssetClass,
			LotSize: sec.LotSize.String(), ADV: sec.ADV.String(),
			SharesOutstanding: sec.SharesOutstanding.String(),
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"securities": out})
}

// apiPrices lists the latest price of every priced security, by symbol.
func (s *server) apiPrices(w http.ResponseWriter, r *http.Request) {
	latest, err := s.store.LatestPrices(r.Context())
	if err != nil {
		s.apiFail(w, r, fmt.Errorf("web: api prices: %w", err))
		return
	}
	out := make([]priceJSON, 0, len(latest))
	for sym, p := range latest {
		out = append(out, priceJSON{Symbol: sym, Price: p.Value.String(), AsOf: p.AsOf.UTC().Format(time.RFC3339), Source: p.Source})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Symbol < out[j].Symbol })
	s.writeJSON(w, r, http.StatusOK, map[string]any{"prices": out})
}
