package marketdata

import (
	"context"
	"errors"
	"sync"

	"github.com/ballast-oms/ballast/portfolio"
)

// ErrClosed is returned by Next once the subscription or its hub is closed.
var ErrClosed = errors.New("marketdata: subscription closed")

// DefaultBacklog is how many batches a subscriber may fall behind before its
// backlog is collapsed to the latest price per symbol.
const DefaultBacklog = 64

// Publisher receives batches of prices.
type Publisher interface {
	Publish(batch []portfolio.Price)
}

// Feed is what consumers of prices depend on.
type Feed interface {
	Subscribe(name string, backlog int) *Subscription
}

// Source produces prices and publishes them until its context ends.
type Source interface {
	Run(ctx context.Context, out Publisher) error
}

// Hub fans every published batch out to all its subscribers without ever
// blocking the publisher, and remembers the latest price of each symbol. It is
// safe for concurrent use.
type Hub struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	latest map[string]portfolio.Price
	closed bool
}

// NewHub returns a hub with no subscribers.
func NewHub() *Hub {
	return &Hub{subs: map[*Subscription]struct{}{}, latest: map[string]portfolio.Price{}}
}

// Subscribe adds a subscriber that may fall backlog batches behind (zero or
// less means DefaultBacklog) before its waiting batches are collapsed. It sees
// only batches published after it subscribed. On a closed hub it returns a
// closed subscription.
func (h *Hub) Subscribe(name string, backlog int) *Subscription {
	if backlog <= 0 {
		backlog = DefaultBacklog
	}
	s := &Subscription{name: name, hub: h, backlog: backlog,
		ready: make(chan struct{}, 1), done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.closed = true
		close(s.done)
		return s
	}
	h.subs[s] = struct{}{}
	return s
}

// Publish hands a copy of batch to every subscriber and records the latest
// prices. It never waits for a subscriber. Subscribers share the copy and
// must not modify it.
func (h *Hub) Publish(batch []portfolio.Price) {
	if len(batch) == 0 {
		return
	}
	own := append([]portfolio.Price(nil), batch...)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	for _, p := range own {
		h.latest[p.Symbol] = p
	}
	for s := range h.subs {
		s.deliver(own)
	}
}

// Latest returns the last published price of every symbol.
func (h *Hub) Latest() map[string]portfolio.Price {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]portfolio.Price, len(h.latest))
	for k, v := range h.latest {
		out[k] = v
	}
	return out
}

// Last returns the last published price of symbol.
func (h *Hub) Last(symbol string) (portfolio.Price, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.latest[symbol]
	return p, ok
}

// Subscribers is the number of open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close closes every subscription; later publishes are ignored.
func (h *Hub) Close() {
	h.mu.Lock()
	subs := h.subs
	h.subs, h.closed = map[*Subscription]struct{}{}, true
	h.mu.Unlock()
	for s := range subs {
		s.close()
	}
}

func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}
