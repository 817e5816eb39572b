package db

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	d.SetClock(func() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) })
	t.Cleanup(func() { d.Close() })
	return d
}

func mustExec(t *testing.T, d *DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Writer().Exec(q, args...); err != nil {
		t.Fatalf("exec %q: %v", q, err)
	}
}

func TestOpenPragmas(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	checks := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"page_size", "8192"},
		{"foreign_keys", "1"},
		{"synchronous", "1"},
		{"busy_timeout", "5000"},
	}
	for _, c := range checks {
		var got string
		if err := d.Writer().QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", c.pragma, err)
		}
		if got != c.want {
			t.Errorf("writer PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
	if got, want := d.ckpt.restartAt.Load(), int64(restartBytes/pageSize); got != want {
		t.Errorf("the checkpointer restarts the WAL at %d frames; want %d, %d bytes of %d-byte pages", got, want, restartBytes, pageSize)
	}
	var qo string
	if err := d.Reader().QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("reader query_only = %q, %v; want 1", qo, err)
	}
	if _, err := d.Reader().ExecContext(ctx, `INSERT INTO portfolios (code, name, base_currency) VALUES ('X','X','USD')`); err == nil {
		t.Error("reader accepted a write")
	}
	if err := d.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpenMigratesOnceAndRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		d, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		var n int
		if err := d.Reader().QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id = 1 AND is_applied`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("Open #%d: migration 1 recorded %d times, want 1", i+1, n)
		}
		d.Close()
	}
}

func TestOpenRejectsBadPath(t *testing.T) {
	for _, p := range []string{"", "a?b.db", filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")} {
		if d, err := Open(context.Background(), p); err == nil {
			d.Close()
			t.Errorf("Open(%q) succeeded, want an error", p)
		}
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	d := openTest(t)
	_, err := d.Writer().Exec(`INSERT INTO positions (portfolio, symbol, quantity) VALUES ('NOPE', 'NOPE', '1')`)
	if err == nil {
		t.Fatal("position without portfolio or security was accepted")
	}
}

func TestNotFound(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	_, err1 := d.Security(ctx, "ZZZ")
	_, err2 := d.Portfolio(ctx, "ZZZ")
	_, err3 := d.Holdings(ctx, "ZZZ")
	_, err4 := d.UserByName(ctx, "nobody")
	_, err5 := d.UserByID(ctx, 99)
	_, err6 := d.UserByTokenHash(ctx, "abc")
	err7 := d.AddAPIToken(ctx, 99, "abc", "x")
	for i, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("lookup %d: err = %v, want ErrNotFound", i+1, err)
		}
	}
}

// The driver runs busy_timeout first and the _journal_mode key after every
// _pragma (TestOpenPragmas checks what a new database gets).
func TestDSN(t *testing.T) {
	w, r := dsn("/x/b.db", false), dsn("/x/b.db", true)
	for _, want := range []string{"_journal_mode=WAL", "_pragma=busy_timeout%285000%29", "_pragma=page_size%288192%29", "_txlock=immediate"} {
		if !strings.Contains(w, want) {
			t.Errorf("writer dsn = %s; want %s in it", w, want)
		}
	}
	if strings.Contains(w, "journal_mode%28") {
		t.Errorf("writer dsn = %s: journal_mode as a _pragma would run before page_size", w)
	}
	if !strings.Contains(r, "_pragma=busy_timeout") || !strings.Contains(r, "query_only%281%29") || strings.Contains(r, "_txlock") {
		t.Errorf("reader dsn = %s", r)
	}
}

// A database created before the page size was set keeps its 4 KiB pages and
// opens as before: the page size cannot change in WAL mode, and Open must
// not try.
func TestOpenKeepsTheExistingPageSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", path+"?_pragma=page_size(4096)&_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`CREATE TABLE before_ballast (x)`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open of a 4 KiB database: %v", err)
	}
	defer d.Close()
	if got, want := d.ckpt.restartAt.Load(), int64(restartBytes/4096); got != want {
		t.Errorf("the checkpointer restarts the WAL at %d frames; want %d, %d bytes of 4 KiB pages", got, want, restartBytes)
	}
	for _, c := range []struct{ pragma, want string }{{"page_size", "4096"}, {"journal_mode", "wal"}} {
		var got string
		if err := d.Reader().QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil || got != c.want {
			t.Errorf("PRAGMA %s = %q (%v); want %s", c.pragma, got, err, c.want)
		}
	}
}
