// Package static holds Ballast's browser assets — vendored htmx, the stylesheet and
// a little JavaScript — embedded in the binary and served under content-hashed
// URLs, so browsers may cache them for a year and still never see a stale file.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed css js vendor
var embedded embed.FS

// Prefix is the URL path under which Handler serves the assets.
const Prefix = "/static/"

// Assets is the embedded asset set, each file known by its content-hashed name.
type Assets struct {
	hashed map[string]string // "css/ballast.css" → "css/ballast.0123456789ab.css"
	files  map[string]file   // hashed name → file
}

type file struct {
	body  []byte
	etag  string
	ctype string
}

// New reads the embedded files and computes their content hashes.
func New() (*Assets, error) {
	return newAssets(embedded)
}

func newAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{hashed: map[string]string{}, files: map[string]file{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:6])
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "text/plain; charset=utf-8"
		}
		a.hashed[name] = hashed
		a.files[hashed] = file{body: body, etag: `"` + hash + `"`, ctype: ctype}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: read assets: %w", err)
	}
	return a, nil
}

// Path returns the URL path of the named asset ("css/ballast.css"), with its
// content hash in the file name. An unknown name gives a path that answers 404.
func (a *Assets) Path(name string) string {
	if h, ok := a.hashed[name]; ok {
		return Prefix + h
	}
	return Prefix + "missing/" + name
}

// Handler serves the assets under Prefix with long-lived cache headers. Only
// hashed names are served, so a cached copy is always the right one.
func (a *Assets) Handler() http.Handler {
	return http.StripPrefix(strings.TrimSuffix(Prefix, "/"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := a.files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", f.etag)
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
	}))
}
