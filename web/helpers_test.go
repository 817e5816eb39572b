package web

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"github.com/ballast-oms/ballast/user"
)

// testPassword is every fake user's password.
const testPassword = "correct horse battery"

// testHash is testPassword's argon2id hash, computed once: hashing is slow on purpose.
var testHash = sync.OnceValue(func() string {
	h, err := user.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testApp is a running test server over a fake store.
type testApp struct {
	t        testing.TB
	store    *fakeStore
	sessions *memstore.MemStore
	srv      *httptest.Server
	logs     *syncBuffer
}

func newTestApp(t testing.TB) *testApp {
	t.Helper()
	app := &testApp{t: t, store: newFakeStore(testHash()), sessions: memstore.New(), logs: &syncBuffer{}}
	h, err := NewServer(Config{
		Logger:       slog.New(slog.NewJSONHandler(app.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Store:        app.store,
		SessionStore: app.sessions,
		IsNotFound:   func(err error) bool { return errors.Is(err, errNotFound) },
		Now:          func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) },
		Version:      "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(h)
	t.Cleanup(app.srv.Close)
	return app
}

// client returns a browser-like client with its own cookie jar that does not
// follow redirects, so tests can see them.
func (a *testApp) client() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// signedIn returns a client signed in as name.
func (a *testApp) signedIn(name string) *http.Client {
	a.t.Helper()
	c := a.client()
	res := a.postForm(c, "/signin", url.Values{"name": {name}, "password": {testPassword}})
	if res.status != http.StatusSeeOther {
		a.t.Fatalf("sign in as %s: status %d, body %s", name, res.status, res.body)
	}
	return c
}

// response is a read response.
type response struct {
	status int
	header http.Header
	body   string
}

func (a *testApp) do(c *http.Client, req *http.Request) response {
	a.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (a *testApp) request(method, path string, body io.Reader) *http.Request {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	return req
}

func (a *testApp) get(c *http.Client, path string) response {
	a.t.Helper()
	return a.do(c, a.request(http.MethodGet, path, nil))
}

// postForm posts a form the way a same-origin browser page would.
func (a *testApp) postForm(c *http.Client, path string, form url.Values) response {
	a.t.Helper()
	req := a.request(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return a.do(c, req)
}

func wantStatus(t *testing.T, what string, got response, want int) {
	t.Helper()
	if got.status != want {
		t.Fatalf("%s: status %d, want %d; body:\n%s", what, got.status, want, got.body)
	}
}

func wantContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s: body lacks %q; body:\n%s", what, s, body)
		}
	}
}

// flashOf reads the flash message waiting in c's session.
func flashOf(t *testing.T, a *testApp, c *http.Client) string {
	t.Helper()
	u, _ := url.Parse(a.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if !strings.HasSuffix(ck.Name, "ballast_session") {
			continue
		}
		b, found, err := a.sessions.Find(ck.Value)
		if err != nil || !found {
			t.Fatalf("session %v %v", found, err)
		}
		_, vals, err := scs.GobCodec{}.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := vals[flashKey].(string)
		return s
	}
	t.Fatal("no session cookie")
	return ""
}
