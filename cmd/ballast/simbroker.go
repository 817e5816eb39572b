package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/fixclient"
)

// startSimBroker starts a brokersim acceptor and returns it with the
// initiator settings that point Ballast at it.
func startSimBroker(cfg brokersim.Config) (*brokersim.Broker, *quickfix.Settings, error) {
	b, err := brokersim.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := b.Start(); err != nil {
		b.Stop()
		return nil, nil, err
	}
	sessions := cfg.Sessions
	if len(sessions) == 0 {
		sessions = brokersim.DefaultSessions()
	}
	settings, err := fixclient.ParseSettings(strings.NewReader(simInitiatorSettings(b.Addr(), sessions, "")))
	if err != nil {
		b.Stop()
		return nil, nil, err
	}
	return b, settings, nil
}

// simInitiatorSettings is a QuickFIX initiator settings file for Ballast
// against a brokersim listening on addr: one session per broker session,
// the broker named after its CompID. storeDir, when set, is FileStorePath.
func simInitiatorSettings(addr string, sessions []brokersim.Session, storeDir string) string {
	host, port, _ := net.SplitHostPort(addr)
	var sb strings.Builder
	fmt.Fprintf(&sb, `# Ballast initiator settings for brokersim at %s
[DEFAULT]
ConnectionType=initiator
HeartBtInt=30
ReconnectInterval=2
LogoutTimeout=2
SocketConnectHost=%s
SocketConnectPort=%s
ResetOnLogon=N
`, addr, host, port)
	if storeDir != "" {
		fmt.Fprintf(&sb, "FileStorePath=%s\n", storeDir)
	}
	for _, s := range sessions {
		fmt.Fprintf(&sb, `
[SESSION]
BeginString=%s
SenderCompID=%s
TargetCompID=%s
%s=%s
`, s.BeginString, s.TargetCompID, s.SenderCompID, fixclient.BrokerSetting, s.SenderCompID)
	}
	return sb.String()
}

// cmdSimbroker runs "ballast simbroker": a simulated sell-side broker (FIX
// 4.4 session SIM and FIX 4.2 session SIM42 for client BALLAST) until ctx
// ends, after printing initiator settings to use against it.
func cmdSimbroker(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("simbroker", e)
	listen := fs.String("listen", "127.0.0.1:9878", "address to accept FIX connections on")
	seed := fs.Uint64("seed", 1, "random seed (rejects, price jitter)")
	fills := fs.Int("fills", 3, "executions each order is filled in")
	ratio := fs.String("fill-ratio", "1", "part of each order that gets filled (0..1); the rest keeps working")
	latency := fs.Duration("latency", 500*time.Millisecond, "pause before each fill")
	rejects := fs.Float64("reject-probability", 0, "chance (0..1) that a new order is rejected")
	store := fs.String("store", "", "directory for the broker's FIX message store (default: in memory)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagErr("simbroker", err)
	}
	r, err := decimal.NewFromString(*ratio)
	switch {
	case len(pos) > 0:
		return fmt.Errorf("simbroker: unexpected arguments %q", pos)
	case err != nil || r.IsNegative() || r.GreaterThan(decimal.NewFromInt(1)):
		return fmt.Errorf("simbroker: --fill-ratio %q is not a number from 0 to 1", *ratio)
	case *rejects < 0 || *rejects > 1:
		return fmt.Errorf("simbroker: --reject-probability %v is not from 0 to 1", *rejects)
	}
	logger, err := newLogger("text", e.stderr)
	if err != nil {
		return err
	}
	cfg := brokersim.Config{Listen: *listen, Seed: *seed, StorePath: *store, RejectProbability: *rejects,
		Fill: brokersim.FillConfig{Fills: *fills, Ratio: r, Latency: *latency}, Logger: logger}
	b, err := brokersim.New(cfg)
	if err != nil {
		return fmt.Errorf("simbroker: %w", err)
	}
	if err := b.Start(); err != nil {
		return fmt.Errorf("simbroker: %w", err)
	}
	defer b.Stop()
	fmt.Fprintf(e.stdout, "brokersim accepting FIX 4.4 (SIM) and FIX 4.2 (SIM42) for BALLAST on %s\n", b.Addr())
	fmt.Fprintf(e.stdout, "Save these settings as sim.cfg and run: ballast serve --fix-config sim.cfg\n\n%s", simInitiatorSettings(b.Addr(), brokersim.DefaultSessions(), ""))
	<-ctx.Done()
	fmt.Fprintln(e.stdout, "brokersim stopped")
	return nil
}
