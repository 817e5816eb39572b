package web

import (
	"net"
	"strings"
	"sync"
	"time"
)

// Sign-in limits: five failed sign-ins for one user name within fifteen
// minutes lock that name for fifteen minutes, whether or not a user has that
// name; each client address may fail twenty times at once, then once every
// thirty seconds.
const (
	nameMaxFailures = 5
	nameWindow      = 15 * time.Minute
	nameLockout     = 15 * time.Minute
	addrBurst       = 20
	addrRefill      = 30 * time.Second
	limitMaxEntries = 10000 // names or addresses remembered before expired ones are swept
)

// signInLimits counts failed sign-ins per user name and per client address, in
// memory, with an injected clock. It is safe for concurrent use.
type signInLimits struct {
	now   func() time.Time
	mu    sync.Mutex
	names map[string]*nameFailures
	addrs map[string]*addrBucket
}

// nameFailures are the recent failures of one user name and its lock.
type nameFailures struct {
	failures    []time.Time // within nameWindow, oldest first
	lockedUntil time.Time
}

// addrBucket is a token bucket of failed sign-ins for one client address.
type addrBucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

func newSignInLimits(now func() time.Time) *signInLimits {
	return &signInLimits{now: now, names: map[string]*nameFailures{}, addrs: map[string]*addrBucket{}}
}

// nameKey folds a user name so that case variants share one counter.
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// clientAddr is the address a sign-in came from, without its port. Ballast
// trusts only the connection's address, never forwarding headers.
func clientAddr(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// attempt decides whether a sign-in for name from addr may be tried now and,
// when it may, counts it as failed until succeed says otherwise: counting
// before the password is checked keeps concurrent guesses within the limits.
// refused says the attempt may not go on (nameLocked: because the name is
// locked, not the address throttled); locking says this attempt, if it
// fails, is the one that locked the name.
func (l *signInLimits) attempt(name, addr string) (refused, nameLocked, locking bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	key := nameKey(name)
	if f := l.names[key]; f != nil && now.Before(f.lockedUntil) {
		return true, true, false
	}
	if b := l.addrs[addr]; b != nil && b.refill(now) < 1 {
		return true, false, false
	}
	l.sweep(now)
	if b := l.addrBucket(addr, now); b != nil {
		b.refill(now)
		b.tokens--
	}
	f := l.names[key]
	if f == nil {
		if len(l.names) >= limitMaxEntries {
			return false, false, false
		}
		f = &nameFailures{}
		l.names[key] = f
	}
	f.failures = append(recent(f.failures, now), now)
	if len(f.failures) >= nameMaxFailures {
		f.failures = nil
		f.lockedUntil = now.Add(nameLockout)
		return false, false, true
	}
	return false, false, false
}

// succeed undoes what attempt counted for a sign-in that succeeded: the
// name's failures (and any lock its attempt set) are forgotten and the
// address gets its token back.
func (l *signInLimits) succeed(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.names, nameKey(name))
	if b := l.addrs[addr]; b != nil {
		b.tokens = min(b.tokens+1, addrBurst)
	}
}

// addrBucket returns addr's bucket, making a full one if there is room.
func (l *signInLimits) addrBucket(addr string, now time.Time) *addrBucket {
	if b := l.addrs[addr]; b != nil {
		return b
	}
	if len(l.addrs) >= limitMaxEntries {
		return nil
	}
	b := &addrBucket{tokens: addrBurst, at: now}
	l.addrs[addr] = b
	return b
}

// refill brings the bucket up to now and returns its tokens.
func (b *addrBucket) refill(now time.Time) float64 {
	if now.After(b.at) {
		b.tokens += float64(now.Sub(b.at)) / float64(addrRefill)
		if b.tokens > addrBurst {
			b.tokens = addrBurst
		}
		b.at = now
	}
	return b.tokens
}

// recent keeps the failures still inside the window.
func recent(failures []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(failures) && now.Sub(failures[i]) >= nameWindow {
		i++
	}
	return failures[i:]
}

// sweep forgets expired entries once the maps are full.
func (l *signInLimits) sweep(now time.Time) {
	if len(l.names) >= limitMaxEntries {
		for k, f := range l.names {
			if !now.Before(f.lockedUntil) && len(recent(f.failures, now)) == 0 {
				delete(l.names, k)
			}
		}
	}
	if len(l.addrs) >= limitMaxEntries {
		for k, b := range l.addrs {
			if b.refill(now) >= addrBurst {
				delete(l.addrs, k)
			}
		}
	}
}
