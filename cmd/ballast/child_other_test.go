//go:build !linux

package main

import "os/exec"

// dieWithTest is Linux-only (Pdeathsig); elsewhere a child may outlive a
// test binary that is killed.
func dieWithTest(*exec.Cmd) {}
