package brokersim

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/quickfix/store/file"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/internal/fixstore"
)

// Broker is a running simulated broker.
type Broker struct {
	cfg      Config
	log      *slog.Logger
	ln       net.Listener
	acceptor *quickfix.Acceptor

	mu     sync.Mutex // guards everything below and serialises outbound reports
	rng    *rand.Rand
	orders map[orderKey]*simOrder
	totals map[TotalKey]Total
	nextID int

	outboxes map[quickfix.SessionID]*outbox

	wg      sync.WaitGroup
	stop    chan struct{}
	stopped sync.Once
}

type orderKey struct {
	session quickfix.SessionID
	clOrdID string
}

// TotalKey identifies what the broker has filled for one account, symbol and side.
type TotalKey struct {
	Account string
	Symbol  string
	Side    string // FIX Side(54)
}

// Total is the net filled quantity and notional (Σ qty × price) after busts
// and corrections.
type Total struct {
	Quantity decimal.Decimal
	Notional decimal.Decimal
}

// New prepares a broker: it validates cfg and opens the listener, so Addr
// is known before Start.
func New(cfg Config) (*Broker, error) {
	cfg = cfg.withDefaults()
	b := &Broker{
		cfg:      cfg,
		log:      cfg.Logger,
		rng:      rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		orders:   make(map[orderKey]*simOrder),
		totals:   make(map[TotalKey]Total),
		stop:     make(chan struct{}),
		outboxes: make(map[quickfix.SessionID]*outbox),
	}
	settings, err := b.settings()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("brokersim: listen on %s: %w", cfg.Listen, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	settings.GlobalSettings().Set("SocketAcceptPort", strconv.Itoa(port))
	var store quickfix.MessageStoreFactory = quickfix.NewMemoryStoreFactory()
	if cfg.StorePath != "" {
		store = file.NewStoreFactory(settings)
	}
	acc, err := quickfix.NewAcceptor(fixApp{b}, fixstore.LockedFactory{Inner: store}, settings, logFactory{b.log})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("brokersim: create acceptor: %w", err)
	}
	acc.SetNewListenerCallback(func(string, *tls.Config) (net.Listener, error) { return bufListener{ln, b.wrote}, nil })
	b.ln, b.acceptor = ln, acc
	return b, nil
}

func (b *Broker) settings() (*quickfix.Settings, error) {
	s := quickfix.NewSettings()
	g := s.GlobalSettings()
	g.Set("SocketAcceptHost", "")
	if b.cfg.StorePath != "" {
		g.Set("FileStorePath", b.cfg.StorePath)
	}
	for _, sess := range b.cfg.Sessions {
		if sess.BeginString != quickfix.BeginStringFIX44 && sess.BeginString != quickfix.BeginStringFIX42 {
			return nil, fmt.Errorf("brokersim: session %s->%s: BeginString %q is not FIX.4.4 or FIX.4.2",
				sess.SenderCompID, sess.TargetCompID, sess.BeginString)
		}
		if sess.SenderCompID == "" || sess.TargetCompID == "" {
			return nil, fmt.Errorf("brokersim: session %s: SenderCompID and TargetCompID are required", sess.BeginString)
		}
		ss := quickfix.NewSessionSettings()
		ss.Set("BeginString", sess.BeginString)
		ss.Set("SenderCompID", sess.SenderCompID)
		ss.Set("TargetCompID", sess.TargetCompID)
		id, err := s.AddSession(ss)
		if err != nil {
			return nil, fmt.Errorf("brokersim: add session %s: %w", sess.SenderCompID, err)
		}
		b.outboxes[id] = newOutbox(id)
	}
	return s, nil
}

// wrote tells the sending session's outbox that quickfixgo's writer is
// done with msg, so the next message finds the writer waiting.
func (b *Broker) wrote(msg []byte) {
	id := quickfix.SessionID{
		BeginString:  fixstore.RawField(msg, "8="),
		SenderCompID: fixstore.RawField(msg, "\x0149="),
		TargetCompID: fixstore.RawField(msg, "\x0156="),
	}
	if o, ok := b.outboxes[id]; ok {
		o.outgoing(msg)
	}
}

// Addr is the address the broker accepts on.
func (b *Broker) Addr() string { return b.ln.Addr().String() }

// Start accepts connections.
func (b *Broker) Start() error {
	if err := b.acceptor.Start(); err != nil {
		return fmt.Errorf("brokersim: start acceptor: %w", err)
	}
	for _, o := range b.outboxes {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			o.run(b.stop, func(err error) {
				b.log.Warn("brokersim: send", "session", o.id.String(), "error", err)
			})
		}()
	}
	return nil
}

// Stop stops filling, logs sessions out and closes the listener.
func (b *Broker) Stop() {
	b.stopped.Do(func() {
		close(b.stop)
		b.wg.Wait()
		b.acceptor.Stop()
		_ = b.ln.Close() // already closed when the acceptor started
	})
}

// Totals is a copy of what the broker has filled per account, symbol and side.
func (b *Broker) Totals() map[TotalKey]Total {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[TotalKey]Total, len(b.totals))
	for k, v := range b.totals {
		out[k] = v
	}
	return out
}

// OrderState is the broker's view of one order.
type OrderState struct {
	OrderID   string
	ClOrdID   string // the live ClOrdID
	Quantity  decimal.Decimal
	Price     decimal.Decimal
	CumQty    decimal.Decimal
	OrdStatus string
}

// Order returns the broker's view of the order that any ClOrdID of its
// chain refers to, on any session.
func (b *Broker) Order(clOrdID string) (OrderState, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, o := range b.orders {
		if k.clOrdID == clOrdID {
			return OrderState{o.orderID, o.clOrdID, o.qty, o.price, o.cum, string(o.status)}, true
		}
	}
	return OrderState{}, false
}

func (b *Broker) addTotal(o *simOrder, qty, notional decimal.Decimal) {
	k := TotalKey{o.account, o.symbol, o.side}
	t := b.totals[k]
	b.totals[k] = Total{Quantity: t.Quantity.Add(qty), Notional: t.Notional.Add(notional)}
}

func (b *Broker) newID(prefix string) string {
	b.nextID++
	return prefix + strconv.Itoa(b.nextID)
}

// fixApp is the broker's quickfix.Application, kept off Broker's API.
type fixApp struct{ *Broker }

// OnCreate is a quickfix callback.
func (b fixApp) OnCreate(quickfix.SessionID) {}

// OnLogon is a quickfix callback.
func (b fixApp) OnLogon(id quickfix.SessionID) {
	b.outboxes[id].loggedOn.Store(true)
	b.log.Info("brokersim logon", "session", id.String())
}

// OnLogout is a quickfix callback.
func (b fixApp) OnLogout(id quickfix.SessionID) {
	b.outboxes[id].loggedOn.Store(false)
	b.log.Info("brokersim logout", "session", id.String())
}

// ToAdmin is a quickfix callback.
func (b fixApp) ToAdmin(*quickfix.Message, quickfix.SessionID) {}

// ToApp is a quickfix callback.
func (b fixApp) ToApp(*quickfix.Message, quickfix.SessionID) error { return nil }

// FromAdmin is a quickfix callback.
func (b fixApp) FromAdmin(*quickfix.Message, quickfix.SessionID) quickfix.MessageRejectError {
	return nil
}

// FromApp handles orders, cancels and replaces from the client.
func (b fixApp) FromApp(msg *quickfix.Message, id quickfix.SessionID) quickfix.MessageRejectError {
	msgType, err := msg.MsgType()
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch msgType {
	case "D":
		return b.onNewOrder(msg, id)
	case "F":
		return b.onCancel(msg, id)
	case "G":
		return b.onReplace(msg, id)
	}
	return quickfix.UnsupportedMessageType()
}
