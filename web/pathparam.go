package web

import (
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
)

// pathParam is the route parameter name as stored: a portfolio code, a model
// or a broker name, unescaped. Links escape such names one segment each
// (views.Path), so "BF/B" arrives as "BF%2FB". The router then matches on
// the escaped path (r.URL.RawPath, so the '/' inside stays in the one
// segment) and its parameters keep the escapes; when the path needed no
// escape beyond the usual ones, RawPath is empty and the parameter is
// already plain, and unescaping it again would misread a '%' in it.
func pathParam(r *http.Request, name string) string {
	v := chi.URLParam(r, name)
	if r.URL.RawPath == "" {
		return v
	}
	if plain, err := url.PathUnescape(v); err == nil {
		return plain
	}
	return v
}
