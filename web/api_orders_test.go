package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// createOrder posts a manual order as name and returns its id.
func (a *orderApp) createOrder(name, body string) int64 {
	a.t.Helper()
	res := a.apiDo(a.tokenFor(name), http.MethodPost, "/api/v1/orders", body)
	if res.status != http.StatusCreated {
		a.t.Fatalf("create order: %d %s", res.status, res.body)
	}
	var o orderJSON
	if err := json.Unmarshal([]byte(res.body), &o); err != nil {
		a.t.Fatal(err)
	}
	return o.ID
}

const buyGrowth = `{"portfolio":"GROWTH","symbol":"BBB","side":"buy","quantity":"300","order_type":"limit","limit_price":"20.5","time_in_force":"day"}`

func TestAPIOrderLifecycle(t *testing.T) {
	app := newOrderApp(t)
	res := app.apiDo(app.tokenFor("pm"), http.MethodPost, "/api/v1/orders", buyGrowth)
	wantStatus(t, "create", res, http.StatusCreated)
	var o orderJSON
	if err := json.Unmarshal([]byte(res.body), &o); err != nil {
		t.Fatal(err)
	}
	if o.ID == 0 || o.Status != "ready" || o.Quantity != "300" || o.LimitPrice != "20.5" || o.Compliance == nil || o.Compliance.Verdict != "pass" {
		t.Fatalf("created %+v", o)
	}
	if !strings.Contains(res.body, `"quantity":"300"`) {
		t.Errorf("decimals must be strings: %s", res.body)
	}
	tr := app.tokenFor("trader")
	res = app.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/approve", o.ID), "")
	wantStatus(t, "approve", res, http.StatusOK)
	wantContains(t, "approve", res.body, `"status":"approved"`, `"approved_by":"trader"`)

	res = app.apiDo(tr, http.MethodPost, "/api/v1/blocks", fmt.Sprintf(`{"order_ids":[%d],"broker":"SIM"}`, o.ID))
	wantStatus(t, "block", res, http.StatusCreated)
	var b blockJSON
	_ = json.Unmarshal([]byte(res.body), &b)
	res = app.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/blocks/%d/release", b.ID), "")
	wantStatus(t, "release", res, http.StatusOK)
	wantContains(t, "release", res.body, `"status":"sent"`)
	if len(app.sender.sent) != 1 || app.sender.sent[0].Quantity.String() != "300" {
		t.Errorf("sender got %+v", app.sender.sent)
	}
	res = app.apiDo(tr, http.MethodGet, "/api/v1/orders?status=sent&portfolio=GROWTH", "")
	wantStatus(t, "list", res, http.StatusOK)
	wantContains(t, "list", res.body, `"total":1`, `"broker":"SIM"`)
	res = app.apiDo(tr, http.MethodGet, "/api/v1/orders?from=2026-11-20&to=2026-11-20", "")
	wantContains(t, "date range", res.body, `"total":1`)
	res = app.apiDo(tr, http.MethodGet, "/api/v1/orders?from=2026-11-21", "")
	wantContains(t, "after the day", res.body, `"total":0`)
	res = app.apiDo(tr, http.MethodGet, "/api/v1/orders?status=filled", "")
	wantContains(t, "list filled", res.body, `"total":0`)
	res = app.apiDo(tr, http.MethodGet, "/api/v1/blocks?state=open", "")
	wantContains(t, "blocks", res.body, fmt.Sprintf(`"id":%d`, b.ID), `"leaves_qty":"300"`)
	res = app.apiDo(app.tokenFor("compliance"), http.MethodGet, fmt.Sprintf("/api/v1/audit?order=%d", o.ID), "")
	wantStatus(t, "audit", res, http.StatusOK)
	wantContains(t, "audit", res.body, `"action":"propose"`, `"action":"approve"`, `"action":"release"`)
	wantRefused(t, "audit for a trader", app.apiDo(tr, http.MethodGet, "/api/v1/audit", ""), http.StatusForbidden, "role")
}

// TestAPIFourEyesCannotBeBypassed tries every way round four eyes.
func TestAPIFourEyesCannotBeBypassed(t *testing.T) {
	app := newOrderApp(t)
	own := app.createOrder("pmtrader", buyGrowth)
	approve := func(name string, id int64, body string) response {
		return app.apiDo(app.tokenFor(name), http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/approve", id), body)
	}
	wantRefused(t, "self-approval", approve("pmtrader", own, ""), http.StatusForbidden, "four eyes")
	wantRefused(t, "a trader override smuggled in the body", approve("pmtrader", own, `{"override":"urgent"}`), http.StatusBadRequest, "unknown field")
	wantRefused(t, "approval smuggled in the body", approve("pmtrader", own, `{"approved_by":"trader"}`), http.StatusBadRequest, "unknown field")
	wantRefused(t, "pm without trader role", approve("pm", own, ""), http.StatusForbidden, "not a trader")
	wantRefused(t, "compliance", approve("compliance", own, ""), http.StatusForbidden, "not a trader")
	wantStatus(t, "another trader", approve("trader", own, ""), http.StatusOK)
	wantRefused(t, "approving twice", approve("trader2", own, ""), http.StatusConflict, "not ready")

	// An amendment makes the amender a second proposer: they cannot approve it either.
	id := app.createOrder("pm", buyGrowth)
	res := app.apiDo(app.tokenFor("trader"), http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/replace", id), `{"quantity":"400","limit_price":"21"}`)
	wantStatus(t, "amend", res, http.StatusOK)
	wantRefused(t, "amender approves", approve("trader", id, ""), http.StatusForbidden, "amended it")
	wantStatus(t, "someone else approves the amendment", approve("trader2", id, ""), http.StatusOK)
}

func TestAPIOrderRefusals(t *testing.T) {
	app := newOrderApp(t)
	pm, tr := app.tokenFor("pm"), app.tokenFor("trader")
	res := app.apiDo(pm, http.MethodPost, "/api/v1/orders", `{"portfolio":"NOPE","symbol":"BBB","side":"hold","quantity":"-1","order_type":"limit"}`)
	wantRefused(t, "bad order", res, http.StatusUnprocessableEntity, "side")
	wantContains(t, "bad order fields", res.body, `"fields"`, `"quantity"`, `"limit_price"`)
	res = app.apiDo(pm, http.MethodPost, "/api/v1/orders", `{"portfolio":"NOPE","symbol":"BBB","side":"buy","quantity":"1"}`)
	wantRefused(t, "unknown portfolio", res, http.StatusUnprocessableEntity, "NOPE")
	wantRefused(t, "quantity as a number", app.apiDo(pm, http.MethodPost, "/api/v1/orders", `{"quantity":1}`), http.StatusBadRequest, "JSON")
	wantRefused(t, "compliance enters", app.apiDo(app.tokenFor("compliance"), http.MethodPost, "/api/v1/orders", buyGrowth), http.StatusForbidden, "neither pm nor trader")
	wantRefused(t, "unknown order", app.apiDo(tr, http.MethodPost, "/api/v1/orders/999/approve", ""), http.StatusNotFound, "999")

	id := app.createOrder("pm", buyGrowth)
	wantRefused(t, "block of an unapproved order", app.apiDo(tr, http.MethodPost, "/api/v1/blocks", fmt.Sprintf(`{"order_ids":[%d],"broker":"SIM"}`, id)),
		http.StatusConflict, "not an approved")
	wantRefused(t, "pm makes a block", app.apiDo(pm, http.MethodPost, "/api/v1/blocks", fmt.Sprintf(`{"order_ids":[%d],"broker":"SIM"}`, id)),
		http.StatusForbidden, "not a trader")

	app.now = app.now.Add(9 * time.Hour) // past 16:30, the end of the trading day
	res = app.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/approve", id), "")
	wantRefused(t, "approval after expiry", res, http.StatusConflict, "expired at 2026-11-20T16:30:00Z")
	res = app.apiDo(tr, http.MethodGet, "/api/v1/orders?status=expired", "")
	wantContains(t, "expired", res.body, `"total":1`)

	wantRefused(t, "bad status filter", app.apiDo(tr, http.MethodGet, "/api/v1/orders?status=nope", ""), http.StatusUnprocessableEntity, "status")
	wantRefused(t, "cancel by a stranger", app.apiDo(app.tokenFor("compliance"), http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/cancel", app.createOrder("pm", buyGrowth)), ""),
		http.StatusForbidden, "compliance is neither pm nor trader")
}
