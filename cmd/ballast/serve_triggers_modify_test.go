package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestModifiedConditionIsWatchedOnlyOnceApprovedAgain: a trader who modifies
// an active stop-loss through its page is told it needs approving again; it
// leaves the engine, its approval is withdrawn, the modifier may not approve
// it, and once another trader approves the new level it fires with the order
// approved in that trader's name.
func TestModifiedConditionIsWatchedOnlyOnceApprovedAgain(t *testing.T) {
	ld := newLiveDesk(t)
	pos := ld.demoHolding(t)
	ld.postPrice(t, pos.Symbol, "100")
	var c condOut
	if code := ld.call(t, "pm", "POST", "/api/v1/conditions", map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol,
		"kind": "stop_loss", "trigger_price": "90"}, &c); code != http.StatusCreated {
		t.Fatalf("create: %d %+v", code, c)
	}
	approve := fmt.Sprintf("/api/v1/conditions/%d/approve", c.ID)
	if code := ld.call(t, "trader", "POST", approve, nil, &c); code != http.StatusOK || c.State != "active" {
		t.Fatalf("approve: %d %+v", code, c)
	}
	if _, ok := ld.live.triggers.engine.Get(c.ID); !ok {
		t.Fatal("the approved condition is not watched")
	}

	tc := signInAs(t, ld.srv.URL, "trader")
	code, body := tc.post(fmt.Sprintf("/conditions/%d", c.ID), url.Values{"portfolio": {pos.Portfolio}, "symbol": {pos.Symbol},
		"kind": {"stop_loss"}, "trigger_price": {"95"}, "version": {"2"}})
	if code != http.StatusOK || !strings.Contains(body, "Its new terms need a trader&#39;s approval") {
		i := strings.Index(body, "flash")
		t.Fatalf("modify from the page: %d\n%.600s", code, body[max(i, 0):])
	}
	var got struct {
		State      string `json:"state"`
		ApprovedBy string `json:"approved_by"`
		AmendedBy  string `json:"amended_by"`
		Level      string `json:"level"`
	}
	ld.call(t, "pm", "GET", fmt.Sprintf("/api/v1/conditions/%d", c.ID), nil, &got)
	if got.State != "pending_approval" || got.ApprovedBy != "" || got.AmendedBy != "trader" || got.Level != "95" {
		t.Fatalf("after the modification: %+v", got)
	}
	if _, ok := ld.live.triggers.engine.Get(c.ID); ok {
		t.Fatal("the modified condition is still watched")
	}
	var refused condOut
	if code := ld.call(t, "trader", "POST", approve, nil, &refused); code != http.StatusForbidden || !strings.Contains(refused.Error, "modified it") {
		t.Fatalf("the modifier approves: %d %+v", code, refused)
	}
	if code := ld.call(t, "trader2", "POST", approve, nil, &c); code != http.StatusOK || c.State != "active" {
		t.Fatalf("another trader approves: %d %+v", code, c)
	}
	ld.postPrice(t, pos.Symbol, "94")
	fired := ld.waitCondition(t, c.ID, "fired with an order", func(c condOut) bool { return c.State == "triggered" && (c.OrderID != 0 || c.Alert != "") })
	if fired.Alert != "" {
		t.Fatalf("fired: %+v", fired)
	}
	detail, err := ld.orders.store.OrderDetail(context.Background(), fired.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if detail.Order.ProposedBy != "pm" || detail.Order.ApprovedBy != "trader2" {
		t.Fatalf("fired order proposed by %q, approved by %q; want pm and trader2", detail.Order.ProposedBy, detail.Order.ApprovedBy)
	}
}
