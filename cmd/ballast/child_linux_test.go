package main

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the child get SIGKILL if the test binary dies first
// (a test timeout, or the binary killed), so no serve outlives its test.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
