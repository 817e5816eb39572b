package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-oms/ballast/db"
)

// runLoad opens the users' event streams, then runs the users' browsing and
// the fills together for cfg.duration, and gathers what they measured.
func runLoad(ctx context.Context, d *db.DB, cfg *webBenchConfig, srv *benchWebServer, users []*benchUser, feed *benchFeed, codes []string) (*benchWebResult, error) {
	res := &benchWebResult{routes: map[string]*latencies{}, streams: &latencies{}, feed: feed}
	for _, name := range allRoutes() {
		res.routes[name] = &latencies{}
	}
	var live *latencies // where the streams' reloads are recorded (nil: none)
	if cfg.liveRefresh {
		live = res.routes[liveRoute]
	}
	streamCtx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	var streams sync.WaitGroup
	var events atomic.Int64
	if cfg.sse {
		if err := openStreams(streamCtx, users, res.streams, live, &res.measuring, &events, &streams); err != nil {
			stopStreams()
			streams.Wait()
			return nil, err
		}
	}
	stopProfile, err := startProfile(cfg.profile)
	if err != nil {
		stopStreams()
		streams.Wait()
		return nil, err
	}
	cpu0, _ := processCPU()
	start := time.Now()
	res.measuring.Store(true)
	loadCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { feed.run(loadCtx) })
	for i, u := range users {
		wg.Go(func() { u.browse(loadCtx, i, cfg.think, codes, res.routes) })
	}
	wg.Wait()
	res.measuring.Store(false)
	res.wall = time.Since(start)
	cpu1, hasCPU := processCPU()
	stopProfile()
	res.cpu, res.hasCPU = cpu1-cpu0, hasCPU
	stopStreams()
	streams.Wait()
	res.events = events.Load()
	if res.rows, err = countBenchExecutions(ctx, d); err != nil {
		return nil, fmt.Errorf("count executions: %w", err)
	}
	if res.metrics, err = scrapeFills(ctx, users[0].client, srv); err != nil {
		return nil, err
	}
	return res, nil
}

// streamSpread is the time over which the users open their event streams:
// the server's least gap between two change events of one stream.
const streamSpread = 1500 * time.Millisecond

// openStreams opens every user's live blotter event stream and returns once
// each has answered; the streams are read until ctx ends.
func openStreams(ctx context.Context, users []*benchUser, lat, live *latencies, measuring *atomic.Bool, events *atomic.Int64, wg *sync.WaitGroup) error {
	opened := make(chan error, len(users))
	for i, u := range users {
		// Users open their blotters at different moments, so their streams'
		// events (at most one each 1.5 s) are spread over that gap, not sent
		// to every user in the same instant.
		offset := streamSpread * time.Duration(i) / time.Duration(len(users))
		wg.Go(func() {
			pause(ctx, offset)
			u.stream(ctx, lat, events, opened, func() { u.reload(ctx, live, measuring) })
		})
	}
	for range users {
		if err := <-opened; err != nil {
			return err
		}
	}
	return nil
}

// stream holds the blotter's event stream open, as an open blotter does,
// counting its change events and calling onChange for each. It reports on
// opened once the stream has answered (nil) or failed. A stream that ends
// before ctx is an error.
func (u *benchUser) stream(ctx context.Context, lat *latencies, events *atomic.Int64, opened chan<- error, onChange func()) {
	fail := func(err error) {
		lat.fail(0, u.name+": "+err.Error())
		if opened != nil {
			opened <- err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.base+"/blotter/events?since=0", nil)
	if err != nil {
		fail(err)
		return
	}
	req.Header.Set("Accept", "text/event-stream")
	t0 := time.Now()
	resp, err := (&http.Client{Transport: u.client.Transport, Jar: u.client.Jar, CheckRedirect: u.client.CheckRedirect}).Do(req)
	if err != nil {
		fail(fmt.Errorf("GET /blotter/events: %w", err))
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fail(fmt.Errorf("GET /blotter/events: %s", resp.Status))
		return
	}
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), ":") {
		fail(fmt.Errorf("GET /blotter/events: no opening comment"))
		return
	}
	lat.ok(time.Since(t0), 0)
	opened <- nil
	opened = nil
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "event: change") {
			events.Add(1)
			onChange()
		}
	}
	if ctx.Err() == nil {
		err := sc.Err()
		if err == nil {
			err = fmt.Errorf("ended before the run did")
		}
		lat.fail(0, u.name+": GET /blotter/events: "+err.Error())
	}
}

// reload loads the live fragment as the open blotter's htmx does on a
// change event, while the run is measuring and live is not nil.
func (u *benchUser) reload(ctx context.Context, live *latencies, measuring *atomic.Bool) {
	if live == nil || !measuring.Load() {
		return
	}
	n, took, err := u.get(ctx, "/blotter?state=open", true)
	switch {
	case ctx.Err() != nil:
	case err != nil:
		live.fail(took, u.name+": "+err.Error())
	default:
		live.ok(took, n)
	}
}

// scrapeFills reads /metrics with the metrics token and returns its
// ballast_fills_booked_total series.
func scrapeFills(ctx context.Context, client *http.Client, srv *benchWebServer) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+"/metrics", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+srv.metricsToken)
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "ballast_fills_booked_total{") {
			return sc.Text(), nil
		}
	}
	return "", sc.Err()
}
