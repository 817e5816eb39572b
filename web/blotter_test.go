package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
)

func (a *orderApp) approveAs(name string, id int64) {
	a.t.Helper()
	res := a.apiDo(a.tokenFor(name), http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/approve", id), "")
	if res.status != http.StatusOK {
		a.t.Fatalf("approve %d: %d %s", id, res.status, res.body)
	}
}

// TestBulkActionsHideInternalErrors: a storage failure during a bulk block
// or approval is not shown to the trader (here database/sql's text): the
// flash names the request, whose log line holds the error.
func TestBulkActionsHideInternalErrors(t *testing.T) {
	app := newOrderApp(t)
	tc := app.signedIn("trader")
	if err := app.db.Close(); err != nil { // any storage failure will do
		t.Fatal(err)
	}
	res := app.postForm(tc, "/blotter/orders", url.Values{"id": {"1"}, "action": {"block"}, "broker": {"SIM"}})
	flash := flashOf(t, app.testApp, tc)
	if res.status < 500 && strings.Contains(flash, "sql:") {
		t.Errorf("a storage failure is shown to the user (status %d): flash %q", res.status, flash)
	}
	wantContains(t, "block flash", flash, "Block not created: an internal error, logged as request ")
	res = app.postForm(tc, "/blotter/orders", url.Values{"id": {"1"}, "action": {"approve"}})
	flash = flashOf(t, app.testApp, tc)
	if res.status < 500 && strings.Contains(flash, "sql:") {
		t.Errorf("bulk approve shows a storage failure to the user (status %d): flash %q", res.status, flash)
	}
	wantContains(t, "approve flash", flash, "1: an internal error, logged as request ")
	id := flash[strings.LastIndex(flash, " ")+1:]
	wantContains(t, "log", app.logs.String(), `"request_id":"`+id+`","order_id":1,"err":"`, "sql: database is closed")
}

// TestBlotterWorkflowInTheBrowser: a PM's order appears for the trader, who
// approves (never their own), blocks, releases; a fill shows in the blotter.
func TestBlotterWorkflowInTheBrowser(t *testing.T) {
	app := newOrderApp(t)
	id := app.createOrder("pm", buyGrowth)
	own := app.createOrder("pmtrader", buyGrowth)

	trader := app.signedIn("pmtrader")
	res := app.get(trader, "/blotter")
	wantStatus(t, "blotter", res, http.StatusOK)
	wantContains(t, "blotter", res.body, `data-order="`+fmt.Sprint(id)+`"`, fmt.Sprintf(`/orders/%d/approve`, id), "Block selected", `sse-connect="/blotter/events?since=`)
	if strings.Contains(res.body, fmt.Sprintf(`/orders/%d/approve`, own)) {
		t.Errorf("the blotter offers pmtrader the approval of their own order %d", own)
	}
	// The hidden button is refused too.
	res = app.postForm(trader, fmt.Sprintf("/orders/%d/approve", own), url.Values{})
	wantStatus(t, "self-approval", res, http.StatusSeeOther)
	res = app.get(trader, "/blotter")
	wantContains(t, "self-approval flash", res.body, "four eyes")

	res = app.postForm(trader, "/blotter/orders", url.Values{"action": {"approve"}, "id": {fmt.Sprint(id), fmt.Sprint(own)}})
	wantStatus(t, "bulk approve", res, http.StatusSeeOther)
	res = app.get(trader, "/blotter")
	wantContains(t, "bulk approve flash", res.body, "1 of 2 orders approved", fmt.Sprintf("%d: ", own))

	res = app.postForm(trader, "/blotter/orders", url.Values{"action": {"block"}, "id": {fmt.Sprint(id)}, "broker": {"SIM"}})
	wantStatus(t, "block", res, http.StatusSeeOther)
	res = app.get(trader, "/blotter")
	wantContains(t, "block flash", res.body, "created at SIM", `data-block="1"`, "/blocks/1/release")
	res = app.postForm(trader, "/blocks/1/release", url.Values{})
	wantStatus(t, "release", res, http.StatusSeeOther)
	if len(app.sender.sent) != 1 {
		t.Fatalf("sender got %d requests", len(app.sender.sent))
	}
	_, err := app.desk.svc.BookExecution(context.Background(), order.ExecutionReport{Session: "S", Broker: "SIM", ExecID: "F1",
		Kind: order.ExecPartialFill, ClOrdID: app.sender.sent[0].ClOrdID, LastQty: decimal.NewFromInt(100), LastPx: decimal.RequireFromString("20.25"),
		Raw: "8=FIX.4.4|35=8|17=F1|"})
	if err != nil {
		t.Fatal(err)
	}
	res = app.get(trader, "/blotter")
	wantContains(t, "fill", res.body, "partially filled", "20.25")
	res = app.get(trader, fmt.Sprintf("/orders/%d", id))
	wantContains(t, "detail", res.body, "8=FIX.4.4|35=8|17=F1|", "propose", "approve", "release", "partial_fill")
}

func TestBlotterRolesAndRefusals(t *testing.T) {
	app := newOrderApp(t)
	app.createOrder("pm", buyGrowth)
	pm := app.signedIn("pm")
	res := app.get(pm, "/blotter")
	wantStatus(t, "pm blotter", res, http.StatusOK)
	if strings.Contains(res.body, "Approve selected") || strings.Contains(res.body, "/approve") {
		t.Error("a PM is offered approval")
	}
	wantStatus(t, "pm posts an approval", app.postForm(pm, "/orders/1/approve", url.Values{}), http.StatusForbidden)
	wantStatus(t, "pm audit", app.get(pm, "/audit"), http.StatusForbidden)
	res = app.postForm(pm, "/orders", url.Values{"portfolio": {"GROWTH"}, "symbol": {"BBB"}, "side": {"buy"}, "quantity": {"abc"},
		"order_type": {"market"}, "time_in_force": {"day"}})
	wantStatus(t, "bad entry", res, http.StatusUnprocessableEntity)
	wantContains(t, "bad entry", res.body, "is not a decimal number")
	res = app.postForm(pm, "/orders", url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "side": {"sell"}, "quantity": {"5"},
		"order_type": {"market"}, "time_in_force": {"day"}})
	wantStatus(t, "entry", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/orders/2" {
		t.Errorf("entry redirects to %q", loc)
	}
	wantStatus(t, "filter", app.get(pm, "/blotter?state=all&portfolio=GROWTH&date=2026-11-20&status=ready"), http.StatusOK)
	wantStatus(t, "bad filter", app.get(pm, "/blotter?status=nope"), http.StatusUnprocessableEntity)
}

func TestAuditPageAndCSV(t *testing.T) {
	app := newOrderApp(t)
	id := app.createOrder("pm", `{"portfolio":"GROWTH","symbol":"AAA","side":"buy","quantity":"1","notes":"=HYPERLINK(\"x\")"}`)
	c := app.signedIn("compliance")
	res := app.get(c, fmt.Sprintf("/audit?order=%d&user=pm", id))
	wantStatus(t, "audit", res, http.StatusOK)
	wantContains(t, "audit", res.body, "propose", "Export CSV")
	res = app.get(c, "/audit.csv?portfolio=GROWTH")
	wantStatus(t, "csv", res, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("csv Content-Type %q", ct)
	}
	wantContains(t, "csv", res.body, "id,at,actor,action", ",pm,propose,")
	wantStatus(t, "bad audit search", app.get(c, "/audit?from=yesterday"), http.StatusUnprocessableEntity)
}

func TestBlotterEventsStream(t *testing.T) {
	app := newOrderApp(t)
	c := app.signedIn("trader")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := app.request(http.MethodGet, "/blotter/events", nil).WithContext(ctx)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	rd := bufio.NewReader(res.Body)
	if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, ":") {
		t.Fatalf("first line %q", line)
	}
	app.createOrder("pm", buyGrowth)
	waitChange(t, rd)

	// A stream opened after a change the page missed reports it at once.
	req = app.request(http.MethodGet, "/blotter/events?since=0", nil).WithContext(ctx)
	res2, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res2.Body.Close()
	waitChange(t, bufio.NewReader(res2.Body))
}

func waitChange(t *testing.T, rd *bufio.Reader) {
	t.Helper()
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before a change: %v", err)
		}
		if line == "event: change\n" {
			return
		}
	}
}
