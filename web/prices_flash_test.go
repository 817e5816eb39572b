package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPricesPageShowsThePublishedFlash: a price entered by hand returns to
// the prices page, which says what was published (and the next page does
// not say it again).
func TestPricesPageShowsThePublishedFlash(t *testing.T) {
	la := newLiveApp(t)
	trader := la.signedIn("trader")
	res := la.postForm(trader, "/prices", url.Values{"symbol": {"aaa"}, "price": {"101.5"}})
	wantStatus(t, "publish", res, http.StatusSeeOther)
	if got := res.header.Get("Location"); got != "/prices" {
		t.Fatalf("publish goes to %q, want /prices", got)
	}
	wantContains(t, "prices page", la.get(trader, "/prices").body, `class="flash"`, "Published AAA at 101.5.")
	if body := la.get(trader, "/prices").body; strings.Contains(body, "Published AAA") {
		t.Error("the flash is shown twice")
	}
}
