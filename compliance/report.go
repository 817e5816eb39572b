package compliance

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Status classifies one rule result.
type Status string

// The result statuses, from harmless to blocking.
const (
	Pass          Status = "pass"     // inside the limit, outside the warning band
	Warn          Status = "warn"     // inside the limit, inside the warning band
	Passive       Status = "passive"  // in breach, but not caused or worsened by the basket: allowed, noted
	NeedsOverride Status = "override" // soft breach caused or worsened by the basket
	Fail          Status = "fail"     // hard breach caused or worsened by the basket: blocked
)

// Rank orders statuses by severity: Fail 4, NeedsOverride 3, Passive 2, Warn 1, Pass 0.
func (s Status) Rank() int {
	switch s {
	case Fail:
		return 4
	case NeedsOverride:
		return 3
	case Passive:
		return 2
	case Warn:
		return 1
	}
	return 0
}

// Unit says what a result's value and limit measure.
type Unit string

// The units of measured values.
const (
	UnitPercent  Unit = "%"        // percent of NAV (or of ADV, or of voting shares)
	UnitAmount   Unit = "amount"   // base currency
	UnitQuantity Unit = "quantity" // units of the security
	UnitCount    Unit = "count"
	UnitBps      Unit = "bps"
	UnitMinutes  Unit = "minutes"
)

// Result is one rule's finding, for the whole portfolio or for one group
// (issuer, sector, security…) or one trade.
type Result struct {
	RuleID    string          `json:"rule"`
	RuleName  string          `json:"name"`
	Version   int             `json:"version"`
	Kind      Kind            `json:"kind"`
	Severity  Severity        `json:"severity"`
	Status    Status          `json:"status"`
	Group     string          `json:"group,omitempty"` // e.g. the issuer's name; empty for portfolio-wide results
	Value     decimal.Decimal `json:"value"`           // measured after the basket
	Before    decimal.Decimal `json:"before"`          // measured before the basket (state rules)
	Limit     decimal.Decimal `json:"limit"`
	WarnLevel decimal.Decimal `json:"warn_level"` // meaningful when HasWarn
	HasWarn   bool            `json:"has_warn"`
	Unit      Unit            `json:"unit"`
	Trades    []int           `json:"trades"`  // indexes into the basket of the trades that contributed
	Message   string          `json:"message"` // one line for people
	order     int             // the rule's position in the rule set, for sorting
}

// Key identifies a result for overrides and alerts: rule, group and trades.
func (r Result) Key() string {
	var b strings.Builder
	b.WriteString(r.RuleID)
	b.WriteByte(':')
	b.WriteString(r.Group)
	for i, t := range r.Trades {
		if i == 0 {
			b.WriteByte('#')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(t))
	}
	return b.String()
}

// Breach is one non-passing finding attached to a trade, as the CLI and API show it.
type Breach struct {
	Rule     string          `json:"rule"`
	Name     string          `json:"name"`
	Severity Severity        `json:"severity"`
	Status   Status          `json:"status"`
	Value    decimal.Decimal `json:"value"`
	Limit    decimal.Decimal `json:"limit"`
	Unit     Unit            `json:"unit"`
	Message  string          `json:"message"`
}

// TradeSummary is one basket trade's compliance: "fail" when a hard breach is
// attributed to it, "warn" for a soft breach or a warning, else "pass".
// Marshalled to JSON it is {"status", "breaches": [...]}.
type TradeSummary struct {
	Index    int      `json:"-"`
	Symbol   string   `json:"-"`
	Status   string   `json:"status"`
	Breaches []Breach `json:"breaches"`
}

// Report is the outcome of Check for one portfolio and one basket.
type Report struct {
	Portfolio     string          `json:"portfolio"`
	Status        Status          `json:"status"` // the most severe result; Fail when there are Problems
	NAVBefore     decimal.Decimal `json:"nav_before"`
	NAVAfter      decimal.Decimal `json:"nav_after"`
	CashBefore    decimal.Decimal `json:"cash_before"`     // current cash plus working orders, all filled
	CashAfter     decimal.Decimal `json:"cash_after"`      // … plus the basket, all filled
	CashWorstCase decimal.Decimal `json:"cash_worst_case"` // … buys filled, sells not
	Results       []Result        `json:"results"`         // most severe first, then rule order, then group
	Trades        []TradeSummary  `json:"trades"`          // one per basket trade, in basket order
	Problems      []string        `json:"problems"`        // bad input (unknown security, no price…); any blocks
}

// Blocked reports whether the basket cannot proceed: a hard breach or bad input.
func (r Report) Blocked() bool { return r.Status == Fail }

// Overridable returns the soft breaches an override must clear, one by one.
func (r Report) Overridable() []Result { return r.withStatus(NeedsOverride) }

// Breaches returns the hard and soft breaches the basket causes or worsens.
func (r Report) Breaches() []Result {
	return append(r.withStatus(Fail), r.withStatus(NeedsOverride)...)
}

func (r Report) withStatus(s Status) []Result {
	var out []Result
	for _, x := range r.Results {
		if x.Status == s {
			out = append(out, x)
		}
	}
	return out
}

// Counts returns how many results have each status.
func (r Report) Counts() map[Status]int {
	c := map[Status]int{}
	for _, x := range r.Results {
		c[x.Status]++
	}
	return c
}

// ResultGroup is the results of one rule with one status, for display.
type ResultGroup struct {
	RuleID   string   `json:"rule"`
	RuleName string   `json:"name"`
	Severity Severity `json:"severity"`
	Status   Status   `json:"status"`
	Count    int      `json:"count"`
	Results  []Result `json:"results"`
}

// Groups returns the results grouped by rule and status, most severe first,
// so a page shows "issuer-10 · fail · 3" instead of a wall of lines.
func (r Report) Groups() []ResultGroup {
	var out []ResultGroup
	idx := map[string]int{}
	for _, x := range r.Results {
		k := x.RuleID + "\x00" + string(x.Status)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ResultGroup{RuleID: x.RuleID, RuleName: x.RuleName, Severity: x.Severity, Status: x.Status})
		}
		out[i].Count++
		out[i].Results = append(out[i].Results, x)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Status.Rank() > out[j].Status.Rank() })
	return out
}

// Summary is one line: "fail: 2 fail, 1 override, 3 warn (15 rules)".
func (r Report) Summary() string {
	c := r.Counts()
	var parts []string
	for _, s := range []Status{Fail, NeedsOverride, Passive, Warn} {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	if len(r.Problems) > 0 {
		parts = append([]string{fmt.Sprintf("%d problem(s)", len(r.Problems))}, parts...)
	}
	if len(parts) == 0 {
		return string(r.Status)
	}
	return string(r.Status) + ": " + strings.Join(parts, ", ")
}

// sortResults orders results most severe first, then by rule order, group and trades.
func sortResults(rs []Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Status.Rank() != b.Status.Rank() {
			return a.Status.Rank() > b.Status.Rank()
		}
		if a.order != b.order {
			return a.order < b.order
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return firstTrade(a) < firstTrade(b)
	})
}

func firstTrade(r Result) int {
	if len(r.Trades) == 0 {
		return -1
	}
	return r.Trades[0]
}
