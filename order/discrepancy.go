package order

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Compare checks the CumQty, LeavesQty and AvgPx a broker reported in r
// against Ballast's own totals t in status s and describes every
// disagreement, or returns "" when they agree. Quantities must be equal; the
// broker's AvgPx may be rounded, so it agrees when Ballast's exact average
// Notional/CumQty is within half a unit of the broker's last decimal place
// (at least 2 places).
func Compare(t Totals, s Status, r ExecutionReport) string {
	var out []string
	if !r.CumQty.Equal(t.CumQty) {
		out = append(out, fmt.Sprintf("cum_qty: broker %s, Ballast %s", r.CumQty, t.CumQty))
	}
	if l := t.Leaves(s); !r.LeavesQty.Equal(l) {
		out = append(out, fmt.Sprintf("leaves_qty: broker %s, Ballast %s", r.LeavesQty, l))
	}
	if t.CumQty.IsPositive() && r.CumQty.IsPositive() && !avgAgrees(t, r.AvgPx) {
		out = append(out, fmt.Sprintf("avg_px: broker %s, Ballast %s", r.AvgPx, t.AvgPx()))
	}
	return strings.Join(out, "; ")
}

// avgAgrees reports whether |Notional/CumQty − px| ≤ half a unit of px's last
// place, computed without division: |Notional − px·CumQty| ≤ CumQty·unit/2.
func avgAgrees(t Totals, px decimal.Decimal) bool {
	places := -px.Exponent()
	if places < 2 {
		places = 2
	}
	halfUnit := decimal.New(5, -places-1)
	diff := t.Notional.Sub(px.Mul(t.CumQty)).Abs()
	return !diff.GreaterThan(t.CumQty.Mul(halfUnit))
}

func joinDiscrepancy(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
