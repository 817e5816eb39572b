package order

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
)

// TestTradeCheckVerdicts maps a basket's findings to each trade's verdict:
// a hard breach blocks, a soft breach waits for an override unless one
// matches its rule, group and version, warnings and passive breaches pass,
// and a breach naming no trade concerns them all.
func TestTradeCheckVerdicts(t *testing.T) {
	res := func(rule string, s compliance.Status, trades ...int) compliance.Result {
		return compliance.Result{RuleID: rule, Version: 2, Status: s, Group: "G", Trades: trades, Message: rule + " " + string(s),
			Value: decimal.NewFromInt(11), Limit: decimal.NewFromInt(10)}
	}
	rep := compliance.Report{
		Results: []compliance.Result{
			res("restricted", compliance.Fail, 0),
			res("sector-30", compliance.NeedsOverride, 1),
			res("issuer-10", compliance.Warn, 2),
			res("ucits", compliance.Passive, 2),
		},
		Trades: make([]compliance.TradeSummary, 4),
	}
	ovOK := Override{RuleID: "sector-30", Group: "G", RuleVersion: 2}
	ovOld := Override{RuleID: "sector-30", Group: "G", RuleVersion: 1}
	cases := []struct {
		name    string
		rep     compliance.Report
		trade   int
		ovs     []Override
		verdict Verdict
		results int
	}{
		{"hard breach blocks", rep, 0, nil, VerdictFail, 1},
		{"soft breach waits", rep, 1, nil, VerdictWarn, 1},
		{"override of the same version clears", rep, 1, []Override{ovOK}, VerdictPass, 1},
		{"override of an older version does not", rep, 1, []Override{ovOld}, VerdictWarn, 1},
		{"warning and passive pass", rep, 2, nil, VerdictPass, 2},
		{"nothing attributed passes", rep, 3, nil, VerdictPass, 0},
		{"an unattributed hard breach blocks every trade", compliance.Report{
			Results: []compliance.Result{res("cash-floor", compliance.Fail)}, Trades: make([]compliance.TradeSummary, 2)}, 1, nil, VerdictFail, 1},
		{"bad input blocks", compliance.Report{Trades: []compliance.TradeSummary{{Breaches: []compliance.Breach{
			{Rule: "input", Name: "valid order", Message: "security \"X\" is not in the securities master"}}}}}, 0, nil, VerdictFail, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tc := tradeCheck(c.rep, c.trade, c.ovs)
			if tc.Check.Verdict != c.verdict || len(tc.Results) != c.results {
				t.Errorf("verdict %s with %d results, want %s with %d; %s", tc.Check.Verdict, len(tc.Results), c.verdict, c.results, tc.Check.Findings)
			}
			if err := tc.Check.valid(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestVerdictFindingsCountAndCap(t *testing.T) {
	var rs []ResultRecord
	for range 5 {
		rs = append(rs, ResultRecord{RuleID: "sector-30", Status: compliance.NeedsOverride, Message: "m"})
	}
	c := verdict(rs)
	if c.Verdict != VerdictWarn || !strings.Contains(c.Findings, "5 soft breach(es)") || !strings.HasSuffix(c.Findings, "and 2 more") {
		t.Errorf("findings = %q (%s)", c.Findings, c.Verdict)
	}
	if c := verdict(nil); c.Verdict != VerdictPass || c.Findings != "compliance: every rule passed" {
		t.Errorf("no findings = %+v", c)
	}
}

func TestTradeOfUsesLimitOnlyForLimitOrders(t *testing.T) {
	px := decimal.NewFromInt(10)
	if tr := TradeOf(Order{Type: Limit, LimitPrice: px}); !tr.LimitPrice.Equal(px) {
		t.Error("a limit order's trade lost its price")
	}
	if tr := TradeOf(Order{Type: Stop, StopPrice: px}); !tr.LimitPrice.IsZero() {
		t.Error("a stop order's trade has a limit price")
	}
}
