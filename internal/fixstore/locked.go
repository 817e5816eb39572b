// Package fixstore holds what Ballast's FIX initiator (fixclient), its broker
// simulator (brokersim) and serve's start-up all need around quickfixgo's
// message stores: a locked store, and reading a field of a stored message.
package fixstore

import (
	"sync"
	"time"

	"github.com/quickfixgo/quickfix"
)

// Locked serialises every call to a quickfixgo message store.
// quickfixgo reads the next outbound MsgSeqNum on the session goroutine
// when the broker asks for a resend, without the lock its senders hold
// while they persist a message (SendToTarget runs on the sender's
// goroutine), and neither its memory nor its file store guards its
// counters: a resend request that crosses a message in flight is a data race.
type Locked struct {
	mu    sync.Mutex
	inner quickfix.MessageStore
}

// NextSenderMsgSeqNum implements quickfix.MessageStore under the lock.
func (l *Locked) NextSenderMsgSeqNum() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.NextSenderMsgSeqNum()
}

// NextTargetMsgSeqNum implements quickfix.MessageStore under the lock.
func (l *Locked) NextTargetMsgSeqNum() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.NextTargetMsgSeqNum()
}

// IncrNextSenderMsgSeqNum implements quickfix.MessageStore under the lock.
func (l *Locked) IncrNextSenderMsgSeqNum() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.IncrNextSenderMsgSeqNum()
}

// IncrNextTargetMsgSeqNum implements quickfix.MessageStore under the lock.
func (l *Locked) IncrNextTargetMsgSeqNum() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.IncrNextTargetMsgSeqNum()
}

// SetNextSenderMsgSeqNum implements quickfix.MessageStore under the lock.
func (l *Locked) SetNextSenderMsgSeqNum(next int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SetNextSenderMsgSeqNum(next)
}

// SetNextTargetMsgSeqNum implements quickfix.MessageStore under the lock.
func (l *Locked) SetNextTargetMsgSeqNum(next int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SetNextTargetMsgSeqNum(next)
}

// CreationTime implements quickfix.MessageStore under the lock.
func (l *Locked) CreationTime() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.CreationTime()
}

// SetCreationTime implements quickfix.MessageStore under the lock.
func (l *Locked) SetCreationTime(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inner.SetCreationTime(t)
}

// SaveMessage implements quickfix.MessageStore under the lock.
func (l *Locked) SaveMessage(seq int, msg []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SaveMessage(seq, msg)
}

// SaveMessageAndIncrNextSenderMsgSeqNum implements quickfix.MessageStore under the lock.
func (l *Locked) SaveMessageAndIncrNextSenderMsgSeqNum(seq int, msg []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SaveMessageAndIncrNextSenderMsgSeqNum(seq, msg)
}

// GetMessages implements quickfix.MessageStore under the lock.
func (l *Locked) GetMessages(begin, end int) ([][]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.GetMessages(begin, end)
}

// IterateMessages reads the messages under the lock and calls cb outside
// it: quickfixgo sends (and so touches the store) from cb.
// IterateMessages implements quickfix.MessageStore under the lock.
func (l *Locked) IterateMessages(begin, end int, cb func([]byte) error) error {
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

// Refresh implements quickfix.MessageStore under the lock.
func (l *Locked) Refresh() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.Refresh()
}

// Reset implements quickfix.MessageStore under the lock.
func (l *Locked) Reset() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.Reset()
}

// Close implements quickfix.MessageStore under the lock.
func (l *Locked) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.Close()
}

// NewLocked wraps inner.
func NewLocked(inner quickfix.MessageStore) *Locked { return &Locked{inner: inner} }

// LockedFactory hands out Locked stores around the stores of Inner.
type LockedFactory struct{ Inner quickfix.MessageStoreFactory }

// Create implements quickfix.MessageStoreFactory.
func (f LockedFactory) Create(id quickfix.SessionID) (quickfix.MessageStore, error) {
	s, err := f.Inner.Create(id)
	if err != nil {
		return nil, err
	}
	return &Locked{inner: s}, nil
}
