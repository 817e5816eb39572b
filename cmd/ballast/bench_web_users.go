package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// signInConcurrency is how many users sign in at once: each password check
// takes 64 MiB of memory for argon2id.
const signInConcurrency = 4

// benchUser is one signed-in browser: its own cookie jar over a shared
// transport, redirects not followed (a redirect to sign in is an error).
type benchUser struct {
	name   string
	base   string
	client *http.Client
}

// signInResult is how the users' sign-ins went.
type signInResult struct {
	took time.Duration
	lat  latencies
}

func (s *signInResult) summary() string { return s.lat.summary().String() }

// signInUsers signs n users in through the sign-in form, as a browser
// does: GET /signin, then POST /signin with the name and password and the
// page's origin, expecting a redirect and a session cookie.
func signInUsers(ctx context.Context, base string, n int, password string) ([]*benchUser, *signInResult, error) {
	transport := &http.Transport{MaxIdleConns: 4 * n, MaxIdleConnsPerHost: 4 * n, IdleConnTimeout: time.Minute}
	users := make([]*benchUser, n)
	res := &signInResult{}
	start := time.Now()
	sem := make(chan struct{}, signInConcurrency)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range users {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, nil, err
		}
		users[i] = &benchUser{name: benchUserName(i), base: base, client: &http.Client{Transport: transport, Jar: jar,
			Timeout:       time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = users[i].signIn(ctx, password, &res.lat)
		})
	}
	wg.Wait()
	res.took = time.Since(start)
	for i, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("sign in %s: %w", users[i].name, err)
		}
	}
	return users, res, nil
}

func (u *benchUser) signIn(ctx context.Context, password string, lat *latencies) error {
	if _, _, err := u.get(ctx, "/signin", false); err != nil {
		return err
	}
	form := url.Values{"name": {u.name}, "password": {password}, "next": {"/blotter"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.base+"/signin", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	t0 := time.Now()
	resp, err := u.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	lat.ok(time.Since(t0), 0)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/blotter" {
		return fmt.Errorf("POST /signin: %s, to %q", resp.Status, resp.Header.Get("Location"))
	}
	base, _ := url.Parse(u.base)
	if len(u.client.Jar.Cookies(base)) == 0 {
		return fmt.Errorf("POST /signin: no session cookie")
	}
	return nil
}

// get loads path as the browser would (htmx: as the live refresh does) and
// returns the response's size and how long it took; any answer but 200 is
// an error.
func (u *benchUser) get(ctx context.Context, path string, htmx bool) (int64, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.base+path, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	t0 := time.Now()
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, time.Since(t0), err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(t0)
	if err != nil {
		return n, took, fmt.Errorf("GET %s: reading the answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return n, took, fmt.Errorf("GET %s: %s (to %q)", path, resp.Status, resp.Header.Get("Location"))
	}
	return n, took, nil
}

// browse loads the blotter, its live fragment, the portfolio list and a
// portfolio in turn, pausing about think between two requests, until ctx
// ends. A request cut short by the end of the run is not counted.
func (u *benchUser) browse(ctx context.Context, i int, think time.Duration, codes []string, routes map[string]*latencies) {
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	pause(ctx, time.Duration(rng.Int64N(int64(think)+1)))
	for step := i; ctx.Err() == nil; step++ {
		name := benchRoutes[step%len(benchRoutes)]
		path, htmx := "/blotter", false
		switch step % len(benchRoutes) {
		case 1:
			path, htmx = "/blotter?state=open", true
		case 2:
			path = "/portfolios"
		case 3:
			path = "/portfolios/" + url.PathEscape(codes[rng.IntN(len(codes))])
		}
		n, took, err := u.get(ctx, path, htmx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			routes[name].fail(took, u.name+": "+err.Error())
		default:
			routes[name].ok(took, n)
		}
		// A pause of think ± 50%, so that the users do not march in step.
		pause(ctx, think/2+time.Duration(rng.Int64N(int64(think)+1)))
	}
}

func pause(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
