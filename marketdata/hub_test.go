package marketdata

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

var t0 = time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)

// batch builds prices from "SYM=price" pairs.
func batch(pairs ...string) []portfolio.Price {
	var out []portfolio.Price
	for _, p := range pairs {
		sym, px, _ := strings.Cut(p, "=")
		out = append(out, portfolio.Price{Symbol: sym, Value: decimal.RequireFromString(px), AsOf: t0, Source: "test"})
	}
	return out
}

func show(b []portfolio.Price) string {
	var parts []string
	for _, p := range b {
		parts = append(parts, p.Symbol+"="+p.Value.String())
	}
	return strings.Join(parts, " ")
}

func next(t *testing.T, s *Subscription) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // waiting batches are returned even with an ended context
	b, err := s.Next(ctx)
	if err != nil {
		return "error: " + err.Error()
	}
	return show(b)
}

func TestFanOutAndSlowSubscriber(t *testing.T) {
	h := NewHub()
	fast := h.Subscribe("fast", 0)
	slow := h.Subscribe("slow", 2)
	published := [][]portfolio.Price{
		batch("A=1"), batch("A=2", "B=1"), batch("A=3"), batch("C=1"), batch("A=4", "B=2"),
	}
	for _, b := range published {
		h.Publish(b)
	}
	for i, b := range published {
		if got := next(t, fast); got != show(b) {
			t.Fatalf("fast batch %d: %q, want %q", i, got, show(b))
		}
	}
	if got := next(t, fast); !strings.Contains(got, "context canceled") {
		t.Fatalf("fast has more: %q", got)
	}
	// slow: [A=1][A=2 B=1] then a third collapses to [A=3 B=1]; [C=1] queues; the fifth collapses all.
	if got := next(t, slow); got != "A=4 B=2 C=1" {
		t.Fatalf("slow got %q, want the latest per symbol in first-seen order", got)
	}
	if slow.Dropped() != 4 || fast.Dropped() != 0 {
		t.Fatalf("dropped slow %d fast %d, want 4 and 0", slow.Dropped(), fast.Dropped())
	}
	if p, ok := h.Last("A"); !ok || !p.Value.Equal(decimal.NewFromInt(4)) || len(h.Latest()) != 3 {
		t.Fatalf("latest %v", h.Latest())
	}
}

func TestPublishCopiesTheBatch(t *testing.T) {
	h := NewHub()
	s := h.Subscribe("s", 0)
	b := batch("A=1")
	h.Publish(b)
	b[0].Value = decimal.NewFromInt(99)
	h.Publish(nil) // empty batches are not delivered
	if got := next(t, s); got != "A=1" {
		t.Fatalf("got %q", got)
	}
	if got := next(t, s); !strings.Contains(got, "canceled") {
		t.Fatalf("an empty batch was delivered: %q", got)
	}
}

func TestNextWaitsAndStops(t *testing.T) {
	h := NewHub()
	s := h.Subscribe("s", 0)
	got := make(chan string)
	go func() {
		b, err := s.Next(context.Background())
		got <- fmt.Sprintf("%s %v", show(b), err)
	}()
	h.Publish(batch("A=5"))
	if g := <-got; g != "A=5 <nil>" {
		t.Fatalf("Next returned %q", g)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := s.Next(ctx)
		got <- fmt.Sprint(err)
	}()
	cancel()
	if g := <-got; g != context.Canceled.Error() {
		t.Fatalf("Next after cancel returned %q", g)
	}
	go func() {
		_, err := s.Next(context.Background())
		got <- fmt.Sprint(err)
	}()
	s.Close()
	if g := <-got; g != ErrClosed.Error() {
		t.Fatalf("Next after Close returned %q", g)
	}
	if h.Subscribers() != 0 {
		t.Fatalf("%d subscribers after Close", h.Subscribers())
	}
	h.Publish(batch("A=6"))
	if _, err := s.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed subscription received: %v", err)
	}
}

func TestCloseDrainsThenEnds(t *testing.T) {
	h := NewHub()
	s := h.Subscribe("s", 0)
	h.Publish(batch("A=1"))
	h.Close()
	if got := next(t, s); got != "A=1" {
		t.Fatalf("waiting batch lost on close: %q", got)
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("err %v, want ErrClosed", err)
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed")
	}
	late := h.Subscribe("late", 0)
	if _, err := late.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("subscribe after close: %v", err)
	}
}

func TestReadyAndTake(t *testing.T) {
	h := NewHub()
	s := h.Subscribe("s", 0)
	h.Publish(batch("A=1"))
	h.Publish(batch("B=1"))
	<-s.Ready()
	if got := s.Take(); len(got) != 2 || show(got[0]) != "A=1" || show(got[1]) != "B=1" {
		t.Fatalf("Take = %v", got)
	}
	if got := s.Take(); len(got) != 0 {
		t.Fatalf("second Take = %v", got)
	}
}

func TestConcurrentPublishersAndConsumers(t *testing.T) {
	h := NewHub()
	const perPublisher = 500
	subs := []*Subscription{h.Subscribe("a", 4*perPublisher), h.Subscribe("b", 4*perPublisher), h.Subscribe("tiny", 1)}
	var wg sync.WaitGroup
	for p := range 2 {
		wg.Go(func() {
			for i := range perPublisher {
				h.Publish(batch(fmt.Sprintf("P%d=%d", p, i+1)))
			}
		})
	}
	counts := make([]int, len(subs))
	var readers sync.WaitGroup
	for k, s := range subs {
		readers.Go(func() {
			for {
				b, err := s.Next(context.Background())
				if err != nil {
					return
				}
				counts[k] += len(b)
			}
		})
	}
	wg.Wait()
	h.Close()
	readers.Wait()
	if counts[0] != 2*perPublisher || counts[1] != 2*perPublisher {
		t.Fatalf("roomy subscribers saw %v ticks, want %d each", counts[:2], 2*perPublisher)
	}
	if int64(counts[2])+subs[2].Dropped() != 2*perPublisher {
		t.Fatalf("tiny saw %d and dropped %d, want %d together", counts[2], subs[2].Dropped(), 2*perPublisher)
	}
}

func TestCheckBatch(t *testing.T) {
	if err := CheckBatch(batch("A=1", "B=0.01")); err != nil {
		t.Fatal(err)
	}
	err := CheckBatch(append(batch("A=1", "B=0", "C=-1"), portfolio.Price{Value: decimal.NewFromInt(1)}))
	var bad portfolio.ImportErrors
	if !errors.As(err, &bad) || len(bad) != 3 || bad[0].Line != 2 || bad[2].Reason != "symbol is empty" {
		t.Fatalf("err %v", err)
	}
}
