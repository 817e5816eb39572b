package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/user"
)

// shutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

// serveConfig is the parsed "serve" command line.
type serveConfig struct {
	addr      string
	dbPath    string
	logFormat string
	noDemo    bool
	prices    priceFlags // live prices: feed, tick interval, seed
	batchAt   string     // daily compliance batch "HH:MM" UTC, or "off"
	fix       fixFlags   // FIX sessions, or the demo SIM broker
}

// cmdServe opens the database, seeds the demo desk on an empty one, serves the
// web app until ctx ends, then shuts the server down and closes the database.
func cmdServe(ctx context.Context, e *env, args []string) (err error) {
	cfg, err := parseServe(e, args)
	if err != nil || cfg == nil {
		return err
	}
	logger, err := newLogger(cfg.logFormat, e.stderr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	d, err := db.Open(ctx, cfg.dbPath)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer func() {
		cerr := d.Close()
		if cerr == nil {
			logger.Info("database closed", "db", cfg.dbPath)
		} else if err == nil {
			err = fmt.Errorf("serve: close database: %w", cerr)
		}
	}()
	var demo strings.Builder
	if err := seedDemo(ctx, &demo, d, cfg.noDemo); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := startDailyBatch(ctx, d, cfg.batchAt, logger); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	secure := !isLoopback(cfg.addr)
	live, err := startLive(ctx, d, cfg.prices, logger)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer live.stop()
	fx, err := startFix(ctx, d, cfg.dbPath, cfg.fix, logger)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer fx.stop()
	metrics, err := newServeMetrics(e, logger)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	handler, stopSessions, err := newHandler(d, logger, secure, live.attach, fx.attach(ctx), metrics)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer stopSessions()
	fmt.Fprintf(e.stdout, "Ballast %s is running at http://%s (database %s)\n%s%s", version, ln.Addr(), cfg.dbPath, demo.String(), fx.describe())
	if secure {
		logger.Warn("listening beyond loopback: cookies are Secure, so browsers need HTTPS in front of Ballast", "addr", cfg.addr)
	}
	return serveUntilDone(ctx, ln, handler, logger)
}

func parseServe(e *env, args []string) (*serveConfig, error) {
	fs := newFlagSet("serve", e)
	cfg := &serveConfig{}
	fs.StringVar(&cfg.addr, "addr", e.envOr("BALLAST_ADDR", "127.0.0.1:8080"), "listen address (env BALLAST_ADDR)")
	dbPath := dbFlag(fs, e)
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&cfg.noDemo, "no-demo", false, "do not seed the demo desk on an empty database")
	cfg.prices.register(fs, e)
	cfg.fix.register(fs, e)
	fs.StringVar(&cfg.batchAt, "compliance-batch-at", e.envOr("BALLAST_COMPLIANCE_BATCH_AT", "18:00"), "daily post-trade compliance batch at HH:MM UTC, or off (env BALLAST_COMPLIANCE_BATCH_AT)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, flagErr("serve", err)
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("serve: unexpected arguments %q", pos)
	}
	cfg.dbPath = *dbPath
	return cfg, nil
}

// newLogger returns a slog logger writing text or JSON to w.
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("log format %q is not text or json", format)
}

// seedDemo seeds the demo desk when the database is empty (unless noDemo) and
// writes what it did and the demo sign-ins, when they still work, to w.
func seedDemo(ctx context.Context, w io.Writer, d *db.DB, noDemo bool) error {
	if noDemo {
		return hintNoUsers(ctx, w, d)
	}
	empty, err := d.Empty(ctx)
	if err != nil {
		return err
	}
	if empty {
		hash, err := user.HashPassword(db.DemoPassword)
		if err != nil {
			return err
		}
		desk, err := d.SeedDemo(ctx, hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Seeded a demo desk: %d securities, %d portfolios, %d positions.\n", desk.Securities, desk.Portfolios, desk.Positions)
		printSignIns(w, desk.Users)
		return nil
	}
	pm, err := d.UserByName(ctx, "pm")
	if errors.Is(err, db.ErrNotFound) {
		return hintNoUsers(ctx, w, d)
	}
	if err != nil {
		return err
	}
	if user.CheckPassword(db.DemoPassword, pm.PasswordHash) {
		printSignIns(w, []string{"pm", "trader", "trader2", "compliance", "admin"})
	}
	return nil
}

// hintNoUsers tells how to create the first user when nobody can sign in.
func hintNoUsers(ctx context.Context, w io.Writer, d *db.DB) error {
	users, err := d.Users(ctx)
	if err != nil || len(users) > 0 {
		return err
	}
	fmt.Fprintln(w, "No users yet: create one with  ballast user add --name NAME --role admin  (password on stdin)")
	return nil
}

func printSignIns(w io.Writer, names []string) {
	fmt.Fprintf(w, "Demo sign-ins: %s — password %q\n", strings.Join(names, ", "), db.DemoPassword)
}

// isLoopback reports whether addr's host is a loopback name or address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveUntilDone serves on ln until ctx ends, then shuts down gracefully:
// it stops accepting connections, ends the server-sent event streams, lets
// the requests in flight finish (shutdownGrace at most) and returns; the
// caller then logs the FIX sessions out and closes the database.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	streams, endStreams := context.WithCancel(context.WithoutCancel(ctx))
	defer endStreams()
	srv := &http.Server{
		Handler:           endStreamsAt(streams, h),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	srv.RegisterOnShutdown(endStreams)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", shutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("web server stopped")
	return nil
}

// endStreamsAt gives each server-sent event stream (the live blotter and
// prices) a context that also ends with streams. A stream never finishes
// on its own, and request contexts outlive SIGTERM so that the bookings in
// flight finish: without this, one open blotter held http.Server.Shutdown
// for its whole grace and serve exited with an error.
func endStreamsAt(streams context.Context, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			rctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			defer context.AfterFunc(streams, cancel)()
			r = r.WithContext(rctx)
		}
		h.ServeHTTP(w, r)
	})
}
