package web

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Sign-in limits: five failed sign-ins for one user name within fifteen
// minutes lock that name for fifteen minutes, whether or not a user has that
// name; each client address (an IPv6 client's /64) may fail twenty times at
// once, then once every thirty seconds.
const (
	nameMaxFailures = 5
	nameWindow      = 15 * time.Minute
	nameLockout     = 15 * time.Minute
	addrBurst       = 20
	addrRefill      = 30 * time.Second
	limitMaxEntries = 10000 // names, and addresses, remembered at most
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

// ipv6LimitBits is the prefix an IPv6 client is limited by: a /64 is the
// least a network hands one client (one LAN, SLAAC's privacy addresses), so
// a client can change the address within it at will, but not the prefix.
const ipv6LimitBits = 64

// addrKey is what the per-address limit counts addr under: an IPv6 address
// by its /64 ("2001:db8:1:2::/64"), an IPv4 address (IPv4-mapped IPv6 too)
// by itself. What does not parse as an address counts as it is.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.Prefix(ipv6LimitBits)
	if err != nil { // cannot happen: 64 bits fit an IPv6 address
		return ip.String()
	}
	return p.String()
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
	key, addr := nameKey(name), addrKey(addr)
	if f := l.names[key]; f != nil && now.Before(f.lockedUntil) {
		return true, true, false
	}
	if b := l.addrs[addr]; b != nil && b.refill(now) < 1 {
		return true, false, false
	}
	b := l.addrBucket(addr, now)
	b.refill(now)
	b.tokens--
	f := l.names[key]
	if f == nil {
		if len(l.names) >= limitMaxEntries {
			l.forgetName(now)
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
	if b := l.addrs[addrKey(addr)]; b != nil {
		b.tokens = min(b.tokens+1, addrBurst)
	}
}

// addrBucket returns addr's bucket, making a full one (room made first).
func (l *signInLimits) addrBucket(addr string, now time.Time) *addrBucket {
	if b := l.addrs[addr]; b != nil {
		return b
	}
	if len(l.addrs) >= limitMaxEntries {
		l.forgetAddr(now)
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

// A full table makes room rather than stop counting: a table that no longer
// took new names would let whoever filled it with made-up names guess a real
// name's password without end, and one that no longer took new addresses
// would let a client that changes its address guess without throttle.

// forgetName makes room in the full table of names: it forgets every name
// whose failures and lock have expired or, when none has, the one name worth
// least to the lockout. That is an unlocked name before a locked one; among
// unlocked names, the one with the fewest recent failures, then the one
// failed longest ago; among locked names, the one whose lock ends first.
// Filling the table with made-up names thus pushes out made-up names first,
// and a name under attack is counted from its first failure.
func (l *signInLimits) forgetName(now time.Time) {
	forgot := false
	var least string
	var leastF *nameFailures
	for k, f := range l.names {
		f.failures = recent(f.failures, now)
		if !now.Before(f.lockedUntil) && len(f.failures) == 0 {
			delete(l.names, k)
			forgot = true
			continue
		}
		if leastF == nil || f.worthLess(leastF, now) {
			least, leastF = k, f
		}
	}
	if !forgot && leastF != nil {
		delete(l.names, least)
	}
}

// worthLess says whether forgetting f costs the lockout less than forgetting g.
func (f *nameFailures) worthLess(g *nameFailures, now time.Time) bool {
	fLocked, gLocked := now.Before(f.lockedUntil), now.Before(g.lockedUntil)
	switch {
	case fLocked != gLocked:
		return !fLocked
	case fLocked:
		return f.lockedUntil.Before(g.lockedUntil)
	case len(f.failures) != len(g.failures):
		return len(f.failures) < len(g.failures)
	default: // both unlocked with failures in the window, oldest first
		return f.failures[len(f.failures)-1].Before(g.failures[len(g.failures)-1])
	}
}

// forgetAddr makes room in the full table of addresses: it forgets every
// address whose bucket has refilled or, when none has, the one with the most
// tokens, the address least throttled.
func (l *signInLimits) forgetAddr(now time.Time) {
	forgot := false
	var most string
	var mostB *addrBucket
	for k, b := range l.addrs {
		if b.refill(now) >= addrBurst {
			delete(l.addrs, k)
			forgot = true
			continue
		}
		if mostB == nil || b.tokens > mostB.tokens {
			most, mostB = k, b
		}
	}
	if !forgot && mostB != nil {
		delete(l.addrs, most)
	}
}
