package marketdata

import (
	"context"
	"sync"

	"github.com/ballast-oms/ballast/portfolio"
)

// Subscription is one consumer's queue of price batches. A consumer that
// keeps up receives every batch, in order. When it falls more than its backlog
// behind, everything waiting is collapsed into one batch holding the latest
// price of each symbol (in order of first appearance): intermediate ticks are
// dropped and counted in Dropped.
type Subscription struct {
	name    string
	hub     *Hub
	backlog int
	ready   chan struct{} // holds a token while batches are waiting
	done    chan struct{} // closed by Close

	mu      sync.Mutex
	queue   [][]portfolio.Price
	dropped int64
	closed  bool
}

// Name is the name given to Subscribe, for logs and metrics.
func (s *Subscription) Name() string { return s.name }

// Ready receives a value when batches may be waiting; call Take after it. It
// lets a consumer select on prices alongside other channels.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Done is closed when the subscription or its hub is closed.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Take removes and returns every waiting batch, oldest first, without waiting.
func (s *Subscription) Take() [][]portfolio.Price {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.queue
	s.queue = nil
	return out
}

// Next waits for the oldest waiting batch and returns it. It returns ctx's
// error when ctx ends first and ErrClosed once the subscription is closed
// and drained.
func (s *Subscription) Next(ctx context.Context) ([]portfolio.Price, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			b := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			if len(s.queue) > 0 {
				s.signal()
			}
			s.mu.Unlock()
			return b, nil
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.ready:
		case <-s.done:
		}
	}
}

// Dropped is how many ticks were dropped by collapsing this subscriber's backlog.
func (s *Subscription) Dropped() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Close unsubscribes; batches already waiting can still be read.
func (s *Subscription) Close() {
	s.hub.remove(s)
	s.close()
}

func (s *Subscription) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
}

// deliver queues batch, collapsing the backlog when it is full.
func (s *Subscription) deliver(batch []portfolio.Price) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if len(s.queue) < s.backlog {
		s.queue = append(s.queue, batch)
	} else {
		merged, dropped := collapse(append(s.queue, batch))
		s.queue = append(s.queue[:0], merged)
		s.dropped += int64(dropped)
	}
	s.signal()
}

// signal leaves a token in ready without blocking.
func (s *Subscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// collapse merges batches into the latest price per symbol, keeping the order
// in which symbols first appear, and says how many ticks were dropped.
func collapse(batches [][]portfolio.Price) ([]portfolio.Price, int) {
	at := map[string]int{}
	var out []portfolio.Price
	total := 0
	for _, b := range batches {
		total += len(b)
		for _, p := range b {
			if i, ok := at[p.Symbol]; ok {
				out[i] = p
				continue
			}
			at[p.Symbol] = len(out)
			out = append(out, p)
		}
	}
	return out, total - len(out)
}
