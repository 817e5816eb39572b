package marketdata

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// fakeTicker is driven by the test: each send on c is one tick.
type fakeTicker struct {
	c       chan time.Time
	stopped chan struct{}
	every   time.Duration
}

func (f *fakeTicker) C() <-chan time.Time { return f.c }
func (f *fakeTicker) Stop()               { close(f.stopped) }

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func securities() []SimSecurity {
	return []SimSecurity{
		{Symbol: "ACME", Start: d("100.004")},                              // rounds to 100.00
		{Symbol: "PENNY", Start: d("0.02"), StepBps: 10000},                // a 100% step: would go below zero
		{Symbol: "BUND", Start: d("98.5"), Tick: d("0.125"), StepBps: 100}, // quarter-eighth ticks
		{Symbol: "WIDE", Start: d("1000"), Tick: d("1"), StepBps: 20},      // 2 ticks of reach
	}
}

func TestNewSimRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  SimConfig
		says string
	}{
		{"no interval", SimConfig{Securities: securities()}, "interval"},
		{"no securities", SimConfig{Interval: time.Second}, "no securities"},
		{"repeated symbol", SimConfig{Interval: time.Second, Securities: []SimSecurity{{Symbol: "A", Start: d("1")}, {Symbol: "A", Start: d("1")}}}, "repeated"},
		{"zero start", SimConfig{Interval: time.Second, Securities: []SimSecurity{{Symbol: "A", Start: d("0.001")}}}, "not positive"},
		{"negative tick", SimConfig{Interval: time.Second, Securities: []SimSecurity{{Symbol: "A", Start: d("1"), Tick: d("-1")}}}, "negative"},
	}
	for _, tt := range tests {
		if _, err := NewSim(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: err %v, want it to say %q", tt.name, err, tt.says)
		}
	}
}

func TestSimWalk(t *testing.T) {
	cfg := SimConfig{Securities: securities(), Interval: time.Second, Seed: 42}
	a, _ := NewSim(cfg)
	b, _ := NewSim(cfg)
	cfg.Seed = 43
	other, _ := NewSim(cfg)
	last := map[string]decimal.Decimal{"ACME": d("100"), "PENNY": d("0.02"), "BUND": d("98.5"), "WIDE": d("1000")}
	differs, moved := false, map[string]bool{}
	for i := range 2000 {
		at := t0.Add(time.Duration(i) * time.Second)
		pa, pb, po := a.Step(at), b.Step(at), other.Step(at)
		for k, p := range pa {
			sec := a.cfg.Securities[k]
			if !p.Value.Equal(pb[k].Value) || p.Symbol != sec.Symbol {
				t.Fatalf("step %d: same seed gave %s and %s", i, p.Value, pb[k].Value)
			}
			if !p.Value.Equal(po[k].Value) {
				differs = true
			}
			if !p.Value.IsPositive() || !p.Value.Mod(sec.Tick).IsZero() || !p.AsOf.Equal(at) || p.Source != SourceSim {
				t.Fatalf("step %d: bad price %+v", i, p)
			}
			reach := decimal.Max(last[p.Symbol].Mul(decimal.NewFromInt(int64(sec.StepBps))).Shift(-4), sec.Tick)
			if p.Value.Sub(last[p.Symbol]).Abs().GreaterThan(reach) && !p.Value.Equal(sec.Tick) {
				t.Fatalf("step %d: %s moved %s → %s, more than %s", i, p.Symbol, last[p.Symbol], p.Value, reach)
			}
			if !p.Value.Equal(last[p.Symbol]) {
				moved[p.Symbol] = true
			}
			last[p.Symbol] = p.Value
		}
	}
	if !differs || len(moved) != 4 {
		t.Fatalf("differs %v, moved %v", differs, moved)
	}
}

func TestSimRunPublishesOnTicksAndStops(t *testing.T) {
	ft := &fakeTicker{c: make(chan time.Time), stopped: make(chan struct{})}
	cfg := SimConfig{Securities: securities(), Interval: 250 * time.Millisecond, Seed: 7,
		NewTicker: func(d time.Duration) Ticker { ft.every = d; return ft }}
	sim, err := NewSim(cfg)
	if err != nil {
		t.Fatal(err)
	}
	twin, _ := NewSim(cfg)
	h := NewHub()
	sub := h.Subscribe("test", 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sim.Run(ctx, h) }()
	for i := range 3 {
		at := t0.Add(time.Duration(i) * time.Second)
		ft.c <- at
		got, err := sub.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := twin.Step(at); show(got) != show(want) || !got[0].AsOf.Equal(at) {
			t.Fatalf("tick %d: published %q, want %q", i, show(got), show(want))
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}
	select {
	case <-ft.stopped:
	default:
		t.Fatal("ticker not stopped")
	}
	if ft.every != 250*time.Millisecond {
		t.Fatalf("ticker interval %s", ft.every)
	}
}
