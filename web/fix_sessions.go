package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// FixSessions is what the sessions page and API use: the FIX client's broker
// sessions, the outbox of requests waiting for a session, and the execution
// reports that matched no order. cmd/ballast implements it over the FIX
// client. Refusals match order.ErrConflict, order.ErrInvalid or
// order.ErrNotFound.
type FixSessions interface {
	// Sessions describes every broker session, sorted by broker.
	Sessions(ctx context.Context) ([]views.SessionView, error)
	// Logon starts a broker's session; Logout stops it until Logon.
	Logon(ctx context.Context, actor, broker string) error
	Logout(ctx context.Context, actor, broker string) error
	// ResetSequence sets a logged-out session's next outbound and inbound MsgSeqNum.
	ResetSequence(ctx context.Context, actor, broker string, nextSender, nextTarget int) error
	// Outbox lists the latest requests queued while a session was down.
	Outbox(ctx context.Context) ([]views.QueuedView, error)
	// Messages is a block's FIX message log: order messages sent and execution reports received.
	Messages(ctx context.Context, blockID int64) ([]views.FixMessageView, error)
	// Queued maps the ClOrdIDs of requests waiting for a session to why.
	Queued(ctx context.Context) (map[string]string, error)
	// Unmatched lists the latest execution reports that matched no order.
	Unmatched(ctx context.Context) ([]order.Execution, error)
	// Alert is the banner every page shows while a session is down during
	// the trading day or requests wait for a session; "" when all is well.
	Alert() string
}

// sessionPages adds the FIX sessions page for traders and admins; only
// admins reset sequence numbers, after a confirmation step.
func (s *server) sessionPages(r chi.Router) {
	if s.fix == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.Trader, user.Admin))
		r.Get("/sessions", s.sessionList)
		r.Post("/sessions/{broker}/logon", s.sessionLogon)
		r.Post("/sessions/{broker}/logout", s.sessionLogout)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/blocks/{id}/fix", s.blockMessages)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.Admin))
		r.Get("/sessions/{broker}/reset", s.sessionResetForm)
		r.Post("/sessions/{broker}/reset", s.sessionReset)
	})
}

// sessionAPI adds GET /api/v1/sessions.
func (s *server) sessionAPI(r chi.Router) {
	if s.fix == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.apiRequireRole(user.Trader, user.Admin))
		r.Get("/sessions", s.apiSessions)
	})
}

func (s *server) sessionsView(r *http.Request) (views.SessionsPage, error) {
	ss, err := s.fix.Sessions(r.Context())
	if err != nil {
		return views.SessionsPage{}, err
	}
	q, err := s.fix.Outbox(r.Context())
	if err != nil {
		return views.SessionsPage{}, err
	}
	un, err := s.fix.Unmatched(r.Context())
	if err != nil {
		return views.SessionsPage{}, err
	}
	u, _ := userFrom(r.Context())
	return views.SessionsPage{Sessions: ss, Outbox: q, Unmatched: un, Admin: u.Has(user.Admin)}, nil
}

// sessionList is the sessions page; an htmx refresh gets only its body.
func (s *server) sessionList(w http.ResponseWriter, r *http.Request) {
	v, err := s.sessionsView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, s.pageWithFlash(r, "FIX sessions", "sessions"), views.Sessions(v), views.SessionsBody(v))
}

func (s *server) sessionLogon(w http.ResponseWriter, r *http.Request) {
	s.sessionAction(w, r, "logon", s.fix.Logon)
}

func (s *server) sessionLogout(w http.ResponseWriter, r *http.Request) {
	s.sessionAction(w, r, "logout", s.fix.Logout)
}

func (s *server) sessionAction(w http.ResponseWriter, r *http.Request, what string, do func(context.Context, string, string) error) {
	u, _ := userFrom(r.Context())
	broker := pathParam(r, "broker")
	msg := fmt.Sprintf("Session %s: %s requested.", broker, what)
	if err := do(r.Context(), u.Name, broker); err != nil {
		msg = fmt.Sprintf("Session %s: %s refused: %s", broker, what, s.refusal(r, err))
	}
	s.setFlash(r, msg)
	seeOther(w, r, "/sessions")
}

// sessionResetForm is the confirmation step of a sequence reset.
func (s *server) sessionResetForm(w http.ResponseWriter, r *http.Request) {
	broker := pathParam(r, "broker")
	ss, err := s.fix.Sessions(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, sv := range ss {
		if sv.Broker == broker {
			s.render(w, r, s.page(r, "Reset sequence numbers", "sessions"), views.SessionReset(sv, ""), nil)
			return
		}
	}
	s.fail(w, r, fault(kindNotFound, "There is no FIX session for broker "+broker+"."))
}

// sessionReset sets the sequence numbers once the admin typed the broker's
// name to confirm.
func (s *server) sessionReset(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	broker := pathParam(r, "broker")
	u, _ := userFrom(r.Context())
	f := r.PostForm
	sender, err1 := strconv.Atoi(strings.TrimSpace(f.Get("next_sender")))
	target, err2 := strconv.Atoi(strings.TrimSpace(f.Get("next_target")))
	var problem string
	switch {
	case err1 != nil || err2 != nil || sender < 1 || target < 1:
		problem = "Both sequence numbers must be whole numbers from 1."
	case f.Get("confirm") != broker:
		problem = "Type the broker's name, " + broker + ", to confirm the reset."
	}
	if problem == "" {
		if err := s.fix.ResetSequence(r.Context(), u.Name, broker, sender, target); err != nil {
			problem = "Not reset: " + s.refusal(r, err)
		}
	}
	if problem != "" {
		sv := views.SessionView{Broker: broker, NextSenderSeq: sender, NextTargetSeq: target}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, s.page(r, "Reset sequence numbers", "sessions"), views.SessionReset(sv, problem), nil)
		return
	}
	s.setFlash(r, fmt.Sprintf("Session %s: next outbound sequence number %d, next inbound %d.", broker, sender, target))
	seeOther(w, r, "/sessions")
}

// sessionJSON is one session in GET /api/v1/sessions.
type sessionJSON struct {
	Broker        string `json:"broker"`
	Session       string `json:"session"`
	BeginString   string `json:"begin_string"`
	SenderCompID  string `json:"sender_comp_id"`
	TargetCompID  string `json:"target_comp_id"`
	State         string `json:"state"`
	NextSenderSeq int    `json:"next_sender_seq"`
	NextTargetSeq int    `json:"next_target_seq"`
	LastLogon     string `json:"last_logon"`
	LastLogout    string `json:"last_logout"`
	LastHeartbeat string `json:"last_heartbeat"`
	DownSince     string `json:"down_since"`
	Queued        int    `json:"queued"`
}

// apiSessions answers GET /api/v1/sessions.
func (s *server) apiSessions(w http.ResponseWriter, r *http.Request) {
	ss, err := s.fix.Sessions(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]sessionJSON, 0, len(ss))
	for _, v := range ss {
		out = append(out, sessionJSON{Broker: v.Broker, Session: v.Session, BeginString: v.BeginString,
			SenderCompID: v.SenderCompID, TargetCompID: v.TargetCompID, State: v.State,
			NextSenderSeq: v.NextSenderSeq, NextTargetSeq: v.NextTargetSeq, LastLogon: optTime(v.LastLogon),
			LastLogout: optTime(v.LastLogout), LastHeartbeat: optTime(v.LastHeard), DownSince: optTime(v.DownSince), Queued: v.Queued})
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"sessions": out, "alert": s.fix.Alert()})
}

// blockMessages is a block's FIX message log.
func (s *server) blockMessages(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, fault(kindNotFound, "There is no such block."))
		return
	}
	ms, err := s.fix.Messages(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, s.page(r, fmt.Sprintf("FIX messages of block %d", id), "blotter"), views.BlockMessages(id, ms), nil)
}
