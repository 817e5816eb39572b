package web

import (
	"testing"
	"time"

	"github.com/ballast-oms/ballast/rebalance"
)

// TestRebalanceJobLargeRun plans a synthetic book in the background and checks
// that progress only grows, ends at the total, and that the preview caps the
// editable lines while counting every trade.
func TestRebalanceJobLargeRun(t *testing.T) {
	js := newRebalanceJobs()
	book := rebalance.Synthetic(300, 30, 3)
	j := js.start(1, time.Now(), rebalance.Options{CollarBps: 10}, book, nil)
	last := 0
	for {
		done, total, ready := j.progress()
		if done < last || done > total || total != 300 {
			t.Fatalf("progress %d of %d after %d", done, total, last)
		}
		last = done
		if ready {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if last != 300 {
		t.Fatalf("finished at %d of 300", last)
	}
	if _, ok := js.get(j.id, 2); ok {
		t.Error("another user sees the run")
	}
	s := &server{}
	p, trades, ok := s.review(j, nil)
	results, _ := rebalance.PlanAll(book, rebalance.Options{CollarBps: 10}, 1)
	want := rebalance.CountTrades(results)
	if !ok || p.Planned != 300 || p.Trades != want || len(trades) != want || p.Shown != maxPreviewLines || want <= maxPreviewLines {
		t.Errorf("preview: ok %v, planned %d, trades %d/%d (want %d), shown %d", ok, p.Planned, p.Trades, len(trades), want, p.Shown)
	}
	if len(p.Portfolios) >= 300 {
		t.Errorf("the preview lists all %d portfolios", len(p.Portfolios))
	}
}

func TestRebalanceJobsForgetOldest(t *testing.T) {
	js := newRebalanceJobs()
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	first := js.start(1, now, rebalance.Options{}, nil, nil)
	for range maxJobs {
		js.start(1, now, rebalance.Options{}, nil, nil)
	}
	if _, ok := js.get(first.id, 1); ok {
		t.Error("the oldest run is still kept")
	}
	old := js.start(1, now, rebalance.Options{}, nil, nil)
	js.start(1, now.Add(jobLifetime+time.Minute), rebalance.Options{}, nil, nil)
	if _, ok := js.get(old.id, 1); ok {
		t.Error("a run older than its lifetime is still kept")
	}
}
