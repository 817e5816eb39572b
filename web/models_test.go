package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func modelForm(name string, rows ...string) url.Values {
	f := url.Values{"name": {name}, "band": {"1.5"}}
	for _, r := range rows {
		p := strings.Split(r, ",")
		f.Add("symbol", p[0])
		f.Add("weight", p[1])
		band := ""
		if len(p) > 2 {
			band = p[2]
		}
		f.Add("target_band", band)
	}
	return f
}

func TestModelListAndEdit(t *testing.T) {
	app := newTestApp(t)
	pm := app.signedIn("pm")
	res := app.get(pm, "/models")
	wantStatus(t, "models", res, http.StatusOK)
	wantContains(t, "models", res.body, `href="/models/Core"`, "GROWTH", "New model")
	res = app.get(pm, "/models/Core")
	wantStatus(t, "edit Core", res, http.StatusOK)
	wantContains(t, "edit Core", res.body, `value="AAA"`, `value="CASH"`, `data-testid="model-sum">100<`, `hx-post="/models/check"`)
	admin := app.signedIn("admin")
	res = app.get(admin, "/models/Core")
	wantStatus(t, "Core as admin", res, http.StatusOK)
	if strings.Contains(res.body, "Save model") {
		t.Error("a non-PM is offered to save the model")
	}
	if strings.Contains(app.get(admin, "/models").body, "New model") {
		t.Error("a non-PM is offered a new model")
	}
	wantStatus(t, "new as admin", app.get(admin, "/models/new"), http.StatusForbidden)
	wantStatus(t, "save as admin", app.postForm(admin, "/models", modelForm("X", "AAA,100")), http.StatusForbidden)
	wantStatus(t, "unknown model", app.get(pm, "/models/Nope"), http.StatusNotFound)
}

func TestModelSaveValidates(t *testing.T) {
	app := newTestApp(t)
	pm := app.signedIn("pm")
	tests := []struct {
		name string
		form url.Values
		want []string
	}{
		{"short of 100", modelForm("Tilt", "AAA,60", "CASH,39.5"), []string{"Weights sum to 99.5, 0.5 short of 100."}},
		{"over 100", modelForm("Tilt", "AAA,60", "BBB,41"), []string{"Weights sum to 101, 1 over 100."}},
		{"unknown symbol", modelForm("Tilt", "ZZZ,100"), []string{"ZZZ is not a known security"}},
		{"bad weight", modelForm("Tilt", "AAA,lots", "CASH,100"), []string{`weight &#34;lots&#34; is not a number`}},
		{"duplicate", modelForm("Tilt", "AAA,50", "AAA,50"), []string{"AAA is already on line 1"}},
		{"bad band", modelForm("Tilt", "AAA,100,wide"), []string{"band &#34;wide&#34;"}},
		{"no name", modelForm("", "AAA,100"), []string{"Give the model a name."}},
		{"taken", modelForm("Core", "AAA,100"), []string{"A model with this name exists"}},
		{"dot", modelForm(".", "AAA,100"), []string{"&#34;.&#34; cannot be a model name"}},
		{"dot dot", modelForm("..", "AAA,100"), []string{"&#34;..&#34; cannot be a model name"}},
		{"empty", modelForm("Tilt"), []string{"Add at least one target"}},
	}
	for _, tc := range tests {
		res := app.postForm(pm, "/models", tc.form)
		wantStatus(t, tc.name, res, http.StatusUnprocessableEntity)
		wantContains(t, tc.name, res.body, tc.want...)
		if sumOnly := strings.Contains(tc.want[0], "sum to") || strings.HasPrefix(tc.want[0], "Add"); !sumOnly {
			wantContains(t, tc.name, res.body, `aria-invalid="true"`)
		}
	}
	if n := len(app.store.rb.saved); n != 0 {
		t.Fatalf("%d invalid models saved", n)
	}
	res := app.postForm(pm, "/models", modelForm("Tilt", "aaa,0", "AAA,55,10%", "cash,45"))
	wantStatus(t, "lower-case symbol", res, http.StatusUnprocessableEntity)
	res = app.postForm(pm, "/models", modelForm("Tilt", "AAA,55,10%", "cash,45"))
	wantStatus(t, "valid model", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/models/Tilt" {
		t.Errorf("redirect to %q", loc)
	}
	saved := app.store.rb.saved
	if len(saved) != 1 || saved[0].Name != "Tilt" || saved[0].Band.String() != "±1.5" || len(saved[0].Targets) != 2 ||
		saved[0].Targets[0].Band.String() != "±10%" || saved[0].Targets[1].Symbol != "CASH" {
		t.Fatalf("saved %+v", saved)
	}
	res = app.get(pm, "/models/Tilt")
	wantContains(t, "after save", res.body, "Saved model Tilt: 2 targets.")
}

func TestModelCheckFragment(t *testing.T) {
	app := newTestApp(t)
	pm := app.signedIn("pm")
	req := app.request(http.MethodPost, "/models/check", strings.NewReader(modelForm("Tilt", "AAA,30", "CASH,20").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	res := app.do(pm, req)
	wantStatus(t, "check", res, http.StatusOK)
	wantContains(t, "check", res.body, `id="model-check"`, `data-testid="model-sum">50<`, "50 short of 100")
	if strings.Contains(res.body, "<html") {
		t.Error("the check answers a whole page to htmx")
	}
}
