package web

import (
	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/user"
)

// rebalancePages adds the drift, model and rebalance pages to the signed-in
// browser router: everyone reads drift and models; PMs edit models and rebalance.
func (s *server) rebalancePages(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/drift", s.driftList)
		r.Get("/portfolios/{code}/drift", s.portfolioDrift)
		r.Get("/portfolios/{code}/drift.csv", s.portfolioDriftCSV)
		r.Get("/models", s.modelList)
		r.Get("/models/{name}", s.modelEdit)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM))
		r.Get("/models/new", s.modelNew)
		r.Post("/models", s.modelSave)
		r.Post("/models/check", s.modelCheck)
		r.Get("/portfolios/{code}/targets", s.targetsEdit)
		r.Post("/portfolios/{code}/targets", s.targetsSave)
		r.Get("/rebalance", s.rebalanceForm)
		r.Post("/rebalance", s.rebalanceStart)
		r.Get("/rebalance/jobs/{id}", s.rebalanceJobPage)
		r.Post("/rebalance/jobs/{id}/submit", s.rebalanceSubmit)
	})
}

// rebalanceAPI adds drift and rebalance to the JSON API: everyone reads
// drift; pms and traders plan (and save) rebalances.
func (s *server) rebalanceAPI(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/portfolios/{code}/drift", s.apiDrift)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.PM, user.Trader))
		r.Post("/portfolios/{code}/rebalance", s.apiRebalance)
	})
}
