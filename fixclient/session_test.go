package fixclient

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ballast-oms/ballast/brokersim"
	"github.com/ballast-oms/ballast/order"
)

func TestDisconnectMidStreamThenResendWithPossDup(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	plans := map[string]brokersim.Plan{"GATE": {Action: brokersim.Fill, Gate: gate}}
	r := newRig(t, "FIX.4.4", plans, rigOpt{fill: brokersim.FillConfig{Fills: 3}})
	r.send(t, newOrder("X1", "GATE", "300", "10"))
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPartialFill}, "X1")

	if err := r.client.Logout("SIM"); err != nil {
		t.Fatal(err)
	}
	close(gate) // the broker fills the rest while Ballast is away
	waitFor(t, "broker to fill while the session is down", func() bool {
		st, _ := r.broker.Order("X1")
		return st.CumQty.Equal(d("300"))
	})
	if err := r.client.Logon("SIM"); err != nil {
		t.Fatal(err)
	}
	es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecPartialFill, order.ExecPartialFill, order.ExecFill}, "X1")
	if es[0].PossDup || es[1].PossDup || !es[2].PossDup || !es[3].PossDup {
		t.Errorf("PossDup flags %v %v %v %v; want only the resent reports flagged",
			es[0].PossDup, es[1].PossDup, es[2].PossDup, es[3].PossDup)
	}
	checkBooks(t, es)
}

// A report whose booking fails is redelivered with PossDup, booked on the
// session goroutine or by the session's booker, and a later order books once.
func TestHandlerErrorRedeliversTheSameExecution(t *testing.T) {
	t.Parallel()
	for _, async := range []bool{false, true} {
		t.Run(map[bool]string{false: "on the session goroutine", true: "by the booker"}[async], func(t *testing.T) {
			t.Parallel()
			r := newRig(t, "FIX.4.4", map[string]brokersim.Plan{"ONE": {Action: brokersim.FillAtOnce}}, rigOpt{noStart: true, async: async})
			var failed string
			r.rec.failExec = func(e order.ExecutionReport) bool {
				if e.Kind == order.ExecFill && failed == "" { // the first delivery of the fill "crashes"
					failed = e.ExecID
					return true
				}
				return false
			}
			r.start(t)
			r.send(t, newOrder("X1", "ONE", "100", "10"))
			es := waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X1")
			if es[1].ExecID != failed || !es[1].PossDup {
				t.Errorf("redelivered fill %s possdup=%v; want %s with PossDup", es[1].ExecID, es[1].PossDup, failed)
			}
			checkBooks(t, es)
			r.send(t, newOrder("X2", "ONE", "100", "10"))
			checkBooks(t, waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X2"))
			r.rec.mu.Lock()
			defer r.rec.mu.Unlock()
			if r.rec.failCount != 1 || r.rec.attempts != 5 {
				t.Errorf("deliveries: %d failed of %d; want 1 of 5", r.rec.failCount, r.rec.attempts)
			}
		})
	}
}

func TestRestartKeepsSequenceNumbers(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.4", map[string]brokersim.Plan{"ONE": {Action: brokersim.FillAtOnce}}, rigOpt{})
	r.send(t, newOrder("X1", "ONE", "100", "10"))
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X1")
	// The handler sees the fill before quickfixgo advances the inbound sequence.
	waitFor(t, "inbound sequence past the fill", func() bool { return r.client.Status()[0].NextTargetSeq >= 4 })
	before := r.client.Status()[0]
	r.client.Stop()
	if files, _ := filepath.Glob(filepath.Join(r.dir, "*.senderseqnums")); len(files) != 1 {
		t.Fatalf("file store seqnums files in %s: %v", r.dir, files)
	}

	r.client = r.newClient(t) // same store directory
	if st := r.client.Status()[0]; st.State != StateStopped {
		t.Errorf("state before start %s", st.State)
	}
	r.start(t)
	after := r.client.Status()[0]
	if after.NextSenderSeq <= before.NextSenderSeq || after.NextTargetSeq <= before.NextTargetSeq {
		t.Errorf("sequence numbers went from %d/%d to %d/%d; want them to continue",
			before.NextSenderSeq, before.NextTargetSeq, after.NextSenderSeq, after.NextTargetSeq)
	}
	if before.NextSenderSeq < 3 || before.NextTargetSeq < 4 {
		t.Errorf("before restart: next sender %d, next target %d; want at least 3 and 4", before.NextSenderSeq, before.NextTargetSeq)
	}
	r.send(t, newOrder("X2", "ONE", "100", "10"))
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X2")
}

func TestRestartWithSQLStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The store shares Ballast's SQLite file, where the web sessions' table is "sessions".
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(dir, "fix.db")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, "FIX.4.2", map[string]brokersim.Plan{"ONE": {Action: brokersim.FillAtOnce}}, rigOpt{store: StoreSQL, storeDir: dir})
	r.send(t, newOrder("X1", "ONE", "100", "10"))
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X1")
	before := r.client.Status()[0]
	r.client.Stop()
	if _, err := os.Stat(filepath.Join(r.dir, "fix.db")); err != nil {
		t.Fatal(err)
	}
	r.client = r.newClient(t)
	r.start(t)
	if after := r.client.Status()[0]; after.NextSenderSeq <= before.NextSenderSeq {
		t.Errorf("sender sequence went from %d to %d", before.NextSenderSeq, after.NextSenderSeq)
	}
	r.send(t, newOrder("X2", "ONE", "100", "10"))
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X2")
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM fix_messages`).Scan(&n); err != nil || n < 2 {
		t.Errorf("fix_messages rows: %d, %v", n, err)
	}
	db.Close()
}

func TestReleaseWhileSessionDown(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.4", map[string]brokersim.Plan{"ONE": {Action: brokersim.FillAtOnce}}, rigOpt{noStart: true})
	o := newOrder("X1", "ONE", "100", "10")
	if err := r.client.Send(context.Background(), o); !errors.Is(err, ErrSessionDown) {
		t.Fatalf("send while down: %v, want ErrSessionDown", err)
	}
	if err := r.client.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "logged-on status for the handler", func() bool {
		r.rec.mu.Lock()
		defer r.rec.mu.Unlock()
		n := len(r.rec.statuses)
		return n > 0 && r.rec.statuses[n-1].State == StateLoggedOn
	})
	r.send(t, o) // what the order book does when it hears of the logon
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X1")
	if err := r.client.Logout("SIM"); err != nil {
		t.Fatal(err)
	}
	if err := r.client.Send(context.Background(), newOrder("X2", "ONE", "1", "1")); !errors.Is(err, ErrSessionDown) {
		t.Fatalf("send after logout: %v, want ErrSessionDown", err)
	}
	if st := r.client.Status()[0]; st.State != StateStopped || st.LastLogout.IsZero() || st.LastHeard.IsZero() {
		t.Errorf("status after logout %+v", st)
	}
}

func TestSessionAndBusinessRejectsMapToTheOrder(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			plans := map[string]brokersim.Plan{
				"SREJ": {Action: brokersim.SessionReject},
				"BREJ": {Action: brokersim.BusinessReject},
			}
			r := newRig(t, v, plans, rigOpt{})
			r.send(t, newOrder("X1", "SREJ", "100", "10"))
			r.send(t, newOrder("X2", "BREJ", "100", "10"))
			waitFor(t, "two rejects", func() bool { return len(r.rec.sessionRejects()) == 2 })
			rs := r.rec.sessionRejects()
			if rs[0].ClOrdID != "X1" || rs[0].Business || rs[0].RefSeqNum == 0 || rs[0].Reason == "" {
				t.Errorf("session reject %+v", rs[0])
			}
			if rs[1].ClOrdID != "X2" || !rs[1].Business || rs[1].RefSeqNum != rs[0].RefSeqNum+1 {
				t.Errorf("business reject %+v", rs[1])
			}
		})
	}
}

func TestUnknownBrokerAndInvalidRequest(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.4", nil, rigOpt{noStart: true})
	o := newOrder("X1", "A", "100", "10")
	o.Broker = "NOBODY"
	if err := r.client.Send(context.Background(), o); !errors.Is(err, ErrUnknownBroker) {
		t.Errorf("unknown broker: %v", err)
	}
	o = newOrder("X1", "A", "0", "10")
	if err := r.client.Send(context.Background(), o); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("zero quantity: %v", err)
	}
}

func TestHandlerMaySendFromACallback(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.4", map[string]brokersim.Plan{"ONE": {Action: brokersim.FillAtOnce}}, rigOpt{noStart: true})
	sent := make(chan error, 1)
	r.rec.onExec = func(e order.ExecutionReport) {
		if e.ClOrdID == "X1" && e.Kind == order.ExecFill { // e.g. the next slice of a block
			sent <- r.client.Send(context.Background(), newOrder("X2", "ONE", "100", "10"))
		}
	}
	r.start(t)
	r.send(t, newOrder("X1", "ONE", "100", "10"))
	if err := <-sent; err != nil {
		t.Fatalf("send from the handler: %v", err)
	}
	waitKinds(t, r.rec, []order.ExecKind{order.ExecNew, order.ExecFill}, "X2")
}

func TestSetSequenceNumbersNeedsALoggedOutSession(t *testing.T) {
	t.Parallel()
	r := newRig(t, "FIX.4.2", nil, rigOpt{})
	if err := r.client.SetSequenceNumbers("SIM", 10, 20); err == nil {
		t.Error("sequence reset accepted on a live session")
	}
	if err := r.client.Logout("SIM"); err != nil {
		t.Fatal(err)
	}
	if err := r.client.SetSequenceNumbers("SIM", 0, 20); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("sequence number 0: %v", err)
	}
	if err := r.client.SetSequenceNumbers("SIM", 10, 20); err != nil {
		t.Fatal(err)
	}
	if st := r.client.Status()[0]; st.NextSenderSeq != 10 || st.NextTargetSeq != 20 {
		t.Errorf("after reset: next sender %d, next target %d; want 10 and 20", st.NextSenderSeq, st.NextTargetSeq)
	}
}
