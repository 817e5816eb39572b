package portfolio

import (
	"time"

	"github.com/shopspring/decimal"
)

// Portfolio is an account that holds positions and cash in one base currency.
// Code is its short unique key (files, URLs, the API, FIX Account); Name is for people.
type Portfolio struct {
	Code          string
	Name          string
	BaseCurrency  string
	Cash          decimal.Decimal
	Model         string   // the model it follows; empty when it has its own targets
	Tags          []string // e.g. "ucits"; compliance rules can be scoped by tag
	DefaultBroker string
}

// DotName reports whether name is "." or "..". Browsers and routers resolve
// such a path segment away ("/portfolios/.." is "/"), so a portfolio, a
// model or a broker of that name would have pages no link can reach:
// Ballast refuses these names where portfolios and models are imported or
// created and where FIX sessions name their brokers.
func DotName(name string) bool { return name == "." || name == ".." }

// HasTag reports whether the portfolio carries tag.
func (p Portfolio) HasTag(tag string) bool {
	for _, t := range p.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Position is a holding of one security in one portfolio.
type Position struct {
	Portfolio   string
	Symbol      string
	Quantity    decimal.Decimal
	AvgCost     decimal.Decimal // per unit, in the portfolio's base currency
	RealisedPnL decimal.Decimal
}

// Price is a security's price at a moment, with where it came from.
type Price struct {
	Symbol string
	Value  decimal.Decimal
	AsOf   time.Time
	Source string // "csv", "manual", "sim", "api", "fill"
}

// Holdings is a snapshot of one portfolio: its cash and positions.
type Holdings struct {
	Portfolio Portfolio
	Positions []Position
}

// Position returns the position in symbol and whether there is one.
func (h Holdings) Position(symbol string) (Position, bool) {
	for _, p := range h.Positions {
		if p.Symbol == symbol {
			return p, true
		}
	}
	return Position{}, false
}
