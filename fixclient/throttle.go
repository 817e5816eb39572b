package fixclient

import (
	"context"
	"sync"
	"time"
)

// throttle spaces outbound application messages on one session so that at
// most rate of them leave per second.
type throttle struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
	now      func() time.Time
}

func newThrottle(rate float64, now func() time.Time) *throttle {
	t := &throttle{now: now}
	if rate > 0 {
		t.interval = time.Duration(float64(time.Second) / rate)
	}
	return t
}

// wait blocks until the caller may send, or ctx ends.
func (t *throttle) wait(ctx context.Context) error {
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
