package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ballast-oms/ballast/order"
)

// TestGroupCommitIsolatesFailures runs many transactions at once: those that
// fail leave nothing behind, the others all commit, whatever batch they
// shared.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	d := openTest(t)
	seedSmall(t, d)
	s := NewOrderStore(d)
	ctx := context.Background()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.InTx(ctx, func(tx order.Tx) error {
				ev := order.Event{At: orderNow, Actor: fmt.Sprintf("u%d", i), Action: "note"}
				if err := tx.AppendEvent(ctx, ev); err != nil {
					return err
				}
				if i%3 == 0 {
					return boom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	var n int
	if err := d.Reader().QueryRow(`SELECT count(*) FROM audit_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	want := 0
	for i, err := range errs {
		switch {
		case i%3 == 0 && !errors.Is(err, boom):
			t.Errorf("call %d: %v, want boom", i, err)
		case i%3 != 0 && err != nil:
			t.Errorf("call %d: %v", i, err)
		case i%3 != 0:
			want++
		}
	}
	if n != want {
		t.Errorf("%d events stored, want %d (the failed calls' writes undone)", n, want)
	}
	var failed int
	_ = d.Reader().QueryRow(`SELECT count(*) FROM audit_events WHERE CAST(substr(actor, 2) AS INTEGER) % 3 = 0`).Scan(&failed)
	if failed != 0 {
		t.Errorf("%d events of failed calls were committed", failed)
	}
}

func TestInTxRefusesCancelledContext(t *testing.T) {
	d := openTest(t)
	s := NewOrderStore(d)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.InTx(ctx, func(order.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("InTx with a cancelled context: %v, ran %v", err, ran)
	}
}
