package db

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

// complianceDesk is the demo desk with two rules only: NVDA restricted
// (hard, no buy) and order notional at most 1,000,000 (soft).
func complianceDesk(t *testing.T) (*DB, *order.Service, *order.Precheck) {
	t.Helper()
	d := seededTest(t)
	rules := []RuleChange{
		{Rule: compliance.Rule{ID: "restricted", Name: "Restricted list", Kind: compliance.KindRestricted, Severity: compliance.Hard,
			Params: compliance.Params{Mode: compliance.NoBuy, Symbols: []string{"NVDA"}}}, Enabled: true},
		{Rule: compliance.Rule{ID: "max-notional", Name: "Notional", Kind: compliance.KindMaxNotional, Severity: compliance.Soft,
			Params: compliance.Params{Limit: decimal.NewFromInt(1_000_000)}}, Enabled: true},
	}
	if _, err := d.SaveRules(context.Background(), rules, "test", "test rules", true); err != nil {
		t.Fatal(err)
	}
	d.SetClock(func() time.Time { return orderNow })
	svc, _ := newTestService(t, NewOrderStore(d))
	return d, svc, &order.Precheck{Store: d, Clock: svc.Clock}
}

func limitBuy(pf, sym, qty, px string) order.Order {
	return order.Order{Portfolio: pf, Symbol: sym, Side: portfolio.Buy, Quantity: dd(qty), Type: order.Limit,
		LimitPrice: dd(px), TimeInForce: order.Day}
}

var (
	ccPM        = order.Actor{Name: "pm", Roles: []user.Role{user.PM}}
	traderActor = order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	officer     = order.Actor{Name: "compliance", Roles: []user.Role{user.Compliance}}
)

func TestPrecheckBlocksOverridesAndApproves(t *testing.T) {
	d, svc, pc := complianceDesk(t)
	ctx := context.Background()
	orders := []order.Order{
		limitBuy("US-LC", "NVDA", "100", "118.40"),   // restricted: blocked
		limitBuy("US-LC", "AAPL", "10000", "189.12"), // 1,891,200 > 1,000,000: soft
		limitBuy("US-LC", "MSFT", "10", "415.50"),    // passes
	}
	saved, checks, err := proposeChecked(ctx, pc, svc, ccPM, orders)
	if err != nil {
		t.Fatal(err)
	}
	want := []order.Status{order.Blocked, order.AwaitingOverride, order.Ready}
	for i, o := range saved {
		if o.Status != want[i] {
			t.Errorf("order %d (%s) status %s, want %s; %s", i, o.Symbol, o.Status, want[i], checks[i].Check.Findings)
		}
	}
	blocked, err := d.LatestCheck(ctx, saved[0].ID)
	if err != nil || blocked.Verdict != order.VerdictFail || blocked.Results[0].RuleID != "restricted" {
		t.Fatalf("blocked order's stored check = %+v, %v", blocked, err)
	}
	soft := saved[1]
	ov := order.Override{RuleID: "max-notional", ReasonCode: "client_instruction", Reason: "client asked for the full size"}
	if _, err := svc.Override(ctx, soft.ID, traderActor, ov); !errors.Is(err, order.ErrForbidden) {
		t.Errorf("a trader's override: %v, want ErrForbidden", err)
	}
	if _, err := svc.Override(ctx, soft.ID, officer, order.Override{RuleID: "max-notional", ReasonCode: "because", Reason: "x"}); !errors.Is(err, order.ErrInvalid) {
		t.Errorf("an unknown reason code: %v, want ErrInvalid", err)
	}
	if _, err := svc.Override(ctx, saved[0].ID, officer, order.Override{RuleID: "restricted", ReasonCode: "other", Reason: "x"}); err == nil {
		t.Error("a hard breach was overridden")
	}
	if _, err := svc.Approve(ctx, soft.ID, traderActor, nil); err == nil {
		t.Error("a trader approved an order awaiting override without one")
	}
	got, err := svc.Override(ctx, soft.ID, officer, ov)
	if err != nil || got.Status != order.Ready {
		t.Fatalf("override = %s, %v; want ready", got.Status, err)
	}
	if _, err := svc.Override(ctx, soft.ID, officer, ov); !errors.Is(err, order.ErrConflict) {
		t.Errorf("a second override: %v, want ErrConflict", err)
	}
	ovs, _ := d.OrderOverrides(ctx, soft.ID)
	if len(ovs) != 1 || ovs[0].RuleVersion != 2 || ovs[0].Officer != "compliance" || ovs[0].ReasonCode != "client_instruction" {
		t.Errorf("overrides = %+v", ovs)
	}
	events, err := NewOrderStore(d).AuditEvents(ctx, order.AuditFilter{OrderID: soft.ID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		if e.Action == "compliance_override" && e.Actor == "compliance" && strings.Contains(e.Reason, "client asked") &&
			strings.Contains(e.Details, "max-notional v2") {
			found = true
		}
	}
	if !found {
		t.Errorf("no override in the audit trail: %+v", events)
	}
	approved, err := pc.Approve(ctx, svc, soft.ID, traderActor)
	if err != nil || approved.Status != order.Approved {
		t.Fatalf("approval after the override = %s, %v", approved.Status, err)
	}
	last, _ := d.LatestCheck(ctx, soft.ID)
	if last.Phase != order.PhaseApprove || last.Verdict != order.VerdictPass || !last.Results[0].Overridden {
		t.Errorf("approval recheck = %+v; want pass with the breach overridden", last)
	}
}

func TestPrecheckWorkingOrdersAndSkip(t *testing.T) {
	d, svc, pc := complianceDesk(t)
	ctx := context.Background()
	saved, _, err := proposeChecked(ctx, pc, svc, ccPM, []order.Order{limitBuy("US-LC", "MSFT", "10", "415.50")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Approve(ctx, svc, saved[0].ID, traderActor); err != nil {
		t.Fatal(err)
	}
	states, err := d.PreTradeStates(ctx, []string{"US-LC"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := states["US-LC"]
	if len(st.Working) != 1 || st.Working[0].Symbol != "MSFT" || !st.Working[0].Quantity.Equal(dd("10")) || len(st.Recent) != 1 {
		t.Errorf("state: working %+v, recent %+v", st.Working, st.Recent)
	}
	states, _ = d.PreTradeStates(ctx, []string{"US-LC"}, []int64{saved[0].ID})
	if len(states["US-LC"].Working) != 0 || len(states["US-LC"].Recent) != 0 {
		t.Errorf("skipped order still in the state: %+v", states["US-LC"])
	}
}

// TestSaveChecksBatches stores checks with more results than one batch
// holds (results refer to checks written in an earlier batch) and reads
// each order's latest check back whole.
func TestSaveChecksBatches(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	var recs []order.CheckRecord
	for i := range 150 {
		c := order.CheckRecord{OrderID: int64(i%100 + 1), Phase: order.PhasePropose, Verdict: order.VerdictWarn, At: orderNow}
		for j := range i % 7 {
			c.Results = append(c.Results, order.ResultRecord{RuleID: "r", Version: j + 1, Status: compliance.Warn, Value: dd("1.5")})
		}
		recs = append(recs, c)
	}
	if err := d.SaveChecks(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{1, 7, 50, 100} {
		c, err := d.LatestCheck(ctx, id)
		want := recs[id-1]
		if id <= 50 {
			want = recs[id-1+100] // orders 1-50 were checked twice; the second is the latest
		}
		if err != nil || len(c.Results) != len(want.Results) {
			t.Fatalf("order %d: %d results, %v; want %d", id, len(c.Results), err, len(want.Results))
		}
		for j, r := range c.Results {
			if r.Version != j+1 || !r.Value.Equal(dd("1.5")) {
				t.Errorf("order %d result %d = %+v", id, j, r)
			}
		}
	}
}

// TestProposeCheckedAllOrNothing: when one order of a basket cannot be
// stored, neither the orders nor any compliance result is.
func TestProposeCheckedAllOrNothing(t *testing.T) {
	d, svc, pc := complianceDesk(t)
	ctx := context.Background()
	_, _, err := proposeChecked(ctx, pc, svc, ccPM, []order.Order{limitBuy("US-LC", "MSFT", "10", "415.50"), limitBuy("US-LC", "ZZZZ", "1", "415.50")})
	if err == nil {
		t.Fatal("a basket with an unknown security was proposed")
	}
	var n int
	if err := d.Reader().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM compliance_checks)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d orders and checks left after a refused proposal (%v)", n, err)
	}
}

// proposeChecked checks the orders as baskets per portfolio with pc, proposes
// them through svc with their verdicts (fail → blocked, soft breach →
// awaiting_override, else ready) and their findings in the same transaction
// (Service.ProposeMany), as the rebalance page and command do. It returns
// the stored orders and their checks, in input order.
func proposeChecked(ctx context.Context, pc *order.Precheck, svc *order.Service, actor order.Actor, orders []order.Order) ([]order.Order, []order.TradeCheck, error) {
	trades := make([]portfolio.Trade, len(orders))
	for i, o := range orders {
		trades[i] = order.TradeOf(o)
	}
	checks, _, err := pc.CheckTrades(ctx, trades, nil)
	if err != nil {
		return nil, nil, err
	}
	ps := make([]order.Proposal, len(orders))
	results := make([][]order.ResultRecord, len(orders))
	for i, o := range orders {
		ps[i], results[i] = order.Proposal{Order: o, Check: checks[i].Check}, checks[i].Results
	}
	saved, err := svc.ProposeMany(ctx, actor, ps, results)
	if err != nil {
		return nil, nil, err
	}
	return saved, checks, nil
}
