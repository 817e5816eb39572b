package compliance

import "strings"

// AlertLevel says whether an alert is a breach of a limit or a warning.
type AlertLevel string

// The alert levels.
const (
	AlertBreach  AlertLevel = "breach"
	AlertWarning AlertLevel = "warning"
)

// Alert is a post-trade finding on current holdings: a candidate for the
// alert list (open → acknowledged → resolved). Key is stable across runs for
// the same rule, portfolio and group, so a store can keep one open alert per
// Key and resolve the ones a later batch no longer reports.
type Alert struct {
	Key       string     `json:"key"`
	Portfolio string     `json:"portfolio"`
	RuleID    string     `json:"rule"`
	RuleName  string     `json:"name"`
	Version   int        `json:"version"`
	Kind      Kind       `json:"kind"`
	Severity  Severity   `json:"severity"`
	Level     AlertLevel `json:"level"`
	Group     string     `json:"group,omitempty"`
	Value     string     `json:"value"` // the measured value, formatted exactly (decimal text)
	Limit     string     `json:"limit"`
	Unit      Unit       `json:"unit"`
	Message   string     `json:"message"`
	Result    Result     `json:"-"` // the underlying result, with decimals
}

// Batch checks current holdings (no basket; working orders included) of each
// state against rules, using every core, and returns an alert per limit
// breached and per warning band entered, by portfolio in input order, most
// severe first within a portfolio. Order-level rules (restricted list,
// notional, collar…) have nothing to check without orders.
func Batch(states []State, rules []Rule) []Alert {
	var out []Alert
	for _, rep := range CheckAll(states, nil, rules, 0) {
		for _, res := range rep.Results {
			level := AlertBreach
			switch res.Status {
			case Pass:
				continue
			case Warn:
				level = AlertWarning
			}
			out = append(out, Alert{
				Key: rep.Portfolio + "|" + res.RuleID + "|" + res.Group, Portfolio: rep.Portfolio,
				RuleID: res.RuleID, RuleName: res.RuleName, Version: res.Version, Kind: res.Kind,
				Severity: res.Severity, Level: level, Group: res.Group, Value: res.Value.String(),
				Limit: res.Limit.String(), Unit: res.Unit, Message: strings.TrimSuffix(res.Message, passiveSuffix),
				Result: res,
			})
		}
	}
	return out
}
