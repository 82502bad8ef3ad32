package main

import (
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// gcPercent is the collector's target when GOGC is not set. examd's live heap is
// small (3 MB in the answer flood, the frozen exams and the pools) and it
// allocates fast (12 KB per save), so Go's default of 100 collects about 28
// times a second in the flood and takes 4% of the CPU, 6% in the start storm;
// at 400 it is 1% and 2% (docs/BENCHMARKS.md, step 12), for a heap goal of
// about 20 MB instead of 7.
const gcPercent = 400

// memLimitShare is the share of a cgroup's memory limit given to the Go runtime
// as its soft limit when GOMEMLIMIT is not set: near the container's limit the
// collector works harder instead of the kernel killing the process.
const memLimitShare = 0.9

// cgroupMemoryMax is where cgroup v2 keeps the process's memory limit.
const cgroupMemoryMax = "/sys/fs/cgroup/memory.max"

// tuneGC sets the collector's target and soft memory limit, each only where
// the environment does not (GOGC, GOMEMLIMIT are Go's own and win), and says
// what it set.
func tuneGC(setPercent, setLimit bool, cgroupFile string, log *slog.Logger) {
	if setPercent {
		debug.SetGCPercent(gcPercent)
	}
	limit := int64(-1)
	if setLimit {
		if max, ok := cgroupLimit(cgroupFile); ok {
			limit = int64(float64(max) * memLimitShare)
			debug.SetMemoryLimit(limit)
		}
	}
	attrs := []any{slog.Bool("gogc_from_env", !setPercent), slog.Bool("gomemlimit_from_env", !setLimit)}
	if setPercent {
		attrs = append(attrs, slog.Int("gc_percent", gcPercent))
	}
	if limit > 0 {
		attrs = append(attrs, slog.Int64("memory_limit_bytes", limit))
	}
	log.Info("garbage collector", attrs...)
}

// cgroupLimit reads a cgroup v2 memory.max: a number of bytes, or "max" (no
// limit), or nothing readable (not in a cgroup v2).
func cgroupLimit(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
