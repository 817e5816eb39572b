package brokersim

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/tag"

	"github.com/ballast-oms/ballast/internal/fixstore"
)

// outbox sends one session's reports in order from a goroutine of its own,
// one at a time: quickfixgo's SendToTarget only queues, and its session
// goroutine busy-loops while queued messages wait for a busy writer, so the
// broker queues a message only after the writer has written the previous
// one. That keeps the demo and the benchmarks from burning the CPU.
type outbox struct {
	id       quickfix.SessionID
	mu       sync.Mutex
	queue    []*quickfix.Message
	wake     chan struct{}
	loggedOn atomic.Bool

	sentMu sync.Mutex
	sent   int // highest MsgSeqNum handed to the writer
	moved  chan struct{}
}

func newOutbox(id quickfix.SessionID) *outbox {
	return &outbox{id: id, wake: make(chan struct{}, 1), moved: make(chan struct{})}
}

func (o *outbox) push(m *quickfix.Message) {
	o.mu.Lock()
	o.queue = append(o.queue, m)
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (o *outbox) pop() *quickfix.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.queue) == 0 {
		return nil
	}
	m := o.queue[0]
	o.queue[0] = nil
	o.queue = o.queue[1:]
	return m
}

// run sends queued messages until stop is closed.
func (o *outbox) run(stop <-chan struct{}, onErr func(error)) {
	for {
		m := o.pop()
		if m == nil {
			select {
			case <-o.wake:
				continue
			case <-stop:
				return
			}
		}
		if err := quickfix.SendToTarget(m, o.id); err != nil {
			onErr(err)
			continue
		}
		if seq, err := m.Header.GetInt(tag.MsgSeqNum); err == nil && o.loggedOn.Load() {
			o.waitSent(seq, stop)
		}
	}
}

// outgoing records that the writer has taken msg.
func (o *outbox) outgoing(msg []byte) {
	n, err := strconv.Atoi(fixstore.RawField(msg, "\x0134="))
	if err != nil {
		return
	}
	o.sentMu.Lock()
	if n > o.sent || n == 1 {
		o.sent = n
	}
	close(o.moved)
	o.moved = make(chan struct{})
	o.sentMu.Unlock()
}

func (o *outbox) waitSent(seq int, stop <-chan struct{}) {
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	for {
		o.sentMu.Lock()
		done, ch := o.sent >= seq, o.moved
		o.sentMu.Unlock()
		if done || !o.loggedOn.Load() {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			return
		case <-stop:
			return
		}
	}
}
