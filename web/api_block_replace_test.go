package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
)

// releasedBlockOfTwo enters and approves two orders of 300 BBB, blocks them
// at SIM and releases the block; it returns the block's id.
func (a *orderApp) releasedBlockOfTwo(t *testing.T) int64 {
	t.Helper()
	tr := a.tokenFor("trader")
	var ids []int64
	for range 2 {
		id := a.createOrder("pm", buyGrowth)
		wantStatus(t, "approve", a.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/approve", id), ""), http.StatusOK)
		ids = append(ids, id)
	}
	res := a.apiDo(tr, http.MethodPost, "/api/v1/blocks", fmt.Sprintf(`{"order_ids":[%d,%d],"broker":"SIM"}`, ids[0], ids[1]))
	wantStatus(t, "block", res, http.StatusCreated)
	var b blockJSON
	if err := json.Unmarshal([]byte(res.body), &b); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "release", a.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/blocks/%d/release", b.ID), ""), http.StatusOK)
	if b.Quantity != "600" {
		t.Fatalf("block of two orders of 300: quantity %s", b.Quantity)
	}
	return b.ID
}

// TestAPIBlockReplace replaces a working block of two orders down: the
// request goes to the broker, the block waits in pending replace, and the
// broker's confirmation sets its new quantity and limit price.
func TestAPIBlockReplace(t *testing.T) {
	app := newOrderApp(t)
	id := app.releasedBlockOfTwo(t)
	path := fmt.Sprintf("/api/v1/blocks/%d/replace", id)
	res := app.apiDo(app.tokenFor("trader"), http.MethodPost, path, `{"quantity":"400","limit_price":"21"}`)
	wantStatus(t, "replace", res, http.StatusOK)
	var b blockJSON
	if err := json.Unmarshal([]byte(res.body), &b); err != nil {
		t.Fatal(err)
	}
	if b.ID != id || b.Status != "pending_replace" {
		t.Errorf("answer %+v, want block %d pending replace", b, id)
	}
	if len(app.sender.replaced) != 1 {
		t.Fatalf("broker got %d replace requests", len(app.sender.replaced))
	}
	rq := app.sender.replaced[0]
	if rq.Quantity.String() != "400" || rq.LimitPrice.String() != "21" || rq.OrigClOrdID != app.sender.sent[0].ClOrdID || rq.ClOrdID == rq.OrigClOrdID {
		t.Errorf("replace request %+v (first ClOrdID %s)", rq, app.sender.sent[0].ClOrdID)
	}

	_, err := app.desk.svc.BookExecution(context.Background(), order.ExecutionReport{Session: "S", Broker: "SIM", ExecID: "R1",
		Kind: order.ExecReplaced, ClOrdID: rq.ClOrdID, OrigClOrdID: rq.OrigClOrdID,
		OrderQty: decimal.NewFromInt(400), Price: decimal.RequireFromString("21")})
	if err != nil {
		t.Fatal(err)
	}
	res = app.apiDo(app.tokenFor("trader"), http.MethodGet, "/api/v1/blocks?state=open", "")
	wantContains(t, "after the broker confirms", res.body, fmt.Sprintf(`"id":%d`, id), `"quantity":"400"`, `"leaves_qty":"400"`,
		`"limit_price":"21"`, `"status":"acknowledged"`)
}

func TestAPIBlockReplaceRefusals(t *testing.T) {
	app := newOrderApp(t)
	id := app.releasedBlockOfTwo(t)
	path := fmt.Sprintf("/api/v1/blocks/%d/replace", id)
	tr := app.tokenFor("trader")
	wantRefused(t, "pm replaces a block", app.apiDo(app.tokenFor("pm"), http.MethodPost, path, `{"quantity":"400","limit_price":"21"}`),
		http.StatusForbidden, "not a trader")
	res := app.apiDo(tr, http.MethodPost, path, `{"quantity":"lots","limit_price":"21"}`)
	wantRefused(t, "quantity not a decimal", res, http.StatusUnprocessableEntity, "quantity")
	wantContains(t, "quantity field", res.body, `"fields"`)
	wantRefused(t, "quantity as a number", app.apiDo(tr, http.MethodPost, path, `{"quantity":400}`), http.StatusBadRequest, "JSON")
	wantRefused(t, "more than the orders ask for", app.apiDo(tr, http.MethodPost, path, `{"quantity":"700","limit_price":"21"}`),
		http.StatusUnprocessableEntity, "exceeds the 600")
	wantRefused(t, "limit block without a limit", app.apiDo(tr, http.MethodPost, path, `{"quantity":"400"}`),
		http.StatusUnprocessableEntity, "positive limit price")
	wantRefused(t, "unknown block", app.apiDo(tr, http.MethodPost, "/api/v1/blocks/999/replace", `{"quantity":"400","limit_price":"21"}`),
		http.StatusNotFound, "999")
	if len(app.sender.replaced) != 0 {
		t.Errorf("refusals reached the broker: %+v", app.sender.replaced)
	}
	wantStatus(t, "cancel", app.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/blocks/%d/cancel", id), ""), http.StatusOK)
	wantRefused(t, "replace while pending cancel", app.apiDo(tr, http.MethodPost, path, `{"quantity":"400","limit_price":"21"}`),
		http.StatusConflict, "not an allowed transition")
}

// TestBlotterBlockReplace replaces a working block from the blotter's form.
func TestBlotterBlockReplace(t *testing.T) {
	app := newOrderApp(t)
	id := app.releasedBlockOfTwo(t)
	trader := app.signedIn("trader")
	res := app.get(trader, "/blotter")
	wantContains(t, "replace form", res.body, fmt.Sprintf(`action="/blocks/%d/replace"`, id), `name="quantity" value="600"`)
	res = app.get(app.signedIn("pm"), "/blotter")
	if strings.Contains(res.body, fmt.Sprintf("/blocks/%d/replace", id)) {
		t.Error("the blotter offers a PM the block replace form")
	}
	res = app.postForm(trader, fmt.Sprintf("/blocks/%d/replace", id), url.Values{"quantity": {"abc"}, "limit_price": {"21"}})
	wantStatus(t, "bad quantity", res, http.StatusSeeOther)
	wantContains(t, "bad quantity flash", app.get(trader, "/blotter").body, fmt.Sprintf("Block %d: ", id), "quantity")
	res = app.postForm(trader, fmt.Sprintf("/blocks/%d/replace", id), url.Values{"quantity": {"400"}, "limit_price": {"21"}})
	wantStatus(t, "replace", res, http.StatusSeeOther)
	wantContains(t, "replace flash", app.get(trader, "/blotter").body, fmt.Sprintf("Block %d sent for replacement.", id), "pending replace")
	if len(app.sender.replaced) != 1 || app.sender.replaced[0].Quantity.String() != "400" {
		t.Errorf("broker got %+v", app.sender.replaced)
	}
}
