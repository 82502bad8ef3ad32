package main

import (
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMachineMeasures: examload machine reports a page fault's and a synced
// write's cost, each a positive figure, as a table and as a summary; bad flags
// are refused.
func TestMachineMeasures(t *testing.T) {
	dir := t.TempDir()
	sum := filepath.Join(dir, "machine.kv")
	out := mustRun(t, "machine", "--mb", "4", "--writes", "5", "--dir", dir, "--summary", sum)
	for _, want := range []string{"page fault", "fdatasync"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	kv := mustSummary(t, sum)
	for _, key := range []string{"page_fault_us", "fdatasync_8k_ms"} {
		v, err := strconv.ParseFloat(kv[key], 64)
		if err != nil || v <= 0 {
			t.Errorf("%s = %q, want a positive figure", key, kv[key])
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "examload-sync-*")); len(files) != 0 {
		t.Errorf("the write test left %v behind", files)
	}
	for _, bad := range [][]string{{"--mb", "0"}, {"--writes", "0"}, {"--dir", filepath.Join(dir, "missing")}} {
		if err := machine(t.Context(), bad, io.Discard, io.Discard); err == nil {
			t.Errorf("machine %v: no error", bad)
		}
	}
}
