package main

import (
	"strings"
	"testing"
)

func TestBenchBookingReportsRateCPUAndCommits(t *testing.T) {
	res := cliRun(t, t.TempDir(), "", "bench", "booking", "--executions", "300", "--blocks", "10", "--orders-per-block", "2", "--batch", "25")
	if res.err != nil {
		t.Fatalf("bench booking: %v\n%s", res.err, res.stderr)
	}
	for _, want := range []string{"booked 300 executions", "executions/s", "up to 25 bookings share one transaction and commit"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	one := cliRun(t, t.TempDir(), "", "bench", "booking", "--executions", "50", "--blocks", "5", "--batch", "1")
	if one.err != nil || !strings.Contains(one.stdout, "each booking is its own transaction and commit") {
		t.Errorf("bench booking --batch 1: %v\n%s", one.err, one.stdout)
	}
}
