// Command examload is the load generator and benchmark driver of examd: it
// prepares candidates and sessions in bulk, creates a bench exam, and drives the
// start storm and the answer flood against a running examd on this machine.
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
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "examload:", err)
		stop()
		os.Exit(1)
	}
}
