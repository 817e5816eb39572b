package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/user"
)

// openCLIDB opens the database cliRun used in dir.
func openCLIDB(t *testing.T, dir string) *db.DB {
	t.Helper()
	return openDBAt(t, filepath.Join(dir, "cli.db"))
}

// openDBAt opens the database at path for a test to inspect.
func openDBAt(t *testing.T, path string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func hashToken(plain string) string { return user.HashToken(plain) }

func checkPassword(pw, hash string) bool { return user.CheckPassword(pw, hash) }
