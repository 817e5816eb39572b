package main

import (
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bench fix trades with brokersim over a real FIX session on loopback and
// reports the rate, the latency and where it went, stage by stage.
func TestBenchFixReportsRateLatencyAndStages(t *testing.T) {
	res := cliRun(t, t.TempDir(), "", "bench", "fix", "--orders", "60", "--sim", "inproc")
	if res.err != nil {
		t.Fatalf("bench fix: %v\n%s", res.err, res.stderr)
	}
	for _, want := range []string{"60 orders released and fully booked", "orders/s", "release → last fill booked: p50"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	m := regexp.MustCompile(`stages, ms p50/p99 \(mean in the slowest 1%\): release and send ([\d.]+)/([\d.]+) \(([\d.]+)\); ack booked ([\d.]+)/([\d.]+) \(([\d.]+)\); last fill booked ([\d.]+)/([\d.]+) \(([\d.]+)\)`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no stage line:\n%s", res.stdout)
	}
	for k := 0; k < 3; k++ {
		p50, _ := strconv.ParseFloat(m[1+3*k], 64)
		p99, _ := strconv.ParseFloat(m[2+3*k], 64)
		if p50 > p99 {
			t.Errorf("stage %d: p50 %v above p99 %v", k, p50, p99)
		}
	}
}

// An order's stages add up to its whole time, whatever order the moments
// were noted in.
func TestOrderTimesStagesAddUp(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return at.Add(time.Duration(n) * time.Millisecond) }
	for _, c := range []struct {
		name string
		t    orderTimes
		want [3]time.Duration
	}{
		{"in order", orderTimes{released: ms(0), sent: ms(2), acked: ms(5), filled: ms(9)}, [3]time.Duration{2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond}},
		{"ack booked before the release returned", orderTimes{released: ms(0), sent: ms(4), acked: ms(3), filled: ms(9)}, [3]time.Duration{4 * time.Millisecond, 0, 5 * time.Millisecond}},
		{"no ack seen", orderTimes{released: ms(0), sent: ms(2), filled: ms(9)}, [3]time.Duration{2 * time.Millisecond, 0, 7 * time.Millisecond}},
		{"filled before the release returned", orderTimes{released: ms(0), sent: ms(12), acked: ms(3), filled: ms(9)}, [3]time.Duration{9 * time.Millisecond, 0, 0}},
	} {
		got := c.t.stages()
		if got != c.want {
			t.Errorf("%s: stages %v; want %v", c.name, got, c.want)
		}
		if sum := got[0] + got[1] + got[2]; sum != c.t.took() {
			t.Errorf("%s: stages add up to %s; the order took %s", c.name, sum, c.t.took())
		}
	}
}

// bench fix --basket releases the blocks 8 at a time, each basket in one
// ReleaseBlocks call, and every block is still booked.
func TestBenchFixReleasesInBaskets(t *testing.T) {
	res := cliRun(t, t.TempDir(), "", "bench", "fix", "--orders", "60", "--sim", "inproc", "--basket", "8")
	if res.err != nil {
		t.Fatalf("bench fix --basket 8: %v\n%s", res.err, res.stderr)
	}
	first, _, _ := strings.Cut(res.stdout, "\n")
	if !strings.Contains(first, "baskets of 8") {
		t.Errorf("first line does not say the basket: %q", first)
	}
	if !strings.Contains(res.stdout, "60 orders released and fully booked") {
		t.Errorf("not every order booked:\n%s", res.stdout)
	}
}

// A basket is refused with a paced rate, and outside 1 to the most one
// ReleaseBlocks call takes, before anything starts.
func TestBenchFixRefusesABadBasket(t *testing.T) {
	for _, args := range [][]string{{"--basket", "2", "--rate", "10"}, {"--basket", "0"}, {"--basket", "501"}} {
		res := cliRun(t, t.TempDir(), "", append([]string{"bench", "fix", "--orders", "10"}, args...)...)
		if res.err == nil || !strings.Contains(res.err.Error(), "--basket") {
			t.Errorf("bench fix %v: %v, want a refusal naming --basket", args, res.err)
		}
	}
}

// pidCPU reads a process's CPU time: this process's rises by about what
// getrusage says it spent spinning; no pid, no figure.
func TestPidCPUReadsAProcessCPUTime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/stat is Linux's")
	}
	before, ok := pidCPU(os.Getpid())
	if !ok {
		t.Fatal("no CPU time for this process")
	}
	// Spin until the process has used 200 ms more CPU by getrusage's count.
	for c0, _ := processCPU(); ; {
		if c, _ := processCPU(); c-c0 >= 200*time.Millisecond {
			break
		}
	}
	after, _ := pidCPU(os.Getpid())
	if d := after - before; d < 150*time.Millisecond {
		t.Errorf("/proc says the CPU time rose by %s over 200 ms of spinning", d)
	}
	if _, ok := pidCPU(0); ok {
		t.Error("a figure for pid 0")
	}
}
