package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/quickfixgo/quickfix"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/fixclient"
	"github.com/ballast-oms/ballast/web"
)

// ThrottleSetting is the session setting that caps a broker's outbound
// order messages per second, over --fix-max-msgs-per-second.
const throttleSetting = "BallastMaxMsgsPerSecond"

// fixFlags are the FIX options of "serve".
type fixFlags struct {
	config     string        // QuickFIX settings file; "" runs the demo SIM broker
	store      string        // "file" or "sql"
	storeDir   string        // file store directory; "" is DB.fix next to the database
	rate       float64       // default outbound messages per second per session; 0: no limit
	queueAge   time.Duration // a request queued longer fails; 0: never
	noSim      bool          // no in-process SIM broker without --fix-config
	simLatency time.Duration // the SIM broker's pause before each fill
	simSeed    uint64
}

func (f *fixFlags) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&f.config, "fix-config", e.envOr("BALLAST_FIX_CONFIG", ""), "QuickFIX initiator settings file, one [SESSION] per broker (env BALLAST_FIX_CONFIG); without it the demo broker SIM runs in process")
	fs.StringVar(&f.store, "fix-store", "file", "FIX message store: file (a directory next to the database) or sql (the database file, WAL + busy_timeout)")
	fs.StringVar(&f.storeDir, "fix-store-dir", "", "file store directory (default: the database path + .fix)")
	fs.Float64Var(&f.rate, "fix-max-msgs-per-second", 0, "outbound order messages per second per session, 0 for no limit (a session's "+throttleSetting+" setting wins)")
	fs.DurationVar(&f.queueAge, "fix-queue-max-age", 30*time.Minute, "an order released while its session is down fails after waiting this long (0: waits for ever)")
	fs.BoolVar(&f.noSim, "no-sim-broker", false, "without --fix-config, do not start the in-process demo broker SIM (releases are then refused)")
	fs.DurationVar(&f.simLatency, "sim-fill-latency", 1500*time.Millisecond, "the demo broker SIM's pause before each of an order's 3 fills")
	fs.Uint64Var(&f.simSeed, "sim-seed", 1, "the demo broker SIM's random seed")
}

// fixServe is the running FIX side of "serve": the client, its link to the
// order desk and, for the demo, the in-process broker.
type fixServe struct {
	link   *fixLink
	client *fixclient.Client
	sim    *brokersim.Broker
	cancel context.CancelFunc
}

// startFix prepares the FIX client from f (or the in-process SIM broker when
// no settings file is given). It returns nil when there is no broker at all.
// The client connects once attach has wired it to the order desk.
func startFix(ctx context.Context, d *db.DB, dbPath string, f fixFlags, logger *slog.Logger) (*fixServe, error) {
	if f.config == "" && f.noSim {
		return nil, nil
	}
	fx := &fixServe{}
	var settings *quickfix.Settings
	var err error
	if f.config != "" {
		settings, err = fixclient.LoadSettings(f.config)
	} else {
		fx.sim, settings, err = startSimBroker(brokersim.Config{Listen: "127.0.0.1:0", Seed: f.simSeed,
			Sessions: []brokersim.Session{{BeginString: "FIX.4.4", SenderCompID: "SIM", TargetCompID: "BALLAST"}},
			Fill:     brokersim.FillConfig{Fills: 3, Latency: f.simLatency}, Logger: simLogger(logger),
			StorePath: dbPath + ".sim"}) // its sequence numbers must survive restarts, like Ballast's
	}
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	cfg := fixclient.Config{Settings: settings, Logger: logger, SyncBooked: d.SyncCommitted}
	switch f.store {
	case "file":
		cfg.Store, cfg.StorePath = fixclient.StoreFile, f.storeDir
		if cfg.StorePath == "" {
			cfg.StorePath = dbPath + ".fix"
		}
	case "sql":
		cfg.Store, cfg.StorePath = fixclient.StoreSQL, dbPath
	default:
		fx.stopSim()
		return nil, fmt.Errorf("fix: --fix-store %q is not file or sql", f.store)
	}
	if cfg.StorePath, err = filepath.Abs(cfg.StorePath); err != nil {
		fx.stopSim()
		return nil, fmt.Errorf("fix: store path: %w", err)
	}
	fx.link = newFixLink(d, logger, time.Now, f.queueAge)
	if err := fx.addBrokers(ctx, settings, f.rate); err != nil {
		fx.stopSim()
		return nil, err
	}
	if fx.client, err = fixclient.New(cfg, fx.link); err != nil {
		fx.stopSim()
		return nil, fmt.Errorf("fix: %w", err)
	}
	fx.link.client = fx.client
	if err := fx.resume(ctx, d, settings, cfg); err != nil {
		fx.stop()
		return nil, err
	}
	return fx, nil
}

// addBrokers gives each session's broker its lane and outbound rate.
func (fx *fixServe) addBrokers(ctx context.Context, settings *quickfix.Settings, rate float64) error {
	for id, ss := range settings.SessionSettings() {
		broker := id.TargetCompID
		if ss.HasSetting(fixclient.BrokerSetting) {
			broker, _ = ss.Setting(fixclient.BrokerSetting)
		}
		r := rate
		if ss.HasSetting(throttleSetting) {
			v, _ := ss.Setting(throttleSetting)
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("fix: session %s: %s=%q is not a number of messages per second", id, throttleSetting, v)
			}
			r = n
		}
		if err := fx.link.addBroker(ctx, broker, r); err != nil {
			return fmt.Errorf("fix: %w", err)
		}
	}
	return nil
}

// attach wires the client to the order desk (the Service sends through the
// link; the link books through the desk), connects every session and adds
// the sessions page; it is a handlerExtra.
func (fx *fixServe) attach(ctx context.Context) handlerExtra {
	return func(cfg *web.Config, orders *orderDesk) error {
		if fx == nil {
			return nil
		}
		fx.link.desk = orders
		orders.svc.Sender = fx.link
		orders.hasBroker = true
		orders.brokers = fx.client.Brokers()
		cfg.Sessions = &sessionDesk{link: fx.link, client: fx.client, td: orders.svc.TradingDay}
		if err := fx.client.Start(); err != nil {
			return fmt.Errorf("fix: %w", err)
		}
		ctx, fx.cancel = context.WithCancel(ctx)
		go fx.expireQueued(ctx)
		return nil
	}
}

// expireQueued fails requests that waited too long for their session.
func (fx *fixServe) expireQueued(ctx context.Context) {
	if fx.link.maxAge <= 0 {
		return
	}
	t := time.NewTicker(min(fx.link.maxAge/4, 15*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fx.link.expireAll(ctx)
		}
	}
}

// stop logs every session out, writes the message log and stops SIM.
func (fx *fixServe) stop() {
	if fx == nil {
		return
	}
	if fx.cancel != nil {
		fx.cancel()
	}
	fx.client.Stop()
	fx.link.msgs.close()
	fx.stopSim()
	fx.link.log.Info("fix sessions logged out")
}

func (fx *fixServe) stopSim() {
	if fx.sim != nil {
		fx.sim.Stop()
	}
}

// describe says which brokers the desk trades with, for the start banner.
func (fx *fixServe) describe() string {
	if fx == nil {
		return "No broker: releases are refused (start with --fix-config FILE, or without --no-sim-broker).\n"
	}
	if fx.sim != nil {
		return fmt.Sprintf("Demo broker SIM (FIX 4.4, simulated) accepting on %s; orders released to SIM fill in 3 steps.\n", fx.sim.Addr())
	}
	return fmt.Sprintf("FIX sessions: %s\n", strings.Join(fx.client.Brokers(), ", "))
}

// simLogger keeps the demo broker's chatter at warnings and above.
func simLogger(l *slog.Logger) *slog.Logger {
	return slog.New(levelFloor{l.Handler(), slog.LevelWarn})
}

// levelFloor drops records below min.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(as), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}
