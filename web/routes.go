package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/ballast-oms/ballast/static"
	"github.com/ballast-oms/ballast/user"
)

// routes is the one map of every URL Ballast answers and who may use it.
func (s *server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.logRequests, s.recoverPanics, secureHeaders, middleware.GetHead)

	// Public: health check and assets.
	r.Get("/healthz", s.healthz)
	if s.metrics != nil {
		r.Get("/metrics", s.metricsPage) // bearer token guarded: metrics.go
	}
	r.Handle(static.Prefix+"*", s.assets.Handler())

	// The JSON API authenticates with bearer tokens, never cookies, so it has
	// no session and needs no cross-origin protection.
	r.Mount("/api/v1", s.apiRoutes())

	// Browser pages: cross-origin protection on every state-changing request,
	// then the session and the signed-in user.
	browser := func(h http.Handler) http.Handler {
		return s.crossOriginProtection(keepLoadedSession(s.sessions.LoadAndSave(s.loadUser(h))))
	}
	r.NotFound(browser(http.HandlerFunc(s.notFound)).ServeHTTP)
	r.MethodNotAllowed(browser(http.HandlerFunc(s.methodNotAllowed)).ServeHTTP)
	r.Group(func(r chi.Router) {
		r.Use(s.crossOriginProtection, keepLoadedSession, s.sessions.LoadAndSave, s.loadUser, s.limitForms)

		r.Get("/signin", s.signInForm)
		r.Post("/signin", s.signIn)
		r.Post("/signout", s.signOut)

		r.Group(func(r chi.Router) {
			r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
			r.Get("/", http.RedirectHandler("/portfolios", http.StatusSeeOther).ServeHTTP)
			r.Get("/portfolios", s.portfolioList)
			r.Get("/portfolios/{code}", s.portfolioDetail)
			r.Get("/securities", s.securityList)
			r.Get("/prices", s.priceList)
		})
		s.rebalancePages(r)
		s.restrictionPages(r)
		s.orderPages(r)
		s.blockReportPages(r)
		s.compliancePages(r)
		s.livePriceRoutes(r)
		s.conditionPages(r)
		s.sessionPages(r)

		r.Group(func(r chi.Router) {
			r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
			r.Get("/account", s.account)
			r.Post("/account/tokens", s.accountTokenCreate)
		})

		r.Route("/admin", func(r chi.Router) {
			r.Use(s.requireRole(user.Admin))
			r.Get("/", http.RedirectHandler("/admin/users", http.StatusSeeOther).ServeHTTP)
			r.Get("/users", s.userList)
			r.Post("/users", s.userCreate)
			r.Post("/users/{id}/tokens", s.tokenCreate)
			r.Get("/uploads", s.uploadForm)
			r.Post("/uploads", s.upload)
		})
	})
	return r
}

// notFound is the 404 page for any unknown address.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, fault(kindNotFound, "There is nothing at this address."))
}

// methodNotAllowed answers a known address asked with the wrong method.
func (s *server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusMethodNotAllowed, "Not allowed here", "This address does not accept that kind of request.", "")
}
