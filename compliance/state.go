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
	Recent     []RecentOrder                 // orders placed recently, working or not (duplicate_order)
	Now        time.Time                     // the check's clock (duplicate_order); zero ignores Recent
	Master     *Master                       // optional index of Securities (NewMaster), shared by a batch
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

// Master indexes a securities master for checks. Build it once with NewMaster
// and share it between the States of a batch (State.Master): Check then reads
// each symbol's grouping fields without copying its Security. It is read-only
// and safe for concurrent use. Securities stays the source of truth: a symbol
// the index lacks is looked up there.
type Master struct {
	meta map[string]*meta
}

// NewMaster indexes securities.
func NewMaster(securities map[string]portfolio.Security) *Master {
	m := &Master{meta: make(map[string]*meta, len(securities))}
	all := make([]meta, 0, len(securities))
	for sym, sec := range securities {
		all = append(all, metaOf(sec))
		m.meta[sym] = &all[len(all)-1]
	}
	return m
}

// meta is what grouping needs of a security; empty fields read "(unknown)".
type meta struct {
	issuer  string
	sector  string
	country string
	class   string
	so      decimal.Decimal // shares outstanding
}

func metaOf(sec portfolio.Security) meta {
	return meta{issuer: nonEmpty(sec.Issuer), sector: nonEmpty(sec.Sector), country: nonEmpty(sec.Country),
		class: nonEmpty(sec.AssetClass), so: sec.SharesOutstanding}
}

func nonEmpty(s string) string {
	if s == "" {
		return unknown
	}
	return s
}

// meta returns symbol's grouping fields, from the index when there is one.
func (s *State) meta(symbol string) *meta {
	if m, ok := s.Master.lookup(symbol); ok {
		return m
	}
	m := metaOf(s.security(symbol))
	return &m
}

func (m *Master) lookup(symbol string) (*meta, bool) {
	if m == nil {
		return nil, false
	}
	x, ok := m.meta[symbol]
	return x, ok
}
