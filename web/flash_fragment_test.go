package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFlashWaitsForAWholePage: a live blotter's reload (an htmx fragment),
// fired by the very change the trader just made, does not swallow the
// trader's flash; the page the action returns to shows it.
func TestFlashWaitsForAWholePage(t *testing.T) {
	app := newOrderApp(t)
	id := app.createOrder("pm", buyGrowth)
	trader := app.signedIn("trader")
	res := app.postForm(trader, "/blotter/orders", url.Values{"action": {"approve"}, "id": {fmt.Sprint(id)}})
	wantStatus(t, "bulk approve", res, http.StatusSeeOther)

	req := app.request(http.MethodGet, "/blotter", nil)
	req.Header.Set("HX-Request", "true")
	res = app.do(trader, req)
	wantStatus(t, "live reload", res, http.StatusOK)
	if strings.Contains(res.body, "orders approved") || strings.Contains(res.body, "<html") {
		t.Fatalf("the live reload is not a bare fragment, or carries the flash:\n%.400s", res.body)
	}
	res = app.get(trader, "/blotter")
	wantContains(t, "blotter after the live reload", res.body, "1 of 1 orders approved.")
}
