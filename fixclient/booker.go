package fixclient

import (
	"context"
	"sync"

	"github.com/ballast-oms/ballast/order"
)

// BatchHandler is an optional extension of Handler. A Handler that has it
// books execution reports that arrived together in one call (one database
// transaction for the lot), which is how a busy session keeps up. The errors
// match reports one to one; nil means booked.
type BatchHandler interface {
	OnExecutions(ctx context.Context, rs []order.ExecutionReport) []error
}

// maxBookBatch bounds how many queued execution reports are booked together.
const maxBookBatch = 256

// inboxSize is how many inbound messages may wait for booking before the
// session goroutine waits (and stops reading from the broker).
const inboxSize = 4096

// inboundItem is one inbound application message waiting to be booked: an
// execution report, a cancel reject or a session/business reject.
type inboundItem struct {
	seq    int
	exec   *order.ExecutionReport
	cxlRej *order.CancelReject
	reject *order.SessionReject
}

// booker books one session's inbound messages on a goroutine of its own, in
// the order they arrived, so the session goroutine goes back to reading the
// broker at once and reports that arrive together share one transaction.
//
// It keeps the stored inbound sequence number behind what it has booked
// (guardStore.persist asks floor), so after a crash the broker resends every
// message that was received but not booked. A failed booking stops the
// booker at that message: what follows is discarded, the session is dropped
// and, before it reconnects, the inbound number is rewound to the failed
// message so the broker resends it and everything after it.
type booker struct {
	c  *Client
	s  *session
	in chan inboundItem

	mu      sync.Mutex
	idle    *sync.Cond
	queued  int  // messages handed over and not yet booked or discarded
	through int  // MsgSeqNum of the last message booked, when queued > 0
	failed  int  // MsgSeqNum of the message whose booking failed; 0: none
	closed  bool // the client is stopping: nothing more is queued

	sendMu   sync.RWMutex // held to send on in, and to close it
	inClosed bool         // in is closed (under sendMu)
	done     chan struct{}
}

func newBooker(c *Client, s *session) *booker {
	b := &booker{c: c, s: s, in: make(chan inboundItem, inboxSize), done: make(chan struct{})}
	b.idle = sync.NewCond(&b.mu)
	return b
}

// enqueue hands a message to the booker. It returns false, queueing
// nothing, once a booking has failed (the message is resent after the
// reconnect) or the client is stopping; floor then keeps the stored inbound
// number at or below the message either way.
func (b *booker) enqueue(it inboundItem) bool {
	b.mu.Lock()
	if b.closed && b.failed == 0 {
		b.failed = it.seq
	}
	if b.failed > 0 {
		b.mu.Unlock()
		return false
	}
	if b.queued == 0 {
		b.through = it.seq - 1 // everything before it is booked
	}
	b.queued++
	b.mu.Unlock()
	b.sendMu.RLock()
	defer b.sendMu.RUnlock()
	if b.inClosed { // closed meanwhile: nothing will book it, nor store a number past it
		b.fail(it.seq)
		b.settle(1, 0)
		return false
	}
	b.in <- it
	return true
}

// floor is the lowest inbound MsgSeqNum the store may record as expected
// next; 0 when every message handed over is booked.
func (b *booker) floor() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.failed > 0:
		return b.failed
	case b.queued > 0:
		return b.through + 1
	}
	return 0
}

// failing reports whether a booking failed and the session must be dropped
// and rewound before it books anything more.
func (b *booker) failing() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failed > 0
}

// drain waits until every queued message is booked or discarded. It is
// called on the session goroutine after the connection is gone (OnLogout),
// so the next connection starts from what is booked.
func (b *booker) drain() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.queued > 0 {
		b.idle.Wait()
	}
}

// rewindTo returns the MsgSeqNum to rewind the inbound number to after a
// failed booking (and clears the failure), or 0.
func (b *booker) rewindTo() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.failed
	if b.queued == 0 {
		b.failed = 0
	}
	return f
}

// settle marks n messages off the queue; through is the MsgSeqNum of the last
// one booked (0: none of them was).
func (b *booker) settle(n, through int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if through > 0 && b.failed == 0 {
		b.through = through
	}
	b.queued -= n
	if b.queued == 0 {
		b.idle.Broadcast()
	}
}

func (b *booker) fail(seq int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failed == 0 {
		b.failed = seq
	}
}

// close stops the booker once what is queued is booked.
func (b *booker) close() {
	b.mu.Lock()
	already := b.closed
	b.closed = true
	b.mu.Unlock()
	if !already {
		b.sendMu.Lock()
		b.inClosed = true
		close(b.in)
		b.sendMu.Unlock()
	}
	<-b.done
}

func (b *booker) run() {
	defer close(b.done)
	batch := make([]inboundItem, 0, maxBookBatch)
	for first := range b.in {
		batch = append(batch[:0], first)
	gather:
		for len(batch) < cap(batch) {
			select {
			case it, ok := <-b.in:
				if !ok {
					break gather
				}
				batch = append(batch, it)
			default:
				break gather
			}
		}
		b.book(batch)
	}
}

// book books a batch in order: runs of execution reports together, other
// messages one at a time. It stops at the first failure.
func (b *booker) book(batch []inboundItem) {
	if b.failing() {
		b.settle(len(batch), 0)
		return
	}
	for i := 0; i < len(batch); {
		j := i + 1
		if batch[i].exec != nil {
			for j < len(batch) && batch[j].exec != nil {
				j++
			}
		}
		if failedAt := b.bookRun(batch[i:j]); failedAt >= 0 {
			b.fail(batch[i+failedAt].seq)
			b.settle(len(batch)-i, 0)
			b.c.redeliver(b.s)
			return
		}
		b.settle(j-i, batch[j-1].seq)
		i = j
	}
}

// bookRun books items (several only when all are execution reports) and
// returns the index of the first that failed, or -1.
func (b *booker) bookRun(items []inboundItem) int {
	c, ctx := b.c, b.c.ctx
	if items[0].exec != nil {
		if bh, ok := c.h.(BatchHandler); ok && len(items) > 1 {
			rs := make([]order.ExecutionReport, len(items))
			for k, it := range items {
				rs[k] = *it.exec
			}
			for k, err := range bh.OnExecutions(ctx, rs) {
				if err != nil {
					b.logFailure(items[k], err)
					return k
				}
			}
			return -1
		}
		for k, it := range items {
			if err := c.h.OnExecution(ctx, *it.exec); err != nil {
				b.logFailure(it, err)
				return k
			}
		}
		return -1
	}
	var err error
	switch it := items[0]; {
	case it.cxlRej != nil:
		err = c.h.OnCancelReject(ctx, *it.cxlRej)
	case it.reject != nil:
		err = c.h.OnSessionReject(ctx, *it.reject)
	}
	if err != nil {
		b.logFailure(items[0], err)
		return 0
	}
	return -1
}

func (b *booker) logFailure(it inboundItem, err error) {
	var clOrdID, execID string
	switch {
	case it.exec != nil:
		clOrdID, execID = it.exec.ClOrdID, it.exec.ExecID
	case it.cxlRej != nil:
		clOrdID = it.cxlRej.ClOrdID
	case it.reject != nil:
		clOrdID = it.reject.ClOrdID
	}
	b.c.log.Error("fixclient: handler failed; dropping the session for redelivery",
		"session", b.s.id.String(), "seq", it.seq, "cl_ord_id", clOrdID, "exec_id", execID, "error", err)
}

// settleInbound waits, on the session goroutine after its connection is
// gone, for what the session received to be booked, and rewinds the inbound
// number after a failed booking.
func (c *Client) settleInbound(s *session) {
	if s.booker == nil {
		return
	}
	s.booker.drain()
	c.rewind(s)
}

// rewind moves the inbound number back to the message whose booking failed,
// if one did. It runs while no session goroutine reads or advances the
// number: in OnLogout, and before an initiator starts.
func (c *Client) rewind(s *session) {
	if s.booker == nil {
		return
	}
	seq := s.booker.rewindTo()
	if seq == 0 {
		return
	}
	if g := s.store.get(); g != nil {
		g.rewind(seq)
		c.log.Warn("fixclient: inbound sequence number rewound for redelivery", "session", s.id.String(), "next_target", seq)
	}
}

// redeliver drops the session after a failed booking so the broker resends
// the message. The session also drops at the next message it receives
// (guardStore holds the number while the booking is failing).
func (c *Client) redeliver(s *session) {
	go c.reconnect(s, "a message could not be booked")
}
