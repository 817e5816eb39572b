package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The bad-input catalogue of the order entry, by JSON API and HTML form: one
// named case per bad value, each with its exact outcome — refused (422, the
// field named, nothing stored) or stored as written and shown escaped. The
// other forms are in badinput_fields_test.go; the limits in docs/security.md.

var (
	digits400 = strings.Repeat("9", 400)
	places30  = "0.000000000000000000000000000001"
	scriptTag = "<script>alert(1)</script>"
)

// badNumber is one bad number and the reason every order field gives for it.
type badNumber struct{ name, text, reason string }

// badOrderNumbers are refused in quantity and limit_price alike, by API and form.
var badOrderNumbers = []badNumber{
	{"exponent", "1e3", `"1e3" is not a decimal number`},
	{"exponent 1e400", "1e400", `"1e400" is not a decimal number`},
	{"NaN", "NaN", `"NaN" is not a decimal number`},
	{"Infinity", "Infinity", `"Infinity" is not a decimal number`},
	{"thousands separator", "1,000", `"1,000" is not a decimal number`},
	{"full-width digits", "１０", `"１０" is not a decimal number`},
	{"30 decimal places", places30, `"` + places30 + `" has 30 decimal places, at most 18: too many digits for a number`},
	{"400 digits", digits400, `"9999999999999999999999999999999999999999…" has 400 digits before the point, at most 20: too many digits for a number`},
}

// orderBody is a limit order for one AAA with the given field changed.
func orderBody(field, value string) string {
	in := map[string]string{"portfolio": "GROWTH", "symbol": "AAA", "side": "buy", "quantity": "1",
		"order_type": "limit", "limit_price": "10", "time_in_force": "day"}
	in[field] = value
	b, _ := json.Marshal(in)
	return string(b)
}

// orderCount is how many orders the book holds.
func (a *orderApp) orderCount() int {
	a.t.Helper()
	var n int
	if err := a.db.Reader().QueryRow(`SELECT count(*) FROM orders`).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func TestBadInputOrderAPIRefused(t *testing.T) {
	app := newOrderApp(t)
	pm := app.tokenFor("pm")
	type refusal struct{ name, field, value, reason string }
	var cases []refusal
	for _, field := range []string{"quantity", "limit_price"} {
		for _, n := range badOrderNumbers {
			cases = append(cases, refusal{n.name, field, n.text, n.reason})
		}
	}
	cases = append(cases,
		refusal{"negative", "quantity", "-5", "-5 must be positive"},
		refusal{"zero", "quantity", "0", "0 must be positive"},
		refusal{"negative zero", "quantity", "-0", "0 must be positive"},
		refusal{"negative", "limit_price", "-5", "a positive price is required for a limit order"},
		refusal{"zero", "limit_price", "0", "a positive price is required for a limit order"},
		refusal{"script", "symbol", scriptTag, `"<SCRIPT>ALERT(1)</SCRIPT>" is not a known security`},
		refusal{"zero-width space", "symbol", "AAA\u200b", `"AAA\u200b" is not a known security`},
		refusal{"notes over 1000 characters", "notes", strings.Repeat("🚀", 1001), "has 1001 characters, at most 1000"},
	)
	for _, c := range cases {
		t.Run(c.field+" "+c.name, func(t *testing.T) {
			res := app.apiDo(pm, http.MethodPost, "/api/v1/orders", orderBody(c.field, c.value))
			wantFieldRefused(t, c.name, res, c.field, c.reason)
		})
	}
	// A number as a JSON number, and a body over 64 KB, are not the JSON expected.
	wantRefused(t, "JSON number", app.apiDo(pm, http.MethodPost, "/api/v1/orders",
		`{"portfolio":"GROWTH","symbol":"AAA","side":"buy","quantity":100}`), http.StatusBadRequest, "cannot unmarshal number")
	wantRefused(t, "100 KB notes", app.apiDo(pm, http.MethodPost, "/api/v1/orders", orderBody("notes", strings.Repeat("n", 100<<10))),
		http.StatusBadRequest, "request body too large")
	if n := app.orderCount(); n != 0 {
		t.Errorf("%d orders stored by refused requests", n)
	}
}

// wantFieldRefused wants a 422 JSON refusal whose error and whose fields
// entry for field (the API's name) both say reason.
func wantFieldRefused(t *testing.T, what string, res response, field, reason string) {
	t.Helper()
	wantJSONError(t, what, res, http.StatusUnprocessableEntity)
	var out struct {
		Error  string
		Fields map[string]string
	}
	_ = json.Unmarshal([]byte(res.body), &out)
	if !strings.Contains(out.Error, reason) || !strings.Contains(out.Fields[field], reason) {
		t.Errorf("%s: refusal %q, fields %q: want %s to say %q", what, out.Error, out.Fields, field, reason)
	}
}

func TestBadInputOrderAPIAccepted(t *testing.T) {
	app := newOrderApp(t)
	pm := app.tokenFor("pm")
	for _, c := range []struct{ name, field, value, want string }{
		{"18 decimal places", "quantity", "0.000000000000000001", `"quantity":"0.000000000000000001"`},
		{"20 digits", "limit_price", "99999999999999999999", `"limit_price":"99999999999999999999"`},
		{"trailing zeros", "quantity", "100.000000000000000000", `"quantity":"100"`},
		{"leading plus and spaces", "quantity", " +7 ", `"quantity":"7"`},
		{"script in notes", "notes", scriptTag, `"notes":"\u003cscript\u003ealert(1)\u003c/script\u003e"`},
		{"RTL override in notes", "notes", "\u202egnp.exe", "\"notes\":\"\u202egnp.exe\""},
		{"zero-width and emoji in notes", "notes", "zero\u200bwidth 🚀", "\"notes\":\"zero\u200bwidth 🚀\""},
		{"formula in notes", "notes", "=cmd|' /C calc'!A0", `"notes":"=cmd|' /C calc'!A0"`},
		{"lower-case symbol", "symbol", "aaa", `"symbol":"AAA"`},
	} {
		res := app.apiDo(pm, http.MethodPost, "/api/v1/orders", orderBody(c.field, c.value))
		wantStatus(t, c.name, res, http.StatusCreated)
		wantContains(t, c.name, res.body, c.want)
	}
}

func TestBadInputOrderReplaceAPI(t *testing.T) {
	app := newOrderApp(t)
	id := app.createOrder("pm", orderBody("quantity", "5"))
	path := fmt.Sprintf("/api/v1/orders/%d/replace", id)
	pm := app.tokenFor("pm")
	for _, c := range []struct{ name, body, field, reason string }{
		{"exponent", `{"quantity":"1e3"}`, "quantity", `"1e3" is not a positive decimal`},
		{"negative", `{"quantity":"-1"}`, "quantity", `"-1" is not a positive decimal`},
		{"zero", `{"quantity":"0"}`, "quantity", `"0" is not a positive decimal`},
		{"30 decimal places", `{"quantity":"` + places30 + `"}`, "quantity", "has 30 decimal places, at most 18"},
		{"400 digits", `{"quantity":"` + digits400 + `"}`, "quantity", "has 400 digits before the point, at most 20"},
		{"NaN limit", `{"quantity":"5","limit_price":"NaN"}`, "limit_price", `"NaN" is not a decimal`},
		{"400-digit limit", `{"quantity":"5","limit_price":"` + digits400 + `"}`, "limit_price", "has 400 digits before the point"},
	} {
		wantFieldRefused(t, c.name, app.apiDo(pm, http.MethodPost, path, c.body), c.field, c.reason)
	}
	res := app.apiDo(pm, http.MethodGet, fmt.Sprintf("/api/v1/orders/%d", id), "")
	wantContains(t, "after refused replaces", res.body, `"quantity":"5"`, `"limit_price":"10"`)
}

// orderForm is the order entry form for one AAA with the given field changed.
func orderForm(field, value string) url.Values {
	f := url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "side": {"buy"}, "quantity": {"1"},
		"order_type": {"limit"}, "limit_price": {"10"}, "time_in_force": {"day"}}
	f.Set(field, value)
	return f
}

func TestBadInputOrderFormRefused(t *testing.T) {
	app := newOrderApp(t)
	pm := app.signedIn("pm")
	for _, field := range []string{"quantity", "limit_price"} {
		for _, n := range append(badOrderNumbers, badNumber{"negative", "-5", ""}) {
			t.Run(field+" "+n.name, func(t *testing.T) {
				res := app.postForm(pm, "/orders", orderForm(field, n.text))
				wantStatus(t, n.name, res, http.StatusUnprocessableEntity)
				wantContains(t, n.name, res.body, `id="`+field+`" name="`+field+`"`, `class="field-error"`)
				if n.reason != "" {
					wantContains(t, n.name, res.body, strings.ReplaceAll(n.reason, `"`, "&#34;"))
				}
			})
		}
	}
	// Free text comes back in the form escaped, never as markup.
	res := app.postForm(pm, "/orders", orderForm("symbol", scriptTag))
	wantStatus(t, "script symbol", res, http.StatusUnprocessableEntity)
	wantContains(t, "script symbol", res.body, `value="&lt;script&gt;alert(1)&lt;/script&gt;"`)
	res = app.postForm(pm, "/orders", orderForm("notes", strings.Repeat("n", 2000)))
	wantStatus(t, "2,000-character notes", res, http.StatusUnprocessableEntity)
	wantContains(t, "2,000-character notes", res.body, "has 2000 characters, at most 1000")
	// A form past the browser forms' cap is refused whole, before any handler reads it.
	res = app.postForm(pm, "/orders", orderForm("notes", strings.Repeat("n", 5<<20)))
	wantStatus(t, "5 MB notes", res, http.StatusRequestEntityTooLarge)
	wantContains(t, "5 MB notes", res.body, "The form is larger than 1 MB; nothing was saved.")
	if strings.Contains(res.body, "<script>alert") {
		t.Error("a refused form echoed a script tag unescaped")
	}
	if n := app.orderCount(); n != 0 {
		t.Errorf("%d orders stored by refused forms", n)
	}
}

// TestBadInputTextShownEscaped stores hostile text through the form and the
// API and reads it back on every page that shows it: escaped, never markup.
func TestBadInputTextShownEscaped(t *testing.T) {
	app := newOrderApp(t)
	pm := app.signedIn("pm")
	res := app.postForm(pm, "/orders", orderForm("notes", scriptTag+" \u202eRTL 🚀"))
	wantStatus(t, "form with script notes", res, http.StatusSeeOther)
	page := app.get(pm, res.header.Get("Location"))
	wantContains(t, "order page", page.body, "&lt;script&gt;alert(1)&lt;/script&gt; \u202eRTL 🚀")
	id := app.createOrder("pm", orderBody("notes", `"><img src=x onerror=alert(1)>`))
	res = app.apiDo(app.tokenFor("pm"), http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/cancel", id),
		`{"reason":"=cmd|' /C calc'!A0 `+scriptTag+`"}`)
	wantStatus(t, "cancel with a script reason", res, http.StatusOK)
	c := app.signedIn("compliance")
	for _, path := range []string{fmt.Sprintf("/orders/%d", id), "/blotter?state=all", fmt.Sprintf("/audit?order=%d", id)} {
		res := app.get(c, path)
		wantStatus(t, path, res, http.StatusOK)
		if body := res.body; strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s shows hostile text unescaped", path)
		}
	}
	wantContains(t, "order page", app.get(c, fmt.Sprintf("/orders/%d", id)).body,
		"&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "=cmd|&#39; /C calc&#39;!A0 &lt;script&gt;alert(1)&lt;/script&gt;")
	recs, err := csv.NewReader(strings.NewReader(app.get(c, fmt.Sprintf("/audit.csv?order=%d", id)).body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var cancelled bool
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("audit.csv cell %q would run as a formula", cell)
			}
		}
		cancelled = cancelled || rec[9] == "'=cmd|' /C calc'!A0 "+scriptTag
	}
	if !cancelled {
		t.Errorf("audit.csv %v: want the cancel reason with a leading apostrophe", recs)
	}
}
