package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// offSite reports whether a Location header would take a browser to another
// host: browsers read "\" as "/" in http(s) URLs (WHATWG URL), so "/\evil"
// is the scheme-relative "//evil".
func offSite(loc string) bool {
	l := strings.ReplaceAll(loc, `\`, "/")
	return strings.HasPrefix(l, "//") || strings.Contains(l, "://")
}

// TestConditionBackStaysOnSite: the "back" field of a condition's row
// buttons is checked like sign-in's next=, so "/\evil.example" (which
// browsers read as "//evil.example") goes to the conditions list instead.
func TestConditionBackStaysOnSite(t *testing.T) {
	la := newLiveApp(t)
	tc := la.signedIn("trader")
	res := addStopLoss(t, la, tc)
	res = la.postForm(tc, "/conditions/1/cancel", url.Values{"back": {`/\evil.example/phish`}})
	wantStatus(t, "cancel", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); offSite(loc) {
		t.Errorf("cancel with back=/\\evil.example redirects off site: Location %q", loc)
	}
}

// TestConditionModifyGoesBackToItsPortfolio: after a modify, the redirect
// goes to the stored condition's portfolio, whatever the form's portfolio
// field says (http.Redirect would path-clean "../\evil.example" into
// "/\evil.example").
func TestConditionModifyGoesBackToItsPortfolio(t *testing.T) {
	la := newLiveApp(t)
	tc := la.signedIn("trader")
	res := addStopLoss(t, la, tc)
	c, err := la.conds.Get(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	res = la.postForm(tc, "/conditions/1", url.Values{"portfolio": {`../\evil.example`}, "symbol": {"AAA"},
		"kind": {"stop_loss"}, "trigger_price": {"85"}, "version": {fmt.Sprint(c.Version)}})
	wantStatus(t, "modify", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); offSite(loc) {
		t.Errorf("modify with portfolio=../\\evil.example redirects off site: Location %q", loc)
	}
	if loc := res.header.Get("Location"); loc != "/portfolios/GROWTH#auto-orders" {
		t.Errorf("modify redirects to %q, want the condition's portfolio", loc)
	}
}
