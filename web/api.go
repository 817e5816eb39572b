package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/user"
)

// apiRoutes is the JSON API: bearer tokens, JSON errors, decimals as strings.
func (s *server) apiRoutes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.apiAuth)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.apiError(w, r, http.StatusNotFound, "no such endpoint")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.apiError(w, r, http.StatusMethodNotAllowed, "method not allowed")
	})
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/portfolios", s.apiPortfolios)
		r.Get("/portfolios/{code}", s.apiPortfolio)
		r.Get("/portfolios/{code}/positions", s.apiPositions)
		r.Get("/securities", s.apiSecurities)
		r.Get("/prices", s.apiPrices)
	})
	s.rebalanceAPI(r)
	s.complianceAPI(r)
	s.orderAPI(r)
	s.blockReportAPI(r)
	s.livePriceAPI(r)
	s.conditionsAPI(r)
	s.sessionAPI(r)
	return r
}

// apiAuth authenticates a request by its bearer token; without a valid one it
// answers 401 JSON.
func (s *server) apiAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ballast"`)
			s.apiError(w, r, http.StatusUnauthorized, "missing bearer token")
			return
		}
		u, err := s.store.UserByTokenHash(r.Context(), user.HashToken(token))
		if err != nil && !s.isNotFound(err) {
			s.apiFail(w, r, err)
			return
		}
		if err != nil || u.Disabled {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ballast", error="invalid_token"`)
			s.apiError(w, r, http.StatusUnauthorized, "invalid bearer token")
			return
		}
		next.ServeHTTP(w, r.WithContext(withUser(r.Context(), u)))
	})
}

// apiRequireRole answers 403 JSON unless the token's user holds one of roles.
func (s *server) apiRequireRole(roles ...user.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, ok := userFrom(r.Context()); !ok || !u.Has(roles...) {
				s.apiError(w, r, http.StatusForbidden, roleRefusal(u.Name, roles))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// roleRefusal says why name may not do what needs one of roles, in the
// words the order Service uses ("pm is not a trader").
func roleRefusal(name string, roles []user.Role) string {
	if name == "" {
		name = "this token's user"
	}
	switch len(roles) {
	case 1:
		return fmt.Sprintf("%s is not a %s: your role does not allow this", name, roles[0])
	case 2:
		return fmt.Sprintf("%s is neither %s nor %s: your role does not allow this", name, roles[0], roles[1])
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return fmt.Sprintf("%s has none of the roles %s: your role does not allow this", name, strings.Join(names, ", "))
}

// apiFail answers a failed API request with the status of its kind of error.
// An internal error answers {"error": "internal error", "request_id": id},
// never the error's text: the id finds the line that logged it.
func (s *server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	k, msg := s.classify(err)
	if k == kindInternal {
		id := requestID(r.Context())
		s.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "path", r.URL.Path,
			"request_id", id, "err", err)
		s.writeJSON(w, r, k.status(), internalErrorJSON(id))
		return
	}
	s.apiError(w, r, k.status(), msg)
}

// internalErrorJSON is the body of an internal error's answer: what
// happened, in general, and the request's id, when it has one.
func internalErrorJSON(requestID string) map[string]string {
	body := map[string]string{"error": "internal error"}
	if requestID != "" {
		body["request_id"] = requestID
	}
	return body
}

// apiError writes {"error": msg} with status.
func (s *server) apiError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.writeJSON(w, r, status, map[string]string{"error": msg})
}

// writeJSON encodes v with status.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		id := requestID(r.Context())
		s.log.ErrorContext(r.Context(), "encode json", "path", r.URL.Path, "request_id", id, "err", err)
		status = http.StatusInternalServerError
		b, _ = json.Marshal(internalErrorJSON(id)) // a map of strings always encodes
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
