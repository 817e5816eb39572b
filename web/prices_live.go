package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/marketdata"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// LivePrices is the price pipeline: the web layer publishes manual and API
// prices to it, exactly like feed ticks, and streams updates to browsers.
// cmd/ballast implements it over a marketdata.Hub.
type LivePrices interface {
	// Publish checks a batch (symbols known, prices positive), stamps it with
	// the time and publishes it; a refused batch is a portfolio.ImportErrors
	// naming each bad price by its 1-based position, and nothing is published.
	Publish(ctx context.Context, batch []portfolio.Price) error
	// Subscribe adds a subscriber that may fall backlog batches behind.
	Subscribe(name string, backlog int) *marketdata.Subscription
}

// maxPriceBatch bounds one POST /api/v1/prices.
const maxPriceBatch = 10_000

// livePriceRoutes adds manual price entry and the price event stream to the
// signed-in browser router.
func (s *server) livePriceRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/events/prices", s.priceEvents)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.Admin, user.Trader))
		r.Get("/prices/entry", s.priceEntryForm)
		r.Post("/prices", s.priceEntry)
	})
}

// livePriceAPI adds POST /api/v1/prices for administrators and traders: the
// same people who may enter a price by hand on the prices page.
func (s *server) livePriceAPI(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.Admin, user.Trader))
		r.Post("/prices", s.apiPostPrices)
	})
}

// pricePostJSON is one price of POST /api/v1/prices.
type pricePostJSON struct {
	Symbol string `json:"symbol"`
	Price  string `json:"price"`
}

// lineErrorJSON is one refused line of a batch.
type lineErrorJSON struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// apiPostPrices publishes a batch of prices like a feed tick.
func (s *server) apiPostPrices(w http.ResponseWriter, r *http.Request) {
	if s.live.prices == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "live prices are not running on this server")
		return
	}
	var in []pricePostJSON
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.apiError(w, r, http.StatusBadRequest, "body must be a JSON array of {\"symbol\",\"price\"} with prices as decimal strings: "+err.Error())
		return
	}
	batch, bad := parsePricePosts(in)
	if len(in) == 0 || len(in) > maxPriceBatch {
		s.apiError(w, r, http.StatusBadRequest, fmt.Sprintf("a batch holds 1 to %d prices", maxPriceBatch))
		return
	}
	if len(bad) == 0 {
		err := s.live.prices.Publish(r.Context(), batch)
		var refused portfolio.ImportErrors
		if errors.As(err, &refused) {
			bad = refused
		} else if err != nil {
			s.apiFail(w, r, fmt.Errorf("web: publish prices: %w", err))
			return
		}
	}
	if len(bad) > 0 {
		lines := make([]lineErrorJSON, len(bad))
		for i, le := range bad {
			lines[i] = lineErrorJSON{Line: le.Line, Reason: le.Reason}
		}
		s.writeJSON(w, r, http.StatusBadRequest, map[string]any{
			"error": fmt.Sprintf("%d price(s) refused, nothing published: %s", len(bad), bad[0].Reason), "lines": lines})
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"published": len(batch)})
}

// parsePricePosts turns the posted prices into a batch, reporting each price
// that is not a decimal string.
func parsePricePosts(in []pricePostJSON) ([]portfolio.Price, portfolio.ImportErrors) {
	batch := make([]portfolio.Price, len(in))
	var bad portfolio.ImportErrors
	for i, p := range in {
		v, err := portfolio.ParseDecimal(strings.TrimSpace(p.Price))
		if err != nil {
			bad = append(bad, portfolio.LineError{Line: i + 1, Reason: p.Symbol + ": price " + numberProblem(err, fmt.Sprintf("%q is not a decimal", p.Price))})
			continue
		}
		batch[i] = portfolio.Price{Symbol: strings.TrimSpace(p.Symbol), Value: v, Source: "api"}
	}
	return batch, bad
}

// priceEntryForm is the manual price form, loaded into the prices page.
func (s *server) priceEntryForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.page(r, "Enter a price", "prices"), views.PriceEntry(), nil)
}

// priceEntry publishes one price entered by hand on the prices page.
func (s *server) priceEntry(w http.ResponseWriter, r *http.Request) {
	if s.live.prices == nil {
		s.fail(w, r, fault(kindConflict, "Live prices are not running on this server."))
		return
	}
	sym := strings.ToUpper(strings.TrimSpace(r.PostFormValue("symbol")))
	v, err := portfolio.ParseDecimal(strings.TrimSpace(r.PostFormValue("price")))
	if err != nil {
		s.fail(w, r, fault(kindInvalid, "The price "+numberProblem(err, fmt.Sprintf("%q is not a number.", r.PostFormValue("price")))))
		return
	}
	err = s.live.prices.Publish(r.Context(), []portfolio.Price{{Symbol: sym, Value: v, Source: "manual"}})
	var refused portfolio.ImportErrors
	switch {
	case errors.As(err, &refused):
		s.fail(w, r, fault(kindInvalid, "Price not published: "+refused[0].Reason+"."))
		return
	case err != nil:
		s.fail(w, r, fmt.Errorf("web: manual price: %w", err))
		return
	}
	s.setFlash(r, fmt.Sprintf("Published %s at %s.", sym, v))
	seeOther(w, r, "/prices")
}
