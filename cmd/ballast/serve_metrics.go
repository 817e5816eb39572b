package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web"
)

// metricsTokenEnv names the environment variable holding the bearer token a
// Prometheus scraper presents at /metrics. It is read from the environment
// only, never a flag, so that it does not show in the process list.
const metricsTokenEnv = "BALLAST_METRICS_TOKEN"

// minMetricsToken is the shortest metrics token serve accepts.
const minMetricsToken = 16

// metricsExtra serves /metrics (to the metrics token or an admin's API token)
// and hooks the counters and timers into the order desk: compliance at order
// entry, at approval, when a rebalance proposal is saved and on the
// compliance pages, and every booked execution, which it
// also logs with its session, block and ClOrdID.
func metricsExtra(m *web.Metrics, token string, logger *slog.Logger) handlerExtra {
	return func(cfg *web.Config, orders *orderDesk) error {
		cfg.Metrics, cfg.MetricsToken = m, token
		if check := orders.check; check != nil {
			orders.check = func(ctx context.Context, o order.Order) (order.Check, error) {
				defer observeSince(m.ObserveCompliance, time.Now())
				return check(ctx, o)
			}
		}
		if cfg.Compliance != nil {
			cfg.Compliance = timedCompliance{ComplianceDesk: cfg.Compliance, m: m}
		}
		// The re-check at approval, and a rebalance proposal's checks when
		// it is saved.
		if orders.pre != nil {
			orders.pre.Observe = m.ObserveCompliance
		}
		if ps, ok := cfg.Proposals.(*proposalSaver); ok {
			ps.observe = m.ObserveCompliance
		}
		orders.booked = bookingObserver(m, logger)
		return nil
	}
}

func observeSince(observe func(time.Duration), t0 time.Time) { observe(time.Since(t0)) }

// timedCompliance times the compliance pages' dry-run checks.
type timedCompliance struct {
	web.ComplianceDesk
	m *web.Metrics
}

// CheckTrades checks trades, observing how long it took.
func (t timedCompliance) CheckTrades(ctx context.Context, trades []portfolio.Trade) ([]compliance.TradeSummary, error) {
	defer observeSince(t.m.ObserveCompliance, time.Now())
	return t.ComplianceDesk.CheckTrades(ctx, trades)
}

// bookingObserver counts booked fills and logs what booking an execution
// report did, with snake_case keys: session, broker, exec_id, cl_ord_id,
// block_id. A booked report is logged at debug level (fills stream fast);
// a failure, an unknown order, a refusal or a discrepancy at warn or error.
func bookingObserver(m *web.Metrics, logger *slog.Logger) func(context.Context, order.ExecutionReport, order.BookResult, error) {
	return func(ctx context.Context, r order.ExecutionReport, res order.BookResult, err error) {
		attrs := []slog.Attr{slog.String("session", r.Session), slog.String("broker", r.Broker),
			slog.String("exec_id", r.ExecID), slog.String("cl_ord_id", r.ClOrdID),
			slog.Int64("block_id", res.BlockID), slog.String("exec_kind", string(r.Kind))}
		switch {
		case err != nil:
			logger.LogAttrs(ctx, slog.LevelError, "book execution failed", append(attrs, slog.String("error", err.Error()))...)
		case res.Duplicate:
			logger.LogAttrs(ctx, slog.LevelDebug, "execution already booked", attrs...)
		case res.Unmatched:
			logger.LogAttrs(ctx, slog.LevelWarn, "execution for an unknown order kept unbooked", attrs...)
		case res.Refused != "":
			logger.LogAttrs(ctx, slog.LevelWarn, "execution kept but not applied", append(attrs, slog.String("reason", res.Refused))...)
		default:
			if isFill(r) {
				m.FillBooked(r.Broker)
			}
			if res.Discrepancy != "" {
				logger.LogAttrs(ctx, slog.LevelWarn, "execution booked with a discrepancy", append(attrs, slog.String("discrepancy", res.Discrepancy))...)
				return
			}
			logger.LogAttrs(ctx, slog.LevelDebug, "execution booked", append(attrs, slog.String("status", string(res.Status)))...)
		}
	}
}

// isFill reports whether r books a traded quantity.
func isFill(r order.ExecutionReport) bool {
	return (r.Kind == order.ExecFill || r.Kind == order.ExecPartialFill) && r.LastQty.IsPositive()
}

// newServeMetrics is serve's /metrics: readable by admins' API tokens, and by
// the token in BALLAST_METRICS_TOKEN when set (at least 16 characters).
func newServeMetrics(e *env, logger *slog.Logger) (handlerExtra, error) {
	token := e.getenv(metricsTokenEnv)
	if token != "" && len(token) < minMetricsToken {
		return nil, fmt.Errorf("%s is shorter than %d characters", metricsTokenEnv, minMetricsToken)
	}
	return metricsExtra(web.NewMetrics(), token, logger), nil
}
