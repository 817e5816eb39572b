// Package browsertest starts a headless Chromium for Ballast's browser tests
// (chromedp) and waits for a test server to answer.
package browsertest

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// candidates are where Chromium is looked for, after $BALLAST_CHROMIUM.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// FindChromium returns the path of a Chromium binary, or "" when there is none.
func FindChromium() string {
	if p := os.Getenv("BALLAST_CHROMIUM"); p != "" {
		return p
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}

// New starts a fresh headless Chromium with its own profile in a temporary
// directory and returns a chromedp context for one tab. Without Chromium the
// test is skipped, except under CI=true where it fails. The browser stops when
// the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	path := FindChromium()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browsertest: Chromium not found (set BALLAST_CHROMIUM or install chromium); required when CI=true")
		}
		t.Skip("browsertest: Chromium not found; install chromium or set BALLAST_CHROMIUM")
	}
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("browsertest: start Chromium %s: %v", path, err)
	}
	return ctx
}

// WaitHealthy polls url (a health check) until it answers 200, failing the test
// if it does not within limit or if ctx ends.
func WaitHealthy(ctx context.Context, t testing.TB, url string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("browsertest: %s did not become healthy within %v (last error: %v)", url, limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
