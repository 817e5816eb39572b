package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
)

// rebalanceConfig is the parsed "rebalance" command line.
type rebalanceConfig struct {
	dbPath     string
	portfolios []string
	model      string
	all        bool
	opts       rebalance.Options
	format     string
	save       bool
	actor      string
}

// cmdRebalance runs "ballast rebalance": it plans the selected portfolios
// against their models and prints the trades. Without --save it is a dry run
// that writes nothing; with --save the trades are proposed as orders.
func cmdRebalance(ctx context.Context, e *env, args []string) error {
	cfg, err := parseRebalance(e, args)
	if err != nil || cfg == nil {
		return err
	}
	d, err := db.Open(ctx, cfg.dbPath)
	if err != nil {
		return fmt.Errorf("rebalance: %w", err)
	}
	defer d.Close()
	codes, err := selectPortfolios(ctx, d, cfg)
	if err != nil {
		return err
	}
	if cfg.save {
		return rebalanceAndSave(ctx, e, d, cfg, codes)
	}
	inputs, none, err := d.RebalanceInputs(ctx, codes)
	if err != nil {
		return fmt.Errorf("rebalance: %w", err)
	}
	if err := noTargets(e, cfg, none); err != nil {
		return err
	}
	results, errs := rebalance.PlanAll(inputs, cfg.opts, 0)
	failed := 0
	for _, err := range errs {
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("rebalance: %d portfolio(s) could not be planned, nothing written", failed)
	}
	if err := writePlanChecked(ctx, e.stdout, d, cfg.format, results); err != nil {
		return fmt.Errorf("rebalance: %w", err)
	}
	return nil
}

func parseRebalance(e *env, args []string) (*rebalanceConfig, error) {
	fs := newFlagSet("rebalance", e)
	cfg := &rebalanceConfig{}
	dbPath := dbFlag(fs, e)
	fs.Func("portfolio", "portfolio code to rebalance (repeat for several)", func(s string) error {
		for _, c := range strings.Split(s, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cfg.portfolios = append(cfg.portfolios, c)
			}
		}
		return nil
	})
	fs.StringVar(&cfg.model, "model", "", "rebalance every portfolio that follows this model")
	fs.BoolVar(&cfg.all, "all", false, "rebalance every portfolio")
	mode := fs.String("mode", "target", "target (back to target) or band (to the nearest band edge)")
	reserve := fs.String("cash-reserve", "0", "cash to keep: a percentage of NAV (2%) or an amount (10000)")
	minTrade := fs.String("min-trade", "0", "smallest trade value proposed")
	fs.Int64Var(&cfg.opts.CollarBps, "collar-bps", 0, "limit price collar in basis points around the last price")
	fs.BoolVar(&cfg.opts.BuyOnly, "buy-only", false, "invest cash without selling")
	raise := fs.String("raise", "0", "raise this much cash, selling the most overweight first")
	fs.StringVar(&cfg.format, "format", "table", "output: table, csv or json")
	fs.BoolVar(&cfg.save, "save", false, "save the trades as a proposal (proposed orders); without it nothing is written")
	fs.StringVar(&cfg.actor, "as", "", "with --save: the PM or trader proposing (default: the user pm)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, flagErr("rebalance", err)
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("rebalance: unexpected arguments %q", pos)
	}
	cfg.dbPath = *dbPath
	if err := cfg.parseOptions(*mode, *reserve, *minTrade, *raise); err != nil {
		return nil, fmt.Errorf("rebalance: %w", err)
	}
	return cfg, nil
}

// parseOptions checks the selection and format and reads the plan options.
func (cfg *rebalanceConfig) parseOptions(mode, reserve, minTrade, raise string) error {
	chosen := 0
	for _, b := range []bool{len(cfg.portfolios) > 0, cfg.model != "", cfg.all} {
		if b {
			chosen++
		}
	}
	if chosen != 1 {
		return errors.New("choose the portfolios with exactly one of --portfolio NAME (repeatable), --model NAME or --all")
	}
	switch cfg.format {
	case "table", "csv", "json":
	default:
		return fmt.Errorf("format %q is not table, csv or json", cfg.format)
	}
	var errs []error
	var err error
	if cfg.opts.Mode, err = rebalance.ParseMode(mode); err != nil {
		errs = append(errs, err)
	}
	if _, err = portfolio.ParseDecimal(strings.TrimSuffix(strings.TrimSpace(reserve), "%")); err != nil {
		errs = append(errs, fmt.Errorf("cash reserve: %w", err)) // plain notation, as every number
	} else if cfg.opts.CashReserve, err = rebalance.ParseReserve(reserve); err != nil {
		errs = append(errs, err)
	}
	if cfg.opts.MinTrade, err = parseAmount("min-trade", minTrade); err != nil {
		errs = append(errs, err)
	}
	if cfg.opts.Raise, err = parseAmount("raise", raise); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	cfg.opts.TradesOnly = true // every format prints trades and cash figures, never a security's weights
	return cfg.opts.Validate()
}

// parseAmount reads a non-negative decimal amount given as flag name.
func parseAmount(name, s string) (decimal.Decimal, error) {
	v, err := portfolio.ParseDecimal(strings.TrimSpace(s))
	if err != nil {
		return decimal.Zero, fmt.Errorf("--%s: %w", name, err)
	}
	if v.IsNegative() {
		return decimal.Zero, fmt.Errorf("--%s %s is negative", name, s)
	}
	return v, nil
}

// selectPortfolios returns the codes chosen: those named, those on the model, or nil for all.
func selectPortfolios(ctx context.Context, d *db.DB, cfg *rebalanceConfig) ([]string, error) {
	switch {
	case cfg.model != "":
		if _, err := d.Model(ctx, cfg.model); err != nil {
			return nil, fmt.Errorf("rebalance: %w", err)
		}
		codes, err := d.PortfoliosOnModel(ctx, cfg.model)
		if err != nil {
			return nil, fmt.Errorf("rebalance: %w", err)
		}
		if len(codes) == 0 {
			return nil, fmt.Errorf("rebalance: no portfolio follows model %s", cfg.model)
		}
		return codes, nil
	case cfg.all:
		return nil, nil
	}
	return cfg.portfolios, nil
}

// noTargets refuses named portfolios without targets; with --all it notes them on stderr.
func noTargets(e *env, cfg *rebalanceConfig, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	if len(cfg.portfolios) > 0 {
		return fmt.Errorf("rebalance: %s follow(s) no model and ha(s) no targets of their own", strings.Join(codes, ", "))
	}
	fmt.Fprintf(e.stderr, "skipped (no model, no targets): %s\n", strings.Join(codes, ", "))
	return nil
}

// rebalanceAndSave plans the portfolios codes and saves their trades as one
// proposal (proposalSaver.savePipelined: the book is read, planned and
// checked part by part while the parts before are written, all in one
// transaction), then prints the plan as a dry run does and how many orders
// were saved. Nothing is written when a portfolio cannot be planned, or when
// a portfolio named on the command line has no targets.
func rebalanceAndSave(ctx context.Context, e *env, d *db.DB, cfg *rebalanceConfig, codes []string) error {
	actorName := cfg.actor
	if actorName == "" {
		actorName = "pm"
	}
	u, err := d.UserByName(ctx, actorName)
	if err != nil {
		return fmt.Errorf("rebalance: save: proposer %q: %w", actorName, err)
	}
	if !u.Has(user.PM, user.Trader) {
		return fmt.Errorf("rebalance: save: %s is neither pm nor trader", u.Name)
	}
	saver, err := newProposalSaver(d)
	if err != nil {
		return fmt.Errorf("rebalance: save: %w", err)
	}
	// The plan is printed to memory while the writer finishes, and copied
	// out once the proposal is saved.
	var out bytes.Buffer
	var outErr error
	render := func(rs []rebalance.Result, ss []compliance.TradeSummary) {
		outErr = writePlanWith(&out, cfg.format, rs, ss)
	}
	run, err := withPipelineGC(func() (*pipelineRun, error) {
		return saver.savePipelined(ctx, u, pipelineJob{codes: codes, opts: cfg.opts, keep: true, named: len(cfg.portfolios) > 0, render: render})
	})
	if len(run.noTargets) > 0 && len(cfg.portfolios) > 0 {
		return noTargets(e, cfg, run.noTargets) // the run refused them before writing
	}
	if errors.Is(err, errPlanFailed) {
		for _, perr := range run.planErrs {
			fmt.Fprintln(e.stderr, perr)
		}
		return fmt.Errorf("rebalance: %d portfolio(s) could not be planned, nothing written", len(run.planErrs))
	}
	if err != nil {
		return fmt.Errorf("rebalance: save: %w", err)
	}
	if err := noTargets(e, cfg, run.noTargets); err != nil {
		return err
	}
	if !run.rendered {
		outErr = writePlanWith(&out, cfg.format, run.results, run.summaries)
	}
	if outErr == nil {
		_, outErr = e.stdout.Write(out.Bytes())
	}
	if outErr != nil {
		return fmt.Errorf("rebalance: %w", outErr)
	}
	_, err = fmt.Fprintf(e.stderr, "saved %d proposed order(s) for %d portfolio(s) as %s\n", run.saved.Orders, len(run.results), u.Name)
	return err
}
