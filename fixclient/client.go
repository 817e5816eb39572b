package fixclient

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/quickfixgo/quickfix"

	"github.com/ballast-oms/ballast/portfolio"
)

// Client is Ballast's FIX initiator: one quickfixgo session per broker. It
// implements order.Sender.
type Client struct {
	cfg      Config
	log      *slog.Logger
	h        Handler
	now      func() time.Time
	sessions map[string]*session // by broker name
	byID     map[quickfix.SessionID]*session

	ctx    context.Context
	cancel context.CancelFunc
	status chan SessionStatus
	done   chan struct{}
	stop   sync.Once

	statusMu sync.Mutex // guards sending on status against its close
	closed   bool

	persistStop chan struct{} // closed by Stop to end persistLoop
	persisting  chan struct{} // closed when persistLoop returns; nil without SyncBooked
}

// New prepares a client for every session in cfg.Settings. Nothing connects
// until Start.
func New(cfg Config, h Handler) (*Client, error) {
	if cfg.Settings == nil {
		return nil, fmt.Errorf("fixclient: no FIX settings")
	}
	if h == nil {
		return nil, fmt.Errorf("fixclient: no handler")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Store == "" {
		cfg.Store = StoreFile
	}
	c := &Client{
		cfg: cfg, log: cfg.Logger, h: h, now: cfg.Clock,
		sessions: make(map[string]*session),
		byID:     make(map[quickfix.SessionID]*session),
		status:   make(chan SessionStatus, 256),
		done:     make(chan struct{}),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if err := c.addSessions(); err != nil {
		return nil, err
	}
	go c.dispatchStatus()
	if cfg.SyncBooked != nil {
		c.persistStop, c.persisting = make(chan struct{}), make(chan struct{})
		go c.persistLoop()
	}
	return c, nil
}

// persistEvery is how often the inbound sequence numbers are stored when
// Config.SyncBooked is set.
const persistEvery = 100 * time.Millisecond

// persistLoop stores each session's inbound sequence number behind its
// durable bookings until the client stops (guardStore.persist).
func (c *Client) persistLoop() {
	defer close(c.persisting)
	t := time.NewTicker(persistEvery)
	defer t.Stop()
	for {
		select {
		case <-c.persistStop:
			return
		case <-t.C:
		}
		for _, s := range c.sorted() {
			g := s.store.get()
			if g == nil {
				continue
			}
			if err := g.persist(); err != nil {
				c.log.Error("fixclient: store the inbound sequence number", "session", s.id.String(), "error", err)
			}
		}
	}
}

func (c *Client) addSessions() error {
	dsn := ""
	if c.cfg.Store == StoreSQL {
		if c.cfg.StorePath == "" {
			return fmt.Errorf("fixclient: the SQL store needs StorePath (the SQLite file)")
		}
		dsn = sqliteDSN(c.cfg.StorePath)
		if err := prepareSQLStore(dsn); err != nil {
			return err
		}
	}
	for id, ss := range c.cfg.Settings.SessionSettings() {
		s, err := c.newSession(id, ss, dsn)
		if err != nil {
			return err
		}
		if other, dup := c.sessions[s.broker]; dup {
			return fmt.Errorf("fixclient: sessions %s and %s both name broker %q", other.id, id, s.broker)
		}
		c.sessions[s.broker] = s
		c.byID[id] = s
	}
	return nil
}

func (c *Client) newSession(id quickfix.SessionID, ss *quickfix.SessionSettings, dsn string) (*session, error) {
	if id.BeginString != quickfix.BeginStringFIX44 && id.BeginString != quickfix.BeginStringFIX42 {
		return nil, fmt.Errorf("fixclient: session %s: BeginString must be FIX.4.4 or FIX.4.2", id)
	}
	broker := id.TargetCompID
	if ss.HasSetting(BrokerSetting) {
		broker, _ = ss.Setting(BrokerSetting)
	}
	if portfolio.DotName(broker) {
		return nil, fmt.Errorf("fixclient: session %s: broker %q cannot be a broker name: a link to its session's page would lead elsewhere; set %s", id, broker, BrokerSetting)
	}
	one := quickfix.NewSettings()
	inner, err := c.storeFactory(id, ss, one, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := one.AddSession(ss); err != nil {
		return nil, fmt.Errorf("fixclient: session %s: %w", id, err)
	}
	rate := c.cfg.Throttle
	if ss.HasSetting(ThrottleSetting) {
		v, err := ss.Setting(ThrottleSetting)
		if err == nil {
			rate, err = strconv.ParseFloat(v, 64)
		}
		if err != nil || rate < 0 {
			return nil, fmt.Errorf("fixclient: session %s: %s=%q is not a rate in messages per second", id, ThrottleSetting, v)
		}
	}
	resetOnLogon := false
	if ss.HasSetting("ResetOnLogon") {
		resetOnLogon, _ = ss.BoolSetting("ResetOnLogon")
	}
	if resetOnLogon {
		c.log.Warn("fixclient: ResetOnLogon=Y: messages persisted but unsent when the session drops are not resent; Send reports them as ErrSessionDown",
			"session", id.String())
	}
	s := &session{
		resetOnLogon: resetOnLogon,
		id:           id, broker: broker, settings: one,
		throttle: NewThrottle(rate, c.now),
		handoff:  newHandoff(),
		sent:     make(map[int]string),
	}
	s.store = &sessionStores{inner: inner, syncBooked: c.cfg.SyncBooked}
	if c.cfg.SyncBooked != nil {
		s.booker = newBooker(c, s)
		s.store.booker = s.booker
		go s.booker.run()
	}
	return s, nil
}

// Start connects every session and starts delivering status changes.
func (c *Client) Start() error {
	for _, s := range c.sorted() {
		if err := c.logon(s); err != nil {
			return err
		}
	}
	return nil
}

// Stop logs every session out and closes the message stores (storing each
// inbound sequence number behind its durable bookings).
func (c *Client) Stop() {
	c.stop.Do(func() {
		if c.persisting != nil {
			close(c.persistStop)
			<-c.persisting
		}
		for _, s := range c.sorted() {
			c.logout(s)
			if s.booker != nil {
				s.booker.close()
			}
			if err := s.store.close(); err != nil {
				c.log.Warn("fixclient: close message store", "session", s.id.String(), "error", err)
			}
		}
		c.cancel()
		c.statusMu.Lock()
		c.closed = true
		close(c.status)
		c.statusMu.Unlock()
		<-c.done
	})
}

// Logon starts (or restarts) the broker's session after an operator logout.
func (c *Client) Logon(broker string) error {
	s, err := c.session(broker)
	if err != nil {
		return err
	}
	return c.logon(s)
}

// Logout logs the broker's session out and keeps it down until Logon.
func (c *Client) Logout(broker string) error {
	s, err := c.session(broker)
	if err != nil {
		return err
	}
	c.logout(s)
	return nil
}

// SetSequenceNumbers sets the next outbound and inbound MsgSeqNum of a
// logged-out session (a sequence reset agreed with the broker).
func (c *Client) SetSequenceNumbers(broker string, nextSender, nextTarget int) error {
	s, err := c.session(broker)
	if err != nil {
		return err
	}
	if nextSender < 1 || nextTarget < 1 {
		return fmt.Errorf("fixclient: set sequence numbers of %s: %w", broker, invalid("sequence numbers start at 1"))
	}
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if s.ini != nil {
		return fmt.Errorf("fixclient: set sequence numbers of %s: log the session out first", broker)
	}
	st, err := s.store.Create(s.id)
	if err != nil {
		return fmt.Errorf("fixclient: set sequence numbers of %s: %w", broker, err)
	}
	if err := st.SetNextSenderMsgSeqNum(nextSender); err != nil {
		return fmt.Errorf("fixclient: set sequence numbers of %s: %w", broker, err)
	}
	if err := st.SetNextTargetMsgSeqNum(nextTarget); err != nil {
		return fmt.Errorf("fixclient: set sequence numbers of %s: %w", broker, err)
	}
	return nil
}

// Brokers are the broker names with a session, sorted.
func (c *Client) Brokers() []string {
	out := make([]string, 0, len(c.sessions))
	for name := range c.sessions {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Status describes every session, sorted by broker.
func (c *Client) Status() []SessionStatus {
	out := make([]SessionStatus, 0, len(c.sessions))
	for _, s := range c.sorted() {
		out = append(out, s.status())
	}
	return out
}

func (c *Client) sorted() []*session {
	out := make([]*session, 0, len(c.sessions))
	for _, name := range c.Brokers() {
		out = append(out, c.sessions[name])
	}
	return out
}

func (c *Client) session(broker string) (*session, error) {
	s, ok := c.sessions[broker]
	if !ok {
		return nil, fmt.Errorf("fixclient: %q: %w", broker, ErrUnknownBroker)
	}
	return s, nil
}

func (c *Client) logon(s *session) error {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if s.ini != nil {
		return nil
	}
	return c.startLocked(s)
}

// startLocked starts s's initiator; s.ctl is held.
func (c *Client) startLocked(s *session) error {
	bad := func(_ string, drop bool) {
		if drop {
			go c.reconnect(s, "a garbled inbound message")
		}
	}
	c.rewind(s)
	ini, err := quickfix.NewInitiator(fixApp{c}, s.store, s.settings, logFactory{c.log, s.handoff, bad})
	if err != nil {
		return fmt.Errorf("fixclient: create initiator for %s: %w", s.broker, err)
	}
	if err := ini.Start(); err != nil {
		ini.Stop()
		return fmt.Errorf("fixclient: start initiator for %s: %w", s.broker, err)
	}
	s.ini = ini
	s.running.Store(true)
	c.notify(s)
	return nil
}

func (c *Client) logout(s *session) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if s.ini == nil {
		return
	}
	s.running.Store(false)
	s.ini.Stop()
	s.ini = nil
	s.loggedOn.Store(false)
	c.notify(s)
}

// notify queues s's status for the Handler.
func (c *Client) notify(s *session) {
	st := s.status()
	c.statusMu.Lock()
	defer c.statusMu.Unlock()
	if c.closed {
		return
	}
	select {
	case c.status <- st:
	default:
		c.log.Warn("fixclient: session status queue full; dropping a status change", "session", st.Session)
	}
}

func (c *Client) dispatchStatus() {
	defer close(c.done)
	for st := range c.status {
		c.h.OnSessionStatus(c.ctx, st)
	}
}
