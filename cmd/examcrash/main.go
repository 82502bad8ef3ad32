// Command examcrash is the crash and fault test of examd (`make crashtest`): under
// a load of answer saves it kills examd with SIGKILL and restarts it, then
// restarts PostgreSQL itself, and checks afterwards that every save that got a
// 200 is in the database and that no attempt is in an impossible state.
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
		fmt.Fprintln(os.Stderr, "examcrash:", err)
		stop()
		os.Exit(1)
	}
}
