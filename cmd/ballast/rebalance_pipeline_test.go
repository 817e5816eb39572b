package main

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/rebalance"
	"github.com/ballast-oms/ballast/user"
)

// TestSavePipelinedSavesEveryPartAsOneProposal saves a synthetic book of
// three parts and finds every planned trade as a ready order of one
// proposal that counts them; a proposer who may not propose leaves no
// proposal and no order behind.
func TestSavePipelinedSavesEveryPartAsOneProposal(t *testing.T) {
	ctx := context.Background()
	d := cliOpenDB(t, filepath.Join(t.TempDir(), "p.db"))
	book := rebalance.Synthetic(57, 12, 3)
	if err := d.LoadBook(ctx, book); err != nil {
		t.Fatal(err)
	}
	pm, err := d.CreateUser(ctx, user.User{Name: "pm1", Roles: []user.Role{user.PM}, PasswordHash: "!"})
	if err != nil {
		t.Fatal(err)
	}
	officer, err := d.CreateUser(ctx, user.User{Name: "co", Roles: []user.Role{user.Compliance}, PasswordHash: "!"})
	if err != nil {
		t.Fatal(err)
	}
	saver, err := newProposalSaver(d)
	if err != nil {
		t.Fatal(err)
	}
	opts := rebalance.Options{Mode: rebalance.ModeTarget}
	if _, err := saver.savePipelined(ctx, officer, pipelineJob{opts: opts, part: 20}); err == nil || !strings.Contains(err.Error(), "neither pm nor trader") {
		t.Fatalf("a compliance officer proposed: %v", err)
	}
	if n := countRows(t, d.Reader(), `SELECT (SELECT count(*) FROM proposals) + (SELECT count(*) FROM orders)`); n != 0 {
		t.Fatalf("a refused run left %d proposal and order rows", n)
	}
	inputs, _, err := d.RebalanceInputs(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	results, _ := rebalance.PlanAll(inputs, opts, 0)
	want := len(tradesOf(results))
	synced := -1 // orders committed when the saver made them durable
	saver.sync = func() error {
		synced = countRows(t, d.Reader(), `SELECT count(*) FROM orders`)
		return d.SyncCommitted()
	}
	run, err := saver.savePipelined(ctx, pm, pipelineJob{opts: opts, keep: true, part: 20})
	if err != nil {
		t.Fatal(err)
	}
	if synced != want {
		t.Errorf("synced with %d orders committed, want %d: the save must be durable before it returns", synced, want)
	}
	if run.saved.Orders != want || len(run.results) != len(book) || len(run.summaries) != want || want == 0 {
		t.Fatalf("saved %d orders, kept %d results and %d checks; want %d orders of %d portfolios",
			run.saved.Orders, len(run.results), len(run.summaries), want, len(book))
	}
	if n := countRows(t, d.Reader(), `SELECT count(*) FROM orders WHERE status = 'ready' AND proposal_id = (SELECT id FROM proposals)`); n != want {
		t.Errorf("%d ready orders in the proposal, want %d", n, want)
	}
	if n := countRows(t, d.Reader(), `SELECT trades FROM proposals WHERE portfolios = ?`, run.saved.Portfolios); n != want {
		t.Errorf("the proposal counts %d trades, want %d", n, want)
	}
	// A failed fsync is reported, naming the proposal that is committed
	// but may not survive a power cut.
	saver.sync = func() error { return errors.New("disk gone") }
	_, err = saver.savePipelined(ctx, pm, pipelineJob{opts: opts, part: 20})
	if err == nil || !strings.Contains(err.Error(), "proposal 2 is saved, but not yet on disk") || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("a failed sync: %v", err)
	}
}

// TestRebalanceSaveRefusesNamedPortfolioWithoutTargets: a portfolio named
// for --save that has no targets stops the run before anything is written.
func TestRebalanceSaveRefusesNamedPortfolioWithoutTargets(t *testing.T) {
	dir := t.TempDir()
	cliSeedDemo(t, dir)
	d := openCLIDB(t, dir)
	if _, err := d.Writer().Exec(`INSERT INTO portfolios (code, name, base_currency, cash) VALUES ('BARE', 'No targets', 'USD', '1000')`); err != nil {
		t.Fatal(err)
	}
	res := cliRun(t, dir, "", "rebalance", "--portfolio", "EU-LEAD", "--portfolio", "BARE", "--save")
	if res.err == nil || !strings.Contains(res.err.Error(), "BARE") {
		t.Fatalf("err = %v, want BARE refused", res.err)
	}
	if n := countRows(t, d.Reader(), `SELECT (SELECT count(*) FROM proposals) + (SELECT count(*) FROM orders)`); n != 0 {
		t.Errorf("a refused run left %d proposal and order rows", n)
	}
}

func countRows(t *testing.T, q interface {
	QueryRow(string, ...any) *sql.Row
}, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
