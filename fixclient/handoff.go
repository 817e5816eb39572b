package fixclient

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// handoffWait bounds how long Send waits for quickfixgo to hand its message
// to the connection writer. The message is persisted either way; if the
// session drops first, it is resent after the next logon.
const handoffWait = 2 * time.Second

// handoff tracks the highest outbound MsgSeqNum quickfixgo has handed to
// the connection writer. quickfixgo's SendToTarget only queues; its session
// goroutine then retries a non-blocking hand-off in a busy loop while the
// writer is busy, so letting messages pile up in that queue burns the CPU
// and collapses throughput. Send waits for its own message to be handed
// over, keeping that queue short.
type handoff struct {
	mu   sync.Mutex
	sent int
	ch   chan struct{}
}

func newHandoff() *handoff { return &handoff{ch: make(chan struct{})} }

// outgoing is called from the session log for every message handed to the writer.
func (h *handoff) outgoing(msg []byte) {
	seq, ok := seqNumOf(msg)
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if seq > h.sent || seq == 1 {
		h.sent = seq
	}
	h.wakeLocked()
}

// kick wakes waiters, e.g. when the session drops.
func (h *handoff) kick() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.wakeLocked()
}

func (h *handoff) wakeLocked() {
	close(h.ch)
	h.ch = make(chan struct{})
}

// wait blocks until seq was handed over (true), or the session is down,
// ctx ends or the wait times out (false).
func (h *handoff) wait(ctx context.Context, seq int, down func() bool) bool {
	timer := time.NewTimer(handoffWait)
	defer timer.Stop()
	for {
		h.mu.Lock()
		done, ch := h.sent >= seq, h.ch
		h.mu.Unlock()
		switch {
		case done:
			return true
		case down():
			return false
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

var seqTag = []byte("\x0134=")

// seqNumOf finds MsgSeqNum(34) in a raw FIX message.
func seqNumOf(msg []byte) (int, bool) {
	i := bytes.Index(msg, seqTag)
	if i < 0 {
		return 0, false
	}
	n, digits := 0, 0
	for _, c := range msg[i+len(seqTag):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		digits++
	}
	return n, digits > 0
}
