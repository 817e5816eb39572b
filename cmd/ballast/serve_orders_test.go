package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web"
)

// loopbackSender is a test double of order.Sender: it accepts every request.
type loopbackSender struct{ sent int }

func (l *loopbackSender) Send(context.Context, order.NewOrderRequest) error {
	l.sent++
	return nil
}
func (l *loopbackSender) Cancel(context.Context, order.CancelRequest) error   { return nil }
func (l *loopbackSender) Replace(context.Context, order.ReplaceRequest) error { return nil }

func testOrderBook(t *testing.T, sender order.Sender) (*orderDesk, *db.DB) {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Writer().Exec(`INSERT INTO securities (symbol, name, issuer, currency, asset_class, lot_size) VALUES ('AAA', 'A', 'A', 'USD', 'equity', '1');
		INSERT INTO portfolios (code, name, base_currency, cash) VALUES ('P1', 'One', 'USD', '100000')`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	desk, err := newOrderBook(d, orderConfig{close: defaultTradingClose, zone: defaultTradingZone, sender: sender, now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	desk.check = func(context.Context, order.Order) (order.Check, error) {
		return order.Check{Verdict: order.VerdictPass}, nil
	}
	desk.pre = nil
	return desk, d
}

// approvedBlock enters, approves and blocks one order.
func approvedBlock(t *testing.T, desk *orderDesk) order.Block {
	t.Helper()
	ctx := context.Background()
	pm := order.Actor{Name: "pm", Roles: []user.Role{user.PM}}
	tr := order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	o, _, err := desk.Enter(ctx, pm, order.Order{Portfolio: "P1", Symbol: "AAA", Side: portfolio.Buy, Quantity: decimal.NewFromInt(10),
		Type: order.Market, TimeInForce: order.Day})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Approve(ctx, tr, o.ID); err != nil {
		t.Fatal(err)
	}
	b, err := desk.CreateBlock(ctx, tr, []int64{o.ID}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReleaseWithoutBrokerSessionChangesNothing(t *testing.T) {
	desk, _ := testOrderBook(t, nil)
	b := approvedBlock(t, desk)
	tr := order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	_, err := desk.Release(context.Background(), tr, b.ID)
	if err == nil || !strings.Contains(err.Error(), "no broker session configured") || !errors.Is(err, order.ErrConflict) {
		t.Fatalf("release: %v, want a conflict saying no broker session configured", err)
	}
	bs, err := desk.ReleaseBlocks(context.Background(), tr, []int64{b.ID})
	if bs != nil || err == nil || !strings.Contains(err.Error(), "no broker session configured") || !errors.Is(err, order.ErrConflict) {
		t.Fatalf("release blocks: %v, %v; want a conflict saying no broker session configured", bs, err)
	}
	blocks, err := desk.store.Blocks(context.Background(), order.BlockFilter{})
	if err != nil || len(blocks) != 1 || blocks[0].Status != order.Approved {
		t.Fatalf("blocks %+v, %v: want the block still approved", blocks, err)
	}
}

func TestDeskPublishesChangesAndBooksFills(t *testing.T) {
	snd := &loopbackSender{}
	desk, _ := testOrderBook(t, snd)
	ch, stop := desk.changes.Subscribe()
	defer stop()
	b := approvedBlock(t, desk)
	tr := order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	b, err := desk.Release(context.Background(), tr, b.ID)
	if err != nil || snd.sent != 1 {
		t.Fatalf("release: %v, sent %d", err, snd.sent)
	}
	r := order.ExecutionReport{Session: "S", Broker: "SIM", ExecID: "E1", Kind: order.ExecFill, ClOrdID: b.ClOrdID,
		LastQty: decimal.NewFromInt(10), LastPx: decimal.NewFromInt(5)}
	if err := desk.OnExecution(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for len(ch) > 0 {
		c := <-ch
		seen = append(seen, c.What)
	}
	if want := []string{"order", "order", "block", "block", "execution"}; strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("changes %v, want %v", seen, want)
	}
	lines, _, err := desk.store.Orders(context.Background(), order.Filter{})
	if err != nil || len(lines) != 1 || lines[0].Order.Status != order.Filled {
		t.Errorf("orders %+v, %v; want the order filled", lines, err)
	}
	var _ web.OrderActions = desk
}

// Blocks released together are sent, and each tells the live blotters.
func TestDeskReleasesBlocksTogether(t *testing.T) {
	snd := &loopbackSender{}
	desk, _ := testOrderBook(t, snd)
	ids := []int64{approvedBlock(t, desk).ID, approvedBlock(t, desk).ID}
	ch, stop := desk.changes.Subscribe()
	defer stop()
	tr := order.Actor{Name: "trader", Roles: []user.Role{user.Trader}}
	bs, err := desk.ReleaseBlocks(context.Background(), tr, ids)
	if err != nil || len(bs) != 2 || snd.sent != 2 {
		t.Fatalf("release blocks: %v, %d blocks, sent %d", err, len(bs), snd.sent)
	}
	var seen []int64
	for len(ch) > 0 {
		if c := <-ch; c.What == "block" {
			seen = append(seen, c.BlockID)
		}
	}
	if !slices.Equal(seen, ids) {
		t.Errorf("block changes %v, want %v", seen, ids)
	}
}

func TestClOrdIDsAreUnique(t *testing.T) {
	a, b := clOrdIDs(time.Unix(1, 0)), clOrdIDs(time.Unix(1, 1))
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		for _, id := range []string{a(), b()} {
			if seen[id] {
				t.Fatalf("ClOrdID %s repeated", id)
			}
			seen[id] = true
		}
	}
}

// unsavedFindings is the pre-trade store of a database that cannot store
// findings: every SaveChecks fails.
type unsavedFindings struct{ order.PrecheckStore }

func (unsavedFindings) SaveChecks(context.Context, []order.CheckRecord) error {
	return errors.New("sql: database is locked")
}

// TestDeskLogsFindingsItCouldNotStore: an order entered or amended stands
// when its compliance findings cannot be stored (its review page computes
// them again), and the failure is logged at warn with the order's id.
func TestDeskLogsFindingsItCouldNotStore(t *testing.T) {
	desk, d := testOrderBook(t, nil)
	var logs bytes.Buffer
	desk.log = slog.New(slog.NewJSONHandler(&logs, nil))
	desk.pre = &order.Precheck{Store: unsavedFindings{d}, Clock: desk.svc.Clock}
	ctx := context.Background()
	pm := order.Actor{Name: "pm", Roles: []user.Role{user.PM}}
	o, _, err := desk.Enter(ctx, pm, order.Order{Portfolio: "P1", Symbol: "AAA", Side: portfolio.Buy, Quantity: decimal.NewFromInt(10),
		Type: order.Market, TimeInForce: order.Day})
	if err != nil {
		t.Fatal(err)
	}
	wantFindingsWarning(t, logs.String(), o.ID)
	logs.Reset()
	amended, err := desk.Replace(ctx, pm, o.ID, decimal.NewFromInt(12), decimal.Zero)
	if err != nil || !amended.Quantity.Equal(decimal.NewFromInt(12)) {
		t.Fatalf("amend: %+v, %v; want the order amended to 12", amended, err)
	}
	wantFindingsWarning(t, logs.String(), o.ID)
}

// wantFindingsWarning wants one warning in logs that order id's findings
// were not stored, with the store's error.
func wantFindingsWarning(t *testing.T, logs string, id int64) {
	t.Helper()
	var entry struct {
		Level   string `json:"level"`
		Msg     string `json:"msg"`
		OrderID int64  `json:"order_id"`
		Error   string `json:"error"`
	}
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &entry) != nil {
		t.Fatalf("logs %q: want one line", logs)
	}
	if entry.Level != "WARN" || !strings.Contains(entry.Msg, "findings not stored") || entry.OrderID != id ||
		!strings.Contains(entry.Error, "sql: database is locked") {
		t.Errorf("log line %s: want a warning that order %d's findings were not stored, with the error", lines[0], id)
	}
}
