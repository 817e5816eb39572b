package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
)

// e2eClient is a signed-in browser (cookies) or API (token) client.
type e2eClient struct {
	t     *testing.T
	base  string
	http  *http.Client
	token string
}

func signInAs(t *testing.T, base, name string) *e2eClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &e2eClient{t: t, base: base, http: &http.Client{Jar: jar}}
	code, body := c.post("/signin", url.Values{"name": {name}, "password": {db.DemoPassword}})
	if code != http.StatusOK || !strings.Contains(body, name) {
		t.Fatalf("sign in as %s: %d\n%.300s", name, code, body)
	}
	return c
}

func (c *e2eClient) do(req *http.Request) (int, string) {
	c.t.Helper()
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c *e2eClient) get(path string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

func (c *e2eClient) post(path string, form url.Values) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *e2eClient) postJSON(path, body string) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// TestComplianceEndToEnd: a PM's rebalance that buys restricted NVDA is
// blocked and the PM sees why; an order over the soft notional limit waits
// for compliance; a trader can neither override it nor approve it; the
// compliance officer overrides it with a reason, which is in the audit trail
// with the rule version; then the trader approves it.
func TestComplianceEndToEnd(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "e2e.db")
	base, _, stop := cliStartServe(t, path, "--compliance-batch-at", "off")
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	for _, pf := range []string{"US-TECH", "US-LC"} {
		if res := cliRun(t, dir, "", "rebalance", "--db", path, "--portfolio", pf, "--collar-bps", "50", "--save"); res.err != nil {
			t.Fatalf("rebalance %s --save: %v\n%s", pf, res.err, res.stderr)
		}
	}
	d := cliOpenDB(t, path)
	ctx := context.Background()
	queue, err := d.ComplianceQueue(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var blocked, soft order.Order
	for _, o := range queue {
		switch {
		case o.Symbol == "NVDA" && o.Side == "buy":
			blocked = o
		case o.Portfolio == "US-LC" && o.Symbol == "MSFT" && o.Status == order.AwaitingOverride:
			soft = o
		}
	}
	if blocked.Status != order.Blocked || soft.ID == 0 {
		t.Fatalf("want a blocked NVDA buy and an MSFT buy awaiting override; queue %+v", queue)
	}

	pm := signInAs(t, base, "pm")
	pm.token = cliToken(t, path, "pm")
	if code, body := pm.postJSON("/api/v1/portfolios/US-TECH/rebalance", `{"collar_bps": 50}`); code != http.StatusOK ||
		!strings.Contains(body, `"compliance":{"status":"fail","breaches":[`) || !strings.Contains(body, `"rule":"restricted"`) {
		t.Errorf("the API dry run carries no compliance per trade: %d %.600s", code, body)
	}
	pm.token = ""
	code, page := pm.get(fmt.Sprintf("/compliance/orders/%d", blocked.ID))
	for _, want := range []string{`data-verdict="fail"`, "restricted", "no_buy list", "hard breach", "cannot be overridden"} {
		if code != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("the PM's view of the blocked order (%d) lacks %q", code, want)
		}
	}
	if strings.Contains(page, "Override this breach") {
		t.Error("a PM is offered an override")
	}

	trader := signInAs(t, base, "trader")
	path0 := fmt.Sprintf("/compliance/orders/%d/overrides", soft.ID)
	form := url.Values{"rule": {"max-notional"}, "group": {"MSFT"}, "reason_code": {"client_instruction"}, "reason": {"client wants the full size"}}
	if code, _ := trader.post(path0, form); code != http.StatusForbidden {
		t.Errorf("a trader's override answered %d, want 403", code)
	}
	trader.token = cliToken(t, path, "trader")
	if code, body := trader.postJSON(fmt.Sprintf("/api/v1/orders/%d/overrides", soft.ID),
		`{"rule":"max-notional","reason_code":"other","reason":"x"}`); code != http.StatusForbidden {
		t.Errorf("a trader's API override answered %d, want 403: %s", code, body)
	}
	if code, body := trader.postJSON(fmt.Sprintf("/api/v1/orders/%d/approve", soft.ID), `{"override":"trader says so"}`); code == http.StatusOK {
		t.Errorf("a trader approved an order awaiting a compliance override: %s", body)
	}

	officer := signInAs(t, base, "compliance")
	code, page = officer.get(fmt.Sprintf("/compliance/orders/%d", soft.ID))
	if code != http.StatusOK || !strings.Contains(page, "Override this breach") || !strings.Contains(page, "soft breach") {
		t.Fatalf("the officer's review page (%d) offers no override", code)
	}
	if code, body := officer.post(path0, form); code != http.StatusOK || !strings.Contains(body, "ready for a trader") {
		t.Fatalf("the officer's override: %d\n%.500s", code, body)
	}
	events, err := db.NewOrderStore(d).AuditEvents(ctx, order.AuditFilter{OrderID: soft.ID})
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range events {
		if e.Action == "compliance_override" && e.Actor == "compliance" &&
			e.Reason == "client_instruction: client wants the full size" && strings.Contains(e.Details, "max-notional v1") {
			audited = true
		}
	}
	if !audited {
		t.Errorf("the override is not in the audit trail with its reason and rule version: %+v", events)
	}
	if code, body := trader.postJSON(fmt.Sprintf("/api/v1/orders/%d/approve", soft.ID), `{}`); code != http.StatusOK || !strings.Contains(body, "approved") {
		t.Errorf("the trader's approval after the override: %d %s", code, body)
	}
	last, err := d.LatestCheck(ctx, soft.ID)
	if err != nil || last.Phase != order.PhaseApprove || last.Verdict != order.VerdictPass {
		t.Errorf("no passing re-check at approval: %+v, %v", last, err)
	}
}

// cliToken creates an API token for name and returns it.
func cliToken(t *testing.T, dbPath, name string) string {
	t.Helper()
	res := cliRun(t, filepath.Dir(dbPath), "", "user", "token", "--name", name, "--db", dbPath)
	if res.err != nil {
		t.Fatalf("user token: %v", res.err)
	}
	fields := strings.Fields(res.stdout)
	return fields[len(fields)-1]
}
