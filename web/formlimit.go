package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// maxForm bounds a browser form (every POST but the CSV upload, which is
// multipart and has its own limit). The largest forms are a rebalance of
// hand-picked portfolios (a code each) and its preview's 500 editable lines,
// tens of KB; a field is bounded by its own rules (notes: 1,000 characters).
const maxForm = 1 << 20

// limitForms reads a url-encoded browser form before any handler does and
// refuses one over maxForm with 413, so that no handler acts on a form cut
// short: Go's own limit is 10 MB, and a handler reading a truncated form
// would see its later fields as empty (a cancel without its reason).
func (s *server) limitForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					s.fail(w, r, fault(kindTooLarge, fmt.Sprintf("The form is larger than %d MB; nothing was saved.", maxForm>>20)))
					return
				}
				s.fail(w, r, fault(kindInvalid, "The form could not be read."))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
