package brokersim

import (
	"sync"
	"time"

	"github.com/quickfixgo/quickfix"
)

// lockedStore serialises every call to a quickfixgo message store.
// quickfixgo reads the next outbound MsgSeqNum on the session goroutine
// when the broker asks for a resend, without the lock its senders hold
// while they persist a message (SendToTarget runs on the sender's
// goroutine), and neither its memory nor its file store guards its
// counters: a resend request that crosses a report in flight is a data race.
type lockedStore struct {
	mu    sync.Mutex
	inner quickfix.MessageStore
}

func (l *lockedStore) NextSenderMsgSeqNum() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.NextSenderMsgSeqNum()
}

func (l *lockedStore) NextTargetMsgSeqNum() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.NextTargetMsgSeqNum()
}

func (l *lockedStore) IncrNextSenderMsgSeqNum() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.IncrNextSenderMsgSeqNum()
}

func (l *lockedStore) IncrNextTargetMsgSeqNum() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.IncrNextTargetMsgSeqNum()
}

func (l *lockedStore) SetNextSenderMsgSeqNum(next int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SetNextSenderMsgSeqNum(next)
}

func (l *lockedStore) SetNextTargetMsgSeqNum(next int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SetNextTargetMsgSeqNum(next)
}

func (l *lockedStore) CreationTime() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.CreationTime()
}

func (l *lockedStore) SetCreationTime(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inner.SetCreationTime(t)
}

func (l *lockedStore) SaveMessage(seq int, msg []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SaveMessage(seq, msg)
}

func (l *lockedStore) SaveMessageAndIncrNextSenderMsgSeqNum(seq int, msg []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SaveMessageAndIncrNextSenderMsgSeqNum(seq, msg)
}

func (l *lockedStore) GetMessages(begin, end int) ([][]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.GetMessages(begin, end)
}

// IterateMessages reads the messages under the lock and calls cb outside
// it: quickfixgo sends (and so touches the store) from cb.
func (l *lockedStore) IterateMessages(begin, end int, cb func([]byte) error) error {
	msgs, err := l.GetMessages(begin, end)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := cb(m); err != nil {
			return err
		}
	}
	return nil
}

func (l *lockedStore) Refresh() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.Refresh()
}

func (l *lockedStore) Reset() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.Reset()
}

func (l *lockedStore) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.Close()
}

// lockedStores hands out lockedStores.
type lockedStores struct{ inner quickfix.MessageStoreFactory }

func (f lockedStores) Create(id quickfix.SessionID) (quickfix.MessageStore, error) {
	s, err := f.inner.Create(id)
	if err != nil {
		return nil, err
	}
	return &lockedStore{inner: s}, nil
}
