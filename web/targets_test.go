package web

import (
	"net/http"
	"net/url"
	"testing"
)

func TestPortfolioOwnTargets(t *testing.T) {
	app := newTestApp(t)
	pm := app.signedIn("pm")
	res := app.get(pm, "/portfolios/EMPTY/drift")
	wantContains(t, "no targets", res.body, `href="/portfolios/EMPTY/targets"`)
	res = app.get(pm, "/portfolios/EMPTY/targets")
	wantStatus(t, "targets form", res, http.StatusOK)
	wantContains(t, "targets form", res.body, "Own targets of EMPTY", `action="/portfolios/EMPTY/targets"`, `value="CASH"`, "Save targets")
	res = app.postForm(pm, "/portfolios/EMPTY/targets", modelForm("ignored", "AAA,50", "CASH,40"))
	wantStatus(t, "short targets", res, http.StatusUnprocessableEntity)
	wantContains(t, "short targets", res.body, "Weights sum to 90, 10 short of 100.", "Own targets of EMPTY")
	res = app.postForm(pm, "/portfolios/EMPTY/targets", modelForm("ignored", "AAA,50", "CASH,50"))
	wantStatus(t, "save targets", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/portfolios/EMPTY/drift" {
		t.Errorf("redirect to %q", loc)
	}
	res = app.get(pm, "/portfolios/EMPTY/drift")
	wantContains(t, "drift on own targets", res.body, "Saved 2 targets of EMPTY.", `data-testid="model">own targets<`, `<tr data-symbol="AAA">`, `href="/portfolios/EMPTY/targets"`)

	// GROWTH follows Core: its own targets apply once it stops following.
	res = app.get(pm, "/portfolios/GROWTH/targets")
	wantContains(t, "following a model", res.body, "follows the model Core", `name="unfollow"`, `value="AAA"`)
	form := modelForm("GROWTH", "AAA,100")
	res = app.postForm(pm, "/portfolios/GROWTH/targets", form)
	wantStatus(t, "save without unfollowing", res, http.StatusSeeOther)
	wantContains(t, "still on Core", app.get(pm, "/portfolios/GROWTH/drift").body, `data-testid="model">Core<`)
	form.Set("unfollow", "1")
	app.postForm(pm, "/portfolios/GROWTH/targets", form)
	wantContains(t, "on own targets", app.get(pm, "/portfolios/GROWTH/drift").body, `data-testid="model">own targets<`)

	wantStatus(t, "unknown", app.get(pm, "/portfolios/NOPE/targets"), http.StatusNotFound)
	wantStatus(t, "admin", app.postForm(app.signedIn("admin"), "/portfolios/EMPTY/targets", url.Values{}), http.StatusForbidden)
}
