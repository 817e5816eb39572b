package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSignInLimitsLockANameAfterFiveFailures(t *testing.T) {
	clock := &testClock{t: orderNow}
	l := newSignInLimits(clock.Now)
	for i := 1; i < nameMaxFailures; i++ {
		if l.fail("PM", "10.0.0.1") {
			t.Fatalf("failure %d locked the name", i)
		}
	}
	if ok, _ := l.allow("pm", "10.0.0.2"); !ok {
		t.Fatal("four failures refused the name")
	}
	if !l.fail("pm ", "10.0.0.3") {
		t.Fatal("the fifth failure (another case, address) did not lock the name")
	}
	if ok, locked := l.allow("Pm", "10.0.0.9"); ok || !locked {
		t.Fatalf("locked name allowed=%v locked=%v from a fresh address", ok, locked)
	}
	if ok, _ := l.allow("admin", "10.0.0.9"); !ok {
		t.Fatal("another name is refused")
	}
	clock.Advance(nameLockout - time.Second)
	if ok, _ := l.allow("pm", "10.0.0.9"); ok {
		t.Fatal("lock ended early")
	}
	clock.Advance(time.Second)
	if ok, _ := l.allow("pm", "10.0.0.9"); !ok {
		t.Fatal("lock did not end after 15 minutes")
	}
}

func TestSignInLimitsForgetOldFailuresAndSuccess(t *testing.T) {
	clock := &testClock{t: orderNow}
	l := newSignInLimits(clock.Now)
	for range nameMaxFailures - 1 {
		l.fail("pm", "10.0.0.1")
	}
	clock.Advance(nameWindow)
	if l.fail("pm", "10.0.0.1") {
		t.Fatal("failures older than the window still count")
	}
	for range nameMaxFailures - 2 {
		l.fail("pm", "10.0.0.1")
	}
	l.succeed("pm")
	if l.fail("pm", "10.0.0.1") {
		t.Fatal("a successful sign-in did not reset the count")
	}
}

func TestSignInLimitsThrottleAnAddress(t *testing.T) {
	clock := &testClock{t: orderNow}
	l := newSignInLimits(clock.Now)
	for i := range addrBurst {
		l.fail("user"+string(rune('a'+i)), "10.0.0.1")
	}
	if ok, locked := l.allow("someone", "10.0.0.1"); ok || locked {
		t.Fatalf("address after a burst: allowed=%v name locked=%v", ok, locked)
	}
	if ok, _ := l.allow("someone", "10.0.0.2"); !ok {
		t.Fatal("another address is throttled")
	}
	clock.Advance(addrRefill)
	if ok, _ := l.allow("someone", "10.0.0.1"); !ok {
		t.Fatal("bucket did not refill")
	}
	l.fail("someone", "10.0.0.1")
	if ok, _ := l.allow("someone", "10.0.0.1"); ok {
		t.Fatal("one refill allowed two failures")
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
