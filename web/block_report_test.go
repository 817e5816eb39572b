package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
)

// The db package's order store answers the report's queries.
var _ BlockReports = (*db.OrderStore)(nil)

// blockOfThree enters and approves orders of 100 BBB (lot 100) for GROWTH,
// INCOME and =CALC (a portfolio code a spreadsheet would run), blocks them
// at SIM and releases the block; it returns the block's id and its orders.
func (a *orderApp) blockOfThree(t *testing.T) (int64, []int64) {
	t.Helper()
	if _, err := a.db.Writer().Exec(`INSERT INTO portfolios (code, name, base_currency, cash) VALUES ('=CALC', 'Formula', 'USD', '100000')`); err != nil {
		t.Fatal(err)
	}
	tr := a.tokenFor("trader")
	var ids []int64
	for _, pf := range []string{"GROWTH", "INCOME", "=CALC"} {
		id := a.createOrder("pm", fmt.Sprintf(`{"portfolio":%q,"symbol":"BBB","side":"buy","quantity":"100","order_type":"limit","limit_price":"25","time_in_force":"day"}`, pf))
		wantStatus(t, "approve", a.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/approve", id), ""), http.StatusOK)
		ids = append(ids, id)
	}
	res := a.apiDo(tr, http.MethodPost, "/api/v1/blocks", fmt.Sprintf(`{"order_ids":[%d,%d,%d],"broker":"SIM"}`, ids[0], ids[1], ids[2]))
	wantStatus(t, "block", res, http.StatusCreated)
	var b blockJSON
	if err := json.Unmarshal([]byte(res.body), &b); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "release", a.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/blocks/%d/release", b.ID), ""), http.StatusOK)
	return b.ID, ids
}

// fill books one execution report on the block released first.
func (a *orderApp) fill(t *testing.T, kind order.ExecKind, execID, ref, qty, px string) {
	t.Helper()
	r := order.ExecutionReport{Session: "S", Broker: "SIM", ExecID: execID, ExecRefID: ref, Kind: kind,
		ClOrdID: a.sender.sent[0].ClOrdID, Symbol: "BBB", Raw: "8=FIX.4.4|35=8|17=" + execID + "|"}
	if qty != "" {
		r.LastQty, r.LastPx = decimal.RequireFromString(qty), decimal.RequireFromString(px)
	}
	if _, err := a.desk.svc.BookExecution(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// cells returns the text of each cell of the table row whose attribute
// attr is val, tags stripped.
func cells(t *testing.T, body, attr, val string) []string {
	t.Helper()
	row := regexp.MustCompile(`(?s)<tr[^>]*` + attr + `="` + regexp.QuoteMeta(val) + `"[^>]*>(.*?)</tr>`).FindStringSubmatch(body)
	if row == nil {
		t.Fatalf("no row %s=%q in:\n%s", attr, val, body)
	}
	var out []string
	for _, c := range regexp.MustCompile(`(?s)<t[dh][^>]*>(.*?)</t[dh]>`).FindAllStringSubmatch(row[1], -1) {
		out = append(out, strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(c[1], "")))
	}
	return out
}

// TestBlockReport fills a block of three orders of 100 (lot 100) with 150,
// then 100, then 50 that the broker busts: 250 filled allocate 100/100/50 at
// the block's average price, the totals equal the filled quantity, and the
// allocation after each execution follows the fills.
func TestBlockReport(t *testing.T) {
	app := newOrderApp(t)
	id, ids := app.blockOfThree(t)
	app.fill(t, order.ExecPartialFill, "F1", "", "150", "20")
	app.fill(t, order.ExecPartialFill, "F2", "", "100", "21")
	app.fill(t, order.ExecFill, "F3", "", "50", "22")
	app.fill(t, order.ExecBust, "B1", "F3", "", "")

	res := app.get(app.signedIn("trader"), fmt.Sprintf("/blocks/%d", id))
	wantStatus(t, "report", res, http.StatusOK)
	want := map[int64][]string{ // order, portfolio, ordered, allocated, odd lot, price, notional
		ids[0]: {"GROWTH", "100", "100", "0", "20.40", "2,040.00"},
		ids[1]: {"INCOME", "100", "100", "0", "20.40", "2,040.00"},
		ids[2]: {"=CALC", "100", "50", "50", "20.40", "1,020.00"},
	}
	for oid, w := range want {
		got := cells(t, res.body, "data-order", fmt.Sprint(oid))
		if strings.Join(got[1:7], "|") != strings.Join(w, "|") {
			t.Errorf("order %d row %q, want %q", oid, got[1:7], w)
		}
	}
	if got := cells(t, res.body, "data-testid", "totals"); strings.Join(got[1:6], "|") != "300|250|50|20.40|5,100.00" {
		t.Errorf("totals %q, want ordered 300, allocated 250 = filled, odd lot 50, notional 5,100", got)
	}
	if strings.Contains(res.body, `data-testid="unbalanced"`) {
		t.Error("a balanced report warns that it is not")
	}
	wantContains(t, "report", res.body, app.sender.sent[0].ClOrdID, "partially filled", "busted", "reverses F3")
	for exec, after := range map[string]string{"F1": "150|20.00|100|50|0", "F2": "250|20.40|100|100|50",
		"F3": "300|20.666667|100|100|100", "B1": "250|20.40|100|100|50"} {
		got := cells(t, res.body, "data-exec", exec)
		if strings.Join(got[6:11], "|") != after {
			t.Errorf("after %s: %q, want %s", exec, got[6:11], after)
		}
	}
	if got := cells(t, res.body, "data-exec", "F3"); got[5] != "busted" {
		t.Errorf("F3 flag %q, want busted", got[5])
	}
}

// TestBlockReportExports checks the CSV (formula cells defused, totals equal
// to the filled quantity) and the JSON of the API (decimals as strings).
func TestBlockReportExports(t *testing.T) {
	app := newOrderApp(t)
	id, ids := app.blockOfThree(t)
	app.fill(t, order.ExecPartialFill, "F1", "", "250", "20.4")

	res := app.get(app.signedIn("compliance"), fmt.Sprintf("/blocks/%d/allocations.csv", id))
	wantStatus(t, "csv", res, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("csv content type %q", ct)
	}
	if _, p, err := mime.ParseMediaType(res.header.Get("Content-Disposition")); err != nil || p["filename"] != fmt.Sprintf("ballast-block-%d-allocations.csv", id) {
		t.Errorf("csv Content-Disposition %q: %v", res.header.Get("Content-Disposition"), err)
	}
	recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[0][5] != "portfolio" || recs[0][7] != "allocated" {
		t.Fatalf("csv %q", recs)
	}
	if recs[3][5] != "'=CALC" || recs[3][7] != "50" || recs[3][8] != "50" {
		t.Errorf("the formula account's line %q, want '=CALC allocated 50, odd lot 50", recs[3])
	}
	if tot := recs[4]; tot[4] != "total" || tot[7] != "250" || tot[10] != "5100" || tot[11] != "filled 250" {
		t.Errorf("total line %q", tot)
	}

	res = app.apiDo(app.tokenFor("pm"), http.MethodGet, fmt.Sprintf("/api/v1/blocks/%d", id), "")
	wantStatus(t, "api", res, http.StatusOK)
	var j blockReportJSON
	if err := json.Unmarshal([]byte(res.body), &j); err != nil {
		t.Fatal(err)
	}
	if j.Block.ID != id || j.Block.FilledQty != "250" || j.LotSize != "100" || !j.Balanced || j.Totals.Allocated != "250" ||
		j.Totals.Notional != "5100" || len(j.ClOrdIDs) != 1 {
		t.Errorf("report %+v", j)
	}
	if len(j.Allocations) != 3 || j.Allocations[2].OrderID != ids[2] || j.Allocations[2].Allocated != "50" ||
		j.Allocations[2].Price != "20.4" || j.Allocations[2].Status != "partially_filled" {
		t.Errorf("allocations %+v", j.Allocations)
	}
	if len(j.Executions) != 1 || j.Executions[0].ExecID != "F1" || j.Executions[0].Allocations[1].Quantity != "100" {
		t.Errorf("executions %+v", j.Executions)
	}
	wantContains(t, "decimals as strings", res.body, `"allocated":"250"`, `"quantity":"250"`)
	wantRefused(t, "unknown block", app.apiDo(app.tokenFor("pm"), http.MethodGet, "/api/v1/blocks/999", ""), http.StatusNotFound, "999")
}

// TestBlockReportLinksAndRoles: the blotter's block rows and the order page
// link to the report; every desk role reads it (as an order's page), a user
// without a role does not.
func TestBlockReportLinksAndRoles(t *testing.T) {
	app := newOrderApp(t)
	id, ids := app.blockOfThree(t)
	path := fmt.Sprintf("/blocks/%d", id)
	clients := map[string]*http.Client{}
	for _, name := range []string{"pm", "trader", "compliance", "admin"} {
		c := app.signedIn(name)
		clients[name] = c
		wantStatus(t, name+" reads the report", app.get(c, path), http.StatusOK)
		wantContains(t, name+" blotter", app.get(c, "/blotter").body, `href="`+path+`"`)
		wantContains(t, name+" order page", app.get(c, fmt.Sprintf("/orders/%d", ids[0])).body, `href="`+path+`"`)
	}
	wantStatus(t, "no role", app.get(app.signedIn("norole"), path), http.StatusForbidden)
	wantStatus(t, "unknown block", app.get(clients["pm"], "/blocks/999"), http.StatusNotFound)
	res := app.get(clients["pm"], path)
	wantContains(t, "unfilled block", res.body, "No executions yet.")
	if got := cells(t, res.body, "data-testid", "totals"); got[2] != "0" {
		t.Errorf("unfilled totals %q", got)
	}
}

// BenchmarkBlockReport builds the report of a block of 50 accounts (lot
// 100) filled by 1,000 executions, one in ten busted: the allocation is
// worked out again after each.
func BenchmarkBlockReport(b *testing.B) {
	var orders []order.Order
	var allocs []order.AllocationRecord
	for i := range 50 {
		orders = append(orders, order.Order{ID: int64(i + 1), Portfolio: fmt.Sprintf("P%02d", i), Quantity: decimal.NewFromInt(10000),
			Status: order.PartiallyFilled})
		allocs = append(allocs, order.AllocationRecord{OrderID: int64(i + 1), Portfolio: fmt.Sprintf("P%02d", i),
			Quantity: decimal.NewFromInt(5000), Price: decimal.NewFromInt(20)})
	}
	var execs []order.Execution
	for i := range 1000 {
		e := order.Execution{Key: order.ExecKey{ExecID: fmt.Sprintf("F%d", i)}, Kind: order.ExecPartialFill,
			Quantity: decimal.NewFromInt(300), Price: decimal.NewFromInt(int64(20 + i%3)), State: order.FillLive}
		if i%10 == 9 {
			e = order.Execution{Key: order.ExecKey{ExecID: fmt.Sprintf("B%d", i)}, Kind: order.ExecBust, RefExecID: fmt.Sprintf("F%d", i-1)}
		}
		execs = append(execs, e)
	}
	blk := order.Block{ID: 1, Symbol: "BBB", LotSize: decimal.NewFromInt(100), Status: order.PartiallyFilled,
		Totals: order.Totals{OrderQty: decimal.NewFromInt(500000), CumQty: decimal.NewFromInt(250000), Notional: decimal.NewFromInt(5000000)}}
	b.ReportAllocs()
	for b.Loop() {
		v := buildBlockReport(blk, slices.Clone(orders), allocs, execs, []string{"W1"})
		if len(v.Executions) != 1000 {
			b.Fatal(len(v.Executions))
		}
	}
}
