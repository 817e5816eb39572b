package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// bulkProposals is a small book: three portfolios' worth of buys and sells
// with every verdict, findings on the warn and fail ones.
func bulkProposals() ([]order.Proposal, [][]order.ResultRecord) {
	soft := order.ResultRecord{RuleID: "sector", RuleName: "Sector 30%", Version: 2, Severity: compliance.Soft,
		Status: compliance.NeedsOverride, Group: "Energy", Value: dd("31.5"), Limit: dd("30"), Unit: compliance.UnitPercent,
		Message: "sector Energy 31.5% > 30%"}
	hard := order.ResultRecord{RuleID: "restricted", RuleName: "Restricted list", Version: 1, Severity: compliance.Hard,
		Status: compliance.Fail, Group: "CCC", Message: "CCC is restricted"}
	spec := []struct {
		pf, sym string
		side    portfolio.Side
		qty     string
		v       order.Verdict
		res     []order.ResultRecord
	}{
		{"P1", "BBB", portfolio.Buy, "300", order.VerdictPass, nil},
		{"P1", "AAA", portfolio.Sell, "10", order.VerdictWarn, []order.ResultRecord{soft}},
		{"P2", "CCC", portfolio.Buy, "20", order.VerdictFail, []order.ResultRecord{hard, soft}},
		{"P2", "AAA", portfolio.Buy, "5", order.VerdictPass, nil},
		{"P1", "CCC", portfolio.Sell, "0.5", order.VerdictPass, nil},
	}
	ps := make([]order.Proposal, len(spec))
	rs := make([][]order.ResultRecord, len(spec))
	for i, s := range spec {
		ps[i] = order.Proposal{Order: order.Order{ProposalID: 7, Portfolio: s.pf, Symbol: s.sym, Side: s.side, Quantity: dd(s.qty),
			Type: order.Limit, LimitPrice: dd("10.25"), TimeInForce: order.Day, Notes: fmt.Sprintf("reason %d", i)},
			Check: order.Check{Verdict: s.v, Findings: fmt.Sprintf("findings %d", i)}}
		rs[i] = s.res
	}
	return ps, rs
}

// savedProposal is what a proposal left in the database: its orders in
// stored form, the audit trail and each order's latest check.
type savedProposal struct {
	Orders [][]any
	Events []order.Event
	Checks []order.CheckRecord
}

func readSaved(t *testing.T, d *DB, s *OrderStore, orders []order.Order) savedProposal {
	t.Helper()
	ctx := context.Background()
	var sp savedProposal
	err := s.InTx(ctx, func(tx order.Tx) error {
		for _, o := range orders {
			got, err := tx.Order(ctx, o.ID)
			if err != nil {
				return err
			}
			sp.Orders = append(sp.Orders, orderValues(got))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sp.Events, err = s.AuditEvents(ctx, order.AuditFilter{Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		c, err := d.LatestCheck(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		sp.Checks = append(sp.Checks, c)
	}
	return sp
}

// TestProposeManyMatchesOneByOne saves the same proposal one order at a time
// (ProposeChecked) and in bulk (ProposeMany) into two databases that already
// hold an order: the orders (ids, statuses, every column), the audit trail and
// the compliance checks with their findings are the same.
func TestProposeManyMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	ps, rs := bulkProposals()
	got := map[string]savedProposal{}
	for _, mode := range []string{"one-by-one", "bulk"} {
		d := openTest(t)
		seedSmall(t, d)
		s := NewOrderStore(d)
		svc, _ := newTestService(t, s)
		if _, err := svc.Propose(ctx, pmActor, []order.Proposal{buyOrder("P2", "100")}); err != nil {
			t.Fatal(err)
		}
		propose := svc.ProposeChecked
		if mode == "bulk" {
			propose = svc.ProposeMany
		}
		orders, err := propose(ctx, pmActor, ps, rs)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		wantStatus := []order.Status{order.Ready, order.AwaitingOverride, order.Blocked, order.Ready, order.Ready}
		for i, o := range orders {
			if o.ID != int64(i+2) || o.Status != wantStatus[i] {
				t.Errorf("%s: order #%d is %d %s, want %d %s", mode, i, o.ID, o.Status, i+2, wantStatus[i])
			}
		}
		got[mode] = readSaved(t, d, s, orders)
		if n := len(got[mode].Events); n != 3+3*len(ps) {
			t.Errorf("%s: %d audit events, want %d (three per order)", mode, n, 3+3*len(ps))
		}
	}
	a, b := got["one-by-one"], got["bulk"]
	if !reflect.DeepEqual(a.Orders, b.Orders) {
		t.Errorf("orders differ:\none-by-one %v\n      bulk %v", a.Orders, b.Orders)
	}
	if !reflect.DeepEqual(a.Events, b.Events) {
		t.Errorf("audit differs:\none-by-one %+v\n      bulk %+v", a.Events, b.Events)
	}
	if fmt.Sprint(a.Checks) != fmt.Sprint(b.Checks) {
		t.Errorf("checks differ:\none-by-one %+v\n      bulk %+v", a.Checks, b.Checks)
	}
	if c := b.Checks[2]; c.Verdict != order.VerdictFail || len(c.Results) != 2 || c.Results[0].RuleID != "restricted" {
		t.Errorf("the failing order's check is %+v, want fail with both findings", c)
	}
}

// TestProposeManyMatchesOneByOneAcrossChunks is TestProposeManyMatchesOneByOne
// for a proposal of two chunks (4,096 orders and the rest), in a database
// that already holds an order, its events and a check, with
// findings on the warn and fail orders: every row of the four tables it
// writes is the same, ids included (orders, events' orders, checks,
// results' checks).
func TestProposeManyMatchesOneByOneAcrossChunks(t *testing.T) {
	ctx := context.Background()
	base, baseResults := bulkProposals()
	ps := make([]order.Proposal, 4096+700)
	rs := make([][]order.ResultRecord, len(ps))
	for i := range ps {
		ps[i], rs[i] = base[i%len(base)], baseResults[i%len(base)]
	}
	dumps := map[string][]string{}
	for _, mode := range []string{"one-by-one", "bulk", "stream"} {
		d := openTest(t)
		seedSmall(t, d)
		s := NewOrderStore(d)
		svc, _ := newTestService(t, s)
		pc := order.Precheck{Store: d, Clock: svc.Clock}
		first, err := svc.Propose(ctx, pmActor, []order.Proposal{buyOrder("P2", "100")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pc.StoreCheck(ctx, first[0]); err != nil {
			t.Fatal(err)
		}
		// Every mode saves the orders under proposal 1: the stream creates it
		// itself, the others are given it.
		mine := slices.Clone(ps)
		if mode != "stream" {
			err := s.InTx(ctx, func(tx order.Tx) error {
				id, err := tx.(order.ProposalTx).CreateProposal(ctx, pmActor.Name, svc.Clock.Now())
				if id != 1 {
					t.Fatalf("%s: proposal %d, want 1", mode, id)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range mine {
				mine[i].Order.ProposalID = 1
			}
		}
		var write func() error
		switch mode {
		case "one-by-one":
			write = func() error { _, err := svc.ProposeChecked(ctx, pmActor, mine, rs); return err }
		case "bulk":
			write = func() error { _, err := svc.ProposeMany(ctx, pmActor, mine, rs); return err }
		case "stream":
			// Two batches, the first of two chunks: the stream
			// transaction's bulk inserts go to the driver directly
			// (insertBulkConn), numbering on from one call to the next.
			cut := 4096 + 300
			write = func() error {
				_, err := svc.ProposeStream(ctx, pmActor, streamOf([]order.ProposalBatch{
					{Proposals: mine[:cut], Results: rs[:cut]}, {Proposals: mine[cut:], Results: rs[cut:]}}, nil))
				return err
			}
		}
		if err := write(); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		for _, table := range []string{"orders", "audit_events", "compliance_checks", "compliance_results"} {
			rows, err := d.Writer().QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY rowid`)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			n := 0
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				dumps[mode] = append(dumps[mode], fmt.Sprint(table, vals))
				n++
			}
			rows.Close()
			if n == 0 {
				t.Fatalf("%s: %s is empty", mode, table)
			}
		}
	}
	a := dumps["one-by-one"]
	for _, mode := range []string{"bulk", "stream"} {
		b := dumps[mode]
		if len(a) != len(b) {
			t.Fatalf("one-by-one wrote %d rows, %s %d", len(a), mode, len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("row %d differs:\none-by-one %s\n%10s %s", i, a[i], mode, b[i])
			}
		}
	}
}

// TestProposeManyAllOrNothing: an order for an unknown security in the
// second chunk of a large proposal leaves nothing of the proposal behind.
func TestProposeManyAllOrNothing(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	svc, _ := newTestService(t, s)
	ps := make([]order.Proposal, 4200)
	rs := make([][]order.ResultRecord, len(ps))
	for i := range ps {
		ps[i] = buyOrder([]string{"P1", "P2"}[i%2], "100")
	}
	ps[len(ps)-1].Order.Symbol = "ZZZ"
	_, err := svc.ProposeMany(ctx, pmActor, ps, rs)
	var fe order.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a field error for the unknown security", err)
	}
	for _, table := range []string{"orders", "audit_events", "compliance_checks"} {
		var n int
		if err := d.Writer().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows after a refused proposal, want 0", table, n)
		}
	}
	ps[len(ps)-1].Order.Symbol = "BBB"
	orders, err := svc.ProposeMany(ctx, pmActor, ps, rs)
	if err != nil || len(orders) != len(ps) || orders[len(ps)-1].ID != int64(len(ps)) {
		t.Fatalf("corrected proposal: %d orders, %v; want %d", len(orders), err, len(ps))
	}
}
