// Package web is Ballast's HTTP face: HTML pages (templ + htmx) for the desk, a
// JSON API under /api/v1 for other systems, sign-in, sessions and role guards.
// It reaches storage only through the Store interface it defines.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/ballast-oms/ballast/static"
)

// Session lifetimes: a session ends after two idle hours, or twelve hours at most.
const (
	sessionIdle     = 2 * time.Hour
	sessionLifetime = 12 * time.Hour
)

// Config is everything NewServer needs; cmd/ballast does the wiring.
type Config struct {
	Logger        *slog.Logger
	Store         Store
	SessionStore  scs.Store        // where sessions live, e.g. sqlite3store.New(db.Writer())
	IsNotFound    func(error) bool // recognises the store's not-found error
	Now           func() time.Time
	Version       string
	SecureCookies bool          // false only when serving plain HTTP on loopback
	Proposals     ProposalSaver // saves rebalance proposals; nil: saving is not available yet
	Prices        LivePrices    // live prices (manual entry, API, event streams); nil: not running
	Conditions    ConditionDesk // conditional orders; nil: not running
	Orders        OrderReader   // order book reads; nil: no order pages or API
	Desk          OrderActions  // order book actions; nil: read-only order pages
	OrderChanges  *Broadcaster  // order changes pushed to live blotters; nil: none

	// Compliance is the compliance desk: rules, alerts, reviews and overrides; nil: no compliance pages.
	Compliance ComplianceDesk

	// Sessions are the FIX broker sessions (sessions page, API, alert banner); nil: no FIX client.
	Sessions FixSessions

	// Metrics are served at /metrics (Prometheus text format); nil: no /metrics.
	// MetricsToken is a bearer token that may read them besides admins' API tokens.
	Metrics      *Metrics
	MetricsToken string
}

// server holds the dependencies every handler shares.
type server struct {
	log        *slog.Logger
	store      Store
	sessions   *scs.SessionManager
	isNotFound func(error) bool
	now        func() time.Time
	version    string
	assets     *static.Assets
	proposals  ProposalSaver
	jobs       *rebalanceJobs
	live       liveDeps
	orders     OrderReader
	desk       OrderActions
	compliance ComplianceDesk
	orderLive  *Broadcaster
	fix        FixSessions
	limits     *signInLimits
	metrics    *Metrics
	metricsTok string
}

// decoyHash is checked against when a sign-in names an unknown user, so that the
// answer takes as long as for a known user with a wrong password. It is the
// argon2id hash, with Ballast's parameters, of a random password nobody knows.
const decoyHash = "$argon2id$v=19$m=65536,t=3,p=2$j15V0FQMFcpU1wijtW+Flg$wLBAQ9tRov3gTASGFU/FFDyBZ9VNf/gzW+b+UfBICw4"

// NewServer returns Ballast's HTTP handler: pages, API, health check and assets.
func NewServer(cfg Config) (http.Handler, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("web: new server: no store")
	case cfg.SessionStore == nil:
		return nil, errors.New("web: new server: no session store")
	case cfg.IsNotFound == nil:
		return nil, errors.New("web: new server: no IsNotFound")
	}
	assets, err := static.New()
	if err != nil {
		return nil, fmt.Errorf("web: new server: %w", err)
	}
	s := &server{
		log:        cfg.Logger,
		store:      cfg.Store,
		isNotFound: cfg.IsNotFound,
		now:        cfg.Now,
		version:    cfg.Version,
		assets:     assets,
		orders:     cfg.Orders,
		desk:       cfg.Desk,
		compliance: cfg.Compliance,
		orderLive:  cfg.OrderChanges,
		fix:        cfg.Sessions,
		metrics:    cfg.Metrics,
		metricsTok: cfg.MetricsToken,
		proposals:  cfg.Proposals,
		jobs:       newRebalanceJobs(),
		live:       liveDeps{prices: cfg.Prices, conds: cfg.Conditions},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.sessions = s.newSessions(cfg.SessionStore, cfg.SecureCookies)
	s.jobs.metrics = s.metrics
	s.limits = newSignInLimits(s.now)
	return s.routes(), nil
}

// newSessions configures the session manager: HttpOnly, SameSite=Lax, Secure
// (with the __Host- prefix) when serving HTTPS, idle and absolute lifetimes.
func (s *server) newSessions(store scs.Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store // its codec stays scs's default GobCodec: the store reads sessions with it

	sm.IdleTimeout = sessionIdle
	sm.Lifetime = sessionLifetime
	sm.Cookie.Name = "ballast_session"
	if secure {
		sm.Cookie.Name = "__Host-ballast_session"
	}
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.fail(w, r, fmt.Errorf("web: session: %w", err))
	}
	return sm
}
