package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ballast-oms/ballast/internal/browsertest"
)

// TestBrowserComplianceAcceptance drives Chromium through issue 4's
// acceptance: the demo PM's rebalance of US-TECH and US-LC buys restricted
// NVDA, which is blocked with the reason shown; an order over the soft
// notional limit waits for a compliance override; the compliance officer
// overrides it with a reason, and the override is in the audit trail.
func TestBrowserComplianceAcceptance(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := browsertest.New(t)
	base := startBrowserServe(t)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browsertest.Step(t, browser, what, actions...)
	}
	text := func(sel string) string {
		t.Helper()
		return browsertest.Text(t, browser, sel)
	}
	// rowLink is the review link of the queue row whose text has all of words.
	rowLink := func(words ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(browser, browserStepLimit)
		defer cancel()
		js := `(() => { const want = ` + jsArray(words) + `;
			for (const tr of document.querySelectorAll('#review-queue tbody tr')) {
				if (want.every(w => tr.textContent.includes(w))) return tr.querySelector('a').getAttribute('href');
			}
			return ''; })()`
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil || href == "" {
			t.Fatalf("no review row with %v (%v)", words, err)
		}
		return href
	}
	signIn := func(name string) {
		t.Helper()
		step("sign in as "+name,
			chromedp.Navigate(base+"/signin"),
			chromedp.WaitVisible(chromedp.CSS("#name")),
			chromedp.SendKeys(chromedp.CSS("#name"), name),
			chromedp.SendKeys(chromedp.CSS("#password"), "ballast-demo"),
			chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-name"]`)),
		)
	}

	signIn("pm")
	step("preview a rebalance of US-TECH and US-LC",
		chromedp.Navigate(base+"/rebalance"),
		chromedp.WaitVisible(chromedp.CSS("#pick-US-TECH")),
		chromedp.Click(chromedp.CSS("#pick-US-TECH")),
		chromedp.Click(chromedp.CSS("#pick-US-LC")),
		chromedp.Click(chromedp.CSS(`#rebalance-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name=action][value=save]`)),
	)
	step("submit the proposal",
		chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := text(".flash"); !strings.Contains(got, "Saved a proposal") {
		t.Fatalf("after submitting: %q", got)
	}
	step("open the pre-trade review", chromedp.Navigate(base+"/compliance"), chromedp.WaitVisible(chromedp.CSS("#review-queue")))
	blocked := rowLink("NVDA", "blocked")
	step("open the blocked NVDA buy", chromedp.Navigate(base+blocked), chromedp.WaitVisible(chromedp.CSS("#verdict")))
	page := text("main")
	for _, want := range []string{"fail", "restricted", "NVDA (issuer NVIDIA) is on the no_buy list", "Hard breach: it cannot be overridden"} {
		if !strings.Contains(page, want) {
			t.Errorf("the PM's view of the blocked order lacks %q", want)
		}
	}
	step("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS("#name")))

	signIn("compliance")
	step("open the pre-trade review", chromedp.Navigate(base+"/compliance"), chromedp.WaitVisible(chromedp.CSS("#review-queue")))
	soft := rowLink("MSFT", "awaiting_override")
	id := soft[strings.LastIndex(soft, "/")+1:]
	step("override the soft notional breach with a reason",
		chromedp.Navigate(base+soft),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/overrides"] select[name=reason_code]`)),
		chromedp.SetValue(chromedp.CSS(`form[action$="/overrides"] select[name=reason_code]`), "client_instruction"),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/overrides"] input[name=reason]`), "client wants the full size today"),
		chromedp.Click(chromedp.CSS(`form[action$="/overrides"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := text(".flash"); !strings.Contains(got, "ready for a trader") {
		t.Errorf("after the override: %q", got)
	}
	step("open the order's audit trail", chromedp.Navigate(base+"/audit?order="+id), chromedp.WaitVisible(chromedp.CSS("main table")))
	audit := text("main")
	for _, want := range []string{"compliance_override", "client_instruction: client wants the full size today", "max-notional v1"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit trail of order %s lacks %q", id, want)
		}
	}
}

func jsArray(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + strings.ReplaceAll(w, "'", "\\'") + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}
