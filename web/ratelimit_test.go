package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// locked says whether name is locked for a sign-in from addr, without counting one.
func (l *signInLimits) locked(name, addr string) (refused, nameLocked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if f := l.names[nameKey(name)]; f != nil && now.Before(f.lockedUntil) {
		return true, true
	}
	b := l.addrs[addr]
	return b != nil && b.refill(now) < 1, false
}

func TestSignInLimitsLockANameAfterFiveFailures(t *testing.T) {
	clock := &testClock{t: orderNow}
	l := newSignInLimits(clock.Now)
	for i := 1; i < nameMaxFailures; i++ {
		if refused, _, locking := l.attempt("PM", "10.0.0.1"); refused || locking {
			t.Fatalf("attempt %d: refused %v, locking %v", i, refused, locking)
		}
	}
	if _, _, locking := l.attempt("pm ", "10.0.0.3"); !locking {
		t.Fatal("the fifth attempt (another case, address) did not lock the name")
	}
	if refused, nameLocked := l.locked("Pm", "10.0.0.9"); !refused || !nameLocked {
		t.Fatalf("locked name from a fresh address: refused %v, name locked %v", refused, nameLocked)
	}
	if refused, _ := l.locked("admin", "10.0.0.9"); refused {
		t.Fatal("another name is refused")
	}
	clock.Advance(nameLockout - time.Second)
	if refused, _, _ := l.attempt("pm", "10.0.0.9"); !refused {
		t.Fatal("lock ended early")
	}
	clock.Advance(time.Second)
	if refused, _ := l.locked("pm", "10.0.0.9"); refused {
		t.Fatal("lock did not end after 15 minutes")
	}
}

func TestSignInLimitsForgetOldFailuresAndSuccess(t *testing.T) {
	clock := &testClock{t: orderNow}
	l := newSignInLimits(clock.Now)
	for range nameMaxFailures - 1 {
		l.attempt("pm", "10.0.0.1")
	}
	clock.Advance(nameWindow)
	if _, _, locking := l.attempt("pm", "10.0.0.1"); locking {
		t.Fatal("failures older than the window still count")
	}
	for range nameMaxFailures - 2 {
		l.attempt("pm", "10.0.0.1")
	}
	// The fifth attempt succeeds: the lock it set and the count are forgotten.
	if _, _, locking := l.attempt("pm", "10.0.0.1"); !locking {
		t.Fatal("fifth attempt does not lock")
	}
	l.succeed("pm", "10.0.0.1")
	for i := 1; i < nameMaxFailures; i++ {
		if refused, _, locking := l.attempt("pm", "10.0.0.1"); refused || locking {
			t.Fatalf("after success, attempt %d: refused %v, locking %v", i, refused, locking)
		}
	}
}

func TestSignInLimitsThrottleAnAddress(t *testing.T) {
	clock := &testClock{t: orderNow}
	l := newSignInLimits(clock.Now)
	for i := range addrBurst {
		if refused, _, _ := l.attempt("user"+string(rune('a'+i)), "10.0.0.1"); refused {
			t.Fatalf("attempt %d of the burst refused", i+1)
		}
	}
	if refused, nameLocked, _ := l.attempt("someone", "10.0.0.1"); !refused || nameLocked {
		t.Fatalf("address after a burst: refused %v, name locked %v", refused, nameLocked)
	}
	if refused, _, _ := l.attempt("someone", "10.0.0.2"); refused {
		t.Fatal("another address is throttled")
	}
	clock.Advance(addrRefill)
	if refused, _, _ := l.attempt("someone", "10.0.0.1"); refused {
		t.Fatal("bucket did not refill")
	}
	if refused, _, _ := l.attempt("someone", "10.0.0.1"); !refused {
		t.Fatal("one refill allowed two attempts")
	}
	l.succeed("someone", "10.0.0.1")
	if refused, _, _ := l.attempt("else", "10.0.0.1"); refused {
		t.Fatal("a success did not give the address its token back")
	}
}

// TestSignInLimitsThrottleAnIPv6ClientByItsSlash64: an IPv6 client can
// use any address of its /64, so the addresses of one /64 share one bucket;
// another /64 has its own, and IPv4 addresses (IPv4-mapped ones too) are
// counted one by one.
func TestSignInLimitsThrottleAnIPv6ClientByItsSlash64(t *testing.T) {
	clock := &testClock{t: orderNow}
	l := newSignInLimits(clock.Now)
	burst := func(addr func(i int) string) {
		t.Helper()
		for i := range addrBurst {
			if refused, _, _ := l.attempt("user"+string(rune('a'+i)), addr(i)); refused {
				t.Fatalf("attempt %d of the burst from %s refused", i+1, addr(i))
			}
		}
	}
	burst(func(i int) string { return fmt.Sprintf("2001:db8:1:2::%x", i+1) }) // a new address for each guess
	for _, addr := range []string{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:DB8:1:2:0:0:0:abc"} {
		if refused, _, _ := l.attempt("someone", addr); !refused {
			t.Errorf("after a burst from 2001:db8:1:2::/64, %s is not throttled", addr)
		}
	}
	if refused, _, _ := l.attempt("someone", "2001:db8:1:3::1"); refused {
		t.Error("another /64 is throttled")
	}
	l.succeed("someone", "2001:db8:1:2::beef")
	if refused, _, _ := l.attempt("else", "2001:db8:1:2::cafe"); refused {
		t.Error("a success from the /64 did not give it its token back")
	}

	burst(func(int) string { return "::ffff:192.0.2.7" })
	if refused, _, _ := l.attempt("someone", "192.0.2.7"); !refused {
		t.Error("an IPv4 address and its IPv4-mapped form are counted apart")
	}
	for _, addr := range []string{"192.0.2.8", "::ffff:192.0.2.6"} {
		if refused, _, _ := l.attempt("someone", addr); refused {
			t.Errorf("after a burst from 192.0.2.7, %s is throttled", addr)
		}
	}
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1": "192.0.2.1", "::ffff:192.0.2.1": "192.0.2.1",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64", "2001:db8::1": "2001:db8::/64", "fe80::1%eth0": "fe80::/64",
		"odd": "odd",
	} {
		if got := addrKey(in); got != want {
			t.Errorf("addrKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSignInLimitsHoldUnderConcurrentGuesses: many guesses for one name at
// once (each still checking its password) cannot exceed the limit.
func TestSignInLimitsHoldUnderConcurrentGuesses(t *testing.T) {
	l := newSignInLimits((&testClock{t: orderNow}).Now)
	var mu sync.Mutex
	tried := 0
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if refused, _, _ := l.attempt("pm", "10.0.0."+strconv.Itoa(i)); !refused {
				mu.Lock()
				tried++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if tried != nameMaxFailures {
		t.Fatalf("%d concurrent guesses went through, want %d", tried, nameMaxFailures)
	}
}

// TestSignInLimitsKeepCountingWhenFull: once limitMaxEntries names and
// addresses are remembered (here all failed within the window, as when
// someone tries many made-up names), a new name is still counted and locked
// and a new address still throttled; the tables stay within their bound.
func TestSignInLimitsKeepCountingWhenFull(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	l := newSignInLimits(func() time.Time { return now })
	for i := range limitMaxEntries {
		l.attempt(fmt.Sprintf("filler%d", i), fmt.Sprintf("2001:db8::%x", i)) // one /64, many addresses
	}
	locked := false
	for i := range 50 {
		if refused, _, _ := l.attempt("pm", fmt.Sprintf("2001:db8::1:%x", i)); refused {
			locked = true // as it should be
			break
		}
	}
	if !locked {
		t.Errorf("50 failed sign-ins for pm were all let through: the per-name lockout (%d) fails open once %d names are remembered",
			nameMaxFailures, limitMaxEntries)
	}
	throttled := false
	for i := range addrBurst + 1 {
		if refused, nameLocked, _ := l.attempt(fmt.Sprintf("other%d", i), "2001:db8::2:1"); refused && !nameLocked {
			throttled = true
			break
		}
	}
	if !throttled {
		t.Errorf("%d failed sign-ins from a new address were let through once %d addresses are remembered",
			addrBurst+1, limitMaxEntries)
	}
	if len(l.names) > limitMaxEntries || len(l.addrs) > limitMaxEntries {
		t.Errorf("%d names and %d addresses remembered, at most %d each", len(l.names), len(l.addrs), limitMaxEntries)
	}
}

// TestSignInLimitsForgetTheLeastFailedFirst: a full table forgets a name
// with one failure before an older name with more, so that new made-up names
// push out made-up names, not the count of a name under attack.
func TestSignInLimitsForgetTheLeastFailedFirst(t *testing.T) {
	clock := &testClock{t: orderNow}
	l := newSignInLimits(clock.Now)
	for range nameMaxFailures - 1 {
		l.attempt("pm", "10.0.0.1")
	}
	for i := range limitMaxEntries - 1 {
		l.attempt(fmt.Sprintf("filler%d", i), fmt.Sprintf("10.1.%d.%d", i>>8, i&255))
	}
	clock.Advance(nameWindow / 2)
	for i := range 10 {
		l.attempt(fmt.Sprintf("new%d", i), "10.0.0.2")
	}
	if _, _, locking := l.attempt("pm", "10.0.0.3"); !locking {
		t.Fatal("pm's earlier failures were forgotten to make room for new names")
	}
}

func TestClientAddrDropsThePort(t *testing.T) {
	for in, want := range map[string]string{"192.0.2.1:1234": "192.0.2.1", "[2001:db8::1]:443": "2001:db8::1", "odd": "odd"} {
		if got := clientAddr(in); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSignInLockoutOverHTTP: five wrong passwords lock a name for 15 minutes,
// with the same 429 for an unknown name, and the right password is refused
// while locked; the lockout is logged without the password.
func TestSignInLockoutOverHTTP(t *testing.T) {
	app := newSecApp(t, secOptions{})
	c := app.client()
	try := func(name, password string) response {
		return app.postForm(c, "/signin", url.Values{"name": {name}, "password": {password}})
	}
	for _, name := range []string{"pm", "nobody-here"} {
		for i := 1; i <= nameMaxFailures; i++ {
			wantStatus(t, name+" wrong password", try(name, "wrong-password-"+name), http.StatusUnprocessableEntity)
		}
	}
	known, unknown := try("pm", testPassword), try("nobody-here", testPassword)
	wantStatus(t, "locked pm with the right password", known, http.StatusTooManyRequests)
	wantStatus(t, "locked unknown name", unknown, http.StatusTooManyRequests)
	if msgOf(known.body) != msgOf(unknown.body) || !strings.Contains(known.body, "Too many failed sign-ins") {
		t.Errorf("locked answers differ or lack the message:\n%s\n---\n%s", msgOf(known.body), msgOf(unknown.body))
	}
	if known.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	wantStatus(t, "another user", try("admin", testPassword), http.StatusSeeOther)

	app.clock.Advance(nameLockout)
	wantStatus(t, "pm after the lockout", try("pm", testPassword), http.StatusSeeOther)
	logs := app.logs.String()
	wantContains(t, "logs", logs, `"msg":"sign-in locked"`, `"user_name":"pm"`, `"user_name":"(unknown)"`)
	if strings.Count(logs, `"msg":"sign-in locked"`) != 2 {
		t.Errorf("want two lockouts logged:\n%s", logs)
	}
	if strings.Contains(logs, "wrong-password") || strings.Contains(logs, testPassword) || strings.Contains(logs, "nobody-here") {
		t.Errorf("a password or an unknown name was logged:\n%s", logs)
	}
}

// TestSignInSuccessResetsTheCount: four failures, a success, four more
// failures: the name is not locked.
func TestSignInSuccessResetsTheCount(t *testing.T) {
	app := newSecApp(t, secOptions{})
	c := app.client()
	for round := range 2 {
		for range nameMaxFailures - 1 {
			wantStatus(t, "wrong password", app.postForm(c, "/signin", url.Values{"name": {"trader"}, "password": {"nope-nope-nope"}}), http.StatusUnprocessableEntity)
		}
		if round == 0 {
			wantStatus(t, "right password", app.postForm(app.client(), "/signin", url.Values{"name": {"trader"}, "password": {testPassword}}), http.StatusSeeOther)
		}
	}
	wantStatus(t, "after reset", app.postForm(c, "/signin", url.Values{"name": {"trader"}, "password": {testPassword}}), http.StatusSeeOther)
}

// msgOf is the body without what differs by request (the name typed).
func msgOf(body string) string {
	for _, n := range []string{"nobody-here", "pm"} {
		body = strings.ReplaceAll(body, `value="`+n+`"`, `value=""`)
	}
	return body
}
