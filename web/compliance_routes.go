package web

import (
	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/user"
)

// compliancePages adds the compliance pages: everyone signed in reads rules,
// the restricted list, alerts and each order's findings; only the compliance
// role changes rules, the restricted list and alerts, and overrides.
func (s *server) compliancePages(r chi.Router) {
	if s.compliance == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/compliance", s.reviewQueue)
		r.Get("/compliance/orders/{id}", s.orderReview)
		r.Get("/compliance/rules", s.ruleList)
		r.Get("/compliance/rules.json", s.apiRulesExport)
		r.Get("/compliance/rules/{id}", s.ruleEdit)
		r.Get("/compliance/restricted", s.restrictedList)
		r.Get("/compliance/alerts", s.alertList)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.Compliance))
		r.Post("/compliance/rules", s.ruleAdd)
		r.Post("/compliance/rules/{id}", s.ruleSave)
		r.Post("/compliance/restricted", s.restrictedAdd)
		r.Post("/compliance/restricted/remove", s.restrictedRemove)
		r.Post("/compliance/alerts/{id}", s.alertAction)
		r.Post("/compliance/batch", s.batchNow)
		r.Post("/compliance/orders/{id}/overrides", s.orderOverride)
	})
}

// complianceAPI adds the compliance endpoints: everyone reads rules, alerts
// and an order's findings; the compliance role imports rules, handles
// alerts, runs the batch and overrides.
func (s *server) complianceAPI(r chi.Router) {
	if s.compliance == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/compliance/rules", s.apiRulesExport)
		r.Get("/compliance/alerts", s.apiAlerts)
		r.Get("/orders/{id}/compliance", s.apiOrderCompliance)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.Compliance))
		r.Post("/compliance/rules", s.apiRulesImport)
		r.Post("/compliance/alerts/{id}/acknowledge", s.apiAlertAck)
		r.Post("/compliance/alerts/{id}/resolve", s.apiAlertResolve)
		r.Post("/compliance/batch", s.apiBatch)
		r.Post("/orders/{id}/overrides", s.apiOverride)
	})
}
