package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballast-oms/ballast/db"
)

func TestSessionStoreReadsWhatTheWriterCommitted(t *testing.T) {
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := newSessionStore(d)
	defer s.StopCleanup()
	if _, ok, err := s.Find("tok"); ok || err != nil {
		t.Fatalf("before commit: found %v, %v", ok, err)
	}
	if err := s.Commit("tok", []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b, ok, err := s.Find("tok"); !ok || err != nil || string(b) != "data" {
		t.Fatalf("after commit: %q, %v, %v", b, ok, err)
	}
	if err := s.Commit("old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Find("old"); ok {
		t.Error("an expired session was found")
	}
	if err := s.Delete("tok"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Find("tok"); ok || err != nil {
		t.Errorf("after delete: found %v, %v", ok, err)
	}
}
