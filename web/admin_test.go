package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/user"
)

func TestCreateUserValidatesFields(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin")
	res := app.postForm(c, "/admin/users", url.Values{"name": {"Bad Name"}, "password": {"short"}})
	wantStatus(t, "bad user", res, http.StatusUnprocessableEntity)
	wantContains(t, "bad user", res.body,
		"Use only lower-case letters", "Choose at least one role.", "Password must be at least 12 characters.",
		`aria-invalid="true"`, `value="Bad Name"`)

	res = app.postForm(c, "/admin/users", url.Values{"name": {"pm"}, "roles": {"pm"}, "password": {testPassword}})
	wantStatus(t, "taken name", res, http.StatusUnprocessableEntity)
	wantContains(t, "taken name", res.body, "That name is taken.")
}

func TestCreateUserThenSignIn(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin")
	res := app.postForm(c, "/admin/users", url.Values{"name": {"carol"}, "roles": {"trader", "compliance"}, "password": {"a long enough password"}})
	wantStatus(t, "create", res, http.StatusSeeOther)
	if got := res.header.Get("Location"); got != "/admin/users" {
		t.Errorf("Location %q", got)
	}
	list := app.get(c, "/admin/users")
	wantContains(t, "users after create", list.body, "User carol created with roles trader, compliance.")
	if again := app.get(c, "/admin/users"); strings.Contains(again.body, "User carol created") {
		t.Error("the confirmation showed twice")
	}
	carol := app.client()
	res = app.postForm(carol, "/signin", url.Values{"name": {"carol"}, "password": {"a long enough password"}})
	wantStatus(t, "carol signs in", res, http.StatusSeeOther)
	wantStatus(t, "carol is no admin", app.get(carol, "/admin/users"), http.StatusForbidden)
}

func TestIssuedTokenWorksOnTheAPI(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("pm")
	page := app.get(c, "/account")
	wantStatus(t, "account page", page, http.StatusOK)
	if !strings.Contains(page.body, `action="/account/tokens"`) {
		t.Fatalf("no token form on the account page:\n%s", page.body)
	}
	res := app.postForm(c, "/account/tokens", url.Values{"label": {"reporting"}})
	wantStatus(t, "issue token", res, http.StatusOK)
	m := regexp.MustCompile(`data-testid="token">(blst_[0-9a-f]+)<`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no token on the page:\n%s", res.body)
	}
	if res.header.Get("Cache-Control") != "no-store" {
		t.Error("the token page may be cached")
	}
	api := app.apiGet(m[1], "/api/v1/portfolios")
	wantStatus(t, "api with issued token", api, http.StatusOK)
	if got := app.store.tokens[user.HashToken(m[1])]; got != 1 {
		t.Errorf("the token acts for user %d, want the pm (1) who issued it", got)
	}
}

// An administrator holding a PM's and a trader's tokens could propose and
// approve alone: tokens are issued by their own user only.
func TestNoTokenForSomeoneElse(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin")
	before := len(app.store.tokens)
	res := app.postForm(c, "/admin/users/1/tokens", url.Values{"label": {"act as pm"}})
	wantStatus(t, "admin issues a token for pm", res, http.StatusForbidden)
	if !strings.Contains(res.body, "cannot issue an API token for pm") {
		t.Errorf("the refusal does not say why:\n%s", res.body)
	}
	if len(app.store.tokens) != before {
		t.Fatalf("a refused token was stored")
	}
	wantStatus(t, "admin's own token", app.postForm(c, "/admin/users/2/tokens", url.Values{"label": {"metrics"}}), http.StatusOK)
	wantStatus(t, "token for unknown user", app.postForm(c, "/admin/users/99/tokens", nil), http.StatusNotFound)
	users := app.get(c, "/admin/users")
	if strings.Contains(users.body, "/tokens") {
		t.Errorf("the users page still offers tokens for other people")
	}
	wantStatus(t, "signed out", app.postForm(app.client(), "/account/tokens", nil), http.StatusSeeOther)
}

// postFile posts a multipart upload as a same-origin browser would.
func (a *testApp) postFile(c *http.Client, kind, name string, content []byte) response {
	a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if kind != "" {
		_ = mw.WriteField("kind", kind)
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			a.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req := a.request(http.MethodPost, "/admin/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return a.do(c, req)
}

func TestUploadImportsOrListsEveryBadLine(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin")

	res := app.postFile(c, "prices", "p.csv", []byte("symbol,price\nAAA,1\nBBB,bad\nCCC,2\nDDD,bad\n"))
	wantStatus(t, "bad file", res, http.StatusUnprocessableEntity)
	wantContains(t, "bad file", res.body, "Nothing was imported: 2 bad line(s).", "line 3: bad number BBB,bad", "line 5: bad number DDD,bad")
	if len(app.store.imports) != 0 {
		t.Error("a bad file was imported")
	}

	res = app.postFile(c, "prices", "p.csv", []byte("symbol,price\nAAA,1\nBBB,2\n"))
	wantStatus(t, "good file", res, http.StatusSeeOther)
	wantContains(t, "after import", app.get(c, "/admin/uploads").body, "Imported prices from p.csv: 2 added, 0 updated.")

	res = app.postFile(c, "", "p.csv", []byte("x\n"))
	wantStatus(t, "no kind", res, http.StatusUnprocessableEntity)
	wantContains(t, "no kind", res.body, "Choose what the file holds.")
	res = app.postFile(c, "prices", "", nil)
	wantStatus(t, "no file", res, http.StatusUnprocessableEntity)
	wantContains(t, "no file", res.body, "Choose a CSV file to upload.")
}

func TestUploadRefusesFilesOver10MB(t *testing.T) {
	app := newTestApp(t)
	c := app.signedIn("admin")
	big := bytes.Repeat([]byte("AAA,1.00\n"), (maxUpload+100<<10)/9)
	res := app.postFile(c, "prices", "big.csv", big)
	wantStatus(t, "big file", res, http.StatusRequestEntityTooLarge)
	wantContains(t, "big file", res.body, "The file is larger than 10 MB.")
	if len(app.store.imports) != 0 {
		t.Error("an oversized file was imported")
	}
}
