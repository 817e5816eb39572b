package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// fakeSessions is the FIX client as the sessions page sees it.
type fakeSessions struct {
	mu    sync.Mutex
	state string
	calls []string
	alert string
	fail  error // what Logon, Logout and ResetSequence return, when set
}

func (f *fakeSessions) Sessions(context.Context) ([]views.SessionView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []views.SessionView{{Broker: "SIM", Session: "FIX.4.4:BALLAST->SIM", BeginString: "FIX.4.4", State: f.state,
		NextSenderSeq: 12, NextTargetSeq: 31, LastHeard: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), Queued: 1}}, nil
}

func (f *fakeSessions) record(c string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeSessions) Logon(_ context.Context, actor, broker string) error {
	f.record("logon " + broker + " by " + actor)
	return f.fail
}

func (f *fakeSessions) Logout(_ context.Context, actor, broker string) error {
	f.record("logout " + broker + " by " + actor)
	return f.fail
}

func (f *fakeSessions) ResetSequence(_ context.Context, actor, broker string, s, t int) error {
	if f.fail != nil {
		return f.fail
	}
	if f.state == "logged_on" {
		return fmt.Errorf("log the session out first: %w", order.ErrConflict)
	}
	f.record(fmt.Sprintf("reset %s %d %d by %s", broker, s, t, actor))
	return nil
}

func (f *fakeSessions) Outbox(context.Context) ([]views.QueuedView, error) {
	return []views.QueuedView{{Broker: "SIM", Kind: "new", ClOrdID: "Q1", BlockID: 7, Reason: "session SIM down", State: "queued"}}, nil
}

func (f *fakeSessions) Messages(context.Context, int64) ([]views.FixMessageView, error) {
	return []views.FixMessageView{{Direction: "out", ClOrdID: "Q1", Raw: "8=FIX.4.4|35=D|11=Q1|"}}, nil
}

func (f *fakeSessions) Queued(context.Context) (map[string]string, error) {
	return map[string]string{"Q1": "session SIM down"}, nil
}

func (f *fakeSessions) Unmatched(context.Context) ([]order.Execution, error) {
	return []order.Execution{{Key: order.ExecKey{Session: "FIX.4.4:BALLAST->SIM", ExecID: "X9"}, Kind: order.ExecFill,
		Report: order.ExecutionReport{ClOrdID: "NOT-OURS", Symbol: "AAA"}}}, nil
}

func (f *fakeSessions) Alert() string { return f.alert }

func newSessionsApp(t *testing.T, fx *fakeSessions) *testApp {
	t.Helper()
	app := &testApp{t: t, store: newFakeStore(testHash()), sessions: memstore.New(), logs: &syncBuffer{}}
	if _, err := app.store.CreateUser(context.Background(), user.User{Name: "trader", Roles: []user.Role{user.Trader}, PasswordHash: testHash()}); err != nil {
		t.Fatal(err)
	}
	h, err := NewServer(Config{Logger: slog.New(slog.NewJSONHandler(app.logs, nil)), Store: app.store, SessionStore: app.sessions,
		IsNotFound: func(err error) bool { return errors.Is(err, errNotFound) }, Version: "test", Sessions: fx})
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(h)
	t.Cleanup(app.srv.Close)
	return app
}

func TestSessionsPageRolesAndActions(t *testing.T) {
	fx := &fakeSessions{state: "logged_on", alert: "FIX session SIM dropped at 09:01:00 UTC."}
	app := newSessionsApp(t, fx)
	tr, admin, pm := app.signedIn("trader"), app.signedIn("admin"), app.signedIn("pm")

	res := app.get(tr, "/sessions")
	wantStatus(t, "trader's sessions page", res, http.StatusOK)
	wantContains(t, "sessions page", res.body, "FIX.4.4:BALLAST-&gt;SIM", "logged on", ">12<", ">31<", "Log out",
		"session SIM down", "NOT-OURS", "X9", `data-testid="fix-alert"`, "FIX session SIM dropped at 09:01:00 UTC.")
	if res := app.get(tr, "/sessions"); res.status == http.StatusOK && strings.Contains(res.body, "Reset sequence") {
		t.Error("a trader is offered the sequence reset")
	}
	wantStatus(t, "pm's sessions page", app.get(pm, "/sessions"), http.StatusForbidden)
	wantStatus(t, "trader's reset form", app.get(tr, "/sessions/SIM/reset"), http.StatusForbidden)
	wantStatus(t, "trader's reset", app.postForm(tr, "/sessions/SIM/reset", url.Values{"next_sender": {"1"}, "next_target": {"1"}, "confirm": {"SIM"}}), http.StatusForbidden)

	wantStatus(t, "trader logs SIM out", app.postForm(tr, "/sessions/SIM/logout", url.Values{}), http.StatusSeeOther)
	wantContains(t, "admin's sessions page", app.get(admin, "/sessions").body, "Reset sequence")
	wantStatus(t, "admin's reset form", app.get(admin, "/sessions/SIM/reset"), http.StatusOK)
	res = app.postForm(admin, "/sessions/SIM/reset", url.Values{"next_sender": {"5"}, "next_target": {"9"}, "confirm": {"sim?"}})
	wantStatus(t, "reset without the confirmation", res, http.StatusUnprocessableEntity)
	wantContains(t, "reset without the confirmation", res.body, "Type the broker&#39;s name, SIM, to confirm")
	res = app.postForm(admin, "/sessions/SIM/reset", url.Values{"next_sender": {"5"}, "next_target": {"9"}, "confirm": {"SIM"}})
	wantStatus(t, "reset while logged on", res, http.StatusUnprocessableEntity)
	wantContains(t, "reset while logged on", res.body, "log the session out first")
	fx.mu.Lock()
	fx.state = "stopped"
	fx.mu.Unlock()
	wantStatus(t, "reset", app.postForm(admin, "/sessions/SIM/reset", url.Values{"next_sender": {"5"}, "next_target": {"9"}, "confirm": {"SIM"}}), http.StatusSeeOther)
	wantStatus(t, "admin logs SIM on", app.postForm(admin, "/sessions/SIM/logon", url.Values{}), http.StatusSeeOther)
	want := []string{"logout SIM by trader", "reset SIM 5 9 by admin", "logon SIM by admin"}
	if fmt.Sprint(fx.calls) != fmt.Sprint(want) {
		t.Errorf("calls %v, want %v", fx.calls, want)
	}
	res = app.get(pm, "/blocks/7/fix")
	wantStatus(t, "pm reads a block's FIX messages", res, http.StatusOK)
	wantContains(t, "block messages", res.body, "35=D|11=Q1")
}

// TestSessionActionsHideInternalErrors: a FIX client failure that is not a
// refusal is logged, and the page says only that, with the request's id.
func TestSessionActionsHideInternalErrors(t *testing.T) {
	fx := &fakeSessions{state: "stopped", fail: errors.New("fix: store: sql: database is closed")}
	app := newSessionsApp(t, fx)
	admin := app.signedIn("admin")
	wantStatus(t, "logon", app.postForm(admin, "/sessions/SIM/logon", url.Values{}), http.StatusSeeOther)
	flash := flashOf(t, app, admin)
	wantContains(t, "logon flash", flash, "Session SIM: logon refused: an internal error, logged as request ")
	res := app.postForm(admin, "/sessions/SIM/reset", url.Values{"next_sender": {"5"}, "next_target": {"9"}, "confirm": {"SIM"}})
	wantStatus(t, "reset", res, http.StatusUnprocessableEntity)
	wantContains(t, "reset page", res.body, "Not reset: an internal error, logged as request ")
	for what, text := range map[string]string{"logon flash": flash, "reset page": res.body} {
		if strings.Contains(text, "sql:") {
			t.Errorf("%s shows the FIX client's error: %q", what, text)
		}
	}
	wantContains(t, "log", app.logs.String(), "fix: store: sql: database is closed")
}

func TestSessionsAPI(t *testing.T) {
	app := newSessionsApp(t, &fakeSessions{state: "connecting"})
	u, _ := app.store.UserByName(context.Background(), "trader")
	tok := app.addToken(u.ID)
	req := app.request(http.MethodGet, "/api/v1/sessions", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res := app.do(app.client(), req)
	wantStatus(t, "GET /api/v1/sessions", res, http.StatusOK)
	wantContains(t, "sessions JSON", res.body, `"broker":"SIM"`, `"state":"connecting"`, `"next_sender_seq":12`,
		`"next_target_seq":31`, `"last_heartbeat":"2026-11-21T09:00:00Z"`, `"queued":1`, `"last_logon":""`)
	pm, _ := app.store.UserByName(context.Background(), "pm")
	req = app.request(http.MethodGet, "/api/v1/sessions", nil)
	req.Header.Set("Authorization", "Bearer "+app.addToken(pm.ID))
	wantStatus(t, "pm's GET /api/v1/sessions", app.do(app.client(), req), http.StatusForbidden)
}
