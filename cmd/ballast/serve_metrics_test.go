package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/web"
)

const testMetricsToken = "metrics-token-for-tests"

func TestServeMetricsNeedTheToken(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "serve.db")
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &cliBuffer{}, &cliBuffer{}
	getenv := func(k string) string {
		if k == metricsTokenEnv {
			return testMetricsToken
		}
		return ""
	}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"ballast", "serve", "--addr", "127.0.0.1:0", "--db", dbPath}, getenv, strings.NewReader(""), out, errOut)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := waitForURL(t, out, errOut, done)
	get := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, _ := get(""); status != http.StatusUnauthorized {
		t.Errorf("/metrics without a token: %d, want 401", status)
	}
	status, body := get(testMetricsToken)
	if status != http.StatusOK {
		t.Fatalf("/metrics with the token: %d: %s", status, body)
	}
	for _, want := range []string{`ballast_orders{status="filled"} `, `ballast_fix_session_up{broker="SIM",`,
		`ballast_http_request_duration_seconds_count{route="/metrics",code="4xx"} 1`, "ballast_scrape_error 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}

func waitForURL(t *testing.T, out, errOut *cliBuffer, done chan error) string {
	t.Helper()
	urlRE := regexp.MustCompile(`running at (http://\S+)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve ended early: %v; stderr %s", err, errOut.String())
		default:
		}
	}
	t.Fatalf("serve printed no URL; stdout %q stderr %q", out.String(), errOut.String())
	return ""
}

func TestShortMetricsTokenRefused(t *testing.T) {
	e := &env{getenv: func(string) string { return "short" }}
	if _, err := newServeMetrics(e, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), metricsTokenEnv) {
		t.Errorf("short token: err %v, want one naming %s", err, metricsTokenEnv)
	}
}

func TestBookingObserverCountsFillsAndLogsIDs(t *testing.T) {
	var logs bytes.Buffer
	m := web.NewMetrics()
	obs := bookingObserver(m, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx := context.Background()
	fill := order.ExecutionReport{Session: "FIX.4.4:BALLAST->SIM", Broker: "SIM", ExecID: "E1", ClOrdID: "C7",
		Kind: order.ExecPartialFill, LastQty: decimal.RequireFromString("10")}
	obs(ctx, fill, order.BookResult{BlockID: 7, Status: order.PartiallyFilled}, nil)
	obs(ctx, fill, order.BookResult{BlockID: 7, Duplicate: true}, nil)                           // not counted again
	obs(ctx, order.ExecutionReport{Broker: "SIM", Kind: order.ExecNew}, order.BookResult{}, nil) // an ack is no fill
	obs(ctx, fill, order.BookResult{Unmatched: true}, nil)
	obs(ctx, fill, order.BookResult{BlockID: 7}, errors.New("disk full"))

	var page bytes.Buffer
	m.WriteCounters(&page)
	if !strings.Contains(page.String(), `ballast_fills_booked_total{broker="SIM"} 1`+"\n") {
		t.Errorf("fills counted wrong:\n%s", page.String())
	}
	for _, want := range []string{`"msg":"execution booked","session":"FIX.4.4:BALLAST->SIM","broker":"SIM","exec_id":"E1","cl_ord_id":"C7","block_id":7`,
		`"level":"WARN","msg":"execution for an unknown order kept unbooked"`, `"level":"ERROR","msg":"book execution failed"`, `"error":"disk full"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

// The compliance timer covers the re-check at approval and the checks of a
// saved rebalance proposal, not only order entry and the compliance pages.
func TestMetricsTimeEveryComplianceCheck(t *testing.T) {
	m := web.NewMetrics()
	pre := &order.Precheck{Store: nil, Clock: order.ClockFunc(time.Now)}
	saver := &proposalSaver{}
	cfg := web.Config{Proposals: saver}
	if err := metricsExtra(m, testMetricsToken, slog.New(slog.DiscardHandler))(&cfg, &orderDesk{pre: pre}); err != nil {
		t.Fatal(err)
	}
	if pre.Observe == nil || saver.observe == nil {
		t.Fatalf("approval re-check timed: %v; proposal saving timed: %v", pre.Observe != nil, saver.observe != nil)
	}
	// An empty basket checks nothing but is still one timed check.
	if _, _, err := pre.CheckTrades(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	saver.observe(time.Millisecond)
	var b strings.Builder
	m.WriteCounters(&b)
	if !strings.Contains(b.String(), "ballast_compliance_duration_seconds_count 2") {
		t.Errorf("compliance checks counted:\n%s", b.String())
	}
}
