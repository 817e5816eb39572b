package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/marketdata"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
)

var liveNow = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// fakePrices is LivePrices over a real hub, knowing the fake store's symbols.
type fakePrices struct {
	hub   *marketdata.Hub
	known map[string]bool
}

func (f *fakePrices) Publish(_ context.Context, batch []portfolio.Price) error {
	if err := marketdata.CheckBatch(batch); err != nil {
		return err
	}
	var bad portfolio.ImportErrors
	for i, p := range batch {
		if !f.known[p.Symbol] {
			bad = append(bad, portfolio.LineError{Line: i + 1, Reason: fmt.Sprintf("unknown symbol %q", p.Symbol)})
		}
	}
	if len(bad) > 0 {
		return bad
	}
	f.hub.Publish(batch)
	return nil
}

func (f *fakePrices) Subscribe(name string, backlog int) *marketdata.Subscription {
	return f.hub.Subscribe(name, backlog)
}

// fakeConditions is a ConditionDesk in memory using trigger's own rules,
// with every holding 10 units at a price of 100.
type fakeConditions struct {
	mu    sync.Mutex
	conds map[int64]trigger.Condition
	next  int64
}

func (f *fakeConditions) List(_ context.Context, flt ConditionFilter) ([]ConditionView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ConditionView
	for _, c := range f.conds {
		waiting := c.State == trigger.PendingApproval || c.State == trigger.Active
		if (flt.State == "" || flt.State == string(c.State) || flt.State == "waiting" && waiting) &&
			(flt.Portfolio == "" || flt.Portfolio == c.Portfolio) && (flt.Symbol == "" || flt.Symbol == c.Symbol) &&
			(flt.Kind == "" || flt.Kind == string(c.Kind)) {
			out = append(out, ConditionView{Condition: c})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

func (f *fakeConditions) Get(_ context.Context, id int64) (ConditionView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conds[id]
	if !ok {
		return ConditionView{}, fmt.Errorf("condition %d: %w", id, trigger.ErrNotFound)
	}
	return ConditionView{Condition: c}, nil
}

func (f *fakeConditions) Create(_ context.Context, u user.User, c trigger.Condition) (ConditionView, error) {
	c, err := trigger.New(c, u.Name, trigger.Snapshot{Price: dec("100"), Holding: dec("10"), AvgCost: dec("90"), Now: liveNow})
	if err != nil {
		return ConditionView{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	c.ID = f.next
	f.conds[c.ID] = c
	return ConditionView{Condition: c}, nil
}

func (f *fakeConditions) change(id int64, fn func(trigger.Condition) (trigger.Condition, error)) (ConditionView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conds[id]
	if !ok {
		return ConditionView{}, fmt.Errorf("condition %d: %w", id, trigger.ErrNotFound)
	}
	c, err := fn(c)
	if err != nil {
		return ConditionView{}, err
	}
	f.conds[id] = c
	return ConditionView{Condition: c}, nil
}

func (f *fakeConditions) Modify(_ context.Context, u user.User, id, version int64, t trigger.Terms) (ConditionView, error) {
	return f.change(id, func(c trigger.Condition) (trigger.Condition, error) {
		if version != c.Version {
			return c, fmt.Errorf("changed: %w", trigger.ErrConflict)
		}
		return c.Modify(u.Name, t, trigger.Snapshot{Price: dec("100"), Holding: dec("10"), AvgCost: dec("90"), Now: liveNow})
	})
}

func (f *fakeConditions) Approve(_ context.Context, u user.User, id int64) (ConditionView, error) {
	return f.change(id, func(c trigger.Condition) (trigger.Condition, error) { return c.Approve(u.Name, u.Roles, liveNow) })
}

func (f *fakeConditions) Cancel(_ context.Context, u user.User, id int64, reason string) (ConditionView, error) {
	return f.change(id, func(c trigger.Condition) (trigger.Condition, error) { return c.Cancel(u.Name, reason, liveNow) })
}

func (f *fakeConditions) Defaults(context.Context, string) ([]DefaultView, error) { return nil, nil }
func (f *fakeConditions) AddDefault(_ context.Context, u user.User, t trigger.Template) (DefaultView, error) {
	t.CreatedBy = u.Name
	return DefaultView{Template: t}, t.Check()
}
func (f *fakeConditions) ApproveDefault(context.Context, user.User, int64) (DefaultView, error) {
	return DefaultView{}, errors.New("not in this fake")
}
func (f *fakeConditions) RemoveDefault(context.Context, user.User, int64) (DefaultView, error) {
	return DefaultView{}, errors.New("not in this fake")
}

// liveApp is a test server with live prices and conditions, and two traders
// (ids 5 and 6) besides the fake store's users.
type liveApp struct {
	*testApp
	prices *fakePrices
	conds  *fakeConditions
}

func newLiveApp(t *testing.T) *liveApp {
	t.Helper()
	app := &testApp{t: t, store: newFakeStore(testHash()), sessions: memstore.New(), logs: &syncBuffer{}}
	app.store.users = append(app.store.users,
		user.User{ID: 5, Name: "trader", Roles: []user.Role{user.Trader}, PasswordHash: testHash()},
		user.User{ID: 6, Name: "trader2", Roles: []user.Role{user.Trader}, PasswordHash: testHash()})
	la := &liveApp{testApp: app, prices: &fakePrices{hub: marketdata.NewHub(), known: map[string]bool{"AAA": true, "BBB": true, "CCC": true}},
		conds: &fakeConditions{conds: map[int64]trigger.Condition{}}}
	h, err := NewServer(Config{
		Logger:       slog.New(slog.NewJSONHandler(app.logs, nil)),
		Store:        app.store,
		SessionStore: app.sessions,
		IsNotFound:   func(err error) bool { return errors.Is(err, errNotFound) },
		Now:          func() time.Time { return liveNow },
		Version:      "test",
		Prices:       la.prices,
		Conditions:   la.conds,
	})
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(h)
	t.Cleanup(func() { la.prices.hub.Close(); app.srv.Close() })
	return la
}

// apiPost posts a JSON body with a bearer token and decodes the answer.
func (a *testApp) apiPost(token, path, body string) (response, map[string]any) {
	a.t.Helper()
	req := a.request(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res := a.do(a.client(), req)
	var out map[string]any
	_ = json.Unmarshal([]byte(res.body), &out)
	return res, out
}

func TestAPIPostPrices(t *testing.T) {
	la := newLiveApp(t)
	sub := la.prices.Subscribe("test", 0)
	admin, pm := la.addToken(2), la.addToken(1)
	res, out := la.apiPost(admin, "/api/v1/prices", `[{"symbol":"AAA","price":"101.25"},{"symbol":"BBB","price":"20"}]`)
	wantStatus(t, "admin posts", res, http.StatusOK)
	if out["published"] != float64(2) {
		t.Fatalf("answer %v", out)
	}
	if b := sub.Take(); len(b) != 1 || len(b[0]) != 2 || !b[0][0].Value.Equal(dec("101.25")) || b[0][0].Source != "api" {
		t.Fatalf("published %+v", b)
	}
	cases := []struct{ name, body, want string }{
		{"unknown symbol", `[{"symbol":"AAA","price":"1"},{"symbol":"ZZZ","price":"2"}]`, `unknown symbol \"ZZZ\"`},
		{"not a decimal", `[{"symbol":"AAA","price":"abc"}]`, `is not a decimal`},
		{"not positive", `[{"symbol":"AAA","price":"-1"}]`, `is not positive`},
		{"number not string", `[{"symbol":"AAA","price":1}]`, `decimal strings`},
		{"empty", `[]`, `1 to 10000 prices`},
	}
	for _, c := range cases {
		res, _ := la.apiPost(admin, "/api/v1/prices", c.body)
		wantJSONError(t, c.name, res, http.StatusBadRequest)
		wantContains(t, c.name, res.body, c.want)
	}
	if b := sub.Take(); len(b) != 0 {
		t.Fatalf("a refused batch was published: %+v", b)
	}
	res, _ = la.apiPost(pm, "/api/v1/prices", `[{"symbol":"AAA","price":"1"}]`)
	wantJSONError(t, "pm posts", res, http.StatusForbidden)
}

func TestAPIConditionsFourEyesAndErrors(t *testing.T) {
	la := newLiveApp(t)
	pm, trader, trader2 := la.addToken(1), la.addToken(5), la.addToken(6)
	res, out := la.apiPost(pm, "/api/v1/conditions", `{"portfolio":"GROWTH","symbol":"AAA","kind":"trailing_stop","percent":"5","activation_price":"100"}`)
	wantStatus(t, "create", res, http.StatusCreated)
	if out["state"] != "pending_approval" || out["percent"] != "5" || out["created_by"] != "pm" {
		t.Fatalf("created %v", out)
	}
	id := int64(out["id"].(float64))
	res, out = la.apiPost(pm, "/api/v1/conditions", `{"portfolio":"GROWTH","symbol":"AAA","kind":"stop_loss","trigger_price":"120"}`)
	wantJSONError(t, "crossed level", res, http.StatusBadRequest)
	if f, _ := out["fields"].(map[string]any); f["trigger_price"] == nil {
		t.Errorf("no field problem: %v", out)
	}
	res, _ = la.apiPost(pm, "/api/v1/conditions", `{"portfolio":"GROWTH","symbol":"AAA","kind":"moonshot"}`)
	wantJSONError(t, "bad kind", res, http.StatusBadRequest)
	res, _ = la.apiPost(pm, "/api/v1/conditions", `{"portfolio":"GROWTH","nonsense":1}`)
	wantJSONError(t, "unknown field", res, http.StatusBadRequest)

	approve := fmt.Sprintf("/api/v1/conditions/%d/approve", id)
	res, _ = la.apiPost(pm, approve, "")
	wantJSONError(t, "pm approves", res, http.StatusForbidden)
	// A trader's own condition needs another trader.
	res, own := la.apiPost(trader, "/api/v1/conditions", `{"portfolio":"GROWTH","symbol":"BBB","kind":"take_profit","trigger_price":"150","quantity":"5"}`)
	wantStatus(t, "trader creates", res, http.StatusCreated)
	res, _ = la.apiPost(trader, fmt.Sprintf("/api/v1/conditions/%d/approve", int64(own["id"].(float64))), "")
	wantJSONError(t, "self-approval", res, http.StatusForbidden)
	wantContains(t, "self-approval", res.body, "cannot also approve it")

	res, out = la.apiPost(trader2, approve, "")
	wantStatus(t, "approve", res, http.StatusOK)
	if out["state"] != "active" || out["approved_by"] != "trader2" {
		t.Fatalf("approved %v", out)
	}
	res, _ = la.apiPost(trader, approve, "")
	wantJSONError(t, "approve twice", res, http.StatusConflict)
	res, _ = la.apiPost(pm, fmt.Sprintf("/api/v1/conditions/%d/cancel", id), `{"reason":"view changed"}`)
	wantStatus(t, "cancel", res, http.StatusOK)
	res, _ = la.apiPost(pm, fmt.Sprintf("/api/v1/conditions/%d/cancel", id), "")
	wantJSONError(t, "cancel twice", res, http.StatusConflict)
	res, _ = la.apiPost(pm, "/api/v1/conditions/999/cancel", "")
	wantJSONError(t, "unknown", res, http.StatusNotFound)

	res = la.apiGet(pm, "/api/v1/conditions?state=cancelled&portfolio=GROWTH")
	wantStatus(t, "list", res, http.StatusOK)
	var list struct{ Conditions []conditionJSON }
	if err := json.Unmarshal([]byte(res.body), &list); err != nil || len(list.Conditions) != 1 || list.Conditions[0].ID != id {
		t.Fatalf("list: %v %s", err, res.body)
	}
}

func TestConditionPagesHideAndRefuseSelfApproval(t *testing.T) {
	la := newLiveApp(t)
	tc := la.signedIn("trader")
	res := addStopLoss(t, la, tc)
	res = la.get(tc, "/conditions")
	wantStatus(t, "list as creator", res, http.StatusOK)
	wantContains(t, "list", res.body, "stop_loss", "at 90.00", "pending_approval", `sse-swap="dist-1"`)
	if strings.Contains(res.body, "/conditions/1/approve") {
		t.Error("the creator is shown an approve button")
	}
	res = la.postForm(tc, "/conditions/1/approve", url.Values{})
	wantStatus(t, "creator approves anyway", res, http.StatusForbidden)

	t2 := la.signedIn("trader2")
	res = la.get(t2, "/conditions?state=pending_approval")
	wantContains(t, "list as another trader", res.body, "/conditions/1/approve")
	res = la.postForm(t2, "/conditions/1/approve", url.Values{"back": {"/conditions"}})
	wantStatus(t, "approve", res, http.StatusSeeOther)
	if c, _ := la.conds.Get(context.Background(), 1); c.State != trigger.Active {
		t.Fatalf("state %s", c.State)
	}
	res = la.postForm(tc, "/conditions", url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "kind": {"stop_loss"},
		"trigger_price": {"abc"}})
	wantStatus(t, "bad form", res, http.StatusUnprocessableEntity)
	wantContains(t, "bad form", res.body, `is not a decimal`, `value="abc"`)
	res = la.get(la.signedIn("pm"), "/portfolios/GROWTH/conditions")
	wantContains(t, "panel", res.body, "Add an auto order on AAA", `sse-connect="/events/prices?portfolio=GROWTH"`)
}

// TestConditionModifiedNeedsApprovalAgain: a trader who modifies an active
// condition sends it back for approval, is told so, sees it pending with why,
// is shown no approve button for it and is refused approving it; another
// trader approves the new terms.
func TestConditionModifiedNeedsApprovalAgain(t *testing.T) {
	la := newLiveApp(t)
	pm, tc, t2 := la.signedIn("pm"), la.signedIn("trader"), la.signedIn("trader2")
	res := la.postForm(pm, "/conditions", url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "kind": {"stop_loss"},
		"trigger_price": {"90"}, "quantity": {"5"}})
	wantStatus(t, "pm adds", res, http.StatusSeeOther)
	res = la.postForm(tc, "/conditions/1/approve", url.Values{"back": {"/conditions"}})
	wantStatus(t, "trader approves", res, http.StatusSeeOther)

	res = la.postForm(tc, "/conditions/1", url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "kind": {"stop_loss"},
		"trigger_price": {"99"}, "quantity": {"10"}, "version": {"2"}})
	wantStatus(t, "the approver modifies", res, http.StatusSeeOther)
	c, _ := la.conds.Get(context.Background(), 1)
	if c.State != trigger.PendingApproval || c.ApprovedBy != "" || c.AmendedBy != "trader" {
		t.Fatalf("after the modification: state %s, approved by %q, modified by %q", c.State, c.ApprovedBy, c.AmendedBy)
	}
	res = la.get(tc, "/conditions")
	wantContains(t, "after saving", res.body, `class="flash"`, "Its new terms need a trader&#39;s approval",
		"not watched until then", `data-testid="condition-reapproval"`, "modified by trader after trader approved it",
		"awaits a trader&#39;s approval again")
	if strings.Contains(res.body, "/conditions/1/approve") {
		t.Error("the modifier is shown an approve button")
	}
	res = la.postForm(tc, "/conditions/1", url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "kind": {"stop_loss"},
		"trigger_price": {"95"}, "version": {"2"}})
	wantStatus(t, "a stale edit", res, http.StatusConflict)
	res = la.postForm(tc, "/conditions/1/approve", url.Values{})
	wantStatus(t, "the modifier approves anyway", res, http.StatusForbidden)
	if c, _ := la.conds.Get(context.Background(), 1); c.State != trigger.PendingApproval {
		t.Fatalf("the modifier's approval changed the state to %s", c.State)
	}
	res = la.get(t2, "/conditions?state=pending_approval")
	wantContains(t, "another trader", res.body, "/conditions/1/approve")
	res = la.postForm(t2, "/conditions/1/approve", url.Values{"back": {"/conditions"}})
	wantStatus(t, "another trader approves", res, http.StatusSeeOther)
	if c, _ := la.conds.Get(context.Background(), 1); c.State != trigger.Active || c.ApprovedBy != "trader2" || !c.Level.Equal(dec("99")) {
		t.Fatalf("approved: %s by %q at %s", c.State, c.ApprovedBy, c.Level)
	}
}

func TestPriceEventsSendChangedSymbolsWithMarketValues(t *testing.T) {
	la := newLiveApp(t)
	c := la.signedIn("pm")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := la.request(http.MethodGet, "/events/prices?portfolio=GROWTH", nil).WithContext(ctx)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	la.prices.hub.Publish([]portfolio.Price{{Symbol: "AAA", Value: decimal.RequireFromString("110.5"), AsOf: liveNow}})
	got := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() && len(got) < 2 {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			got[event] = strings.TrimPrefix(line, "data: ")
		}
	}
	if got["price-AAA"] != "110.50" || got["mv-AAA"] != "1,105.00" {
		t.Fatalf("events %v", got)
	}
	if _, ok := got["price-BBB"]; ok {
		t.Error("an unchanged symbol was sent")
	}
}

// addStopLoss adds, as the client c, a stop-loss on GROWTH's AAA at 90 from
// the portfolio panel, checks that it was saved (condition 1 on a fresh
// app), and returns the answer.
func addStopLoss(t *testing.T, la *liveApp, c *http.Client) response {
	t.Helper()
	res := la.postForm(c, "/conditions", url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "kind": {"stop_loss"},
		"trigger_price": {"90"}})
	wantStatus(t, "add a stop-loss", res, http.StatusSeeOther)
	return res
}
