package main

import (
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// Not parallel: the collector's settings belong to the whole process.
func TestTuneGC(t *testing.T) {
	prevPercent := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	})
	dir := t.TempDir()
	limited := filepath.Join(dir, "memory.max")
	if err := os.WriteFile(limited, []byte("1073741824\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unlimited := filepath.Join(dir, "unlimited")
	if err := os.WriteFile(unlimited, []byte("max\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	tuneGC(true, true, limited, log)
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GC percent = %d, want %d", got, gcPercent)
	}
	cgroupMax := float64(1073741824)
	if got, want := debug.SetMemoryLimit(-1), int64(cgroupMax*memLimitShare); got != want {
		t.Errorf("memory limit = %d, want 90%% of the cgroup's, %d", got, want)
	}

	// GOGC and GOMEMLIMIT set: examd leaves both as Go read them.
	debug.SetGCPercent(123)
	debug.SetMemoryLimit(math.MaxInt64)
	tuneGC(false, false, limited, log)
	if got := debug.SetGCPercent(100); got != 123 {
		t.Errorf("GC percent with GOGC set = %d, want it left at 123", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit with GOMEMLIMIT set = %d, want it left alone", got)
	}

	// No cgroup limit ("max", or no cgroup v2 file): no soft limit.
	for _, path := range []string{unlimited, filepath.Join(dir, "missing")} {
		tuneGC(true, true, path, log)
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("memory limit from %s = %d, want none", filepath.Base(path), got)
		}
	}
}

func TestConfigLeavesGOGCToGo(t *testing.T) {
	c, err := loadConfig(testEnv(map[string]string{"GOGC": "200", "GOMEMLIMIT": "1GiB"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SetGCPercent || c.SetMemLimit {
		t.Errorf("with GOGC and GOMEMLIMIT set: SetGCPercent %v, SetMemLimit %v; want both false", c.SetGCPercent, c.SetMemLimit)
	}
	c, err = loadConfig(testEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SetGCPercent || !c.SetMemLimit {
		t.Errorf("with neither set: SetGCPercent %v, SetMemLimit %v; want both true", c.SetGCPercent, c.SetMemLimit)
	}
}
