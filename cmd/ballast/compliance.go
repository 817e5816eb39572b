package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/rebalance"
)

// newPrecheck is the pre-trade compliance of every proposal path over d.
func newPrecheck(d *db.DB, clock order.Clock) *order.Precheck {
	if clock == nil {
		clock = order.ClockFunc(time.Now)
	}
	return &order.Precheck{Store: d, Clock: clock}
}

// writePlanChecked prints the plan like writePlan; in JSON every trade also
// carries its pre-trade compliance: {"status", "breaches": [...]}, checked
// with the portfolio's other trades as one basket. Nothing is written.
func writePlanChecked(ctx context.Context, w io.Writer, d *db.DB, format string, results []rebalance.Result) error {
	if format != "json" {
		return writePlan(w, format, results)
	}
	trades := tradesOf(results)
	checks, _, err := newPrecheck(d, nil).CheckTrades(ctx, trades, nil)
	if err != nil {
		return err
	}
	summaries := make([]compliance.TradeSummary, len(checks))
	for i, c := range checks {
		summaries[i] = c.Summary
	}
	return writePlanWith(w, format, results, summaries)
}

// writePlanWith prints the plan like writePlan; in JSON every trade also
// carries its compliance, summaries[i] for the i-th trade of results.
func writePlanWith(w io.Writer, format string, results []rebalance.Result, summaries []compliance.TradeSummary) error {
	if format != "json" {
		return writePlan(w, format, results)
	}
	p := toPlanJSON(results)
	for i := range p.Trades {
		p.Trades[i].Compliance = planCompliance(summaries[i])
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// tradeCompliance is a trade's compliance in `rebalance --format json`.
type tradeCompliance struct {
	Status   string        `json:"status"`
	Breaches []breachBrief `json:"breaches"`
}

type breachBrief struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
	Value    string `json:"value"`
	Limit    string `json:"limit"`
	Unit     string `json:"unit,omitempty"`
	Message  string `json:"message"`
}

func planCompliance(s compliance.TradeSummary) *tradeCompliance {
	out := &tradeCompliance{Status: s.Status, Breaches: make([]breachBrief, 0, len(s.Breaches))}
	for _, b := range s.Breaches {
		out.Breaches = append(out.Breaches, breachBrief{Rule: b.Rule, Severity: string(b.Severity), Status: string(b.Status),
			Value: b.Value.String(), Limit: b.Limit.String(), Unit: string(b.Unit), Message: b.Message})
	}
	return out
}

// cmdCompliance runs "ballast compliance batch".
func cmdCompliance(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "batch" {
		return fmt.Errorf("compliance: want \"batch\"; usage: ballast compliance batch [--portfolio NAME ...] [--format table|json] [--db FILE]")
	}
	fs := newFlagSet("compliance batch", e)
	dbPath := dbFlag(fs, e)
	var codes []string
	fs.Func("portfolio", "portfolio code to check (repeat for several; default: all)", func(s string) error {
		for _, c := range strings.Split(s, ",") {
			if c = strings.TrimSpace(c); c != "" {
				codes = append(codes, c)
			}
		}
		return nil
	})
	format := fs.String("format", "table", "output: table or json")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return flagErr("compliance batch", err)
	}
	if len(pos) > 0 || (*format != "table" && *format != "json") {
		return fmt.Errorf("compliance batch: want --format table or json and no arguments")
	}
	d, err := db.Open(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("compliance batch: %w", err)
	}
	defer d.Close()
	res, err := runBatch(ctx, d, codes)
	if err != nil {
		return err
	}
	return writeBatch(e.stdout, *format, res)
}

// batchResult is one post-trade run: the alerts found and what the store did.
type batchResult struct {
	Portfolios int                `json:"portfolios"`
	Rules      int                `json:"rules"`
	Alerts     []compliance.Alert `json:"alerts"`
	Run        db.AlertRun        `json:"stored"`
}

// runBatch checks current holdings (with working orders) of codes (every
// portfolio when empty) against the active rules and stores the alerts.
func runBatch(ctx context.Context, d *db.DB, codes []string) (batchResult, error) {
	rules, err := d.ActiveRules(ctx)
	if err != nil {
		return batchResult{}, fmt.Errorf("compliance batch: %w", err)
	}
	states, err := d.PreTradeStates(ctx, codes, nil)
	if err != nil {
		return batchResult{}, fmt.Errorf("compliance batch: %w", err)
	}
	list := make([]compliance.State, 0, len(states))
	if len(codes) == 0 {
		for code := range states {
			codes = append(codes, code)
		}
		slices.Sort(codes)
	}
	for _, c := range codes {
		list = append(list, states[c])
	}
	alerts := compliance.Batch(list, rules)
	run, err := d.SaveAlerts(ctx, alerts, codes)
	if err != nil {
		return batchResult{}, fmt.Errorf("compliance batch: %w", err)
	}
	if alerts == nil {
		alerts = []compliance.Alert{}
	}
	return batchResult{Portfolios: len(list), Rules: len(rules), Alerts: alerts, Run: run}, nil
}

func writeBatch(w io.Writer, format string, res batchResult) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PORTFOLIO\tRULE\tLEVEL\tGROUP\tVALUE\tLIMIT\tMESSAGE")
	for _, a := range res.Alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Portfolio, a.RuleID, a.Level, a.Group, a.Value, a.Limit, a.Message)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d alert(s) over %d portfolio(s) and %d rule(s): %d new, %d still open, %d resolved\n",
		len(res.Alerts), res.Portfolios, res.Rules, res.Run.Opened, res.Run.Updated, res.Run.Resolved)
	return err
}

// benchCompliance checks a synthetic desk (compliance.Synthetic) with
// compliance.CheckAll on every core and prints the time of each round.
func benchCompliance(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("bench compliance", e)
	portfolios := fs.Int("portfolios", 10000, "portfolios in the synthetic desk")
	positions := fs.Int("positions", 100, "positions per portfolio")
	trades := fs.Int("trades", 10, "basket trades per portfolio")
	rounds := fs.Int("rounds", 3, "times to check the whole desk")
	seed := fs.Uint64("seed", 1, "seed of the synthetic desk")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("bench compliance", err)
	}
	if len(pos) > 0 || *portfolios <= 0 || *positions <= 0 || *trades < 0 || *rounds <= 0 {
		return fmt.Errorf("bench compliance: want positive --portfolios, --positions and --rounds, and no arguments")
	}
	start := time.Now()
	states, baskets := compliance.Synthetic(*portfolios, *positions, *trades, *seed)
	rules := compliance.SyntheticRules()
	fmt.Fprintf(e.stdout, "built %d portfolios × %d positions, %d trades each, %d rules in %s (GOMAXPROCS %d)\n",
		*portfolios, *positions, *trades, len(rules), time.Since(start).Round(time.Millisecond), runtime.GOMAXPROCS(0))
	var best time.Duration
	for r := 1; r <= *rounds; r++ {
		start := time.Now()
		reps := compliance.CheckAll(states, baskets, rules, 0)
		took := time.Since(start)
		blocked := 0
		for _, rep := range reps {
			if rep.Blocked() {
				blocked++
			}
		}
		fmt.Fprintf(e.stdout, "round %d: checked %d portfolios in %s (%d blocked baskets): %.0f portfolios/s\n",
			r, len(reps), took.Round(time.Millisecond), blocked, float64(len(reps))/took.Seconds())
		if best == 0 || took < best {
			best = took
		}
	}
	fmt.Fprintf(e.stdout, "best: %s for %d portfolios (target < 2s)\n", best.Round(time.Millisecond), *portfolios)
	return nil
}
