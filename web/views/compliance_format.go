package views

import (
	"fmt"
	"sort"
	"time"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
)

// ResultGroup is the findings of one rule with one status on one order, for
// display: grouped, most severe first, with the count.
type ResultGroup struct {
	RuleID   string
	RuleName string
	Status   compliance.Status
	Severity compliance.Severity
	Results  []order.ResultRecord
}

// GroupResults groups an order's findings by rule and status, most severe
// first (fail, override, passive, warn), then by rule.
func GroupResults(rs []order.ResultRecord) []ResultGroup {
	var out []ResultGroup
	idx := map[string]int{}
	for _, r := range rs {
		k := r.RuleID + "\x00" + string(r.Status)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ResultGroup{RuleID: r.RuleID, RuleName: r.RuleName, Status: r.Status, Severity: r.Severity})
		}
		out[i].Results = append(out[i].Results, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Status.Rank() != out[j].Status.Rank() {
			return out[i].Status.Rank() > out[j].Status.Rank()
		}
		return out[i].RuleID < out[j].RuleID
	})
	return out
}

// StatusCounts says how many findings of each status there are: "1 fail · 2 warn".
func StatusCounts(rs []order.ResultRecord) string {
	c := map[compliance.Status]int{}
	for _, r := range rs {
		c[r.Status]++
	}
	s := ""
	for _, st := range []compliance.Status{compliance.Fail, compliance.NeedsOverride, compliance.Passive, compliance.Warn} {
		if c[st] == 0 {
			continue
		}
		if s != "" {
			s += " · "
		}
		s += fmt.Sprintf("%d %s", c[st], statusWord(st))
	}
	if s == "" {
		return "every rule passed"
	}
	return s
}

func statusWord(s compliance.Status) string {
	switch s {
	case compliance.Fail:
		return "hard breach"
	case compliance.NeedsOverride:
		return "soft breach"
	case compliance.Passive:
		return "passive"
	case compliance.Warn:
		return "warning"
	}
	return string(s)
}

// VerdictLabel is how an order's verdict reads: pass, warn or fail.
func VerdictLabel(v order.Verdict) string {
	if v == "" {
		return "not checked"
	}
	return string(v)
}

// measured shows a value with its unit: "12.5%", "1891200 amount".
func measured(v fmt.Stringer, u compliance.Unit) string {
	switch u {
	case compliance.UnitPercent:
		return v.String() + "%"
	case "", compliance.UnitAmount:
		return v.String()
	}
	return v.String() + " " + string(u)
}

func scopeText(s compliance.Scope) string {
	switch {
	case s.Tag != "" && s.Portfolio != "":
		return "tag " + s.Tag + ", portfolio " + s.Portfolio
	case s.Tag != "":
		return "portfolios tagged " + s.Tag
	case s.Portfolio != "":
		return "portfolio " + s.Portfolio
	}
	return "all portfolios"
}

func groupText(g string) string {
	if g == "" {
		return "whole portfolio"
	}
	return g
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// AlertGroup is the alerts of one rule at one level, for display.
type AlertGroup struct {
	RuleID   string
	RuleName string
	Level    compliance.AlertLevel
	Alerts   []compliance.AlertRecord
}

// GroupAlerts groups alerts by rule and level, breaches before warnings,
// keeping the order of the alerts within a group.
func GroupAlerts(as []compliance.AlertRecord) []AlertGroup {
	var out []AlertGroup
	idx := map[string]int{}
	for _, a := range as {
		k := a.Alert.RuleID + "\x00" + string(a.Alert.Level)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, AlertGroup{RuleID: a.Alert.RuleID, RuleName: a.Alert.RuleName, Level: a.Alert.Level})
		}
		out[i].Alerts = append(out[i].Alerts, a)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Level == compliance.AlertBreach && out[j].Level != compliance.AlertBreach
	})
	return out
}

func unitSuffix(u compliance.Unit) string {
	if u == compliance.UnitPercent {
		return "%"
	}
	return ""
}
