package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// simProcess is a "ballast simbroker" in a process of its own, as a real
// broker would be: the benchmark then measures Ballast's side alone (an
// in-process broker competes for the same cores and scheduler).
type simProcess struct {
	cmd  *exec.Cmd
	Addr string
}

// startSimProcess runs this binary's simbroker on a free loopback port,
// filling each order in fills executions, and waits for its address.
func startSimProcess(fills int) (*simProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("simbroker process: %w", err)
	}
	cmd := exec.Command(self, "simbroker", "--listen", "127.0.0.1:0", "--latency", "1ms", "--fills", strconv.Itoa(fills))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("simbroker process: %w", err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("simbroker process: %w", err)
	}
	p := &simProcess{cmd: cmd}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "brokersim accepting") {
			f := strings.Fields(line)
			p.Addr = f[len(f)-1]
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return p, nil
		}
	}
	p.stop()
	return nil, fmt.Errorf("simbroker process printed no address")
}

// stop interrupts the broker and waits for it.
func (p *simProcess) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	_ = p.cmd.Wait()
}

// pidCPU is the CPU time (user and system) process pid has used so far, from
// Linux's /proc/PID/stat, and whether it could be read (not for pid 0, nor
// elsewhere than Linux). The kernel counts it in clock ticks of 1/100 s
// (USER_HZ, 100 on every Linux architecture Go supports).
func pidCPU(pid int) (time.Duration, bool) {
	if pid <= 0 {
		return 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count the fields from the last ')'. utime and stime are fields 14
	// and 15.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * (time.Second / 100), true
}
