package web

import (
	"bytes"
	"mime"
	"net/http"

	"github.com/a-h/templ"

	"github.com/ballast-oms/ballast/web/views"
)

// isFragment reports whether the request wants only a fragment: an htmx request
// that is neither a boosted navigation nor a history restore (those need the page).
func isFragment(r *http.Request) bool {
	h := r.Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") == "" && h.Get("HX-History-Restore-Request") == ""
}

// page returns the layout data for the request: title, active navigation item
// and the signed-in user, if any.
func (s *server) page(r *http.Request, title, active string) views.Page {
	p := views.Page{Title: title, Active: active, Asset: s.assets.Path, Version: s.version}
	if u, ok := userFrom(r.Context()); ok {
		p.User = &views.CurrentUser{Name: u.Name, Roles: u.Roles}
	}
	if s.fix != nil {
		p.Alert = s.fix.Alert()
	}
	return p
}

// pageWithFlash is page plus the one-time message left by the previous request.
func (s *server) pageWithFlash(r *http.Request, title, active string) views.Page {
	p := s.page(r, title, active)
	if !isFragment(r) { // a fragment has no room for it: it waits for the next whole page
		p.Flash = s.sessions.PopString(r.Context(), flashKey)
	}
	return p
}

// setFlash leaves a one-time message for the next page the user sees.
func (s *server) setFlash(r *http.Request, msg string) {
	s.sessions.Put(r.Context(), flashKey, msg)
}

// render writes a 200 page: the whole document, or only fragment (content when
// fragment is nil) for an htmx request.
func (s *server) render(w http.ResponseWriter, r *http.Request, p views.Page, content, fragment templ.Component) {
	s.renderStatus(w, r, http.StatusOK, p, content, fragment)
}

// renderStatus renders into a buffer first, so a failing template gives an error
// page rather than half a page.
func (s *server) renderStatus(w http.ResponseWriter, r *http.Request, status int, p views.Page, content, fragment templ.Component) {
	c := views.Layout(p, content)
	if isFragment(r) {
		c = content
		if fragment != nil {
			c = fragment
		}
	}
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		id := requestID(r.Context())
		s.log.ErrorContext(r.Context(), "render page", "path", r.URL.Path, "request_id", id, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		msg := "Ballast could not draw this page. The problem has been logged."
		if err := views.Layout(p, views.ErrorPage(status, "Something went wrong", msg, id)).Render(r.Context(), &buf); err != nil {
			http.Error(w, msg, status)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// seeOther redirects after a successful change (POST-redirect-GET).
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// setAttachment makes the response a download saved as name. The name is
// sent as a quoted string (a quote or backslash in it escaped) or, when it
// holds what a quoted string cannot (a non-ASCII letter, a control character
// such as CR or LF), percent-encoded as filename* (RFC 2231): a portfolio
// code from an import can hold any of them.
func setAttachment(h http.Header, name string) {
	v := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if v == "" { // cannot happen for this type and parameter; a download without a name is still one
		v = "attachment"
	}
	h.Set("Content-Disposition", v)
}
