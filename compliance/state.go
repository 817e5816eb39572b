package compliance

import (
	"time"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/shopspring/decimal"
)

// State is everything Check needs to know about one portfolio before a basket:
// its holdings (cash, positions, tags), prices, the securities master, the
// unfilled remainder of its working orders and its recent orders.
type State struct {
	Holdings   portfolio.Holdings
	Prices     map[string]decimal.Decimal    // last price per symbol
	Securities map[string]portfolio.Security // securities master by symbol
	Working    []portfolio.Trade             // unfilled remainder of working orders
	Recent     []RecentOrder                 // orders placed recently (duplicate_order)
	Now        time.Time                     // the check's clock (duplicate_order)
}

// RecentOrder is an order already placed, for the duplicate-order rule.
type RecentOrder struct {
	ID        string
	Portfolio string
	Symbol    string
	Side      portfolio.Side
	Quantity  decimal.Decimal
	At        time.Time
}

// security returns the master record for symbol, or one whose groups are all
// "(unknown)" when the master does not know it.
func (s *State) security(symbol string) portfolio.Security {
	if sec, ok := s.Securities[symbol]; ok {
		return sec
	}
	return portfolio.Security{Symbol: symbol, Issuer: unknown, Sector: unknown, Country: unknown, AssetClass: unknown}
}

const unknown = "(unknown)"

// groupKey returns symbol's key in dimension d.
func (s *State) groupKey(d Dimension, symbol string) string {
	if d == BySecurity {
		return symbol
	}
	sec := s.security(symbol)
	var k string
	switch d {
	case ByIssuer:
		k = sec.Issuer
	case BySector:
		k = sec.Sector
	case ByCountry:
		k = sec.Country
	case ByAssetClass:
		k = sec.AssetClass
	}
	if k == "" {
		return unknown
	}
	return k
}

// tradePrice is the price a trade is assumed to fill at: its limit price, or
// the last price for a market order. ok is false when neither is known.
func (s *State) tradePrice(t portfolio.Trade) (decimal.Decimal, bool) {
	if t.LimitPrice.IsPositive() {
		return t.LimitPrice, true
	}
	px, ok := s.Prices[t.Symbol]
	return px, ok && px.IsPositive()
}
