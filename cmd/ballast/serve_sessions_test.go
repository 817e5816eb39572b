package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/web"
)

func TestSessionStoreReadsWhatTheWriterCommitted(t *testing.T) {
	_, s := openSessionStore(t)
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
	d, s := openSessionStore(t)
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

// TestSessionStoreKeepsAMessageLeftDuringAReadOnlyRequest: a live refresh
// loads the session, an action meanwhile leaves its message in it and
// commits, then the refresh commits the session as it loaded it, only
// renewed. The message must survive, and the deadline still move.
func TestSessionStoreKeepsAMessageLeftDuringAReadOnlyRequest(t *testing.T) {
	d, s := openSessionStore(t)
	enc := sessionEncoder(t)
	t0 := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	if err := s.Commit("tok", enc(map[string]any{"user": int64(1), "theme": "dark"}), t0); err != nil {
		t.Fatal(err)
	}
	refresh, action := web.WithLoadedSession(context.Background()), web.WithLoadedSession(context.Background())
	if _, ok, err := s.FindCtx(refresh, "tok"); !ok || err != nil {
		t.Fatalf("refresh: found %v, %v", ok, err)
	}
	if _, ok, err := s.FindCtx(action, "tok"); !ok || err != nil {
		t.Fatalf("action: found %v, %v", ok, err)
	}
	if err := s.CommitCtx(action, "tok", enc(map[string]any{"user": int64(1), "theme": "dark", "flash": "Block 7 released."}), t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(2 * time.Minute)
	if err := s.CommitCtx(refresh, "tok", enc(map[string]any{"theme": "dark", "user": int64(1)}), later); err != nil {
		t.Fatal(err)
	}
	b, ok, err := s.Find("tok")
	if !ok || err != nil {
		t.Fatalf("after both: found %v, %v", ok, err)
	}
	_, values, err := scs.GobCodec{}.Decode(b)
	if err != nil || values["flash"] != "Block 7 released." {
		t.Fatalf("the action's message is gone: %v, %v", values, err)
	}
	var expiry float64
	if err := d.Reader().QueryRow(`SELECT (expiry - 2440587.5) * 86400.0 FROM sessions WHERE token = 'tok'`).Scan(&expiry); err != nil {
		t.Fatal(err)
	}
	if got := time.Unix(int64(expiry+0.5), 0); !got.Equal(later) {
		t.Errorf("stored expiry %v, want the refresh's %v", got, later)
	}
	// A session signed out meanwhile is not brought back by a renewal.
	other := web.WithLoadedSession(context.Background())
	if _, _, err := s.FindCtx(other, "tok"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCtx(context.Background(), "tok"); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(other, "tok", b, later.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Find("tok"); ok {
		t.Error("a renewal brought back a deleted session")
	}
}

// TestSessionStoreMergesConcurrentChanges: requests that change the session
// at once each write only their own changes onto the session as stored —
// an action's message and a setting changed in another tab both stay; a
// message popped by one request does not take a newer one with it; a
// request that loaded the session before a sign-out does not bring it back,
// however it changed it; a session under a new token (a sign-in) is written.
func TestSessionStoreMergesConcurrentChanges(t *testing.T) {
	_, s := openSessionStore(t)
	enc := sessionEncoder(t)
	values := func(token string) map[string]any {
		b, ok, err := s.Find(token)
		if err != nil || !ok {
			t.Fatalf("session %s: found %v, %v", token, ok, err)
		}
		_, v, err := scs.GobCodec{}.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	load := func(token string) context.Context {
		ctx := web.WithLoadedSession(context.Background())
		if _, _, err := s.FindCtx(ctx, token); err != nil {
			t.Fatal(err)
		}
		return ctx
	}
	expiry := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	commit := func(ctx context.Context, token string, v map[string]any) {
		if err := s.CommitCtx(ctx, token, enc(v), expiry); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit("tok", enc(map[string]any{"user": int64(1), "flash": "old"}), expiry); err != nil {
		t.Fatal(err)
	}

	a, b := load("tok"), load("tok")
	commit(a, "tok", map[string]any{"user": int64(1), "flash": "old", "theme": "light"}) // a setting, in one tab
	commit(b, "tok", map[string]any{"user": int64(1), "flash": "Block 7 released."})     // an action, in another
	if v := values("tok"); v["theme"] != "light" || v["flash"] != "Block 7 released." || v["user"] != int64(1) {
		t.Fatalf("after two changing requests: %v, want both changes", v)
	}

	pop, act := load("tok"), load("tok")
	commit(act, "tok", map[string]any{"user": int64(1), "theme": "light", "flash": "Block 8 released."})
	commit(pop, "tok", map[string]any{"user": int64(1), "theme": "light"}) // showed and popped "Block 7 released."
	if v := values("tok"); v["flash"] != "Block 8 released." {
		t.Fatalf("a popped message took the newer one with it: %v", v)
	}
	pop = load("tok")
	commit(pop, "tok", map[string]any{"user": int64(1), "theme": "light"})
	if v := values("tok"); v["flash"] != nil {
		t.Fatalf("a popped message is still there: %v", v)
	}

	late := load("tok")
	if err := s.DeleteCtx(context.Background(), "tok"); err != nil { // signed out in another tab
		t.Fatal(err)
	}
	commit(late, "tok", map[string]any{"user": int64(1), "theme": "dark", "flash": "Saved."})
	if _, ok, _ := s.Find("tok"); ok {
		t.Fatal("a request that loaded the session before the sign-out brought it back")
	}

	signIn := load("tok") // loaded nothing; the sign-in renews the token
	commit(signIn, "tok2", map[string]any{"user": int64(2)})
	if v := values("tok2"); v["user"] != int64(2) {
		t.Fatalf("the signed-in session: %v", v)
	}
}

// openSessionStore is a session store on a fresh database, closed with the test.
func openSessionStore(t *testing.T) (*db.DB, sessionStore) {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	s := newSessionStore(d)
	t.Cleanup(func() {
		s.StopCleanup()
		d.Close()
	})
	return d, s
}

// sessionEncoder encodes a session's values as scs does, with a deadline
// twelve hours ahead.
func sessionEncoder(t *testing.T) func(map[string]any) []byte {
	deadline := time.Now().Add(12 * time.Hour).Truncate(time.Second)
	return func(values map[string]any) []byte {
		b, err := scs.GobCodec{}.Encode(deadline, values)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}
