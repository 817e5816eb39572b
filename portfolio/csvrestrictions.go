package portfolio

import (
	"io"
	"strings"
)

// restrictionsSpec is the restrictions file (see docs/rebalance.md).
var restrictionsSpec = csvSpec{required: []string{"portfolio", "symbol"}, optional: []string{"do_not_buy", "do_not_sell", "excluded"}}

// RestrictionLine is one line of a restrictions file: how rebalancing may
// trade one security in one portfolio. A line with no flag set lifts every
// restriction on it.
type RestrictionLine struct {
	Portfolio, Symbol             string
	DoNotBuy, DoNotSell, Excluded bool
}

// ParseRestrictionsCSV parses a restrictions file keyed by portfolio and
// symbol. Flags are true, yes, y, 1 or x; false, no, n, 0 or empty.
func ParseRestrictionsCSV(r io.Reader) (ImportFile[RestrictionLine], error) {
	var f ImportFile[RestrictionLine]
	seen := dupes{}
	cols, bad, err := readCSV(r, restrictionsSpec, func(rec csvRecord) []string {
		c := fieldCheck{rec: rec}
		l := RestrictionLine{Portfolio: c.key("portfolio"), Symbol: c.key("symbol"),
			DoNotBuy: c.flag("do_not_buy"), DoNotSell: c.flag("do_not_sell"), Excluded: c.flag("excluded")}
		if l.Portfolio != "" && l.Symbol != "" {
			c.reasons = append(c.reasons, seen.check("restriction", l.Portfolio+" "+l.Symbol, rec.line)...)
		}
		if len(c.reasons) == 0 {
			f.Rows = append(f.Rows, ImportRow[RestrictionLine]{Line: rec.line, Value: l})
		}
		return c.reasons
	})
	f.Columns, f.Errors = cols, bad
	return f, err
}

// flag reads a yes/no column; anything else is a problem.
func (c *fieldCheck) flag(col string) bool {
	switch strings.ToLower(c.rec.get(col)) {
	case "true", "yes", "y", "1", "x":
		return true
	case "false", "no", "n", "0", "":
		return false
	}
	c.fail("%s %q is not yes or no", col, c.rec.get(col))
	return false
}
