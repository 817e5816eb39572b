package db

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/user"
)

var condTraders = []user.Role{user.Trader}

// approvedTrailing stores newTrailing approved by trader: active, version 2.
func approvedTrailing(t *testing.T, d *DB) trigger.Condition {
	t.Helper()
	c := newTrailing(t, d)
	a, err := c.Approve("trader", condTraders, condT0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateCondition(context.Background(), a, c.Version, ConditionEvent{Actor: "trader", Action: "condition_approve"}); err != nil {
		t.Fatal(err)
	}
	return a
}

// amendTrailing has by modify the trailing stop c to a distance of pct at
// `at`, stores it and returns it as stored.
func amendTrailing(t *testing.T, d *DB, c trigger.Condition, by, pct string, at time.Time) trigger.Condition {
	t.Helper()
	ctx := context.Background()
	snap := trigger.Snapshot{Price: dec("99"), Holding: dec("10"), AvgCost: dec("90"), Now: at}
	m, err := c.Modify(by, trigger.Terms{Percent: dec(pct), ActivationPrice: dec("100")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateCondition(ctx, m, c.Version, ConditionEvent{Actor: by, Action: "condition_amend"}); err != nil {
		t.Fatal(err)
	}
	got, err := d.Condition(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Condition
}

// conditionAudit lists the actions of a condition's audit events in order.
func conditionActions(t *testing.T, d *DB, id int64) []string {
	t.Helper()
	rows, err := d.reader.Query(`SELECT action FROM audit_events WHERE condition_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// pendingAmendments counts a condition's amendments awaiting approval.
func pendingAmendments(t *testing.T, d *DB, id int64) int {
	t.Helper()
	var n int
	if err := d.reader.QueryRow(`SELECT count(*) FROM condition_amendments WHERE condition_id = ? AND state = 'pending'`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConditionAmendmentStoredReplacedAndApproved: an amendment of an active
// condition is stored beside its approved terms, which stay what is loaded
// for the engine; a second one replaces it (kept, replaced); approving the
// second makes its terms the condition's, approved by the approver and
// amended by its author; every step is audited.
func TestConditionAmendmentStoredReplacedAndApproved(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	a := approvedTrailing(t, d)
	first := amendTrailing(t, d, a, "pm2", "8", condT0.Add(time.Minute))
	p := first.PendingAmendment()
	if first.State != trigger.Active || first.ApprovedBy != "trader" || !first.Percent.Equal(dec("5")) || first.Version != 3 ||
		p == nil || p.ID == 0 || p.By != "pm2" || !p.At.Equal(condT0.Add(time.Minute)) || !p.Percent.Equal(dec("8")) ||
		!p.ActivationPrice.Equal(dec("100")) || p.OrderType != trigger.OrderMarket {
		t.Fatalf("stored after the modification: %+v with amendment %+v", first, p)
	}
	active, err := d.ActiveConditions(ctx)
	if err != nil || len(active) != 1 || !active[0].Percent.Equal(dec("5")) || active[0].PendingAmendment() == nil {
		t.Fatalf("loaded for the engine: %v %+v", err, active)
	}
	var details string
	if err := d.reader.QueryRow(`SELECT details FROM audit_events WHERE condition_id = ? AND action = 'condition_amend'`, a.ID).Scan(&details); err != nil ||
		!strings.Contains(details, "percent=5") || !strings.Contains(details, "pending amendment by pm2: percent=8") {
		t.Errorf("amendment audit details %q, %v", details, err)
	}

	second := amendTrailing(t, d, first, "trader2", "3", condT0.Add(2*time.Minute))
	p2 := second.PendingAmendment()
	if p2 == nil || p2.ID == p.ID || p2.By != "trader2" || !p2.Percent.Equal(dec("3")) || !second.Percent.Equal(dec("5")) {
		t.Fatalf("second amendment %+v", p2)
	}
	var state, reason string
	if err := d.reader.QueryRow(`SELECT state, reason FROM condition_amendments WHERE id = ?`, p.ID).Scan(&state, &reason); err != nil ||
		state != "replaced" || !strings.Contains(reason, "replaced by the amendment trader2 proposed") {
		t.Fatalf("the first amendment is %q (%q), %v", state, reason, err)
	}
	if n := pendingAmendments(t, d, a.ID); n != 1 {
		t.Fatalf("%d amendments pending, want 1", n)
	}

	at := condT0.Add(3 * time.Minute)
	approved, err := second.ApproveAmendment("trader3", condTraders, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateCondition(ctx, approved, second.Version, ConditionEvent{Actor: "trader3", Action: "condition_amendment_approve"}); err != nil {
		t.Fatal(err)
	}
	got, err := d.Condition(ctx, a.ID)
	if err != nil || got.State != trigger.Active || !got.Percent.Equal(dec("3")) || got.ApprovedBy != "trader3" ||
		!got.ApprovedAt.Equal(at) || got.AmendedBy != "trader2" || got.Version != 5 {
		t.Fatalf("stored after approving the amendment: %+v %v", got.Condition, err)
	}
	if am := got.Amendment; am == nil || am.ID != p2.ID || am.State != trigger.AmendmentApproved || am.DecidedBy != "trader3" ||
		!am.DecidedAt.Equal(at) || got.PendingAmendment() != nil {
		t.Fatalf("the approved amendment is stored as %+v", am)
	}
	want := []string{"condition_create", "condition_approve", "condition_amend", "condition_amend",
		"condition_amendment_replace", "condition_amendment_approve"}
	if got := conditionActions(t, d, a.ID); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

// TestConditionAmendmentFourEyesInDatabase: whatever the application sends,
// the database refuses an amendment approved by its author or by the
// condition's creator, a second pending amendment, an amendment of a
// condition that is not active, a condition leaving active with an amendment
// pending, and a change to an amendment that has ended.
func TestConditionAmendmentFourEyesInDatabase(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	m := amendTrailing(t, d, approvedTrailing(t, d), "pm2", "8", condT0.Add(time.Minute))
	forge := func(approver string) trigger.Condition {
		am := *m.PendingAmendment()
		am.State, am.DecidedBy, am.DecidedAt = trigger.AmendmentApproved, approver, condT0.Add(2*time.Minute)
		c := m
		c.Terms, c.Level, c.Amendment = am.Terms, am.Level, &am
		c.ApprovedBy, c.AmendedBy, c.Version, c.UpdatedAt = approver, am.By, m.Version+1, am.DecidedAt
		return c
	}
	for _, approver := range []string{" PM", "Pm2 "} {
		err := d.UpdateCondition(ctx, forge(approver), m.Version, ConditionEvent{Actor: approver, Action: "condition_amendment_approve"})
		if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "four eyes") {
			t.Errorf("amendment approved by %q: %v, want a four-eyes conflict", approver, err)
		}
	}
	w := d.Writer()
	id := m.PendingAmendment().ID
	refused := []struct{ what, sql string }{
		{"approved by its author", `UPDATE condition_amendments SET state = 'approved', decided_by = 'PM2' WHERE id = ?`},
		{"approved by the creator", `UPDATE condition_amendments SET state = 'approved', decided_by = ' pm' WHERE id = ?`},
		{"approved by no one", `UPDATE condition_amendments SET state = 'approved' WHERE id = ?`},
		{"a second pending amendment", `INSERT INTO condition_amendments (condition_id, valid_until, proposed_by, proposed_at)
			SELECT condition_id, valid_until, 'trader2', proposed_at FROM condition_amendments WHERE id = ?`},
		{"the condition cancelled under it", `UPDATE conditions SET state = 'cancelled'
			WHERE id = (SELECT condition_id FROM condition_amendments WHERE id = ?)`},
	}
	for _, r := range refused {
		// Each in a transaction rolled back, so that one accepted by mistake
		// does not change what the next meets.
		tx, err := w.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(r.sql, id); err == nil {
			t.Errorf("%s: accepted", r.what)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
	pending := newTrailing(t, d)
	if _, err := w.Exec(`INSERT INTO condition_amendments (condition_id, valid_until, proposed_by, proposed_at)
		VALUES (?, '2026-04-01T00:00:00.000000Z', 'pm2', '2026-03-02T09:30:00.000000Z')`, pending.ID); err == nil {
		t.Error("an amendment of a condition pending approval: accepted")
	}
	got, err := d.Condition(ctx, m.ID)
	if err != nil || got.State != trigger.Active || got.ApprovedBy != "trader" || !got.Percent.Equal(dec("5")) ||
		got.PendingAmendment() == nil || got.Version != m.Version {
		t.Fatalf("a refused write changed the condition: %+v %v", got.Condition, err)
	}
	if _, err := w.Exec(`UPDATE condition_amendments SET state = 'rejected', decided_by = 'trader2' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`UPDATE condition_amendments SET state = 'approved', decided_by = 'trader3' WHERE id = ?`, id); err == nil {
		t.Error("a rejected amendment approved afterwards: accepted")
	}
}

// TestConditionEndingVoidsStoredAmendment: an amendment pending when its
// condition fires (through an engine loaded before it was proposed), is
// cancelled or expires is void in storage, says why, is audited, and can
// no longer be approved.
func TestConditionEndingVoidsStoredAmendment(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	held := func(string, string) decimal.Decimal { return dec("10") }

	fired := approvedTrailing(t, d)
	expiring := approvedTrailing(t, d)
	conds, err := d.ActiveConditions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, err := trigger.NewEngine(trigger.Options{Holding: held}, conds)
	if err != nil {
		t.Fatal(err)
	}
	amendTrailing(t, d, fired, "pm2", "8", condT0.Add(time.Minute))
	amendTrailing(t, d, expiring, "pm2", "8", condT0.Add(time.Minute))
	for i, p := range []string{"100", "120", "113"} {
		tick := trigger.Tick{Symbol: "AAA", Price: dec(p), Time: condT0.Add(time.Duration(i+2) * time.Minute)}
		if i == 2 {
			e.Remove(expiring.ID) // only the first fires
		}
		if _, err := d.SaveTriggerResult(ctx, e.OnPrices([]trigger.Tick{tick})); err != nil {
			t.Fatal(err)
		}
	}

	cancelled := amendTrailing(t, d, approvedTrailing(t, d), "pm2", "8", condT0.Add(time.Minute))
	x, err := cancelled.Cancel("pm", "", condT0.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateCondition(ctx, x, cancelled.Version, ConditionEvent{Actor: "pm", Action: "condition_cancel"}); err != nil {
		t.Fatal(err)
	}
	exp, _ := d.Condition(ctx, expiring.ID)
	ended, err := exp.Expire(exp.ValidUntil.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SaveConditionStates(ctx, []trigger.Condition{ended}, "condition_expire"); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		id         int64
		state      trigger.State
		reason     string
		lastEvents []string
	}{
		{fired.ID, trigger.Triggered, "void: the condition fired before it was approved", []string{"condition_fire", "condition_amendment_void"}},
		{cancelled.ID, trigger.Cancelled, "void: the condition was cancelled before it was approved", []string{"condition_cancel", "condition_amendment_void"}},
		{expiring.ID, trigger.Expired, "void: the condition expired before it was approved", []string{"condition_expire", "condition_amendment_void"}},
	} {
		got, err := d.Condition(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != c.state || got.Amendment == nil || got.Amendment.State != trigger.AmendmentVoid || got.Amendment.Reason != c.reason ||
			!got.Amendment.DecidedAt.Equal(got.UpdatedAt) || pendingAmendments(t, d, c.id) != 0 {
			t.Errorf("condition %d: %s, amendment %+v; want %s with the amendment void (%s)", c.id, got.State, got.Amendment, c.state, c.reason)
		}
		if actions := conditionActions(t, d, c.id); len(actions) < 2 || !slices.Equal(actions[len(actions)-2:], c.lastEvents) {
			t.Errorf("condition %d: audit %v, want it to end with %v", c.id, actions, c.lastEvents)
		}
		if _, err := got.ApproveAmendment("trader3", condTraders, got.UpdatedAt); !errors.Is(err, trigger.ErrConflict) {
			t.Errorf("condition %d: the void amendment approved: %v", c.id, err)
		}
		if _, err := d.Writer().Exec(`UPDATE condition_amendments SET state = 'approved', decided_by = 'trader3'
			WHERE id = ?`, got.Amendment.ID); err == nil {
			t.Errorf("condition %d: the database approved the void amendment", c.id)
		}
	}
}

// openAt creates a database at path migrated only up to version.
func openAt(t *testing.T, path string, version int64) *sql.DB {
	t.Helper()
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, w, sub, goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestAmendmentMigrationKeepsConditions: conditions stored before amendments
// existed migrate as they were — an active one stays active and can take an
// amendment; one that an earlier Ballast sent back to pending approval when
// modified stays pending, and its modifier still may not approve it.
func TestAmendmentMigrationKeepsConditions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	w := openAt(t, path, 72)
	for _, q := range []string{
		`INSERT INTO securities (symbol, name, issuer, currency, asset_class, lot_size) VALUES ('AAA', 'Alpha', 'Alpha', 'USD', 'equity', '1')`,
		`INSERT INTO portfolios (code, name, base_currency) VALUES ('P1', 'One', 'USD')`,
		`INSERT INTO conditions (id, portfolio, symbol, kind, trigger_price, level, valid_until, created_by, approved_by,
			state, state_reason, version, created_at, approved_at, updated_at)
			VALUES (1, 'P1', 'AAA', 'stop_loss', '90', '90', '2026-05-01T00:00:00.000000Z', 'pm', 'trader', 'active',
			'approved by trader', 2, '2026-03-01T00:00:00.000000Z', '2026-03-01T01:00:00.000000Z', '2026-03-01T01:00:00.000000Z')`,
		`INSERT INTO conditions (id, portfolio, symbol, kind, trigger_price, level, valid_until, created_by, amended_by,
			state, state_reason, version, created_at, updated_at)
			VALUES (2, 'P1', 'AAA', 'stop_loss', '95', '95', '2026-05-01T00:00:00.000000Z', 'pm', 'trader', 'pending_approval',
			'modified by trader after trader approved it: awaits a trader''s approval again', 3,
			'2026-03-01T00:00:00.000000Z', '2026-03-01T02:00:00.000000Z')`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var applied int
	if err := d.reader.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id = 73 AND is_applied`).Scan(&applied); err != nil || applied != 1 {
		t.Fatalf("migration 73 applied %d times, %v", applied, err)
	}
	active, err := d.Condition(ctx, 1)
	if err != nil || active.State != trigger.Active || active.ApprovedBy != "trader" || !active.Level.Equal(dec("90")) ||
		active.Amendment != nil || active.Version != 2 {
		t.Fatalf("the active condition after the migration: %+v %v", active.Condition, err)
	}
	waiting, err := d.Condition(ctx, 2)
	if err != nil || waiting.State != trigger.PendingApproval || waiting.AmendedBy != "trader" || waiting.ApprovedBy != "" ||
		waiting.Amendment != nil || !strings.Contains(waiting.StateReason, "approval again") {
		t.Fatalf("the condition awaiting approval again after the migration: %+v %v", waiting.Condition, err)
	}

	snap := trigger.Snapshot{Price: dec("100"), Holding: dec("10"), Now: condT0}
	m, err := active.Modify("trader", trigger.Terms{TriggerPrice: dec("95")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateCondition(ctx, m, 2, ConditionEvent{Actor: "trader", Action: "condition_amend"}); err != nil {
		t.Fatalf("amending a migrated active condition: %v", err)
	}
	if got, _ := d.Condition(ctx, 1); got.PendingAmendment() == nil || !got.Level.Equal(dec("90")) || got.State != trigger.Active {
		t.Fatalf("the migrated condition's amendment: %+v", got.Condition)
	}
	self := waiting.Condition
	self.State, self.ApprovedBy, self.Version = trigger.Active, "TRADER", 4
	if err := d.UpdateCondition(ctx, self, 3, ConditionEvent{Actor: "trader", Action: "condition_approve"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("its modifier approves a migrated condition: %v", err)
	}
	ok, err := waiting.Approve("trader2", condTraders, condT0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateCondition(ctx, ok, 3, ConditionEvent{Actor: "trader2", Action: "condition_approve"}); err != nil {
		t.Fatalf("another trader approves a migrated condition: %v", err)
	}
}

// TestConditionResizeStoresAmendmentShare: a sale that reduces the holding
// stores the pending amendment's scaled quantity, still pending, and voids
// (with an audit event) an amendment left with nothing.
func TestConditionResizeStoresAmendmentShare(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	ctx := context.Background()
	snap := trigger.Snapshot{Price: dec("100"), Holding: dec("10"), Now: condT0}
	c, err := trigger.New(trigger.Condition{Portfolio: "P1", Symbol: "AAA", Kind: trigger.StopLoss,
		Terms: trigger.Terms{TriggerPrice: dec("90")}}, "pm", snap)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = c.Approve("trader", condTraders, condT0); err != nil {
		t.Fatal(err)
	}
	if c, err = d.InsertCondition(ctx, c, 0, ConditionEvent{Actor: "pm", Action: "condition_create"}); err != nil {
		t.Fatal(err)
	}
	m, err := c.Modify("pm2", trigger.Terms{TriggerPrice: dec("95"), Quantity: dec("6")}, snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateCondition(ctx, m, c.Version, ConditionEvent{Actor: "pm2", Action: "condition_amend"}); err != nil {
		t.Fatal(err)
	}
	resize := func(from, to string) StoredCondition {
		t.Helper()
		s, err := d.Condition(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		next, err := s.Resize(dec(from), dec(to), dec("1"), condT0.Add(time.Minute))
		if err != nil || next.Version == s.Version {
			t.Fatalf("resize %s→%s: %v, version %d", from, to, err, next.Version)
		}
		if err := d.UpdateCondition(ctx, next, s.Version, ConditionEvent{Actor: TriggerActor, Action: "condition_resize"}); err != nil {
			t.Fatal(err)
		}
		got, err := d.Condition(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := resize("10", "5")
	if a := got.PendingAmendment(); a == nil || !a.Quantity.Equal(dec("3")) || !a.Level.Equal(dec("95")) || !got.Quantity.IsZero() {
		t.Fatalf("after halving the holding: quantity %s, amendment %+v", got.Quantity, got.Amendment)
	}
	got = resize("5", "1")
	if a := got.Amendment; a == nil || a.State != trigger.AmendmentVoid || got.State != trigger.Active || pendingAmendments(t, d, c.ID) != 0 {
		t.Fatalf("after reducing the holding to 1: %s, amendment %+v", got.State, got.Amendment)
	}
	want := []string{"condition_create", "condition_amend", "condition_resize", "condition_resize", "condition_amendment_void"}
	if actions := conditionActions(t, d, c.ID); !slices.Equal(actions, want) {
		t.Errorf("audit %v, want %v", actions, want)
	}
}
