package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// StepLimit bounds one browser step, so a broken page fails the test instead
// of hanging it.
const StepLimit = 30 * time.Second

// Step runs actions in the browser within StepLimit and fails the test,
// naming what, when they fail.
func Step(t testing.TB, browser context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(browser, StepLimit)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Text returns the trimmed text of the element sel, failing the test when it
// cannot be read within StepLimit.
func Text(t testing.TB, browser context.Context, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(browser, StepLimit)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}
