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

func (f *fakeConditions) ApproveAmendment(_ context.Context, u user.User, id int64) (ConditionView, error) {
	return f.change(id, func(c trigger.Condition) (trigger.Condition, error) {
		return c.ApproveAmendment(u.Name, u.Roles, liveNow)
	})
}

func (f *fakeConditions) RejectAmendment(_ context.Context, u user.User, id int64, reason string) (ConditionView, error) {
	return f.change(id, func(c trigger.Condition) (trigger.Condition, error) {
		return c.RejectAmendment(u.Name, u.Roles, reason, liveNow)
	})
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

// TestAPIConditionAmendment: the API shows an active condition's pending
// amendment beside its approved terms, approves it only for a trader who is
// neither its author nor the creator, and lets its author withdraw one.
func TestAPIConditionAmendment(t *testing.T) {
	la := newLiveApp(t)
	pm, trader, trader2 := la.addToken(1), la.addToken(5), la.addToken(6)
	res, out := la.apiPost(pm, "/api/v1/conditions", `{"portfolio":"GROWTH","symbol":"AAA","kind":"stop_loss","trigger_price":"90"}`)
	wantStatus(t, "create", res, http.StatusCreated)
	id := int64(out["id"].(float64))
	res, _ = la.apiPost(trader, fmt.Sprintf("/api/v1/conditions/%d/approve", id), "")
	wantStatus(t, "approve", res, http.StatusOK)
	terms := trigger.Terms{TriggerPrice: dec("95"), Quantity: dec("4")}
	if _, err := la.conds.Modify(context.Background(), user.User{Name: "trader", Roles: []user.Role{user.Trader}}, id, 2, terms); err != nil {
		t.Fatal(err)
	}
	res = la.apiGet(pm, fmt.Sprintf("/api/v1/conditions/%d", id))
	var got conditionJSON
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatal(err)
	}
	if got.State != "active" || got.Level != "90" || got.ApprovedBy != "trader" || got.Amendment == nil ||
		got.Amendment.State != "pending" || got.Amendment.ProposedBy != "trader" || got.Amendment.Level != "95" ||
		got.Amendment.Quantity != "4" || got.Amendment.ProposedAt != liveNow.Format(time.RFC3339) {
		t.Fatalf("the condition with its amendment: %s", res.body)
	}
	approve := fmt.Sprintf("/api/v1/conditions/%d/amendment/approve", id)
	res, _ = la.apiPost(trader, approve, "")
	wantJSONError(t, "the author approves", res, http.StatusForbidden)
	wantContains(t, "the author approves", res.body, "proposed the amendment")
	res, _ = la.apiPost(pm, approve, "")
	wantJSONError(t, "a pm approves", res, http.StatusForbidden)
	res, out = la.apiPost(trader2, approve, "")
	wantStatus(t, "another trader approves", res, http.StatusOK)
	if out["level"] != "95" || out["approved_by"] != "trader2" || out["amended_by"] != "trader" {
		t.Fatalf("approved: %v", out)
	}
	if a, _ := out["amendment"].(map[string]any); a["state"] != "approved" || a["decided_by"] != "trader2" {
		t.Fatalf("the approved amendment: %v", out["amendment"])
	}
	res, _ = la.apiPost(trader2, approve, "")
	wantJSONError(t, "approving twice", res, http.StatusConflict)

	// The approved terms again change nothing: refused, not a new amendment.
	if _, err := la.conds.Modify(context.Background(), user.User{Name: "pm", Roles: []user.Role{user.PM}}, id, 4, terms); !errors.Is(err, trigger.ErrInvalid) {
		t.Fatalf("proposing the approved terms again: %v; want ErrInvalid", err)
	}
	terms.TriggerPrice = dec("96")
	if _, err := la.conds.Modify(context.Background(), user.User{Name: "pm", Roles: []user.Role{user.PM}}, id, 4, terms); err != nil {
		t.Fatal(err)
	}
	res, out = la.apiPost(pm, fmt.Sprintf("/api/v1/conditions/%d/amendment/reject", id), `{"reason":"second thoughts"}`)
	wantStatus(t, "the author withdraws", res, http.StatusOK)
	if a, _ := out["amendment"].(map[string]any); a["state"] != "withdrawn" || a["reason"] != "withdrawn by pm: second thoughts" ||
		out["level"] != "95" {
		t.Fatalf("withdrawn: %v", out)
	}
}

// modifyStop posts new terms for the stop-loss 1 on GROWTH's AAA as c.
func modifyStop(la *liveApp, c *http.Client, level, qty, version string) response {
	return la.postForm(c, "/conditions/1", url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "kind": {"stop_loss"},
		"trigger_price": {level}, "quantity": {qty}, "version": {version}})
}

// TestConditionModifiedActiveAwaitsAmendmentApproval: a trader who modifies
// an active condition proposes an amendment and is told that it stays
// watched on its approved terms. The pages show the amendment's author and
// its terms beside the approved ones, to everyone; the approve and reject
// buttons only to traders who are neither its author nor the creator, who
// are refused anyway; a withdraw button to its author. A second modification
// replaces the amendment, and another trader's approval applies it.
func TestConditionModifiedActiveAwaitsAmendmentApproval(t *testing.T) {
	la := newLiveApp(t)
	pm, tc, t2 := la.signedIn("pm"), la.signedIn("trader"), la.signedIn("trader2")
	res := la.postForm(pm, "/conditions", url.Values{"portfolio": {"GROWTH"}, "symbol": {"AAA"}, "kind": {"stop_loss"},
		"trigger_price": {"90"}, "quantity": {"5"}})
	wantStatus(t, "pm adds", res, http.StatusSeeOther)
	res = la.postForm(tc, "/conditions/1/approve", url.Values{"back": {"/conditions"}})
	wantStatus(t, "trader approves", res, http.StatusSeeOther)

	wantStatus(t, "the approver modifies", modifyStop(la, tc, "95", "10", "2"), http.StatusSeeOther)
	c, _ := la.conds.Get(context.Background(), 1)
	a := c.PendingAmendment()
	if c.State != trigger.Active || c.ApprovedBy != "trader" || !c.Level.Equal(dec("90")) || a == nil || a.By != "trader" ||
		!a.Level.Equal(dec("95")) {
		t.Fatalf("after the modification: %s approved by %q at %s, amendment %+v", c.State, c.ApprovedBy, c.Level, a)
	}
	res = la.get(tc, "/conditions")
	wantContains(t, "the author's list", res.body, `class="flash"`, "your new terms are an amendment awaiting a trader&#39;s approval",
		"stays active and is watched on its approved terms", `data-testid="condition-amendment"`, "amendment pending",
		"Amendment proposed by trader", "Approved (watched): at 90.00; quantity 5", "Proposed: at 95.00; quantity 10",
		"Withdraw amendment", `action="/conditions/1/amendment/reject"`)
	if strings.Contains(res.body, "/conditions/1/amendment/approve") {
		t.Error("the author is shown an approve button for their amendment")
	}
	res = la.get(pm, "/conditions")
	wantContains(t, "the creator's list", res.body, "Amendment proposed by trader", "Proposed: at 95.00")
	if strings.Contains(res.body, "/conditions/1/amendment/") {
		t.Error("the creator is shown amendment buttons")
	}
	res = la.get(t2, "/portfolios/GROWTH/conditions")
	wantContains(t, "another trader's panel", res.body, `action="/conditions/1/amendment/approve"`, "Reject amendment",
		"Approved (watched): at 90.00", "Saving proposes these terms as an amendment", `name="trigger_price" value="95"`,
		"(its pending amendment)")
	if strings.Contains(res.body, "Withdraw amendment") {
		t.Error("another trader is shown a withdraw button")
	}

	wantStatus(t, "the author approves anyway", la.postForm(tc, "/conditions/1/amendment/approve", url.Values{}), http.StatusForbidden)
	wantStatus(t, "the creator approves (no trader)", la.postForm(pm, "/conditions/1/amendment/approve", url.Values{}), http.StatusForbidden)
	wantStatus(t, "the approval of the condition instead", la.postForm(t2, "/conditions/1/approve", url.Values{}), http.StatusConflict)
	wantStatus(t, "a stale edit", modifyStop(la, pm, "92", "", "2"), http.StatusConflict)
	if c, _ := la.conds.Get(context.Background(), 1); !c.Level.Equal(dec("90")) || c.PendingAmendment() == nil || c.PendingAmendment().By != "trader" {
		t.Fatalf("a refused request changed the condition: level %s, amendment %+v", c.Level, c.PendingAmendment())
	}

	wantStatus(t, "the creator modifies again", modifyStop(la, pm, "93", "", "3"), http.StatusSeeOther)
	if c, _ := la.conds.Get(context.Background(), 1); c.PendingAmendment() == nil || c.PendingAmendment().By != "pm" ||
		!c.PendingAmendment().Level.Equal(dec("93")) || !c.Level.Equal(dec("90")) {
		t.Fatalf("the second modification: level %s, amendment %+v", c.Level, c.PendingAmendment())
	}
	res = la.postForm(t2, "/conditions/1/amendment/approve", url.Values{"back": {"/portfolios/GROWTH"}})
	wantStatus(t, "another trader approves", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/portfolios/GROWTH" {
		t.Errorf("back to %q", loc)
	}
	c, _ = la.conds.Get(context.Background(), 1)
	if c.State != trigger.Active || !c.Level.Equal(dec("93")) || !c.Quantity.IsZero() || c.ApprovedBy != "trader2" ||
		c.AmendedBy != "pm" || c.PendingAmendment() != nil {
		t.Fatalf("approved: %s at %s × %s by %q, amended by %q", c.State, c.Level, c.Quantity, c.ApprovedBy, c.AmendedBy)
	}
	res = la.get(t2, "/conditions")
	wantContains(t, "after approving", res.body, "its amendment is approved", "at 93.00")
	if strings.Contains(res.body, `data-testid="condition-amendment"`) {
		t.Error("an approved amendment is still shown as pending")
	}
}

// TestConditionAmendmentRejectedOrWithdrawn: another trader rejects an
// amendment with a reason, or its author withdraws it; the approved terms
// stay and the list says how the amendment ended. The creator may not reject
// it, and a cross-site post is refused.
func TestConditionAmendmentRejectedOrWithdrawn(t *testing.T) {
	la := newLiveApp(t)
	pm, tc, t2 := la.signedIn("pm"), la.signedIn("trader"), la.signedIn("trader2")
	addStopLoss(t, la, pm)
	wantStatus(t, "approve", la.postForm(tc, "/conditions/1/approve", url.Values{}), http.StatusSeeOther)
	wantStatus(t, "amend", modifyStop(la, tc, "95", "", "2"), http.StatusSeeOther)

	req := la.request(http.MethodPost, "/conditions/1/amendment/reject", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	wantStatus(t, "a cross-site rejection", la.do(t2, req), http.StatusForbidden)
	wantStatus(t, "the creator rejects", la.postForm(pm, "/conditions/1/amendment/reject", url.Values{}), http.StatusForbidden)
	if c, _ := la.conds.Get(context.Background(), 1); c.PendingAmendment() == nil {
		t.Fatal("a refused rejection discarded the amendment")
	}
	res := la.postForm(t2, "/conditions/1/amendment/reject", url.Values{"reason": {"too tight"}, "back": {"/conditions"}})
	wantStatus(t, "another trader rejects", res, http.StatusSeeOther)
	c, _ := la.conds.Get(context.Background(), 1)
	if c.State != trigger.Active || !c.Level.Equal(dec("90")) || c.Amendment == nil || c.Amendment.State != trigger.AmendmentRejected {
		t.Fatalf("after the rejection: %s at %s, amendment %+v", c.State, c.Level, c.Amendment)
	}
	res = la.get(t2, "/conditions")
	wantContains(t, "after the rejection", res.body, "its amendment is discarded; it stays watched on its approved terms",
		`data-testid="condition-amendment-note"`, "rejected by trader2: too tight")
	wantStatus(t, "approving the rejected amendment", la.postForm(t2, "/conditions/1/amendment/approve", url.Values{}), http.StatusConflict)

	wantStatus(t, "amend again", modifyStop(la, tc, "96", "", "4"), http.StatusSeeOther)
	wantStatus(t, "the author withdraws", la.postForm(tc, "/conditions/1/amendment/reject", url.Values{}), http.StatusSeeOther)
	if c, _ := la.conds.Get(context.Background(), 1); c.Amendment.State != trigger.AmendmentWithdrawn || !c.Level.Equal(dec("90")) {
		t.Fatalf("after the withdrawal: %+v at %s", c.Amendment, c.Level)
	}
	res = la.get(pm, "/conditions")
	wantContains(t, "after the withdrawal", res.body, "withdrawn by trader")
}

// TestConditionModifiedPendingChangesInPlace: modifying a condition never
// approved changes its terms at once; it still needs a trader's approval.
func TestConditionModifiedPendingChangesInPlace(t *testing.T) {
	la := newLiveApp(t)
	pm := la.signedIn("pm")
	addStopLoss(t, la, pm)
	res := la.get(pm, "/portfolios/GROWTH/conditions")
	wantContains(t, "the edit form", res.body, "Saving changes its terms; it still waits for a trader's approval")
	wantStatus(t, "modify", modifyStop(la, pm, "95", "", "1"), http.StatusSeeOther)
	c, _ := la.conds.Get(context.Background(), 1)
	if c.State != trigger.PendingApproval || !c.Level.Equal(dec("95")) || c.Amendment != nil || c.AmendedBy != "pm" {
		t.Fatalf("after modifying: %s at %s, amendment %+v, amended by %q", c.State, c.Level, c.Amendment, c.AmendedBy)
	}
	res = la.get(pm, "/conditions")
	wantContains(t, "after modifying", res.body, "It still needs a trader&#39;s approval")
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
