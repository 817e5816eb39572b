package fixclient

import (
	"context"
	"sync"
	"time"
)

// Throttle spaces outbound messages so that at most rate of them leave per
// second: fixclient uses one per session, and the order book's outbox lane one
// per broker. Safe for concurrent use.
type Throttle struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
	now      func() time.Time
}

// NewThrottle returns a throttle of rate messages per second (0: no limit)
// on the clock now.
func NewThrottle(rate float64, now func() time.Time) *Throttle {
	t := &Throttle{now: now}
	if rate > 0 {
		t.interval = time.Duration(float64(time.Second) / rate)
	}
	return t
}

// Interval is the spacing between messages (0: no limit).
func (t *Throttle) Interval() time.Duration { return t.interval }

// Wait blocks until the caller may send, or ctx ends.
func (t *Throttle) Wait(ctx context.Context) error {
	if t.interval == 0 {
		return nil
	}
	t.mu.Lock()
	now := t.now()
	slot := t.next
	if slot.Before(now) {
		slot = now
	}
	t.next = slot.Add(t.interval)
	t.mu.Unlock()
	d := slot.Sub(now)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
