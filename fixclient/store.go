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
//
// With syncBooked set it also persists the inbound sequence number lazily.
// The store would otherwise write and fsync it after every inbound message,
// although what makes a report safe is its booking, not the number: the
// number only says where the broker resumes after a restart. So the number
// advances in memory, and persist writes it to the store a few times a second,
// after syncBooked has made every booking committed so far durable. The
// stored number is then never ahead of the durable bookings: after a crash or
// a power cut the broker resends what followed it, and the order book's
// (session, block, ExecID) key books nothing twice.
type guardStore struct {
	quickfix.MessageStore
	hold       atomic.Bool
	nextSender atomic.Int64
	nextTarget atomic.Int64

	syncBooked func() error // nil: the store advances the inbound number itself
	inbox      *booker      // with syncBooked: the session's booker, whose floor the stored number never passes
	persistMu  sync.Mutex   // one writer of the stored inbound number at a time
	persisted  int64        // the inbound number in the store (under persistMu)
}

func newGuardStore(inner quickfix.MessageStore, syncBooked func() error, inbox *booker) *guardStore {
	g := &guardStore{MessageStore: inner, syncBooked: syncBooked, inbox: inbox}
	g.sync()
	return g
}

func (g *guardStore) sync() {
	g.nextSender.Store(int64(g.MessageStore.NextSenderMsgSeqNum()))
	g.nextTarget.Store(int64(g.MessageStore.NextTargetMsgSeqNum()))
	g.persisted = g.nextTarget.Load()
}

// NextTargetMsgSeqNum is the inbound sequence number expected next.
func (g *guardStore) NextTargetMsgSeqNum() int {
	if g.syncBooked != nil {
		return int(g.nextTarget.Load())
	}
	return g.MessageStore.NextTargetMsgSeqNum()
}

// IncrNextTargetMsgSeqNum advances the inbound sequence number unless the
// last message was not booked; lazily (in memory) with syncBooked.
func (g *guardStore) IncrNextTargetMsgSeqNum() error {
	if g.hold.CompareAndSwap(true, false) {
		return errHeld
	}
	if g.inbox != nil && g.inbox.failing() {
		return errHeld // the session drops; the number is rewound before it reconnects
	}
	if g.syncBooked != nil {
		g.nextTarget.Add(1)
		return nil
	}
	err := g.MessageStore.IncrNextTargetMsgSeqNum()
	g.nextTarget.Store(int64(g.MessageStore.NextTargetMsgSeqNum()))
	return err
}

// persist writes the inbound sequence number to the store once the bookings
// of every message before it are durable (lazy mode; a no-op otherwise).
func (g *guardStore) persist() error {
	if g.syncBooked == nil {
		return nil
	}
	g.persistMu.Lock()
	defer g.persistMu.Unlock()
	next := g.bookedFloor(g.nextTarget.Load())
	if next == g.persisted {
		return nil
	}
	// Every message below next was booked (or held) before the number moved
	// past it, or handed to the booker, which has booked every message below
	// its floor; syncBooked puts those bookings on disk before the number is.
	if err := g.syncBooked(); err != nil {
		return fmt.Errorf("fixclient: make bookings durable: %w", err)
	}
	if err := g.MessageStore.SetNextTargetMsgSeqNum(int(next)); err != nil {
		return fmt.Errorf("fixclient: store inbound sequence number %d: %w", next, err)
	}
	g.persisted = next
	return nil
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

// SetNextTargetMsgSeqNum sets the inbound sequence number (an operator's
// reset, or quickfixgo's after a sequence reset from the broker).
func (g *guardStore) SetNextTargetMsgSeqNum(next int) error {
	g.persistMu.Lock()
	defer g.persistMu.Unlock()
	// The number is stored at once: in lazy mode the bookings of the
	// messages before it must be durable first, as in persist.
	if g.syncBooked != nil {
		if err := g.syncBooked(); err != nil {
			return fmt.Errorf("fixclient: make bookings durable: %w", err)
		}
	}
	stored := int(g.bookedFloor(int64(next)))
	err := g.MessageStore.SetNextTargetMsgSeqNum(stored)
	g.nextTarget.Store(int64(next))
	g.persisted = int64(g.MessageStore.NextTargetMsgSeqNum())
	return err
}

// bookedFloor lowers next to the first message the booker has not booked.
// next must be read before the floor: every message below it was handed
// over by then.
func (g *guardStore) bookedFloor(next int64) int64 {
	if g.inbox == nil {
		return next
	}
	if f := int64(g.inbox.floor()); f > 0 && f < next {
		return f
	}
	return next
}

// rewind moves the inbound number back to seq, the first message whose
// booking failed, so the broker resends it. No session goroutine may run.
func (g *guardStore) rewind(seq int) {
	g.persistMu.Lock()
	defer g.persistMu.Unlock()
	g.nextTarget.Store(int64(seq))
}

// Reset resets both sequence numbers to 1.
func (g *guardStore) Reset() error {
	g.persistMu.Lock()
	defer g.persistMu.Unlock()
	err := g.MessageStore.Reset()
	g.hold.Store(false)
	g.sync()
	return err
}

// Refresh reloads the store. In lazy mode an inbound number ahead of the
// stored one is kept: this process booked those messages.
func (g *guardStore) Refresh() error {
	g.persistMu.Lock()
	defer g.persistMu.Unlock()
	ahead := g.nextTarget.Load()
	err := g.MessageStore.Refresh()
	g.sync()
	if g.syncBooked != nil && ahead > g.nextTarget.Load() {
		g.nextTarget.Store(ahead)
	}
	return err
}

// Close is a no-op for quickfixgo, which never closes stores; the Client
// closes the inner store itself when it stops.
func (g *guardStore) Close() error { return nil }

// sessionStores hands a session's initiators the same guarded store, created
// once, so logging out and on again keeps one open store per session.
type sessionStores struct {
	inner      quickfix.MessageStoreFactory
	syncBooked func() error // see guardStore
	booker     *booker      // see guardStore
	mu         sync.Mutex
	store      *guardStore
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
	f.store = newGuardStore(fixstore.NewLocked(inner), f.syncBooked, f.booker)
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
	err := errors.Join(f.store.persist(), f.store.MessageStore.Close())
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
		if ss.HasSetting("FileStoreSync") {
			return file.NewStoreFactory(one), nil // the operator chose quickfixgo's own syncing
		}
		// quickfixgo's store files, synced by Ballast in groups in the
		// background, or with one fsync per outbound message instead of
		// three (fixstore.DurableFile).
		mode := fixstore.SyncGroup
		if ss.HasSetting(StoreSyncSetting) {
			switch v, _ := ss.Setting(StoreSyncSetting); v {
			case "group":
			case "message":
				mode = fixstore.SyncEachMessage
			default:
				return nil, fmt.Errorf("fixclient: session %s: %s=%q: want group or message", id, StoreSyncSetting, v)
			}
		}
		dir, _ := ss.Setting("FileStorePath")
		ss.Set("FileStoreSync", "N")
		return fixstore.DurableFileFactory{Inner: file.NewStoreFactory(one), Dir: dir, Sync: mode}, nil
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
