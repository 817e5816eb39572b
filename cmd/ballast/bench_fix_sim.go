package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
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
