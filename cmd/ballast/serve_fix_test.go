package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
)

// waitUntil polls cond until it holds or the deadline passes (a deadline,
// not a timed assertion: it only bounds a hung test).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

type fixDesk struct {
	t          *testing.T
	path       string
	pm, trader *e2eClient
	d          *db.DB
}

// releasedBlock has pm propose to buy qty symbol for US-LC, the trader approve it,
// block it at SIM and release it; it returns the block's id.
func (f *fixDesk) releasedBlock(symbol, qty, limit string) int64 {
	t := f.t
	t.Helper()
	code, body := f.pm.postJSON("/api/v1/orders", fmt.Sprintf(`{"portfolio":"US-LC","symbol":%q,"side":"buy","quantity":%q,
		"order_type":"limit","limit_price":%q,"time_in_force":"day"}`, symbol, qty, limit))
	if code != http.StatusCreated {
		t.Fatalf("propose: %d %s", code, body)
	}
	var o struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &o)
	if code, body := f.trader.postJSON(fmt.Sprintf("/api/v1/orders/%d/approve", o.ID), `{}`); code != http.StatusOK {
		t.Fatalf("approve %d: %d %s", o.ID, code, body)
	}
	code, body = f.trader.postJSON("/api/v1/blocks", fmt.Sprintf(`{"order_ids":[%d],"broker":"SIM"}`, o.ID))
	if code != http.StatusCreated {
		t.Fatalf("block: %d %s", code, body)
	}
	var b struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &b)
	if code, body := f.trader.postJSON(fmt.Sprintf("/api/v1/blocks/%d/release", b.ID), `{}`); code != http.StatusOK {
		t.Fatalf("release %d: %d %s", b.ID, code, body)
	}
	return b.ID
}

type blockState struct {
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	FilledQty string `json:"filled_qty"`
	AvgPrice  string `json:"avg_price"`
}

func (f *fixDesk) block(id int64) blockState {
	f.t.Helper()
	code, body := f.trader.get("/api/v1/blocks")
	if code != http.StatusOK {
		f.t.Fatalf("blocks: %d %s", code, body)
	}
	var out struct{ Blocks []blockState }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		var list []blockState
		if err2 := json.Unmarshal([]byte(body), &list); err2 != nil {
			f.t.Fatalf("blocks JSON: %v %s", err, body)
		}
		out.Blocks = list
	}
	for _, b := range out.Blocks {
		if b.ID == id {
			return b
		}
	}
	f.t.Fatalf("block %d not listed: %s", id, body)
	return blockState{}
}

func (f *fixDesk) holding(symbol string) (qty, cash decimal.Decimal) {
	f.t.Helper()
	h, err := f.d.Holdings(context.Background(), "US-LC")
	if err != nil {
		f.t.Fatal(err)
	}
	p, _ := h.Position(symbol)
	return p.Quantity, h.Portfolio.Cash
}

func (f *fixDesk) sessions() (state string, queued int) {
	f.t.Helper()
	code, body := f.trader.get("/api/v1/sessions")
	if code != http.StatusOK {
		f.t.Fatalf("sessions API: %d %s", code, body)
	}
	var out struct {
		Sessions []struct {
			Broker, State string
			Queued        int
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Sessions) != 1 || out.Sessions[0].Broker != "SIM" {
		f.t.Fatalf("sessions API: %v %s", err, body)
	}
	return out.Sessions[0].State, out.Sessions[0].Queued
}

// TestServeTradesWithSimBroker: the demo desk trades with the in-process
// SIM broker out of the box. A four-eyes approved order released to SIM is
// filled and booked; the position and cash move by exactly the filled
// quantity × average price. Then, with the session logged out, a release
// stays visibly queued (API, banner, sessions page) and goes out at logon.
func TestServeTradesWithSimBroker(t *testing.T) {
	for _, store := range []string{"file", "sql"} {
		t.Run(store, func(t *testing.T) { serveTradesWithSim(t, store) })
	}
}

func serveTradesWithSim(t *testing.T, store string) {
	path := filepath.Join(t.TempDir(), "fix.db")
	base, _, stop := cliStartServe(t, path, "--price-feed", "none", "--sim-fill-latency", "5ms", "--compliance-batch-at", "off", "--fix-store", store)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	f := &fixDesk{t: t, path: path, pm: signInAs(t, base, "pm"), trader: signInAs(t, base, "trader"), d: cliOpenDB(t, path)}
	f.pm.token, f.trader.token = cliToken(t, path, "pm"), cliToken(t, path, "trader")
	waitUntil(t, "SIM logged on", func() bool { s, _ := f.sessions(); return s == "logged_on" })

	qty0, cash0 := f.holding("MSFT")
	id := f.releasedBlock("MSFT", "300", "420")
	waitUntil(t, "block filled", func() bool { return f.block(id).Status == "filled" })
	b := f.block(id)
	filled, avg := decimal.RequireFromString(b.FilledQty), decimal.RequireFromString(b.AvgPrice)
	if !filled.Equal(decimal.NewFromInt(300)) {
		t.Fatalf("filled %s, want 300", filled)
	}
	qty1, cash1 := f.holding("MSFT")
	if !qty1.Sub(qty0).Equal(filled) {
		t.Errorf("MSFT position moved by %s, want %s", qty1.Sub(qty0), filled)
	}
	if want := filled.Mul(avg).Neg(); !cash1.Sub(cash0).Equal(want) {
		t.Errorf("cash moved by %s, want %s (= -%s × %s)", cash1.Sub(cash0), want, filled, avg)
	}
	// The message log is written in batches, a few milliseconds behind the sends.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		msgs, err := f.d.FixMessagesOfBlock(context.Background(), id)
		if err == nil && hasOutAndIn(msgs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message log of block %d: %+v, %v; want the NewOrderSingle and the execution reports", id, msgs, err)
		}
	}

	if code, page := f.trader.get(fmt.Sprintf("/blocks/%d/fix", id)); code != http.StatusOK || !strings.Contains(page, "|35=D|") || !strings.Contains(page, "|35=8|") {
		t.Errorf("block %d's FIX message page: %d, lacks the NewOrderSingle or the execution reports", id, code)
	}

	// Session down: a release is queued, not lost, and goes out at logon.
	trader := signInAs(t, base, "trader")
	if code, _ := trader.post("/sessions/SIM/logout", url.Values{}); code != http.StatusOK {
		t.Fatalf("logout: %d", code)
	}
	waitUntil(t, "SIM stopped", func() bool { s, _ := f.sessions(); return s == "stopped" })
	jnj0, _ := f.holding("JNJ")
	id2 := f.releasedBlock("JNJ", "100", "155")
	if st, q := f.sessions(); st != "stopped" || q != 1 {
		t.Fatalf("sessions after a release while down: %s, %d queued; want stopped, 1", st, q)
	}
	if got := f.block(id2).Status; got != "sent" {
		t.Errorf("queued block is %s, want sent (waiting in the outbox)", got)
	}
	_, page := trader.get("/blotter")
	if !strings.Contains(page, "1 request(s) queued for SIM") {
		t.Errorf("the blotter shows no queued alert:\n%.2000s", page)
	}
	if !strings.Contains(page, "queued: session SIM down") {
		t.Errorf("the blotter does not flag the queued block")
	}
	_, page = trader.get("/sessions")
	if !strings.Contains(page, "session SIM down") {
		t.Errorf("the sessions page does not list the queued request")
	}
	if code, _ := trader.post("/sessions/SIM/logon", url.Values{}); code != http.StatusOK {
		t.Fatalf("logon: %d", code)
	}
	waitUntil(t, "queued block filled after logon", func() bool { return f.block(id2).Status == "filled" })
	if _, q := f.sessions(); q != 0 {
		t.Errorf("%d still queued after logon", q)
	}
	jnj1, _ := f.holding("JNJ")
	if !jnj1.Sub(jnj0).Equal(decimal.NewFromInt(100)) {
		t.Errorf("JNJ moved by %s after the queued release, want 100", jnj1.Sub(jnj0))
	}
}

func hasOutAndIn(ms []db.FixMessage) bool {
	out, in := false, false
	for _, m := range ms {
		out = out || (m.Direction == "out" && m.MsgType == "D" && strings.Contains(m.Raw, "35=D"))
		in = in || (m.Direction == "in" && strings.Contains(m.Raw, "35=8"))
	}
	return out && in
}

// TestServeRestartKeepsSimSession: both ends keep their sequence numbers
// across a restart of "ballast serve", so the demo session logs on again
// without a reset and without re-sending old orders, and trades on.
func TestServeRestartKeepsSimSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fix.db")
	args := []string{"--price-feed", "none", "--sim-fill-latency", "5ms", "--compliance-batch-at", "off"}
	base, _, stop := cliStartServe(t, path, args...)
	f := &fixDesk{t: t, path: path, pm: signInAs(t, base, "pm"), trader: signInAs(t, base, "trader"), d: cliOpenDB(t, path)}
	f.pm.token, f.trader.token = cliToken(t, path, "pm"), cliToken(t, path, "trader")
	waitUntil(t, "SIM logged on", func() bool { s, _ := f.sessions(); return s == "logged_on" })
	id := f.releasedBlock("MSFT", "200", "420")
	waitUntil(t, "block filled", func() bool { return f.block(id).Status == "filled" })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	qty0, _ := f.holding("MSFT")

	base, _, stop = cliStartServe(t, path, args...)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	f.pm.base, f.trader.base = base, base
	waitUntil(t, "SIM logged on after a restart", func() bool { s, _ := f.sessions(); return s == "logged_on" })
	id2 := f.releasedBlock("JNJ", "100", "155")
	waitUntil(t, "block filled after a restart", func() bool { return f.block(id2).Status == "filled" })
	if qty1, _ := f.holding("MSFT"); !qty1.Equal(qty0) {
		t.Errorf("MSFT moved from %s to %s after the restart: an old order was executed again", qty0, qty1)
	}
}

// TestServeNoSimBroker: without --fix-config and with --no-sim-broker there
// is no broker: the start-up line says so and the sessions API is absent.
func TestServeNoSimBroker(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nosim.db")
	base, out, stop := cliStartServe(t, path, "--price-feed", "none", "--no-sim-broker", "--compliance-batch-at", "off")
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	if !strings.Contains(out.String(), "No broker: releases are refused") {
		t.Errorf("start-up output:\n%s", out.String())
	}
	tr := signInAs(t, base, "trader")
	tr.token = cliToken(t, path, "trader")
	if code, _ := tr.get("/api/v1/sessions"); code != http.StatusNotFound {
		t.Errorf("GET /api/v1/sessions without a FIX client: %d, want 404", code)
	}
}

// TestServeRefusesBadFixConfig: a settings file that cannot be used stops
// serve with a clear error instead of starting without brokers.
func TestServeRefusesBadFixConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.cfg")
	if err := os.WriteFile(cfg, []byte("[DEFAULT]\nConnectionType=initiator\n[SESSION]\nBeginString=FIX.4.3\nSenderCompID=A\nTargetCompID=B\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := cliRun(t, dir, "", "serve", "--db", filepath.Join(dir, "b.db"), "--addr", "127.0.0.1:0", "--fix-config", cfg, "--price-feed", "none")
	if res.err == nil || !strings.Contains(res.err.Error(), "FIX.4.4 or FIX.4.2") {
		t.Errorf("serve with a FIX 4.3 session: %v", res.err)
	}
	res = cliRun(t, dir, "", "serve", "--db", filepath.Join(dir, "b.db"), "--addr", "127.0.0.1:0", "--fix-config", filepath.Join(dir, "missing.cfg"))
	if res.err == nil || !strings.Contains(res.err.Error(), "missing.cfg") {
		t.Errorf("serve with a missing settings file: %v", res.err)
	}
}
