package main

import (
	"bytes"
	"sync"
	"time"

	"github.com/alexedwards/scs/sqlite3store"

	"github.com/ballast-oms/ballast/db"
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
type sessionStore struct {
	*sqlite3store.SQLite3Store // Commit, Delete, All and the cleanup, on the writer
	reads                      *sqlite3store.SQLite3Store
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
		reads: sqlite3store.NewWithCleanupInterval(d.Reader(), 0), touched: &touchedSessions{m: map[string]touched{}}}
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
	t.mu.Lock()
	if len(t.m) >= maxTouched {
		clear(t.m)
	}
	t.m[token] = touched{data: bytes.Clone(b), expiry: expiry}
	t.mu.Unlock()
	return nil
}

// Delete removes the session and what was remembered of it.
func (s sessionStore) Delete(token string) error {
	s.touched.mu.Lock()
	delete(s.touched.m, token)
	s.touched.mu.Unlock()
	return s.SQLite3Store.Delete(token)
}

// Find returns the data of the session token, read through the reader pool.
func (s sessionStore) Find(token string) ([]byte, bool, error) { return s.reads.Find(token) }
