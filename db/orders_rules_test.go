package db

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
)

// TestFourEyesInTheDatabase: even a direct write cannot make the proposer
// (or the amender) the approver.
func TestFourEyesInTheDatabase(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	svc, _ := newTestService(t, NewOrderStore(d))
	ctx := context.Background()
	os, err := svc.Propose(ctx, pmActor, []order.Proposal{buyOrder("P1", "100")})
	if err != nil {
		t.Fatal(err)
	}
	id := os[0].ID
	for _, q := range []string{
		`UPDATE orders SET approved_by = 'pm', status = 'approved' WHERE id = ?`,
		`UPDATE orders SET approved_by = ' PM ', status = 'approved' WHERE id = ?`,
		`UPDATE orders SET amended_by = 'bob', approved_by = 'BOB' WHERE id = ?`,
	} {
		if _, err := d.Writer().Exec(q, id); err == nil || !strings.Contains(err.Error(), "CHECK") {
			t.Errorf("%s: err %v, want a CHECK constraint failure", q, err)
		}
	}
	// Through the Tx too: the store reports it as forbidden.
	err = NewOrderStore(d).InTx(ctx, func(tx order.Tx) error {
		o, err := tx.Order(ctx, id)
		if err != nil {
			return err
		}
		o.ApprovedBy, o.Status = "pm", order.Approved
		return tx.UpdateOrder(ctx, o)
	})
	if !errors.Is(err, order.ErrForbidden) {
		t.Errorf("UpdateOrder with approver = proposer: %v, want ErrForbidden", err)
	}
	// A trader who also proposed cannot approve through the Service either.
	both := order.Actor{Name: "pm", Roles: []user.Role{user.PM, user.Trader}}
	if _, err := svc.Approve(ctx, id, both, nil); !errors.Is(err, order.ErrForbidden) {
		t.Errorf("self-approval: %v, want ErrForbidden", err)
	}
	if _, err := svc.Approve(ctx, id, trActor, nil); err != nil {
		t.Errorf("approval by another trader: %v", err)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	svc, _ := newTestService(t, NewOrderStore(d))
	if _, err := svc.Propose(context.Background(), pmActor, []order.Proposal{buyOrder("P1", "100")}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit_events SET actor = 'x'`, `DELETE FROM audit_events`} {
		_, err := d.Writer().Exec(q)
		if err == nil || !strings.Contains(err.Error(), "audit is append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
	}
	var n int
	if err := d.Reader().QueryRow(`SELECT count(*) FROM audit_events`).Scan(&n); err != nil || n < 3 {
		t.Errorf("audit events %d, %v; want the propose and compliance events kept", n, err)
	}
}

func TestOrderStoreNotFoundAndDuplicates(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	ctx := context.Background()
	err := s.InTx(ctx, func(tx order.Tx) error {
		checks := []error{}
		_, err := tx.Order(ctx, 99)
		checks = append(checks, err)
		_, err = tx.Block(ctx, 99)
		checks = append(checks, err)
		_, err = tx.BlockByClOrdID(ctx, "nope")
		checks = append(checks, err)
		_, err = tx.Execution(ctx, order.ExecKey{Session: "S", ExecID: "x"})
		checks = append(checks, err)
		_, err = tx.Security(ctx, "ZZZ")
		checks = append(checks, err)
		checks = append(checks, tx.SetFillState(ctx, order.ExecKey{Session: "S", ExecID: "x"}, order.FillBusted))
		for i, err := range checks {
			if !errors.Is(err, order.ErrNotFound) || !errors.Is(err, ErrNotFound) {
				t.Errorf("lookup %d: %v, want both not-found kinds", i, err)
			}
		}
		p, err := tx.Position(ctx, "P2", "AAA")
		if err != nil || !p.Quantity.IsZero() {
			t.Errorf("missing position: %+v, %v; want zero", p, err)
		}
		e := order.Execution{Key: order.ExecKey{Session: "S", BlockID: 0, ExecID: "x"}, Kind: order.ExecFill}
		if err := tx.InsertExecution(ctx, e); err != nil {
			return err
		}
		if err := tx.InsertExecution(ctx, e); !errors.Is(err, order.ErrDuplicate) {
			t.Errorf("second insert: %v, want ErrDuplicate", err)
		}
		_, err = tx.InsertOrder(ctx, order.Order{Portfolio: "NOPE", Symbol: "ZZZ", ProposedBy: "pm"})
		if !errors.Is(err, order.ErrInvalid) || !strings.Contains(err.Error(), "NOPE") {
			t.Errorf("order for unknown portfolio: %v, want ErrInvalid naming it", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInTxRollsBack(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx order.Tx) error {
		if err := tx.SaveCash(ctx, "P1", dd("5")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v", err)
	}
	bk := snapshot(t, s)
	if !bk.cash["P1"].IsZero() {
		t.Errorf("cash %s after rollback, want 0", bk.cash["P1"])
	}
}

func TestOrdersFiltersDetailAndAuditCSV(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	svc, _ := newTestService(t, s)
	ctx := context.Background()
	b := released(t, svc)
	mustBook(t, svc, fill("E1", b.ClOrdID, "500", "10"))
	if _, err := svc.Propose(ctx, pmActor, []order.Proposal{buyOrder("P2", "100")}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    order.Filter
		want int
	}{
		{"all", order.Filter{}, 3},
		{"open", order.Filter{State: "open"}, 1},
		{"completed", order.Filter{State: "completed"}, 2},
		{"portfolio", order.Filter{Portfolio: "P2"}, 2},
		{"status", order.Filter{Statuses: []order.Status{order.Ready}}, 1},
		{"broker of the block", order.Filter{Broker: "sim"}, 2},
		{"trader who approved", order.Filter{Trader: "TRADER"}, 2},
		{"symbol", order.Filter{Symbol: "aaa"}, 0},
		{"before", order.Filter{To: orderNow}, 0},
	}
	for _, c := range cases {
		lines, total, err := s.Orders(ctx, c.f)
		if err != nil || total != c.want || len(lines) != c.want {
			t.Errorf("%s: %d lines, total %d, %v; want %d", c.name, len(lines), total, err, c.want)
		}
	}
	lines, _, _ := s.Orders(ctx, order.Filter{Limit: 1})
	if len(lines) != 1 || lines[0].LastEvent.Action == "" || lines[0].Order.Status != order.Ready {
		t.Errorf("newest line %+v, want the ready order with its last event", lines)
	}
	filled, _, _ := s.Orders(ctx, order.Filter{State: "completed"})
	det, err := s.OrderDetail(ctx, filled[0].Order.ID)
	if err != nil || det.Block == nil || len(det.Executions) != 1 || det.Executions[0].Report.Raw == "" || len(det.Allocations) != 2 {
		t.Fatalf("detail %+v, %v; want block, one execution with its raw message, two allocations", det, err)
	}
	var sawExec bool
	for _, e := range det.Events {
		sawExec = sawExec || e.Action == "execution"
	}
	if !sawExec || det.Events[0].Action != "propose" {
		t.Errorf("history %+v: want propose first and the block's execution", det.Events)
	}
	if _, err := s.OrderDetail(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing detail: %v", err)
	}
	blocks, err := s.Blocks(ctx, order.BlockFilter{State: "completed"})
	if err != nil || len(blocks) != 1 || blocks[0].Status != order.Filled {
		t.Errorf("blocks %+v, %v", blocks, err)
	}
	evs, err := s.AuditEvents(ctx, order.AuditFilter{Portfolio: "P2", Actor: "pm"})
	if err != nil || len(evs) == 0 {
		t.Fatalf("audit search: %d, %v", len(evs), err)
	}
	for _, e := range evs {
		if e.Portfolio != "P2" || e.Actor != "pm" {
			t.Errorf("audit search returned %+v", e)
		}
	}
	testAuditCSV(t, s)
}

func testAuditCSV(t *testing.T, s *OrderStore) {
	t.Helper()
	ctx := context.Background()
	err := s.InTx(ctx, func(tx order.Tx) error {
		return tx.AppendEvent(ctx, order.Event{At: orderNow, Actor: "=cmd|' /C calc'!A0", Action: "note", Reason: "+1", Details: "@SUM(A1)"})
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteAuditCSV(ctx, &buf, order.AuditFilter{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	if recs[0][0] != "id" || last[2] != "'=cmd|' /C calc'!A0" || last[9] != "'+1" || last[10] != "'@SUM(A1)" {
		t.Errorf("csv header %v, last row %v: want formula cells prefixed with an apostrophe", recs[0], last)
	}
}
