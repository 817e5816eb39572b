package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
)

// benchRebalanceSave measures a full "rebalance --all --save" at scale: the
// synthetic book is written to a new SQLite database (not timed), then
// loading every portfolio, planning it and saving the proposal are timed.
func benchRebalanceSave(ctx context.Context, e *env, dbPath, profile string, book []rebalance.Input, opts rebalance.Options) error {
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "ballast-bench-")
		if err != nil {
			return fmt.Errorf("bench rebalance: %w", err)
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "bench.db")
	}
	d, err := db.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("bench rebalance: %w", err)
	}
	defer d.Close()
	if empty, err := d.Empty(ctx); err != nil || !empty {
		return fmt.Errorf("bench rebalance: --save needs a new, empty database (%s): %v", dbPath, err)
	}
	start := time.Now()
	if err := d.LoadBook(ctx, book); err != nil {
		return fmt.Errorf("bench rebalance: %w", err)
	}
	// The proposer cannot sign in: its password hash is not a hash.
	u, err := d.CreateUser(ctx, user.User{Name: "bench", Roles: []user.Role{user.PM}, PasswordHash: "!"})
	if err != nil {
		return fmt.Errorf("bench rebalance: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote the book to %s in %s\n", dbPath, time.Since(start).Round(time.Millisecond))
	saver, err := newProposalSaver(d)
	if err != nil {
		return fmt.Errorf("bench rebalance: %w", err)
	}
	stop, err := startProfile(profile)
	if err != nil {
		return fmt.Errorf("bench rebalance: %w", err)
	}
	defer stop()
	cpu0, _ := processCPU()
	t0 := time.Now()
	run, err := withPipelineGC(func() (*pipelineRun, error) { return saver.savePipelined(ctx, u, pipelineJob{opts: opts}) })
	if errors.Is(err, errPlanFailed) {
		return fmt.Errorf("bench rebalance: %d plan(s) failed, the first: %w", len(run.planErrs), run.planErrs[0])
	}
	if err != nil {
		return fmt.Errorf("bench rebalance: %w", err)
	}
	t1 := time.Now()
	_, err = fmt.Fprintf(e.stdout, "--all --save: %d portfolios, %d orders saved in %s (pipelined in parts of %d portfolios: "+
		"reading %s, planning %s, compliance %s, while the writer saved the part before)\n",
		run.planned, run.saved.Orders, t1.Sub(t0).Round(time.Millisecond), pipelinePart, run.load.Round(time.Millisecond),
		run.plan.Round(time.Millisecond), run.check.Round(time.Millisecond))
	if cpu1, ok := processCPU(); ok && err == nil {
		// CPU time moves less than wall time on a shared machine.
		_, err = fmt.Fprintf(e.stdout, "process CPU time of load, plan and save: %s\n", (cpu1 - cpu0).Round(time.Millisecond))
	}
	return err
}
