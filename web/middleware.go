package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
)

const infoCtxKey ctxKey = 100

// requestInfo collects, during a request, what the access log reports at its end.
type requestInfo struct {
	id     string // the request's id, in every log line about it and in what a user may quote
	userID int64
}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoCtxKey).(*requestInfo)
	return info
}

// newRequestID is a random id for one request: 64 bits, 16 hex digits.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// requestID is the id logRequests gave the request, "" outside it.
func requestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one access-log line per request. It logs the path without
// the query string and never headers, so no password, token or cookie is logged.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		info := &requestInfo{id: newRequestID()}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoCtxKey, info)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.metrics.observeRequest(r, sw.status, s.now().Sub(start))
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Int("bytes", sw.bytes),
			slog.Float64("duration_ms", float64(s.now().Sub(start).Microseconds())/1000),
			slog.String("remote_addr", r.RemoteAddr),
			slog.String("request_id", info.id),
		}
		if info.userID != 0 {
			attrs = append(attrs, slog.Int64("user_id", info.userID))
		}
		attrs = append(attrs, routeIDAttrs(r)...)
		if r.Header.Get("HX-Request") == "true" {
			attrs = append(attrs, slog.Bool("htmx", true))
		}
		s.log.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}

// recoverPanics turns a panicking handler into a logged 500 error page.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			s.fail(w, r, fmt.Errorf("web: panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}

// secureHeaders sets headers that make every response harder to misuse: no
// sniffing, no framing, a strict content security policy, no referrer leaks.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses state-changing requests that a browser sent
// from another origin (CSRF), with a 403 page.
func (s *server) crossOriginProtection(next http.Handler) http.Handler {
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.WarnContext(r.Context(), "cross-origin request refused", "method", r.Method, "path", r.URL.Path)
		s.renderError(w, r, http.StatusForbidden, "Request refused",
			"This form was sent from another site, so Ballast refused it. Reload the page and try again.", "")
	}))
	return c.Handler(next)
}
