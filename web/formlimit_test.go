package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFormLimitHoldsForEveryEncoding: a form over 1 MB is refused with 413
// whether it is url-encoded or multipart/form-data (to any handler reading
// it with PostFormValue, e.g. the unauthenticated sign-in), and whatever
// the case of its Content-Type.
func TestFormLimitHoldsForEveryEncoding(t *testing.T) {
	app := newTestApp(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("name", "pm")
	_ = mw.WriteField("password", testPassword)
	_ = mw.WriteField("pad", strings.Repeat("x", 2<<20))
	_ = mw.Close()
	req := app.request(http.MethodPost, "/signin", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res := app.do(app.client(), req)
	if res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MB multipart sign-in form: status %d, want 413 like the same form url-encoded", res.status)
	}
	// The url-encoded twin is refused, as designed.
	form := url.Values{"name": {"pm"}, "password": {testPassword}, "pad": {strings.Repeat("x", 2<<20)}}
	res = app.postForm(app.client(), "/signin", form)
	wantStatus(t, "url-encoded twin", res, http.StatusRequestEntityTooLarge)

	req = app.request(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "Application/X-WWW-Form-URLEncoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	wantStatus(t, "url-encoded, another case", app.do(app.client(), req), http.StatusRequestEntityTooLarge)
}

// TestSmallMultipartFormIsRead: a multipart form within the limit reaches
// its handler whole.
func TestSmallMultipartFormIsRead(t *testing.T) {
	app := newTestApp(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("name", "pm")
	_ = mw.WriteField("password", testPassword)
	_ = mw.Close()
	req := app.request(http.MethodPost, "/signin", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res := app.do(app.client(), req)
	wantStatus(t, "multipart sign-in", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/portfolios" {
		t.Errorf("multipart sign-in went to %q", loc)
	}
}

// TestUploadTakesFilesOverTheFormLimit: the CSV upload keeps its own limit
// (10 MB), above the 1 MB of other forms.
func TestUploadTakesFilesOverTheFormLimit(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin")
	csv := append([]byte("symbol,price\n"), bytes.Repeat([]byte("AAA,1.00\n"), (2<<20)/9)...)
	res := app.postFile(c, "prices", "p.csv", csv)
	wantStatus(t, "2 MB file", res, http.StatusSeeOther)
	if len(app.store.imports) != 1 {
		t.Errorf("a 2 MB file was not imported: %v", app.store.imports)
	}
}
