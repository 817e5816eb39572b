package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/order"
)

func idValues(ids ...int64) url.Values {
	v := url.Values{}
	for _, id := range ids {
		v.Add("id", fmt.Sprint(id))
	}
	return v
}

// A trader ticks two approved blocks on the blotter and releases them with
// one button; both are sent.
func TestBlotterReleasesSelectedBlocks(t *testing.T) {
	app := newOrderApp(t)
	ids := app.approvedBlocks(t, 2)
	tc := app.signedIn("trader")
	res := app.get(tc, "/blotter")
	wantContains(t, "blotter", res.body, `<form id="release-blocks" class="actions" method="post" action="/blocks/release">`, "Release selected",
		fmt.Sprintf(`name="id" value="%d" form="release-blocks"`, ids[0]), fmt.Sprintf("/blocks/%d/release", ids[0]))

	res = app.postForm(tc, "/blocks/release", idValues(ids...))
	wantStatus(t, "release selected", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/blotter" {
		t.Errorf("release selected goes to %q", loc)
	}
	for _, id := range ids {
		if s := app.blockStatus(t, id); s != order.Sent {
			t.Errorf("block %d is %s, want sent", id, s)
		}
	}
	if len(app.sender.sent) != 2 {
		t.Errorf("%d sent, want 2", len(app.sender.sent))
	}
	res = app.get(tc, "/blotter")
	wantContains(t, "flash", res.body, fmt.Sprintf("Blocks %d, %d released.", ids[0], ids[1]))
	if strings.Contains(res.body, "Release selected") {
		t.Error("Release selected is offered with no approved block left")
	}
	if pm := app.signedIn("pm"); strings.Contains(app.get(pm, "/blotter").body, "release-blocks") {
		t.Error("a PM is offered to release blocks")
	}
}

// One block that cannot be released (here already sent) refuses the whole
// selection: nothing more is sent, the other block stays approved, and the
// blotter says why.
func TestBlotterReleaseSelectedIsAllOrNothing(t *testing.T) {
	app := newOrderApp(t)
	ids := app.approvedBlocks(t, 2)
	tc := app.signedIn("trader")
	wantStatus(t, "release one", app.postForm(tc, fmt.Sprintf("/blocks/%d/release", ids[1]), url.Values{}), http.StatusSeeOther)
	flashOf(t, app.testApp, tc)

	res := app.postForm(tc, "/blocks/release", idValues(ids...))
	wantStatus(t, "release selected", res, http.StatusSeeOther)
	if s := app.blockStatus(t, ids[0]); s != order.Approved {
		t.Errorf("block %d is %s after a refused selection, want approved", ids[0], s)
	}
	if len(app.sender.sent) != 1 {
		t.Errorf("%d sent, want only the first release's", len(app.sender.sent))
	}
	res = app.get(tc, "/blotter")
	wantContains(t, "flash", res.body, "Blocks not released:", fmt.Sprintf("release block %d", ids[1]), "not an allowed transition")

	res = app.postForm(tc, "/blocks/release", url.Values{"id": {"nope"}})
	wantStatus(t, "bad id", res, http.StatusSeeOther)
	wantContains(t, "bad id flash", flashOf(t, app.testApp, tc), "Select at least one approved block")
}
