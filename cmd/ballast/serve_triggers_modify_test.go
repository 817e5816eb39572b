package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// amendmentOut is a condition with its amendment, as the API shows it.
type amendmentOut struct {
	State      string `json:"state"`
	Level      string `json:"level"`
	ApprovedBy string `json:"approved_by"`
	AmendedBy  string `json:"amended_by"`
	Amendment  *struct {
		State      string `json:"state"`
		ProposedBy string `json:"proposed_by"`
		Level      string `json:"level"`
		Reason     string `json:"reason"`
	} `json:"amendment"`
}

// approvedStopLoss creates, as pm, a stop-loss at 90 on the demo holding with
// the price at 100, has trader approve it and returns it, watched.
func approvedStopLoss(t *testing.T, ld *liveDesk) condOut {
	t.Helper()
	pos := ld.demoHolding(t)
	ld.postPrice(t, pos.Symbol, "100")
	var c condOut
	if code := ld.call(t, "pm", "POST", "/api/v1/conditions", map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol,
		"kind": "stop_loss", "trigger_price": "90"}, &c); code != http.StatusCreated {
		t.Fatalf("create: %d %+v", code, c)
	}
	if code := ld.call(t, "trader", "POST", fmt.Sprintf("/api/v1/conditions/%d/approve", c.ID), nil, &c); code != http.StatusOK || c.State != "active" {
		t.Fatalf("approve: %d %+v", code, c)
	}
	if _, ok := ld.live.triggers.engine.Get(c.ID); !ok {
		t.Fatal("the approved condition is not watched")
	}
	return c
}

// amendFromPage has trader modify the stop-loss to level from its page and
// checks that they are told it stays watched on its approved terms.
func amendFromPage(t *testing.T, ld *liveDesk, id int64, level string) {
	t.Helper()
	pos := ld.demoHolding(t)
	tc := signInAs(t, ld.srv.URL, "trader")
	code, body := tc.post(fmt.Sprintf("/conditions/%d", id), url.Values{"portfolio": {pos.Portfolio}, "symbol": {pos.Symbol},
		"kind": {"stop_loss"}, "trigger_price": {level}, "version": {"2"}})
	if code != http.StatusOK || !strings.Contains(body, "your new terms are an amendment awaiting a trader&#39;s approval") ||
		!strings.Contains(body, "watched on its approved terms") {
		i := strings.Index(body, "flash")
		t.Fatalf("modify from the page: %d\n%.600s", code, body[max(i, 0):])
	}
}

// conditionAudit lists a condition's audit events as "action by actor: reason".
func conditionAudit(t *testing.T, ld *liveDesk, id int64) []string {
	t.Helper()
	rows, err := ld.d.Reader().Query(`SELECT action, actor, reason FROM audit_events WHERE condition_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action, actor, reason string
		if err := rows.Scan(&action, &actor, &reason); err != nil {
			t.Fatal(err)
		}
		out = append(out, action+" by "+actor+": "+reason)
	}
	return out
}

// wantAudit checks that the audit events start with the prefixes given.
func wantAudit(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) < len(want) {
		t.Fatalf("audit:\n%s\nwant events starting\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Fatalf("audit event %d is %q, want %q…; all:\n%s", i, got[i], w, strings.Join(got, "\n"))
		}
	}
}

// TestAmendedConditionFiresOnApprovedTerms: a trader who modifies an active
// stop-loss through its page proposes an amendment; the stop stays active
// and watched on its approved level, so a fall through that level fires it
// with the order approved by its approver, and the amendment is then void.
func TestAmendedConditionFiresOnApprovedTerms(t *testing.T) {
	ld := newLiveDesk(t)
	c := approvedStopLoss(t, ld)
	amendFromPage(t, ld, c.ID, "80")
	var got amendmentOut
	ld.call(t, "pm", "GET", fmt.Sprintf("/api/v1/conditions/%d", c.ID), nil, &got)
	if got.State != "active" || got.Level != "90" || got.ApprovedBy != "trader" || got.Amendment == nil ||
		got.Amendment.State != "pending" || got.Amendment.ProposedBy != "trader" || got.Amendment.Level != "80" {
		t.Fatalf("after the modification: %+v %+v", got, got.Amendment)
	}
	if w, ok := ld.live.triggers.engine.Get(c.ID); !ok || w.Level.String() != "90" {
		t.Fatalf("the engine watches %v (level %s), want the approved level 90", ok, w.Level)
	}

	firePM(t, ld, c.ID, "85", "trader")
	ld.call(t, "pm", "GET", fmt.Sprintf("/api/v1/conditions/%d", c.ID), nil, &got)
	if got.Amendment == nil || got.Amendment.State != "void" || !strings.Contains(got.Amendment.Reason, "fired before it was approved") {
		t.Fatalf("the amendment after firing: %+v", got.Amendment)
	}
	var refused condOut
	if code := ld.call(t, "trader2", "POST", fmt.Sprintf("/api/v1/conditions/%d/amendment/approve", c.ID), nil, &refused); code != http.StatusConflict {
		t.Fatalf("approving the void amendment: %d %+v", code, refused)
	}
	wantAudit(t, conditionAudit(t, ld, c.ID), "condition_create by pm", "condition_approve by trader",
		"condition_amend by trader: amendment proposed by trader: awaits a trader's approval; watched on the terms trader approved",
		"condition_fire by trigger", "condition_amendment_void by trigger: void: the condition fired before it was approved")
}

// TestApprovedAmendmentIsWatched: the amendment's author may not approve it;
// once another trader does, the engine watches the new level, and the order
// it fires is approved in that trader's name.
func TestApprovedAmendmentIsWatched(t *testing.T) {
	ld := newLiveDesk(t)
	c := approvedStopLoss(t, ld)
	amendFromPage(t, ld, c.ID, "95")
	approve := fmt.Sprintf("/api/v1/conditions/%d/amendment/approve", c.ID)
	var refused condOut
	if code := ld.call(t, "trader", "POST", approve, nil, &refused); code != http.StatusForbidden || !strings.Contains(refused.Error, "proposed the amendment") {
		t.Fatalf("the author approves: %d %+v", code, refused)
	}
	var got amendmentOut
	if code := ld.call(t, "trader2", "POST", approve, nil, &got); code != http.StatusOK || got.Level != "95" || got.ApprovedBy != "trader2" ||
		got.AmendedBy != "trader" || got.Amendment == nil || got.Amendment.State != "approved" {
		t.Fatalf("another trader approves: %d %+v", code, got)
	}
	if w, ok := ld.live.triggers.engine.Get(c.ID); !ok || w.Level.String() != "95" {
		t.Fatalf("the engine watches %v (level %s), want the amended level 95", ok, w.Level)
	}
	firePM(t, ld, c.ID, "94", "trader2")
	wantAudit(t, conditionAudit(t, ld, c.ID), "condition_create by pm", "condition_approve by trader",
		"condition_amend by trader", "condition_amendment_approve by trader2: approved by trader2", "condition_fire by trigger")
}

// firePM moves the demo holding's price to price, waits for condition id to
// fire with an order, and checks that the order is the pm's, approved in
// approver's name.
func firePM(t *testing.T, ld *liveDesk, id int64, price, approver string) {
	t.Helper()
	ld.postPrice(t, ld.demoHolding(t).Symbol, price)
	fired := ld.waitCondition(t, id, "fired with an order", func(c condOut) bool { return c.State == "triggered" && (c.OrderID != 0 || c.Alert != "") })
	if fired.Alert != "" {
		t.Fatalf("fired: %+v", fired)
	}
	detail, err := ld.orders.store.OrderDetail(context.Background(), fired.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if detail.Order.ProposedBy != "pm" || detail.Order.ApprovedBy != approver {
		t.Fatalf("fired order proposed by %q, approved by %q; want pm and %s", detail.Order.ProposedBy, detail.Order.ApprovedBy, approver)
	}
}

// The edit form shows a condition's validity as a date. Sent back unchanged
// with new terms, it keeps the validity the condition has: the date alone
// would mean the end of that day, past the 90 days of a condition created
// without a date earlier the same day, and the change was refused.
func TestModifyFromThePageKeepsAnUnchangedValidity(t *testing.T) {
	ld := newLiveDesk(t)
	c := approvedStopLoss(t, ld) // no valid_until given: 90 days from its creation
	pos := ld.demoHolding(t)
	tc := signInAs(t, ld.srv.URL, "trader")
	code, page := tc.get("/portfolios/" + url.PathEscape(pos.Portfolio) + "/conditions")
	if code != http.StatusOK {
		t.Fatalf("auto orders page: %d", code)
	}
	form := formFields(t, page, fmt.Sprintf(`action="/conditions/%d"`, c.ID))
	if form.Get("valid_until") == "" || form.Get("trigger_price") != "90" {
		t.Fatalf("the edit form as shown: %v", form)
	}
	var before struct {
		ValidUntil string `json:"valid_until"`
	}
	ld.call(t, "pm", "GET", fmt.Sprintf("/api/v1/conditions/%d", c.ID), nil, &before)
	form.Set("trigger_price", "85")
	code, body := tc.post(fmt.Sprintf("/conditions/%d", c.ID), form)
	if code != http.StatusOK || !strings.Contains(body, "your new terms are an amendment awaiting a trader&#39;s approval") {
		i := strings.Index(body, `days ahead`) - 200
		t.Fatalf("modify with the form as shown: %d\n%.300s", code, body[max(i, 0):])
	}
	var got struct {
		Amendment *struct {
			Level      string `json:"level"`
			ValidUntil string `json:"valid_until"`
		} `json:"amendment"`
	}
	ld.call(t, "pm", "GET", fmt.Sprintf("/api/v1/conditions/%d", c.ID), nil, &got)
	if got.Amendment == nil || got.Amendment.Level != "85" || got.Amendment.ValidUntil != before.ValidUntil {
		t.Fatalf("the amendment: %+v; want level 85 valid until %s, as before", got.Amendment, before.ValidUntil)
	}
}

// formFields reads the named inputs (and the selected options) of the first
// form on page whose opening tag contains marker.
func formFields(t *testing.T, page, marker string) url.Values {
	t.Helper()
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no form with %s on the page", marker)
	}
	end := strings.Index(page[i:], "</form>")
	if end < 0 {
		t.Fatalf("the form with %s does not end", marker)
	}
	form := page[i : i+end]
	out := url.Values{}
	for _, m := range regexp.MustCompile(`<input[^>]*>`).FindAllString(form, -1) {
		name := attr(m, "name")
		if name == "" || strings.Contains(m, `type="submit"`) {
			continue
		}
		out.Set(name, html.UnescapeString(attr(m, "value")))
	}
	for _, s := range regexp.MustCompile(`(?s)<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(form, -1) {
		if o := regexp.MustCompile(`<option[^>]*value="([^"]*)"[^>]*selected`).FindStringSubmatch(s[2]); o != nil {
			out.Set(s[1], html.UnescapeString(o[1]))
		}
	}
	return out
}

// attr is the value of attribute name in the tag, or "".
func attr(tag, name string) string {
	m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return m[1]
}

// Terms whose level the price has crossed since they were proposed are not
// put in force: approving them would fire them at the next tick. The
// approval is refused (409) and nothing changes: a pending condition stays
// pending, an active one stays watched on its approved level with the
// amendment still awaiting a decision.
func TestApprovalRefusesALevelThePriceHasCrossed(t *testing.T) {
	ld := newLiveDesk(t)
	c := approvedStopLoss(t, ld) // at 90, the price at 100
	pos := ld.demoHolding(t)
	amendFromPage(t, ld, c.ID, "95")
	ld.postPrice(t, pos.Symbol, "94")
	var refused struct {
		Error string `json:"error"`
	}
	code := ld.call(t, "trader2", "POST", fmt.Sprintf("/api/v1/conditions/%d/amendment/approve", c.ID), nil, &refused)
	if code != http.StatusConflict || !strings.Contains(refused.Error, "the price has moved since these terms were proposed") ||
		!strings.Contains(refused.Error, "level 95 is at or above the current price 94") {
		t.Fatalf("approving a stop at 95 with the price at 94: %d %q; want 409 saying why", code, refused.Error)
	}
	var got amendmentOut
	ld.call(t, "pm", "GET", fmt.Sprintf("/api/v1/conditions/%d", c.ID), nil, &got)
	if got.State != "active" || got.Level != "90" || got.Amendment == nil || got.Amendment.State != "pending" {
		t.Fatalf("after the refusal: %+v %+v; want active at 90 with the amendment pending", got, got.Amendment)
	}
	if w, ok := ld.live.triggers.engine.Get(c.ID); !ok || w.Level.String() != "90" {
		t.Fatalf("the engine watches %v (level %v); want the approved level 90", ok, w.Level)
	}
	ld.postPrice(t, pos.Symbol, "100")
	if code := ld.call(t, "trader2", "POST", fmt.Sprintf("/api/v1/conditions/%d/amendment/approve", c.ID), nil, &got); code != http.StatusOK || got.Level != "95" {
		t.Fatalf("approving once the price is back at 100: %d %+v", code, got)
	}

	var pending condOut
	if code := ld.call(t, "pm", "POST", "/api/v1/conditions", map[string]any{"portfolio": pos.Portfolio, "symbol": pos.Symbol,
		"kind": "take_profit", "trigger_price": "110"}, &pending); code != http.StatusCreated {
		t.Fatalf("create a take-profit: %d %+v", code, pending)
	}
	ld.postPrice(t, pos.Symbol, "111")
	if code := ld.call(t, "trader", "POST", fmt.Sprintf("/api/v1/conditions/%d/approve", pending.ID), nil, &refused); code != http.StatusConflict ||
		!strings.Contains(refused.Error, "level 110 is at or below the current price 111") {
		t.Fatalf("approving a take-profit at 110 with the price at 111: %d %q; want 409", code, refused.Error)
	}
	ld.call(t, "pm", "GET", fmt.Sprintf("/api/v1/conditions/%d", pending.ID), nil, &pending)
	if pending.State != "pending_approval" {
		t.Fatalf("the refused condition is %s; want still pending_approval", pending.State)
	}
}
