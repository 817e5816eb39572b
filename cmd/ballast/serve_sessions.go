package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"reflect"
	"sync"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/web"
)

// sessionStore is the web sessions' store: a session is read through the
// database's reader pool and written (and expired ones deleted) through its
// one writer connection. Every request loads its session, so reading it on
// the writer queued each page behind the bookings and the other sessions'
// writes (ballast bench web). A session written by one request is committed
// before its answer leaves, so the next request's read sees it.
//
// The session library renews the idle deadline on every request and so
// commits every session on every page load, a write transaction that waits
// for the bookings. A commit that changes only the deadline, by less than
// sessionTouch, is skipped: the idle timeout (two hours) is then kept to
// within a minute, and a page load that changes nothing writes nothing.
//
// Requests run at once for one session (a live blotter refreshes while the
// trader acts), and each commits the session as it loaded it: a refresh
// that loaded it before an action left its message ("Block 7 released.")
// would write the session back without the message, and a request that
// loaded it before a sign-out would bring the signed-out session back. The
// web server gives each request a web.LoadedSession (FindCtx fills it): a
// commit whose values are those it loaded only renews the deadline, and
// writes the deadline alone; a commit that changed values writes only its
// changes onto the session as it is stored then (merge). Neither brings
// back a session deleted meanwhile.
type sessionStore struct {
	*sqlite3store.SQLite3Store // Commit, Delete, All and the cleanup, on the writer
	reads                      *sqlite3store.SQLite3Store
	writer                     *sql.DB
	touched                    *touchedSessions
}

// sessionTouch is how far a session's stored deadline may lag behind its
// renewed one before the session is written again.
const sessionTouch = time.Minute

// maxTouched bounds the sessions remembered; beyond it the memory starts over
// (the next commit of each is simply written).
const maxTouched = 100_000

// touchedSessions remembers what was last written for each session token.
type touchedSessions struct {
	mu sync.Mutex
	m  map[string]touched
}

type touched struct {
	data   []byte
	expiry time.Time
}

// newSessionStore returns the store, its cleanup of expired sessions
// running every sessionCleanup until StopCleanup.
func newSessionStore(d *db.DB) sessionStore {
	return sessionStore{SQLite3Store: sqlite3store.NewWithCleanupInterval(d.Writer(), sessionCleanup),
		reads: sqlite3store.NewWithCleanupInterval(d.Reader(), 0), writer: d.Writer(), touched: &touchedSessions{m: map[string]touched{}}}
}

// FindCtx is Find, keeping what it found in the request's web.LoadedSession.
func (s sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	b, found, err := s.Find(token)
	if l := web.LoadedSessionFrom(ctx); l != nil && err == nil {
		l.Token, l.Data, l.Found = token, b, found
	}
	return b, found, err
}

// CommitCtx is Commit for a new session (or one under a new token, as at
// sign-in). For the session the request loaded, a request that changed
// nothing only moves the stored deadline, and one that changed values writes
// just those changes (see sessionStore).
func (s sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	l := web.LoadedSessionFrom(ctx)
	if l == nil || !l.Found || l.Token != token {
		return s.Commit(token, b, expiry)
	}
	if sameSession(l.Data, b) {
		return s.renew(token, expiry)
	}
	return s.merge(token, l.Data, b, expiry)
}

// merge writes what a request changed in session token — the values it set
// or changed, and those it removed, since it loaded loaded — onto the
// session as it is stored now, with the request's deadlines, in one
// transaction on the writer. A value another request changed meanwhile is
// overwritten only where this request changed it too, and kept when this
// request removed the value it had loaded (a message popped here does not
// take a newer message with it). A session deleted meanwhile stays deleted.
func (s sessionStore) merge(token string, loaded, b []byte, expiry time.Time) error {
	_, was, err := scs.GobCodec{}.Decode(loaded)
	if err != nil {
		return s.Commit(token, b, expiry)
	}
	deadline, now, err := scs.GobCodec{}.Decode(b)
	if err != nil {
		return err
	}
	tx, err := s.writer.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var stored []byte
	err = tx.QueryRow(`SELECT data FROM sessions WHERE token = ? AND julianday('now') < expiry`, token).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		s.forget(token)
		return nil // signed out (or expired) meanwhile: it stays so
	}
	if err != nil {
		return err
	}
	_, cur, err := scs.GobCodec{}.Decode(stored)
	if err != nil {
		cur = map[string]any{} // unreadable: the request's values replace it
	}
	for k, v := range now {
		if old, ok := was[k]; !ok || !reflect.DeepEqual(old, v) {
			cur[k] = v
		}
	}
	for k, old := range was {
		if _, kept := now[k]; !kept && reflect.DeepEqual(cur[k], old) {
			delete(cur, k)
		}
	}
	merged, err := scs.GobCodec{}.Encode(deadline, cur)
	if err != nil {
		return err
	}
	// As sqlite3store.Commit writes the expiry.
	if _, err := tx.Exec(`UPDATE sessions SET data = ?, expiry = julianday(?) WHERE token = ?`,
		merged, expiry.UTC().Format("2006-01-02T15:04:05.999"), token); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.remember(token, merged, expiry)
	return nil
}

// DeleteCtx is Delete.
func (s sessionStore) DeleteCtx(_ context.Context, token string) error { return s.Delete(token) }

// sameSession reports whether two encodings of a session (scs's default
// codec, which web keeps) hold the same deadline and values. Encodings of
// equal values may differ: gob writes a map in iteration order.
func sameSession(a, b []byte) bool {
	ta, va, err := scs.GobCodec{}.Decode(a)
	if err != nil {
		return false
	}
	tb, vb, err := scs.GobCodec{}.Decode(b)
	return err == nil && ta.Equal(tb) && reflect.DeepEqual(va, vb)
}

// renew moves the stored deadline of session token to expiry, leaving its
// data as it is (another request may have changed it), unless the stored
// deadline lags by less than sessionTouch. A session deleted meanwhile (a
// sign-out) stays deleted.
func (s sessionStore) renew(token string, expiry time.Time) error {
	t := s.touched
	t.mu.Lock()
	last, ok := t.m[token]
	t.mu.Unlock()
	if ok && !expiry.Before(last.expiry) && expiry.Sub(last.expiry) < sessionTouch {
		return nil
	}
	// As sqlite3store.Commit writes the expiry.
	if _, err := s.writer.Exec(`UPDATE sessions SET expiry = julianday(?) WHERE token = ?`,
		expiry.UTC().Format("2006-01-02T15:04:05.999"), token); err != nil {
		return err
	}
	t.mu.Lock()
	if len(t.m) >= maxTouched {
		clear(t.m)
	}
	t.m[token] = touched{data: last.data, expiry: expiry}
	t.mu.Unlock()
	return nil
}

// Commit writes the session unless only its deadline moved, by less than
// sessionTouch, since it was last written.
func (s sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	t := s.touched
	t.mu.Lock()
	last, ok := t.m[token]
	t.mu.Unlock()
	if ok && bytes.Equal(last.data, b) && !expiry.Before(last.expiry) && expiry.Sub(last.expiry) < sessionTouch {
		return nil
	}
	if err := s.SQLite3Store.Commit(token, b, expiry); err != nil {
		return err
	}
	s.remember(token, b, expiry)
	return nil
}

// remember notes what was last written for session token.
func (s sessionStore) remember(token string, b []byte, expiry time.Time) {
	t := s.touched
	t.mu.Lock()
	if len(t.m) >= maxTouched {
		clear(t.m)
	}
	t.m[token] = touched{data: bytes.Clone(b), expiry: expiry}
	t.mu.Unlock()
}

// forget drops what was remembered of session token.
func (s sessionStore) forget(token string) {
	s.touched.mu.Lock()
	delete(s.touched.m, token)
	s.touched.mu.Unlock()
}

// Delete removes the session and what was remembered of it.
func (s sessionStore) Delete(token string) error {
	s.forget(token)
	return s.SQLite3Store.Delete(token)
}

// Find returns the data of the session token, read through the reader pool.
func (s sessionStore) Find(token string) ([]byte, bool, error) { return s.reads.Find(token) }
