package main

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/web"
)

// sessionCleanup is how often expired web sessions are deleted.
const sessionCleanup = 5 * time.Minute

// handlerExtra adds to the web configuration once the order book exists
// (live prices and conditions: liveServe.attach).
type handlerExtra func(cfg *web.Config, orders *orderDesk) error

// newHandler wires the web app to the database, extras adding to its
// configuration; stop ends the session store's cleanup goroutine and must be
// called once the server has stopped.
func newHandler(d *db.DB, logger *slog.Logger, secureCookies bool, extras ...handlerExtra) (h http.Handler, stop func(), err error) {
	ocfg := serveOrderConfig()
	ocfg.log = logger
	orders, err := newOrderBook(d, ocfg)
	if err != nil {
		return nil, nil, err
	}
	sessions := newSessionStore(d)
	cfg := web.Config{
		Logger:        logger,
		Store:         d,
		SessionStore:  sessions,
		IsNotFound:    func(err error) bool { return errors.Is(err, db.ErrNotFound) },
		Now:           time.Now,
		Version:       version,
		SecureCookies: secureCookies,
		Orders:        orders.store,
		Desk:          orders,
		OrderChanges:  orders.changes,
		Compliance:    newComplianceDesk(d, orders.svc),
		Proposals:     &proposalSaver{d: d, svc: orders.svc, publish: orders.publish},
	}
	for _, extra := range extras {
		if err := extra(&cfg, orders); err != nil {
			sessions.StopCleanup()
			return nil, nil, err
		}
	}
	h, err = web.NewServer(cfg)
	if err != nil {
		sessions.StopCleanup()
		return nil, nil, err
	}
	return h, sessions.StopCleanup, nil
}
