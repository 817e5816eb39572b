package static

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestAssetsServedUnderContentHash(t *testing.T) {
	a, err := newAssets(fstest.MapFS{"css/app.css": {Data: []byte("body{}")}})
	if err != nil {
		t.Fatal(err)
	}
	p := a.Path("css/app.css")
	if !strings.HasPrefix(p, "/static/css/app.") || !strings.HasSuffix(p, ".css") || p == "/static/css/app.css" {
		t.Fatalf("Path = %q, want a hashed name", p)
	}
	changed, _ := newAssets(fstest.MapFS{"css/app.css": {Data: []byte("body{color:red}")}})
	if changed.Path("css/app.css") == p {
		t.Error("different content, same URL")
	}

	tests := []struct {
		path   string
		status int
	}{
		{p, http.StatusOK},
		{"/static/css/app.css", http.StatusNotFound},
		{"/static/css/app.000000000000.css", http.StatusNotFound},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		if rec.Code != tt.status {
			t.Errorf("GET %s: %d, want %d", tt.path, rec.Code, tt.status)
		}
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("Cache-Control %q", cc)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") || rec.Body.String() != "body{}" {
		t.Errorf("Content-Type %q, body %q", ct, rec.Body.String())
	}
}

func TestEmbeddedAssetsIncludeHTMX(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"vendor/htmx-2.0.11.min.js", "vendor/htmx-ext-sse-2.2.4.js", "css/ballast.css", "js/ballast.js"} {
		if strings.Contains(a.Path(name), "missing/") {
			t.Errorf("%s is not embedded", name)
		}
	}
}
