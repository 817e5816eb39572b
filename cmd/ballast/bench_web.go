package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
)

// webBenchConfig is the parsed "bench web" command line.
type webBenchConfig struct {
	dbPath         string
	portfolios     int
	positions      int
	orders         int // orders on the blotter
	blocks         int // released blocks the fills are booked on
	perBlock       int // orders in each released block
	users          int
	think          time.Duration // pause of each user between two requests
	sse            bool          // each user also holds the blotter's event stream open
	liveRefresh    bool          // each change event on a stream reloads the live fragment
	fillsPerSecond int
	duration       time.Duration
	priceFeed      string // "sim" or "none"
	profile        string
	logPath        string
}

// benchWeb runs "ballast bench web": the web app with the handler stack of
// serve on 127.0.0.1:0 over a desk of --portfolios portfolios and --orders
// orders, --users signed-in users browsing the blotter and the portfolio
// pages, and fills booked on released blocks at --fills-per-second through
// the desk's OnExecution (the FIX client's path), for --duration. It prints
// the latency of every route and of the bookings, and fails on any error.
func benchWeb(ctx context.Context, e *env, args []string) error {
	cfg, err := parseBenchWeb(e, args)
	if err != nil || cfg == nil {
		return err
	}
	if err := runBenchWeb(ctx, e, cfg); err != nil {
		return fmt.Errorf("bench web: %w", err)
	}
	return nil
}

func parseBenchWeb(e *env, args []string) (*webBenchConfig, error) {
	fs := newFlagSet("bench web", e)
	c := &webBenchConfig{}
	fs.StringVar(&c.dbPath, "db", "", "a new database file to build the desk in and keep (default: a temporary one)")
	fs.IntVar(&c.portfolios, "portfolios", 200, "portfolios on the desk")
	fs.IntVar(&c.positions, "positions", 50, "positions per portfolio")
	fs.IntVar(&c.orders, "orders", 2000, "open orders on the blotter (the released blocks' orders, the rest ready for approval)")
	fs.IntVar(&c.blocks, "blocks", 100, "released blocks the fills are booked on")
	fs.IntVar(&c.perBlock, "orders-per-block", 1, "orders (portfolios) in each released block")
	fs.IntVar(&c.users, "users", 50, "signed-in users browsing at once (half PMs, half traders)")
	fs.DurationVar(&c.think, "think", time.Second, "each user's pause between two requests (0: none, a saturation test)")
	fs.BoolVar(&c.sse, "sse", true, "each user also holds the live blotter's event stream open, as an open blotter tab does")
	fs.BoolVar(&c.liveRefresh, "live-refresh", true, "with --sse, each change event makes the user reload the live fragment, as the open blotter's htmx does")
	fs.IntVar(&c.fillsPerSecond, "fills-per-second", 1000, "fills booked per second on the released blocks (0: none)")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long the users browse and the fills stream")
	fs.StringVar(&c.priceFeed, "price-feed", "sim", "live price feed while the load runs: sim (serve's default, a tick every 2s) or none")
	fs.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile of the loaded run to this file")
	fs.StringVar(&c.logPath, "log", "", "write the server's log (text) to this file (default: formatted and discarded)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, flagErr("bench web", err)
	}
	switch {
	case len(pos) > 0:
		return nil, fmt.Errorf("bench web: unexpected arguments %q", pos)
	case c.portfolios <= 0 || c.positions <= 0 || c.users <= 0 || c.blocks <= 0 || c.perBlock <= 0:
		return nil, fmt.Errorf("bench web: want positive --portfolios, --positions, --users, --blocks and --orders-per-block")
	case c.perBlock > c.portfolios:
		return nil, fmt.Errorf("bench web: --orders-per-block %d is more than the %d portfolios", c.perBlock, c.portfolios)
	case c.orders < c.blocks*c.perBlock:
		return nil, fmt.Errorf("bench web: --orders %d is fewer than --blocks × --orders-per-block (%d)", c.orders, c.blocks*c.perBlock)
	case c.fillsPerSecond < 0 || c.duration <= 0 || c.think < 0:
		return nil, fmt.Errorf("bench web: want a positive --duration and no negative --fills-per-second or --think")
	case c.priceFeed != "sim" && c.priceFeed != "none":
		return nil, fmt.Errorf("bench web: --price-feed %q is not sim or none", c.priceFeed)
	}
	return c, nil
}

// runBenchWeb builds the desk, serves it, signs the users in, then runs the
// load and the fills together and reports.
func runBenchWeb(ctx context.Context, e *env, cfg *webBenchConfig) (err error) {
	d, cleanup, err := openBenchWebDB(ctx, cfg.dbPath)
	if err != nil {
		return err
	}
	defer cleanup()
	logger, closeLog, err := benchWebLogger(cfg.logPath)
	if err != nil {
		return err
	}
	defer closeLog()
	start := time.Now()
	book, err := seedBenchWebBook(ctx, d, cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv, err := startBenchWebServer(ctx, d, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		cancel()
		if serr := <-srv.done; serr != nil && err == nil {
			err = serr
		}
	}()
	feed, err := newBenchFeed(ctx, srv.desk, book, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "desk: %d portfolios × %d positions, %d open orders (%d released blocks of %d), %d users, built in %s\n",
		cfg.portfolios, cfg.positions, cfg.orders, cfg.blocks, cfg.perBlock, cfg.users, time.Since(start).Round(time.Millisecond))
	users, signIn, err := signInUsers(ctx, srv.base, cfg.users, book.password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "signed in %d users through POST /signin in %s (%s)\n", len(users), signIn.took.Round(time.Millisecond), signIn.summary())
	res, err := runLoad(ctx, d, cfg, srv, users, feed, book.codes)
	if err != nil {
		return err
	}
	res.print(e.stdout, cfg)
	if n := res.errors(); n > 0 {
		return fmt.Errorf("%d error(s) under load, the first: %s", n, res.firstError())
	}
	return nil
}

// openBenchWebDB opens a new database at path, or a temporary one, and
// refuses one that already holds data.
func openBenchWebDB(ctx context.Context, path string) (*db.DB, func(), error) {
	dir := ""
	if path == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ballast-bench-web-"); err != nil {
			return nil, nil, err
		}
		path = filepath.Join(dir, "bench.db")
	}
	d, err := db.Open(ctx, path)
	if err == nil {
		var empty bool
		if empty, err = d.Empty(ctx); err == nil && !empty {
			err = fmt.Errorf("%s is not a new, empty database", path)
		}
		if err != nil {
			d.Close()
		}
	}
	if err != nil {
		if dir != "" {
			os.RemoveAll(dir)
		}
		return nil, nil, err
	}
	return d, func() {
		d.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}, nil
}

// benchWebLogger is the server's logger: text, as serve writes it, to path
// or formatted and discarded.
func benchWebLogger(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil)), func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }, nil
}

// benchWebServer is the web app serving on loopback.
type benchWebServer struct {
	base         string
	desk         *orderDesk
	metricsToken string
	done         chan error // the server's end, once ctx is cancelled
}

// startBenchWebServer wires the handler as serve does (sessions, CSRF
// protection, middleware, metrics, live prices), with a broker that accepts
// every release, and serves it on 127.0.0.1:0 until ctx ends.
func startBenchWebServer(ctx context.Context, d *db.DB, cfg *webBenchConfig, logger *slog.Logger) (*benchWebServer, error) {
	live, err := startLive(ctx, d, priceFlags{feed: cfg.priceFeed, interval: 2 * time.Second, seed: 1}, logger)
	if err != nil {
		return nil, err
	}
	plain, _, err := user.NewToken()
	if err != nil {
		live.stop()
		return nil, err
	}
	srv := &benchWebServer{metricsToken: plain, done: make(chan error, 1)}
	broker := func(_ *web.Config, orders *orderDesk) error {
		orders.svc.Sender, orders.hasBroker, orders.brokers = acceptAll{}, true, []string{benchBroker}
		srv.desk = orders
		return nil
	}
	metrics := metricsExtra(web.NewMetrics(), plain, logger)
	handler, stopSessions, err := newHandler(d, logger, false, live.attach, broker, metrics)
	if err != nil {
		live.stop()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stopSessions()
		live.stop()
		return nil, err
	}
	srv.base = "http://" + ln.Addr().String()
	go func() {
		err := serveUntilDone(ctx, ln, handler, logger)
		stopSessions()
		live.stop()
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		srv.done <- err
	}()
	return srv, nil
}
