package portfolio

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Columns of the import files (see docs/import.md).
var (
	securitiesSpec = csvSpec{
		required: []string{"symbol", "name", "issuer", "sector", "country", "currency", "asset_class", "lot_size", "adv", "shares_outstanding"},
		optional: []string{"price_increment"},
	}
	portfoliosSpec = csvSpec{
		required: []string{"portfolio", "name", "base_currency", "cash"},
		optional: []string{"model", "tags", "default_broker"},
	}
	holdingsSpec = csvSpec{required: []string{"portfolio", "symbol", "quantity", "avg_cost"}}
	pricesSpec   = csvSpec{required: []string{"symbol", "price"}, optional: []string{"as_of"}}
)

// ParseSecuritiesCSV parses a securities file, one security per line, keyed by
// symbol. The error is for an unreadable file or a bad header (as ImportErrors).
func ParseSecuritiesCSV(r io.Reader) (ImportFile[Security], error) {
	var f ImportFile[Security]
	seen := dupes{}
	cols, bad, err := readCSV(r, securitiesSpec, func(rec csvRecord) []string {
		c := fieldCheck{rec: rec}
		s := Security{
			Symbol:            c.key("symbol"),
			Name:              c.text("name", true),
			Issuer:            c.text("issuer", true),
			Sector:            c.text("sector", true),
			Country:           c.code("country", 2),
			Currency:          c.code("currency", 3),
			AssetClass:        strings.ToLower(c.text("asset_class", true)),
			LotSize:           c.number("lot_size", positive),
			ADV:               c.number("adv", nonNegative),
			SharesOutstanding: c.number("shares_outstanding", nonNegative),
			PriceIncrement:    c.optionalNumber("price_increment", nonNegative),
		}
		if s.AssetClass != "" && !validAssetClass(s.AssetClass) {
			c.fail("asset_class %q is not one of %s", s.AssetClass, strings.Join(AssetClasses, ", "))
		}
		if strings.EqualFold(s.Symbol, CashSymbol) {
			c.fail("symbol %q is reserved for cash", s.Symbol)
		}
		if s.Symbol != "" {
			c.reasons = append(c.reasons, seen.check("symbol", s.Symbol, rec.line)...)
		}
		if len(c.reasons) == 0 {
			f.Rows = append(f.Rows, ImportRow[Security]{Line: rec.line, Value: s})
		}
		return c.reasons
	})
	f.Columns, f.Errors = cols, bad
	return f, err
}

// ParsePortfoliosCSV parses a portfolios file keyed by the portfolio column
// (the portfolio's code). Tags are separated by spaces or semicolons.
func ParsePortfoliosCSV(r io.Reader) (ImportFile[Portfolio], error) {
	var f ImportFile[Portfolio]
	seen := dupes{}
	cols, bad, err := readCSV(r, portfoliosSpec, func(rec csvRecord) []string {
		c := fieldCheck{rec: rec}
		p := Portfolio{
			Code:          c.key("portfolio"),
			Name:          c.text("name", true),
			BaseCurrency:  c.code("base_currency", 3),
			Cash:          c.number("cash", anySign),
			Model:         c.text("model", false),
			Tags:          parseTags(c.text("tags", false)),
			DefaultBroker: c.text("default_broker", false),
		}
		if DotName(p.Code) {
			c.fail("portfolio %q cannot be a portfolio code: a link to its page would lead elsewhere", p.Code)
		}
		if p.Code != "" {
			c.reasons = append(c.reasons, seen.check("portfolio", p.Code, rec.line)...)
		}
		if len(c.reasons) == 0 {
			f.Rows = append(f.Rows, ImportRow[Portfolio]{Line: rec.line, Value: p})
		}
		return c.reasons
	})
	f.Columns, f.Errors = cols, bad
	return f, err
}

// ParseHoldingsCSV parses a holdings file keyed by portfolio and symbol. A
// negative quantity is a short position; the average cost may not be negative.
func ParseHoldingsCSV(r io.Reader) (ImportFile[Position], error) {
	var f ImportFile[Position]
	seen := dupes{}
	cols, bad, err := readCSV(r, holdingsSpec, func(rec csvRecord) []string {
		c := fieldCheck{rec: rec}
		p := Position{
			Portfolio: c.key("portfolio"),
			Symbol:    c.key("symbol"),
			Quantity:  c.number("quantity", anySign),
			AvgCost:   c.number("avg_cost", nonNegative),
		}
		if p.Portfolio != "" && p.Symbol != "" {
			c.reasons = append(c.reasons, seen.check("holding", p.Portfolio+" "+p.Symbol, rec.line)...)
		}
		if len(c.reasons) == 0 {
			f.Rows = append(f.Rows, ImportRow[Position]{Line: rec.line, Value: p})
		}
		return c.reasons
	})
	f.Columns, f.Errors = cols, bad
	return f, err
}

// ParsePricesCSV parses a prices file keyed by symbol and as_of. An empty or
// absent as_of means now; a time after now is refused. Source is "csv".
func ParsePricesCSV(r io.Reader, now time.Time) (ImportFile[Price], error) {
	var f ImportFile[Price]
	now = now.UTC()
	seen := dupes{}
	cols, bad, err := readCSV(r, pricesSpec, func(rec csvRecord) []string {
		c := fieldCheck{rec: rec}
		p := Price{Symbol: c.key("symbol"), Value: c.number("price", positive), AsOf: now, Source: "csv"}
		if s := c.text("as_of", false); s != "" {
			t, err := ParseAsOf(s)
			switch {
			case err != nil:
				c.fail("%v", err)
			case t.After(now):
				c.fail("as_of %s is in the future", s)
			default:
				p.AsOf = t
			}
		}
		if p.Symbol != "" {
			c.reasons = append(c.reasons, seen.check("price", fmt.Sprintf("%s at %s", p.Symbol, p.AsOf.Format(time.RFC3339Nano)), rec.line)...)
		}
		if len(c.reasons) == 0 {
			f.Rows = append(f.Rows, ImportRow[Price]{Line: rec.line, Value: p})
		}
		return c.reasons
	})
	f.Columns, f.Errors = cols, bad
	return f, err
}

// parseTags splits a tag list on spaces and semicolons, lower-cased, without repeats.
func parseTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ';' || r == ' ' || r == ',' }) {
		if !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
