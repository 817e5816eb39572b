package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/order"
)

// approvedBlocks makes n approved blocks at SIM, each of one order of 300
// BBB entered by pm and approved by trader; it returns their ids.
func (a *orderApp) approvedBlocks(t *testing.T, n int) []int64 {
	t.Helper()
	tr := a.tokenFor("trader")
	ids := make([]int64, n)
	for i := range ids {
		o := a.createOrder("pm", buyGrowth)
		wantStatus(t, "approve", a.apiDo(tr, http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/approve", o), ""), http.StatusOK)
		res := a.apiDo(tr, http.MethodPost, "/api/v1/blocks", fmt.Sprintf(`{"order_ids":[%d],"broker":"SIM"}`, o))
		wantStatus(t, "block", res, http.StatusCreated)
		var b blockJSON
		if err := json.Unmarshal([]byte(res.body), &b); err != nil {
			t.Fatal(err)
		}
		ids[i] = b.ID
	}
	return ids
}

// blockStatus reads block id's status from the store.
func (a *orderApp) blockStatus(t *testing.T, id int64) order.Status {
	t.Helper()
	bs, err := a.desk.store.Blocks(context.Background(), order.BlockFilter{State: "all"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.ID == id {
			return b.Status
		}
	}
	t.Fatalf("no block %d", id)
	return ""
}

// The API releases blocks together and answers them as the single release
// does; refusals answer as the single release's do.
func TestAPIReleaseBlocks(t *testing.T) {
	app := newOrderApp(t)
	ids := app.approvedBlocks(t, 3)
	tr := app.tokenFor("trader")
	post := func(token, body string) response {
		return app.apiDo(token, http.MethodPost, "/api/v1/blocks/release", body)
	}
	wantRefused(t, "pm", post(app.tokenFor("pm"), fmt.Sprintf(`{"blocks":[%d]}`, ids[0])), http.StatusForbidden, "")
	wantJSONError(t, "not json", post(tr, `{"blocks":"all"}`), http.StatusBadRequest)
	wantJSONError(t, "unknown field", post(tr, `{"ids":[1]}`), http.StatusBadRequest)
	wantRefused(t, "empty", post(tr, `{"blocks":[]}`), http.StatusUnprocessableEntity, "no blocks")
	wantRefused(t, "twice", post(tr, fmt.Sprintf(`{"blocks":[%d,%d]}`, ids[0], ids[0])), http.StatusUnprocessableEntity, "listed twice")
	wantRefused(t, "unknown", post(tr, fmt.Sprintf(`{"blocks":[%d,999]}`, ids[0])), http.StatusNotFound, "block 999")
	if len(app.sender.sent) != 0 || app.blockStatus(t, ids[0]) != order.Approved {
		t.Fatal("a refused call released something")
	}

	res := post(tr, fmt.Sprintf(`{"blocks":[%d,%d]}`, ids[2], ids[0]))
	wantStatus(t, "release", res, http.StatusOK)
	out := releaseAnswer(t, res.body)
	if len(out.Blocks) != 2 || out.Blocks[0].ID != ids[2] || out.Blocks[1].ID != ids[0] || out.Error != "" {
		t.Fatalf("answer %s", res.body)
	}
	for _, b := range out.Blocks {
		if b.Status != "sent" || b.ClOrdID == "" || b.ReleasedAt == "" || b.Quantity != "300" {
			t.Errorf("released block %+v", b)
		}
	}
	wantRefused(t, "again", post(tr, fmt.Sprintf(`{"blocks":[%d,%d]}`, ids[1], ids[0])), http.StatusConflict, fmt.Sprintf("release block %d", ids[0]))
	if app.blockStatus(t, ids[1]) != order.Approved || len(app.sender.sent) != 2 {
		t.Error("a refused call released something")
	}
}

// A send the broker link refuses after the release rejects that block only:
// the answer is still 200 with every block, and "error" says some were not
// sent without showing the link's own error (it is logged).
func TestAPIReleaseBlocksWithARefusedSend(t *testing.T) {
	app := newOrderApp(t)
	ids := app.approvedBlocks(t, 3)
	calls := 0
	app.sender.refuse = func(order.NewOrderRequest) error {
		if calls++; calls == 2 {
			return errors.New("fix: session SIM down: secret detail")
		}
		return nil
	}
	res := app.apiDo(app.tokenFor("trader"), http.MethodPost, "/api/v1/blocks/release", fmt.Sprintf(`{"blocks":[%d,%d,%d]}`, ids[0], ids[1], ids[2]))
	wantStatus(t, "release", res, http.StatusOK)
	out := releaseAnswer(t, res.body)
	if len(out.Blocks) != 3 || out.Blocks[0].Status != "sent" || out.Blocks[1].Status != "rejected" || out.Blocks[2].Status != "sent" {
		t.Fatalf("answer %s", res.body)
	}
	wantContains(t, "error", out.Error, "not sent: an internal error, logged as request ")
	if strings.Contains(res.body, "secret detail") {
		t.Errorf("the link's error is shown: %s", res.body)
	}
	wantContains(t, "log", app.logs.String(), fmt.Sprintf("release block %d: fix: session SIM down: secret detail", ids[1]))
	if s := app.blockStatus(t, ids[1]); s != order.Rejected {
		t.Errorf("block %d is %s, want rejected", ids[1], s)
	}
}

// releaseAnswer is POST /api/v1/blocks/release's answer.
type releaseAnswerJSON struct {
	Blocks []blockJSON `json:"blocks"`
	Error  string      `json:"error"`
}

func releaseAnswer(t *testing.T, body string) releaseAnswerJSON {
	t.Helper()
	var out releaseAnswerJSON
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
