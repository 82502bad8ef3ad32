package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

const usage = `usage: examload COMMAND [flags]      (examload COMMAND -h for the flags)

commands:
  exam     --base URL [--duration 2h] [--per-section 5]
           create and publish a bench exam through the officials' API; prints its id
  prepare  --db URL --candidates N --tokens FILE [--exam ID] [--login direct|http]
           N eligible candidates by COPY, each with a session; tokens to FILE
  storm    --base URL --tokens FILE --exam ID --attempts FILE [--n N] [--concurrency C] [--rate R]
           every candidate presses start at the same instant (or at R starts/s)
  flood    --base URL --attempts FILE [--duration 30s] [--concurrency C] [--rate R] [--histogram FILE]
           running attempts save answers: closed model (C workers) or open model (R saves/s)
  latency  [--summary FILE] HISTOGRAM…
           merge the latency histograms of several floods (flood --histogram FILE)
  machine  [--mb 64] [--writes 200] [--dir DIR]
           this machine's cost of a page fault and of an 8 KB fdatasync'd write

Only a server on this machine is loaded (127.0.0.1, localhost, ::1). Each command
prints one summary table; --summary FILE also writes its figures as key=value lines.
EXAMLOAD_CPUPROFILE=FILE writes examload's own CPU profile there (go tool pprof).`

// run is the whole program: it runs the command in args and returns what went
// wrong, if anything.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	if path := getenv("EXAMLOAD_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	var err error
	switch args[0] {
	case "exam":
		err = createExam(ctx, args[1:], getenv, stdout, stderr)
	case "prepare":
		err = prepare(ctx, args[1:], getenv, stdout, stderr)
	case "storm":
		err = storm(ctx, args[1:], stdout, stderr)
	case "flood":
		err = flood(ctx, args[1:], stdout, stderr)
	case "latency":
		err = latency(ctx, args[1:], stdout, stderr)
	case "machine":
		err = machine(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// newFlagSet returns a flag set that reports its own errors and prints doc and
// the flags on -h.
func newFlagSet(name string, stderr io.Writer, doc string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, doc)
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	return fs
}

// startCPUProfile profiles this process's CPU into path until the returned
// function is called: the load tool shares the cores with the server it
// measures, so what it spends is worth seeing too.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("EXAMLOAD_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("EXAMLOAD_CPUPROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
