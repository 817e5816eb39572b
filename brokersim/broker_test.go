package brokersim

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/quickfixgo/quickfix"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestNewRejectsBadSessions(t *testing.T) {
	for name, s := range map[string]Session{
		"FIX 4.1":     {BeginString: "FIX.4.1", SenderCompID: "S", TargetCompID: "T"},
		"no sender":   {BeginString: "FIX.4.4", TargetCompID: "T"},
		"no target":   {BeginString: "FIX.4.2", SenderCompID: "S"},
		"bad version": {BeginString: "FIX.9", SenderCompID: "S", TargetCompID: "T"},
	} {
		if _, err := New(Config{Sessions: []Session{s}}); err == nil {
			t.Errorf("%s: New accepted %+v", name, s)
		}
	}
}

var unitSeq atomic.Int64

// testBroker is a broker that is never started: reports pile up in its outbox.
func testBroker(t *testing.T, cfg Config) (*Broker, quickfix.SessionID) {
	t.Helper()
	cfg.Sessions = []Session{{BeginString: "FIX.4.4", SenderCompID: "UNIT", TargetCompID: fmt.Sprintf("TEST%d", unitSeq.Add(1))}}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for id := range b.outboxes {
		t.Cleanup(func() {
			b.ln.Close()
			_ = quickfix.UnregisterSession(id)
		})
		return b, id
	}
	t.Fatal("no session")
	return nil, quickfix.SessionID{}
}

func TestFillStepsSplitQuantity(t *testing.T) {
	tests := []struct {
		name  string
		qty   string
		ratio string
		n     int
		want  []string
	}{
		{"thirds", "100", "1", 3, []string{"33", "33", "34"}},
		{"half in three", "100", "0.5", 3, []string{"16", "17", "17"}},
		{"fewer shares than fills", "2", "1", 3, []string{"2"}},
		{"fractional", "0.5", "1", 2, []string{"0.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, id := testBroker(t, Config{})
			o := &simOrder{session: id, orderID: "O1", clOrdID: "X", side: "1", symbol: "S", qty: d(tt.qty), price: d("10"), status: "0"}
			for i := range tt.n {
				if !b.fillStep(o, tt.n-i, d(tt.ratio)) {
					break
				}
			}
			var got []string
			for _, f := range o.fills {
				got = append(got, f.qty.String())
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("fills %v, want %v", got, tt.want)
			}
			if len(b.outboxes[id].queue) != len(tt.want) {
				t.Errorf("%d reports queued, want %d", len(b.outboxes[id].queue), len(tt.want))
			}
		})
	}
}

func TestSeedMakesPricesDeterministic(t *testing.T) {
	prices := func(seed uint64) string {
		b, id := testBroker(t, Config{Seed: seed, Prices: map[string]decimal.Decimal{"S": d("50")}})
		o := &simOrder{session: id, symbol: "S"}
		var out []string
		for range 5 {
			out = append(out, b.fillPrice(o).String())
		}
		return strings.Join(out, ",")
	}
	if a, b := prices(7), prices(7); a != b {
		t.Errorf("same seed gave %s and %s", a, b)
	}
	for _, p := range strings.Split(prices(7), ",") {
		if px := d(p); px.LessThan(d("49.95")) || px.GreaterThan(d("50.05")) {
			t.Errorf("price %s outside ±10 bp of 50", p)
		}
	}
}

func TestBufConnFlushesBeforeClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return
		}
		bc := newBufConn(c)
		for _, s := range []string{"8=FIX", ".4.4", "|logout"} {
			if _, err := bc.Write([]byte(s)); err != nil {
				t.Error(err)
			}
		}
		bc.Close()
		if _, err := bc.Write([]byte("late")); err == nil {
			t.Error("write after close succeeded")
		}
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "8=FIX.4.4|logout" {
		t.Errorf("read %q, %v", got, err)
	}
}
