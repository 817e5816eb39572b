package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ballast-oms/ballast/web/views"
)

// kind is what went wrong, as far as a client is concerned.
type kind int

// The kinds of failure web distinguishes; status maps each to one HTTP code.
const (
	kindInternal kind = iota
	kindInvalid
	kindUnauthorized
	kindForbidden
	kindNotFound
	kindConflict
	kindTooLarge
)

// status is the one place where a kind of failure becomes an HTTP status.
func (k kind) status() int {
	switch k {
	case kindInvalid:
		return http.StatusUnprocessableEntity
	case kindUnauthorized:
		return http.StatusUnauthorized
	case kindForbidden:
		return http.StatusForbidden
	case kindNotFound:
		return http.StatusNotFound
	case kindConflict:
		return http.StatusConflict
	case kindTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// title is the heading of an error page of this kind.
func (k kind) title() string {
	switch k {
	case kindInvalid:
		return "That request could not be processed"
	case kindUnauthorized:
		return "Please sign in"
	case kindForbidden:
		return "Not allowed"
	case kindNotFound:
		return "Not found"
	case kindConflict:
		return "Conflict"
	case kindTooLarge:
		return "Too large"
	}
	return "Something went wrong"
}

// problem is an error with a kind and a message that is safe to show.
type problem struct {
	kind kind
	msg  string
	err  error
}

func (p *problem) Error() string {
	if p.err != nil {
		return p.msg + ": " + p.err.Error()
	}
	return p.msg
}

func (p *problem) Unwrap() error { return p.err }

// fault returns an error of kind k whose message msg may be shown to the user.
func fault(k kind, msg string) error { return &problem{kind: k, msg: msg} }

// classify says which kind err is and what the user may be told about it.
func (s *server) classify(err error) (kind, string) {
	var p *problem
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &p):
		return p.kind, p.msg
	case errors.As(err, &tooBig):
		return kindTooLarge, "The request is larger than Ballast accepts."
	case s.isNotFound(err):
		return kindNotFound, "There is nothing at this address."
	}
	return kindInternal, "Ballast could not complete this request. The problem has been logged; please try again or tell your administrator."
}

// fail answers a page request that failed with an error page (never a blank
// one), logging the cause of internal errors. The page of an internal error
// shows the request's id, never the error's text: the id finds the log line.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	k, msg := s.classify(err)
	id := ""
	if k == kindInternal {
		id = requestID(r.Context())
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path,
			"request_id", id, "err", err)
	}
	s.renderError(w, r, k.status(), k.title(), msg, id)
}

// refusal is what a flash or a form may say about err from the order book
// or the FIX client: a refusal (forbidden, conflict, invalid, not found) says
// why; any other error (storage, network) is logged with the
// request's id and args, and the user is told only that, with the id to
// quote to an administrator, never the error's own text.
func (s *server) refusal(r *http.Request, err error, args ...any) string {
	if k, msg := s.classify(orderFault(err)); k != kindInternal {
		return msg
	}
	id := requestID(r.Context())
	attrs := append([]any{"method", r.Method, "path", r.URL.Path, "request_id", id}, args...)
	s.log.ErrorContext(r.Context(), "request failed", append(attrs, "err", err)...)
	return fmt.Sprintf("an internal error, logged as request %s", id)
}

// renderError writes an error page with status, and requestID when it is
// not empty (an internal error's); an htmx request gets the bare message.
func (s *server) renderError(w http.ResponseWriter, r *http.Request, status int, title, msg, requestID string) {
	page := s.page(r, title, "")
	page.Flash = ""
	s.renderStatus(w, r, status, page, views.ErrorPage(status, title, msg, requestID), nil)
}
