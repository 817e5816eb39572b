package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/db"
)

func TestBenchWebReportsLatenciesAndBooksTheFills(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.db")
	res := cliRun(t, t.TempDir(), "", "bench", "web", "--db", path, "--users", "3", "--duration", "2s",
		"--fills-per-second", "50", "--portfolios", "12", "--positions", "8", "--orders", "40", "--blocks", "4",
		"--orders-per-block", "2", "--think", "50ms", "--price-feed", "none")
	if res.err != nil {
		t.Fatalf("bench web: %v\n%s\n%s", res.err, res.stdout, res.stderr)
	}
	out := res.stdout
	for _, want := range []string{"signed in 3 users through POST /signin", "GET /blotter ", "GET /blotter (htmx live fragment)",
		"GET /portfolios ", "GET /portfolios/{code}", "all pages", "p50", "p90", "p99", "max", "requests/s",
		"event streams: 3 held open", "fills/s achieved", "booking latency (desk OnExecution): p50",
		`/metrics: ballast_fills_booked_total{broker="SIM"}`, "\nerrors: 0\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Every page row reports zero errors, and some requests but for the
	// reloads on change events (the stream's events are 1.5 s apart).
	row := regexp.MustCompile(`(?m)^(GET /\S+(?: \([^)]*\))?|all pages)\s+(\d+)\s.*?\s(\d+)\s+\d+ KB$`)
	rows := row.FindAllStringSubmatch(out, -1)
	if len(rows) != 6 {
		t.Fatalf("want 5 routes and the total, got %d rows:\n%s", len(rows), out)
	}
	for _, r := range rows {
		if (r[2] == "0" && r[1] != liveRoute) || r[3] != "0" {
			t.Errorf("%s: %s requests, %s errors", r[1], r[2], r[3])
		}
	}
	booked := regexp.MustCompile(`fills: (\d+) booked`).FindStringSubmatch(out)
	if booked == nil {
		t.Fatalf("no fills line:\n%s", out)
	}
	n, _ := strconv.Atoi(booked[1])
	if n == 0 {
		t.Fatalf("no fill booked:\n%s", out)
	}
	assertBenchWebRows(t, path, n)
}

// assertBenchWebRows checks that the database kept exactly n executions,
// none refused, and that the blocks' orders hold the fills.
func assertBenchWebRows(t *testing.T, path string, n int) {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var execs, refused, withFills int
	err = d.Reader().QueryRow(`SELECT count(*), count(*) FILTER (WHERE refused <> '') FROM executions WHERE session = ?`,
		benchFeedSession).Scan(&execs, &refused)
	if err != nil {
		t.Fatal(err)
	}
	if execs != n || refused != 0 {
		t.Errorf("executions: %d stored (%d refused), want %d booked", execs, refused, n)
	}
	if err := d.Reader().QueryRow(`SELECT count(*) FROM allocations WHERE quantity <> '0'`).Scan(&withFills); err != nil {
		t.Fatal(err)
	}
	if withFills == 0 {
		t.Error("no order holds an allocation of the fills")
	}
}

func TestBenchWebRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--users", "0"},
		{"--orders", "10", "--blocks", "20"},
		{"--orders-per-block", "50", "--portfolios", "10"},
		{"--price-feed", "nasdaq"},
		{"--duration", "0s"},
		{"extra"},
	} {
		res := cliRun(t, t.TempDir(), "", append([]string{"bench", "web"}, args...)...)
		if res.err == nil || !strings.Contains(res.err.Error(), "bench web") {
			t.Errorf("%v: err = %v", args, res.err)
		}
	}
}
