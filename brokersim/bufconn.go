package brokersim

import (
	"net"
	"sync"
)

// bufListener wraps accepted connections in bufConns that report each
// message quickfixgo's writer hands them.
type bufListener struct {
	net.Listener
	wrote func([]byte)
}

func (l bufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	b := newBufConn(c)
	b.wrote = l.wrote
	return b, nil
}

// bufConn makes Write return at once and flushes from a goroutine of its
// own. quickfixgo's session goroutine hands messages to its writer with a
// non-blocking channel send and busy-loops until the writer is back from
// the socket; a writer that never waits on the socket keeps that loop short.
type bufConn struct {
	net.Conn
	mu      sync.Mutex
	buf     []byte
	err     error
	closing bool
	wake    chan struct{}
	done    chan struct{}
	once    sync.Once
	wrote   func([]byte) // optional: told of every write, after it is queued
}

func newBufConn(c net.Conn) *bufConn {
	b := &bufConn{Conn: c, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go b.flush()
	return b
}

// Write queues p for the flusher.
func (b *bufConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.err != nil || b.closing {
		err := b.err
		b.mu.Unlock()
		if err == nil {
			err = net.ErrClosed
		}
		return 0, err
	}
	b.buf = append(b.buf, p...)
	b.mu.Unlock()
	b.signal()
	if b.wrote != nil {
		b.wrote(p)
	}
	return len(p), nil
}

func (b *bufConn) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *bufConn) flush() {
	defer close(b.done)
	var spare []byte
	for range b.wake {
		b.mu.Lock()
		out, closing := b.buf, b.closing
		b.buf = spare[:0]
		b.mu.Unlock()
		if len(out) > 0 {
			if _, err := b.Conn.Write(out); err != nil {
				b.mu.Lock()
				b.err = err
				b.mu.Unlock()
				_ = b.Conn.Close()
				return
			}
		}
		spare = out
		if closing {
			b.mu.Lock()
			empty := len(b.buf) == 0
			b.mu.Unlock()
			if empty {
				_ = b.Conn.Close()
				return
			}
			b.signal()
		}
	}
}

// Close flushes what was written, then closes the connection.
func (b *bufConn) Close() error {
	b.once.Do(func() {
		b.mu.Lock()
		b.closing = true
		b.mu.Unlock()
		b.signal()
		<-b.done
	})
	return nil
}
