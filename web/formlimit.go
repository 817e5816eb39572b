package web

import (
	"errors"
	"fmt"
	"net/http"
)

// maxForm bounds a browser form (every POST but a file upload, which has
// its own limit: fileFormLimit). The largest forms are a rebalance of
// hand-picked portfolios (a code each) and its preview's 500 editable lines,
// tens of KB; a field is bounded by its own rules (notes: 1,000 characters).
const maxForm = 1 << 20

// fileFormLimit returns the larger limit of the body of a POST to path when
// that form carries a file; its handler reads the form itself. No other
// browser POST may send more than maxForm.
func fileFormLimit(path string) (int64, bool) {
	switch path {
	case "/admin/uploads":
		return maxUploadForm, true
	}
	return 0, false
}

// limitForms bounds the body of every browser POST and reads its form,
// url-encoded or multipart, before any handler does, refusing one over
// maxForm with 413, so that no handler acts on a form cut short: Go's own
// limits are 10 MB (url-encoded) and 32 MB in memory plus files on disk
// (multipart), and a handler reading a truncated form would see its later
// fields as empty (a cancel without its reason). A file upload gets its own
// limit and reads its form itself.
func (s *server) limitForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if limit, ok := fileFormLimit(r.URL.Path); ok {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := readForm(r); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				s.fail(w, r, fault(kindTooLarge, fmt.Sprintf("The form is larger than %d MB; nothing was saved.", maxForm>>20)))
				return
			}
			s.fail(w, r, fault(kindInvalid, "The form could not be read."))
			return
		}
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
		next.ServeHTTP(w, r)
	})
}

// readForm reads a posted form whole into r.PostForm, whatever its encoding
// (a body of another type is left unread).
func readForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := r.ParseMultipartForm(maxForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	return nil
}
