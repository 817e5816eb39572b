package fixclient

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/quickfix/store/file"
	"github.com/quickfixgo/quickfix/store/sql"

	"github.com/ballast-oms/ballast/internal/fixstore"
)

// errHeld makes quickfixgo drop the session without advancing the inbound
// sequence number, so the broker resends the message the Handler could not book.
var errHeld = errors.New("fixclient: inbound message not booked; holding its sequence number for redelivery")

// guardStore wraps a session's message store. It mirrors the sequence
// numbers for status reads from other goroutines (quickfixgo's own getters
// race with a live session), and it refuses to advance the inbound sequence
// number once after the Handler failed on a message.
type guardStore struct {
	quickfix.MessageStore
	hold       atomic.Bool
	nextSender atomic.Int64
	nextTarget atomic.Int64
}

func newGuardStore(inner quickfix.MessageStore) *guardStore {
	g := &guardStore{MessageStore: inner}
	g.sync()
	return g
}

func (g *guardStore) sync() {
	g.nextSender.Store(int64(g.MessageStore.NextSenderMsgSeqNum()))
	g.nextTarget.Store(int64(g.MessageStore.NextTargetMsgSeqNum()))
}

// IncrNextTargetMsgSeqNum advances the inbound sequence number unless the
// last message was not booked.
func (g *guardStore) IncrNextTargetMsgSeqNum() error {
	if g.hold.CompareAndSwap(true, false) {
		return errHeld
	}
	err := g.MessageStore.IncrNextTargetMsgSeqNum()
	g.nextTarget.Store(int64(g.MessageStore.NextTargetMsgSeqNum()))
	return err
}

// IncrNextSenderMsgSeqNum advances the outbound sequence number.
func (g *guardStore) IncrNextSenderMsgSeqNum() error {
	err := g.MessageStore.IncrNextSenderMsgSeqNum()
	g.nextSender.Store(int64(g.MessageStore.NextSenderMsgSeqNum()))
	return err
}

// SaveMessageAndIncrNextSenderMsgSeqNum persists an outbound message.
func (g *guardStore) SaveMessageAndIncrNextSenderMsgSeqNum(seq int, msg []byte) error {
	err := g.MessageStore.SaveMessageAndIncrNextSenderMsgSeqNum(seq, msg)
	g.nextSender.Store(int64(g.MessageStore.NextSenderMsgSeqNum()))
	return err
}

// SetNextSenderMsgSeqNum sets the outbound sequence number.
func (g *guardStore) SetNextSenderMsgSeqNum(next int) error {
	err := g.MessageStore.SetNextSenderMsgSeqNum(next)
	g.nextSender.Store(int64(g.MessageStore.NextSenderMsgSeqNum()))
	return err
}

// SetNextTargetMsgSeqNum sets the inbound sequence number.
func (g *guardStore) SetNextTargetMsgSeqNum(next int) error {
	err := g.MessageStore.SetNextTargetMsgSeqNum(next)
	g.nextTarget.Store(int64(g.MessageStore.NextTargetMsgSeqNum()))
	return err
}

// Reset resets both sequence numbers to 1.
func (g *guardStore) Reset() error {
	err := g.MessageStore.Reset()
	g.hold.Store(false)
	g.sync()
	return err
}

// Refresh reloads the store.
func (g *guardStore) Refresh() error {
	err := g.MessageStore.Refresh()
	g.sync()
	return err
}

// Close is a no-op for quickfixgo, which never closes stores; the Client
// closes the inner store itself when it stops.
func (g *guardStore) Close() error { return nil }

// sessionStores hands a session's initiators the same guarded store, created
// once, so logging out and on again keeps one open store per session.
type sessionStores struct {
	inner quickfix.MessageStoreFactory
	mu    sync.Mutex
	store *guardStore
}

func (f *sessionStores) Create(id quickfix.SessionID) (quickfix.MessageStore, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.store != nil {
		return f.store, nil
	}
	inner, err := f.inner.Create(id)
	if err != nil {
		return nil, err
	}
	f.store = newGuardStore(fixstore.NewLocked(inner))
	return f.store, nil
}

func (f *sessionStores) get() *guardStore {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store
}

func (f *sessionStores) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.store == nil {
		return nil
	}
	err := f.store.MessageStore.Close()
	f.store = nil
	return err
}

// storeFactory picks the session's message store and writes the settings
// it needs into ss; one is the single-session Settings the factory reads.
func (c *Client) storeFactory(id quickfix.SessionID, ss *quickfix.SessionSettings, one *quickfix.Settings, dsn string) (quickfix.MessageStoreFactory, error) {
	switch c.cfg.Store {
	case StoreFile:
		if !ss.HasSetting("FileStorePath") {
			if c.cfg.StorePath == "" {
				return nil, fmt.Errorf("fixclient: session %s: no FileStorePath setting and no StorePath", id)
			}
			ss.Set("FileStorePath", c.cfg.StorePath)
		}
		return file.NewStoreFactory(one), nil
	case StoreSQL:
		ss.Set("SQLStoreDriver", "sqlite")
		ss.Set("SQLStoreDataSourceName", dsn)
		ss.Set("SQLStoreMessagesTableName", sqlMessagesTable)
		ss.Set("SQLStoreSessionsTableName", sqlSessionsTable)
		return sql.NewStoreFactory(one), nil
	case StoreMemory:
		return quickfix.NewMemoryStoreFactory(), nil
	}
	return nil, fmt.Errorf("fixclient: unknown store kind %q", c.cfg.Store)
}
