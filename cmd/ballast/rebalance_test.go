package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
)

// cliSeedDemo seeds the demo desk into the database cliRun uses in dir.
func cliSeedDemo(t *testing.T, dir string) {
	t.Helper()
	d := openCLIDB(t, dir)
	if _, err := d.SeedDemo(context.Background(), "hash"); err != nil {
		t.Fatal(err)
	}
}

// TestRebalanceAllJSONOnDemoKeepsInvariants plans the fresh demo desk and
// checks every printed trade: no sale of more than is held, whole lots
// (except selling a whole position), cash after at limit prices equal to the
// printed figure and at least the reserve; and that the dry run wrote nothing.
func TestRebalanceAllJSONOnDemoKeepsInvariants(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	d := openCLIDB(t, dir)
	ctx := context.Background()
	before, err := d.AllHoldings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res := cliRun(t, dir, "", "rebalance", "--all", "--format", "json", "--cash-reserve", "2%", "--min-trade", "500", "--collar-bps", "50")
	if res.err != nil {
		t.Fatalf("rebalance: %v\n%s", res.err, res.stderr)
	}
	var out planJSON
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("output is not the JSON shape: %v\n%s", err, res.stdout)
	}
	if len(out.Trades) == 0 || len(out.Portfolios) != len(before) {
		t.Fatalf("%d trades for %d portfolios; want trades for all %d demo portfolios", len(out.Trades), len(out.Portfolios), len(before))
	}
	secs, err := d.Securities(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	lots := map[string]decimal.Decimal{}
	for _, s := range secs {
		lots[s.Symbol] = s.LotSize
	}
	held := map[string]decimal.Decimal{}
	for _, h := range before {
		for _, p := range h.Positions {
			held[h.Portfolio.Code+" "+p.Symbol] = p.Quantity
		}
	}
	cashMove := map[string]decimal.Decimal{}
	for _, tr := range out.Trades {
		checkTrade(t, tr, held[tr.Portfolio+" "+tr.Symbol], lots[tr.Symbol])
		notional := dec(t, tr.Quantity).Mul(dec(t, tr.LimitPrice))
		if tr.Side == string(portfolio.Buy) {
			notional = notional.Neg()
		}
		cashMove[tr.Portfolio] = cashMove[tr.Portfolio].Add(notional)
	}
	for _, p := range out.Portfolios {
		cb, ca, nav := dec(t, p.CashBefore), dec(t, p.CashAfter), dec(t, p.NAV)
		if want := cb.Add(cashMove[p.Portfolio]); !want.Equal(ca) {
			t.Errorf("%s: cash_after %s, but cash before plus trades at limit is %s", p.Portfolio, ca, want)
		}
		if reserve := nav.Mul(decimal.RequireFromString("0.02")); ca.LessThan(reserve) {
			t.Errorf("%s: cash after %s is below the 2%% reserve %s", p.Portfolio, ca, reserve)
		}
	}
	after, err := d.AllHoldings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := holdingsKey(after), holdingsKey(before); a != b {
		t.Errorf("the dry run changed holdings or cash")
	}
}

func checkTrade(t *testing.T, tr tradeJSON, held, lot decimal.Decimal) {
	t.Helper()
	q := dec(t, tr.Quantity)
	if !q.IsPositive() || !dec(t, tr.LimitPrice).IsPositive() || tr.Reason == "" {
		t.Errorf("%s %s: quantity %s, limit %s, reason %q", tr.Portfolio, tr.Symbol, tr.Quantity, tr.LimitPrice, tr.Reason)
	}
	switch tr.Side {
	case string(portfolio.Sell):
		if q.GreaterThan(held) {
			t.Errorf("%s sells %s %s but holds %s", tr.Portfolio, q, tr.Symbol, held)
		}
		if !q.Equal(held) && !q.Mod(lot).IsZero() {
			t.Errorf("%s sells %s %s: not whole lots of %s nor the whole position", tr.Portfolio, q, tr.Symbol, lot)
		}
	case string(portfolio.Buy):
		if !q.Mod(lot).IsZero() {
			t.Errorf("%s buys %s %s: not whole lots of %s", tr.Portfolio, q, tr.Symbol, lot)
		}
	default:
		t.Errorf("%s %s: side %q", tr.Portfolio, tr.Symbol, tr.Side)
	}
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	v, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("not a decimal string: %q", s)
	}
	return v
}

func holdingsKey(hs []portfolio.Holdings) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(h.Portfolio.Code + "=" + h.Portfolio.Cash.String() + ";")
		for _, p := range h.Positions {
			b.WriteString(p.Symbol + ":" + p.Quantity.String() + ",")
		}
	}
	return b.String()
}

func TestRebalanceSelectionFormatsAndErrors(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	res := cliRun(t, dir, "", "rebalance", "--model", "Balanced", "--format", "csv")
	if res.err != nil {
		t.Fatalf("--model Balanced: %v", res.err)
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if lines[0] != "portfolio,symbol,side,quantity,limit_price,reason" || len(lines) < 2 {
		t.Fatalf("csv output:\n%s", res.stdout)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "US-BAL,") && !strings.HasPrefix(l, "FAM-01,") {
			t.Errorf("--model Balanced traded another portfolio: %s", l)
		}
	}
	res = cliRun(t, dir, "", "rebalance", "--portfolio", "US-TECH", "--portfolio", "UK-INC")
	if res.err != nil || !strings.Contains(res.stdout, "US-TECH") || !strings.Contains(res.stdout, "UK-INC") || strings.Contains(res.stdout, "FAM-01") {
		t.Errorf("two --portfolio flags: %v\n%s", res.err, res.stdout)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"rebalance"}, "exactly one of --portfolio"},
		{[]string{"rebalance", "--all", "--model", "Growth"}, "exactly one of"},
		{[]string{"rebalance", "--all", "--mode", "sideways"}, `mode "sideways"`},
		{[]string{"rebalance", "--all", "--cash-reserve", "lots"}, "cash reserve"},
		{[]string{"rebalance", "--all", "--buy-only", "--raise", "1000"}, "buy-only and raise"},
		{[]string{"rebalance", "--all", "--format", "xml"}, `format "xml"`},
		{[]string{"rebalance", "--model", "Nope"}, "Nope"},
		{[]string{"rebalance", "--portfolio", "NOPE"}, "NOPE"},
	}
	for _, tc := range tests {
		res := cliRun(t, dir, "", tc.args...)
		if res.err == nil || !strings.Contains(res.err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %q", tc.args, res.err, tc.want)
		}
	}
}

func TestBenchRebalanceSmall(t *testing.T) {
	res := cliRun(t, t.TempDir(), "", "bench", "rebalance", "--portfolios", "50", "--positions", "20", "--rounds", "1")
	if res.err != nil {
		t.Fatalf("bench: %v", res.err)
	}
	for _, want := range []string{"50 portfolios", "portfolios/s", "trades/s"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("bench output lacks %q:\n%s", want, res.stdout)
		}
	}
	if res := cliRun(t, t.TempDir(), "", "bench", "nothing"); res.err == nil {
		t.Error("unknown benchmark accepted")
	}
}

// TestRebalanceAfterPricesMove drifts an in-band demo portfolio with a price
// import and checks that the plan then sells the security that rose.
func TestRebalanceAfterPricesMove(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	res := cliRun(t, dir, "", "rebalance", "--portfolio", "EU-LEAD", "--format", "json")
	var before planJSON
	if err := json.Unmarshal([]byte(res.stdout), &before); res.err != nil || err != nil || len(before.Trades) != 0 {
		t.Fatalf("EU-LEAD is in band on the fresh demo, yet: %v %v %+v", res.err, err, before.Trades)
	}
	prices := cliWriteFile(t, dir, "prices.csv", "symbol,price\nSAP,260\n")
	if res := cliRun(t, dir, "", "import", "prices", prices); res.err != nil {
		t.Fatalf("import prices: %v %s", res.err, res.stderr)
	}
	res = cliRun(t, dir, "", "rebalance", "--portfolio", "EU-LEAD", "--format", "json", "--collar-bps", "50")
	var after planJSON
	if err := json.Unmarshal([]byte(res.stdout), &after); res.err != nil || err != nil {
		t.Fatalf("rebalance: %v %v", res.err, err)
	}
	sold := false
	for _, tr := range after.Trades {
		if tr.Symbol == "SAP" && tr.Side == "sell" && strings.HasPrefix(tr.Reason, "overweight") && tr.LimitPrice == "258.7" {
			sold = true
		}
	}
	if !sold {
		t.Errorf("after SAP rose to 260 the plan does not sell it at 258.70 (50 bps below): %+v", after.Trades)
	}
}

// TestRebalanceSaveProposesOrders saves the demo desk's plan and finds every
// trade as an order of one proposal, with its reason, never sent.
func TestRebalanceSaveProposesOrders(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	res := cliRun(t, dir, "", "rebalance", "--all", "--cash-reserve", "2%", "--collar-bps", "50", "--format", "csv", "--save")
	if res.err != nil {
		t.Fatalf("--save: %v\n%s", res.err, res.stderr)
	}
	trades := strings.Split(strings.TrimSpace(res.stdout), "\n")[1:]
	if len(trades) == 0 || !strings.Contains(res.stderr, "saved ") {
		t.Fatalf("nothing saved:\n%s\n%s", res.stdout, res.stderr)
	}
	d := openCLIDB(t, dir)
	rows, err := d.Reader().Query(`SELECT portfolio, symbol, side, quantity, limit_price, notes, proposal_id, status FROM orders ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	proposals := map[int64]bool{}
	for rows.Next() {
		var pf, sym, side, qty, lim, notes, status string
		var pid int64
		if err := rows.Scan(&pf, &sym, &side, &qty, &lim, &notes, &pid, &status); err != nil {
			t.Fatal(err)
		}
		if notes == "" || status == "sent" || status == "proposed_sent" {
			t.Errorf("order %s %s: notes %q, status %s", pf, sym, notes, status)
		}
		proposals[pid] = true
		got = append(got, pf+","+sym+","+side+","+qty+","+lim)
	}
	if len(got) != len(trades) || len(proposals) != 1 || proposals[0] {
		t.Fatalf("%d orders in %d proposal(s) %v for %d trades", len(got), len(proposals), proposals, len(trades))
	}
	for i, tr := range trades {
		if !strings.HasPrefix(tr, got[i]+",") {
			t.Errorf("order %d is %s, trade %s", i, got[i], tr)
		}
	}
	var n int
	if err := d.Reader().QueryRow(`SELECT trades FROM proposals`).Scan(&n); err != nil || n != len(trades) {
		t.Errorf("proposal records %d trades, %v", n, err)
	}
	if res := cliRun(t, dir, "", "rebalance", "--all", "--save", "--as", "compliance"); res.err == nil || !strings.Contains(res.err.Error(), "neither pm nor trader") {
		t.Errorf("--as compliance: %v", res.err)
	}
}

// TestImportModelsAndRestrictionsShapeThePlan imports a model and a
// restriction with the CLI and checks the plan follows both.
func TestImportModelsAndRestrictionsShapeThePlan(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	bad := cliWriteFile(t, dir, "bad.csv", "model,symbol,weight\nGrowth,NVDA,20\nGrowth,CASH,79\n")
	res := cliRun(t, dir, "", "import", "models", bad)
	if res.err == nil || !strings.Contains(res.stderr, "line 3: model Growth: weights sum to 99, 1 short of 100") {
		t.Fatalf("bad models file: %v\n%s", res.err, res.stderr)
	}
	if res := cliRun(t, dir, "", "rebalance", "--portfolio", "US-TECH", "--format", "csv"); !strings.Contains(res.stdout, "US-TECH,AAPL,sell") {
		t.Fatalf("the refused file changed Growth:\n%s", res.stdout)
	}
	restr := cliWriteFile(t, dir, "restrictions.csv", "portfolio,symbol,do_not_sell\nUS-TECH,AAPL,yes\n")
	if res := cliRun(t, dir, "", "import", "restrictions", restr); res.err != nil || !strings.Contains(res.stdout, "1 added") {
		t.Fatalf("import restrictions: %v %s %s", res.err, res.stdout, res.stderr)
	}
	res = cliRun(t, dir, "", "rebalance", "--portfolio", "US-TECH", "--format", "csv")
	if res.err != nil || strings.Contains(res.stdout, "US-TECH,AAPL,sell") || !strings.Contains(res.stdout, "US-TECH,SPY,sell") {
		t.Fatalf("with AAPL held, the plan is:\n%s", res.stdout)
	}
	good := cliWriteFile(t, dir, "good.csv", "model,symbol,weight\nGrowth,SPY,50\nGrowth,CASH,50\n")
	if res := cliRun(t, dir, "", "import", "models", good); res.err != nil || !strings.Contains(res.stdout, "0 added, 1 updated") {
		t.Fatalf("import models: %v %s %s", res.err, res.stdout, res.stderr)
	}
	res = cliRun(t, dir, "", "rebalance", "--portfolio", "US-TECH", "--format", "csv")
	if res.err != nil || !strings.Contains(res.stdout, "US-TECH,SPY,buy") || !strings.Contains(res.stdout, "US-TECH,NVDA,sell") {
		t.Fatalf("on the new Growth (SPY 50, cash 50) the plan is:\n%s", res.stdout)
	}
}

// demoProposalSaver is a proposal saver over a fresh demo database, a
// trade the demo book can make, and the PM who proposes it.
func demoProposalSaver(t *testing.T) (*db.DB, *proposalSaver, portfolio.Trade, user.User) {
	t.Helper()
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	d := openCLIDB(t, dir)
	saver, err := newProposalSaver(d)
	if err != nil {
		t.Fatal(err)
	}
	trade := portfolio.Trade{Portfolio: "EU-LEAD", Symbol: "AIR", Side: portfolio.Sell, Quantity: decimal.NewFromInt(10),
		LimitPrice: decimal.NewFromInt(150), Reason: "overweight"}
	return d, saver, trade, user.User{Name: "pm", Roles: []user.Role{user.PM}}
}

// A proposal saved from the rebalance page tells the live blotters, so a
// trader's open blotter shows the PM's orders without a reload.
func TestSavedProposalReachesTheLiveBlotters(t *testing.T) {
	_, saver, trade, pm := demoProposalSaver(t)
	var changes []web.Change
	saver.publish = func(c web.Change) { changes = append(changes, c) }
	if n, err := saver.SaveProposal(context.Background(), pm, []portfolio.Trade{trade}); err != nil || n != 1 {
		t.Fatalf("saved %d, %v", n, err)
	}
	if len(changes) != 1 || changes[0].What != "order" {
		t.Fatalf("live blotters heard %v, want one order change", changes)
	}
	if n, err := saver.SaveProposal(context.Background(), pm, nil); err != nil || n != 0 || len(changes) != 1 {
		t.Errorf("an empty proposal: saved %d (%v), changes %d", n, err, len(changes))
	}
}

// A proposal the store refuses part of (here a trade of a security that
// does not exist, refused by the order insert after the proposal row is
// written) leaves nothing: no proposal row, no order, no event.
func TestSaveProposalIsAllOrNothing(t *testing.T) {
	d, saver, good, pm := demoProposalSaver(t)
	count := func() int {
		return countRows(t, d.Reader(), `SELECT (SELECT count(*) FROM proposals) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM audit_events WHERE order_id IS NOT NULL)`)
	}
	before := count()
	bad := good
	bad.Symbol = "NOPE"
	if n, err := saver.SaveProposal(context.Background(), pm, []portfolio.Trade{good, bad}); err == nil || n != 0 {
		t.Fatalf("saved %d, %v; want a refusal", n, err)
	}
	if after := count(); after != before {
		t.Fatalf("a refused proposal left %d rows of proposals, orders and their events", after-before)
	}
	if n, err := saver.SaveProposal(context.Background(), pm, []portfolio.Trade{good}); err != nil || n != 1 {
		t.Fatalf("saved %d, %v", n, err)
	}
	if n := countRows(t, d.Reader(), `SELECT count(*) FROM orders WHERE proposal_id = (SELECT id FROM proposals WHERE trades = 1 AND portfolios = 1)`); n != 1 {
		t.Errorf("%d orders under the saved proposal, want 1", n)
	}
}

// TestRebalanceSavePrintsTheDryRunsPlan: --save prints, in every format,
// exactly what the dry run before it printed (the saved command renders
// its output while the writer finishes, from results it keeps slimmed).
func TestRebalanceSavePrintsTheDryRunsPlan(t *testing.T) {
	for _, format := range []string{"table", "csv", "json"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			cliSeedDemo(t, dir)
			args := []string{"rebalance", "--all", "--cash-reserve", "2%", "--collar-bps", "50", "--format", format}
			dry := cliRun(t, dir, "", args...)
			saved := cliRun(t, dir, "", append(args, "--save")...)
			if dry.err != nil || saved.err != nil {
				t.Fatalf("dry run: %v; --save: %v\n%s", dry.err, saved.err, saved.stderr)
			}
			if !strings.Contains(saved.stderr, "saved ") || len(dry.stdout) < 200 {
				t.Fatalf("nothing saved or printed:\n%s\n%s", saved.stdout, saved.stderr)
			}
			if saved.stdout != dry.stdout {
				t.Errorf("--save printed\n%s\nthe dry run\n%s", saved.stdout, dry.stdout)
			}
		})
	}
}

// In serve the order store is wrapped to watch positions for the trigger
// engine. A proposal saved through it must still be written as the CLI
// writes it: the proposal row with its orders, in the stream transaction.
func TestSaveProposalThroughThePositionWatch(t *testing.T) {
	d, saver, trade, pm := demoProposalSaver(t)
	saver.svc.Store = watchPositions(saver.svc.Store, func(context.Context, []positionChange) {})
	if _, ok := saver.svc.Store.(order.StreamStore); !ok {
		t.Fatal("the watched store has no stream transactions")
	}
	trades := []portfolio.Trade{trade,
		{Portfolio: "US-TECH", Symbol: "NVDA", Side: portfolio.Sell, Quantity: decimal.NewFromInt(1), LimitPrice: decimal.NewFromInt(100), Reason: "overweight"},
	}
	if n, err := saver.SaveProposal(context.Background(), pm, trades); err != nil || n != 2 {
		t.Fatalf("saved %d, %v", n, err)
	}
	if n := countRows(t, d.Reader(), `SELECT count(*) FROM orders o JOIN proposals p ON p.id = o.proposal_id WHERE p.trades = 2 AND p.portfolios = 2 AND p.created_by = 'pm'`); n != 2 {
		t.Errorf("%d orders under a proposal of 2 trades over 2 portfolios, want 2", n)
	}
}
