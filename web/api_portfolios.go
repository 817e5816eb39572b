package web

import (
	"fmt"
	"net/http"

	"github.com/ballast-oms/ballast/portfolio"
)

// apiWeightPlaces is how many decimal places the API gives weights (in percent).
const apiWeightPlaces = 4

// portfolioJSON is a portfolio with its valuation; amounts are decimal strings.
type portfolioJSON struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	BaseCurrency string `json:"base_currency"`
	Model        string `json:"model,omitempty"`
	Cash         string `json:"cash"`
	MarketValue  string `json:"market_value"`
	NAV          string `json:"nav"`
	CashWeight   string `json:"cash_weight"`
	Positions    int    `json:"positions"`
}

// positionJSON is one valued position; price is empty when none is known.
type positionJSON struct {
	Symbol        string `json:"symbol"`
	Quantity      string `json:"quantity"`
	AvgCost       string `json:"avg_cost"`
	Price         string `json:"price,omitempty"`
	Priced        bool   `json:"priced"`
	MarketValue   string `json:"market_value"`
	Weight        string `json:"weight"`
	UnrealisedPnL string `json:"unrealised_pnl"`
}

func toPortfolioJSON(p portfolio.Portfolio, v portfolio.Valuation) portfolioJSON {
	return portfolioJSON{
		Code: p.Code, Name: p.Name, BaseCurrency: p.BaseCurrency, Model: p.Model,
		Cash:        v.Cash.String(),
		MarketValue: v.MarketValue.String(),
		NAV:         v.NAV.String(),
		CashWeight:  v.CashWeight.Round(apiWeightPlaces).String(),
		Positions:   len(v.Lines),
	}
}

// apiPortfolios lists every portfolio valued at the latest prices.
func (s *server) apiPortfolios(w http.ResponseWriter, r *http.Request) {
	rows, err := s.valueAll(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]portfolioJSON, len(rows))
	for i, row := range rows {
		out[i] = toPortfolioJSON(row.Portfolio, row.Valuation)
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"portfolios": out})
}

// apiPortfolio is one portfolio valued at the latest prices.
func (s *server) apiPortfolio(w http.ResponseWriter, r *http.Request) {
	d, err := s.valueOne(r, pathParam(r, "code"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toPortfolioJSON(d.Portfolio, d.Valuation))
}

// apiPositions lists one portfolio's valued positions, by symbol.
func (s *server) apiPositions(w http.ResponseWriter, r *http.Request) {
	code := pathParam(r, "code")
	d, err := s.valueOne(r, code)
	if err != nil {
		s.apiFail(w, r, fmt.Errorf("web: api positions: %w", err))
		return
	}
	out := make([]positionJSON, len(d.Valuation.Lines))
	for i, l := range d.Valuation.Lines {
		out[i] = positionJSON{
			Symbol: l.Symbol, Quantity: l.Quantity.String(), AvgCost: l.AvgCost.String(),
			Priced: l.Priced, MarketValue: l.MarketValue.String(),
			Weight:        l.Weight.Round(apiWeightPlaces).String(),
			UnrealisedPnL: l.UnrealisedPnL.String(),
		}
		if l.Priced {
			out[i].Price = l.Price.String()
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{
		"portfolio": d.Portfolio.Code, "cash": d.Valuation.Cash.String(),
		"nav": d.Valuation.NAV.String(), "positions": out,
	})
}
