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

// A page load that only renews the idle deadline writes nothing until the
// stored deadline lags by sessionTouch; a change of data is always written.
func TestSessionStoreSkipsDeadlineOnlyRewrites(t *testing.T) {
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := newSessionStore(d)
	defer s.StopCleanup()
	stored := func() (string, time.Time) {
		t.Helper()
		var data []byte
		var expiry float64
		// The store keeps the expiry as a Julian day number.
		if err := d.Reader().QueryRow(`SELECT data, (expiry - 2440587.5) * 86400.0 FROM sessions WHERE token = 'tok'`).Scan(&data, &expiry); err != nil {
			t.Fatal(err)
		}
		sec := int64(expiry)
		return string(data), time.Unix(sec, int64((expiry-float64(sec))*1e9))
	}
	t0 := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	steps := []struct {
		name       string
		data       string
		expiry     time.Time
		wantData   string
		wantExpiry time.Time
	}{
		{"first write", "user=1", t0, "user=1", t0},
		{"renewed 10 s later", "user=1", t0.Add(10 * time.Second), "user=1", t0},
		{"renewed 59 s later", "user=1", t0.Add(59 * time.Second), "user=1", t0},
		{"renewed 61 s later", "user=1", t0.Add(61 * time.Second), "user=1", t0.Add(61 * time.Second)},
		{"data changed", "user=1;flash=saved", t0.Add(62 * time.Second), "user=1;flash=saved", t0.Add(62 * time.Second)},
		{"deadline moved back", "user=1;flash=saved", t0, "user=1;flash=saved", t0},
	}
	for _, st := range steps {
		if err := s.Commit("tok", []byte(st.data), st.expiry); err != nil {
			t.Fatal(err)
		}
		data, expiry := stored()
		if data != st.wantData || expiry.Sub(st.wantExpiry).Abs() > 10*time.Millisecond {
			t.Errorf("%s: stored %q until %s, want %q until %s", st.name, data, expiry, st.wantData, st.wantExpiry)
		}
	}
	if err := s.Delete("tok"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit("tok", []byte("user=1;flash=saved"), t0.Add(70*time.Second)); err != nil {
		t.Fatal(err)
	}
	if data, _ := stored(); data != "user=1;flash=saved" {
		t.Errorf("a session deleted and committed again was not written")
	}
}
