package main

import (
	"github.com/alexedwards/scs/sqlite3store"

	"github.com/ballast-oms/ballast/db"
)

// sessionStore is the web sessions' store: a session is read through the
// database's reader pool and written (and expired ones deleted) through its
// one writer connection. Every request loads its session, so reading it on
// the writer queued each page behind the bookings and the other sessions'
// writes (ballast bench web). A session written by one request is committed
// before its answer leaves, so the next request's read sees it.
type sessionStore struct {
	*sqlite3store.SQLite3Store // Commit, Delete, All and the cleanup, on the writer
	reads                      *sqlite3store.SQLite3Store
}

// newSessionStore returns the store, its cleanup of expired sessions
// running every sessionCleanup until StopCleanup.
func newSessionStore(d *db.DB) sessionStore {
	return sessionStore{SQLite3Store: sqlite3store.NewWithCleanupInterval(d.Writer(), sessionCleanup),
		reads: sqlite3store.NewWithCleanupInterval(d.Reader(), 0)}
}

// Find returns the data of the session token, read through the reader pool.
func (s sessionStore) Find(token string) ([]byte, bool, error) { return s.reads.Find(token) }
