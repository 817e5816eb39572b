package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cliStartServe runs "ballast serve" on a free loopback port and returns its base
// URL, its output and a stop function that waits for run to return.
func cliStartServe(t *testing.T, dbPath string, extra ...string) (string, *cliBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &cliBuffer{}, &cliBuffer{}
	args := append([]string{"ballast", "serve", "--addr", "127.0.0.1:0", "--db", dbPath}, extra...)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(string) string { return "" }, strings.NewReader(""), out, errOut)
	}()
	urlRE := regexp.MustCompile(`running at (http://\S+)`)
	// Wait for the start-up line; a start-up failure ends run early.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve ended early: %v; stderr %s", err, errOut.String())
		default:
		}
	}
	cancel()
	t.Fatalf("serve printed no URL; stdout %q stderr %q", out.String(), errOut.String())
	return "", nil, nil
}

func TestServeSeedsDemoAnswersHealthAndStops(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "serve.db")
	base, out, stop := cliStartServe(t, dbPath)
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}
	for _, want := range []string{"Seeded a demo desk", "pm, trader, trader2, compliance, admin", `"ballast-demo"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out.String())
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
	// A second start finds the desk there: no new seed, sign-ins still shown.
	_, out, stop = cliStartServe(t, dbPath)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Seeded") || !strings.Contains(out.String(), "Demo sign-ins") {
		t.Errorf("second start printed:\n%s", out.String())
	}
	ps, err := cliOpenDB(t, dbPath).Portfolios(context.Background())
	if err != nil || len(ps) != 6 {
		t.Errorf("portfolios after two starts: %d, %v", len(ps), err)
	}
}

func TestServeNoDemo(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "empty.db")
	_, out, stop := cliStartServe(t, dbPath, "--no-demo")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Demo sign-ins") || strings.Contains(out.String(), "Seeded") || !strings.Contains(out.String(), "No users yet") {
		t.Errorf("--no-demo printed:\n%s", out.String())
	}
	if empty, err := cliOpenDB(t, dbPath).Empty(context.Background()); err != nil || !empty {
		t.Errorf("--no-demo database empty = %v, %v", empty, err)
	}
}

func TestIsLoopback(t *testing.T) {
	tests := map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true,
		":8080": false, "0.0.0.0:8080": false, "10.0.0.5:443": false, "bad": false,
	}
	for addr, want := range tests {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
