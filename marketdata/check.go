package marketdata

import (
	"fmt"
	"strings"

	"github.com/ballast-oms/ballast/portfolio"
)

// CheckBatch reports every price of a batch from outside (the prices API,
// manual entry) with an empty symbol or a value that is not positive, as
// ImportErrors whose Line is the 1-based position in the batch. It returns nil
// when the whole batch may be published.
func CheckBatch(batch []portfolio.Price) error {
	var bad portfolio.ImportErrors
	for i, p := range batch {
		switch {
		case strings.TrimSpace(p.Symbol) == "":
			bad = append(bad, portfolio.LineError{Line: i + 1, Reason: "symbol is empty"})
		case !p.Value.IsPositive():
			bad = append(bad, portfolio.LineError{Line: i + 1, Reason: fmt.Sprintf("%s: price %s is not positive", p.Symbol, p.Value)})
		}
	}
	if len(bad) > 0 {
		return bad
	}
	return nil
}
