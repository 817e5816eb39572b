package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ballast-oms/ballast/user"
)

// cliResult is what one run() call printed and returned.
type cliResult struct {
	stdout, stderr string
	err            error
}

// cliRun runs the program with args (without the program name), the given
// stdin and environment, and BALLAST_DB pointing into dir.
func cliRun(t *testing.T, dir, stdin string, args ...string) cliResult {
	t.Helper()
	vars := map[string]string{"BALLAST_DB": filepath.Join(dir, "cli.db")}
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"ballast"}, args...),
		func(k string) string { return vars[k] }, strings.NewReader(stdin), &out, &errOut)
	return cliResult{stdout: out.String(), stderr: errOut.String(), err: err}
}

func TestHelpAndVersion(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := cliRun(t, dir, "", args...)
		if r.err != nil {
			t.Fatalf("%v: %v", args, r.err)
		}
		for _, want := range []string{"ballast import securities|portfolios|holdings|prices FILE", "ballast user add --name NAME --role", "--addr", "BALLAST_DB", "--log-format", "--no-demo", "ballast user token", "ballast version"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: usage lacks %q", args, want)
			}
		}
	}
	if r := cliRun(t, dir, "", "version"); r.err != nil || r.stdout != "ballast "+version+"\n" {
		t.Errorf("version = %q, %v", r.stdout, r.err)
	}
}

func TestUnknownCommand(t *testing.T) {
	r := cliRun(t, t.TempDir(), "", "frobnicate")
	if r.err == nil || !strings.Contains(r.err.Error(), `unknown command "frobnicate"`) {
		t.Errorf("err = %v", r.err)
	}
	if r := cliRun(t, t.TempDir(), "", "user", "delete"); r.err == nil {
		t.Error("user delete succeeded")
	}
	if r := cliRun(t, t.TempDir(), "", "serve", "--log-format", "xml", "--addr", "127.0.0.1:0"); r.err == nil || !strings.Contains(r.err.Error(), "xml") {
		t.Errorf("bad log format: err = %v", r.err)
	}
	if r := cliRun(t, t.TempDir(), "", "serve", "--bogus"); r.err == nil {
		t.Error("unknown flag accepted")
	}
}

func TestUserAddThenToken(t *testing.T) {
	dir := t.TempDir()
	r := cliRun(t, dir, "a long enough password\n", "user", "add", "--name", "maria", "--role", "pm,trader")
	if r.err != nil {
		t.Fatalf("user add: %v (stderr %s)", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "created user maria") || !strings.Contains(r.stdout, "roles pm,trader") {
		t.Errorf("user add printed %q", r.stdout)
	}
	r = cliRun(t, dir, "a long enough password\n", "user", "add", "--name", "maria", "--role", "pm")
	if r.err == nil || !strings.Contains(r.err.Error(), "already exists") {
		t.Errorf("second add: err = %v", r.err)
	}
	r = cliRun(t, dir, "", "user", "token", "--name", "maria", "--label", "reports")
	if r.err != nil {
		t.Fatalf("user token: %v", r.err)
	}
	tok := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(tok, "blst_") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("token output %q", r.stdout)
	}
	d := openCLIDB(t, dir)
	u, err := d.UserByTokenHash(context.Background(), user.HashToken(tok))
	if err != nil || u.Name != "maria" || len(u.Roles) != 2 {
		t.Errorf("token's user = %+v, %v", u, err)
	}
	if !user.CheckPassword("a long enough password", u.PasswordHash) {
		t.Error("stored hash does not match the password from stdin")
	}
}

func TestUserAddRejects(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"short password", "short\n", []string{"--name", "x", "--role", "pm"}, "at least 12"},
		{"no password", "", []string{"--name", "x", "--role", "pm"}, "no password"},
		{"bad role", "a long enough password\n", []string{"--name", "x", "--role", "boss"}, `role "boss"`},
		{"no name", "a long enough password\n", []string{"--role", "pm"}, "--name is required"},
	}
	for _, tc := range tests {
		r := cliRun(t, t.TempDir(), tc.stdin, append([]string{"user", "add"}, tc.args...)...)
		if r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, r.err, tc.want)
		}
	}
	if r := cliRun(t, t.TempDir(), "", "user", "token", "--name", "ghost"); r.err == nil || !strings.Contains(r.err.Error(), "no user") {
		t.Errorf("token for unknown user: err = %v", r.err)
	}
}

// cliBuffer is a bytes.Buffer safe to write from the server goroutine while a test reads it.
type cliBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (c *cliBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.Write(p)
}

func (c *cliBuffer) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

var _ io.Writer = (*cliBuffer)(nil)
