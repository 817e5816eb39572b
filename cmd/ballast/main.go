// Command ballast is Ballast's single binary: it serves the desk (the default),
// imports CSV files, manages users and prints its version. Run "ballast help".
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ballast:", err)
		os.Exit(1)
	}
}
