package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
)

// planJSON is the JSON output of "ballast rebalance": decimals as strings.
type planJSON struct {
	Trades     []tradeJSON     `json:"trades"`
	Portfolios []portfolioCash `json:"portfolios"`
}

type tradeJSON struct {
	Portfolio  string           `json:"portfolio"`
	Symbol     string           `json:"symbol"`
	Side       string           `json:"side"`
	Quantity   string           `json:"quantity"`
	LimitPrice string           `json:"limit_price"`
	Reason     string           `json:"reason"`
	Compliance *tradeCompliance `json:"compliance,omitempty"` // with --format json: the trade's pre-trade compliance
}

type portfolioCash struct {
	Portfolio  string `json:"portfolio"`
	NAV        string `json:"nav"`
	CashBefore string `json:"cash_before"`
	CashAfter  string `json:"cash_after"`
}

// toPlanJSON lists every trade, then every planned portfolio's NAV and cash.
func toPlanJSON(results []rebalance.Result) planJSON {
	out := planJSON{Trades: []tradeJSON{}, Portfolios: make([]portfolioCash, 0, len(results))}
	for _, r := range results {
		for _, t := range r.Trades {
			out.Trades = append(out.Trades, tradeJSON{Portfolio: t.Portfolio, Symbol: t.Symbol, Side: string(t.Side),
				Quantity: t.Quantity.String(), LimitPrice: t.LimitPrice.String(), Reason: t.Reason})
		}
		out.Portfolios = append(out.Portfolios, portfolioCash{Portfolio: r.Portfolio, NAV: r.NAV.String(),
			CashBefore: r.CashBefore.String(), CashAfter: r.CashAfter.String()})
	}
	return out
}

// writePlan prints the plan as a table, CSV (the trades) or JSON.
func writePlan(w io.Writer, format string, results []rebalance.Result) error {
	p := toPlanJSON(results)
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"portfolio", "symbol", "side", "quantity", "limit_price", "reason"})
		for _, t := range p.Trades {
			_ = cw.Write([]string{portfolio.CSVSafe(t.Portfolio), portfolio.CSVSafe(t.Symbol), t.Side, t.Quantity, t.LimitPrice, portfolio.CSVSafe(t.Reason)})
		}
		cw.Flush()
		return cw.Error()
	}
	return writeTable(w, p)
}

func writeTable(w io.Writer, p planJSON) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PORTFOLIO\tSYMBOL\tSIDE\tQUANTITY\tLIMIT\tREASON")
	for _, t := range p.Trades {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Portfolio, t.Symbol, t.Side, t.Quantity, t.LimitPrice, t.Reason)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "PORTFOLIO\tNAV\tCASH BEFORE\tCASH AFTER\t\t")
	for _, c := range p.Portfolios {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\t\n", c.Portfolio, c.NAV, c.CashBefore, c.CashAfter)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d trade(s) for %d portfolio(s); dry run unless --save\n", len(p.Trades), len(p.Portfolios))
	return err
}
