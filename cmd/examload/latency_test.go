package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Two histograms written by flood merge into the percentiles of all their
// values together.
func TestLatencyMergesHistograms(t *testing.T) {
	dir := t.TempDir()
	a, b := hdrhistogram.New(histMinMicros, histMaxMicros, histSigFigs), hdrhistogram.New(histMinMicros, histMaxMicros, histSigFigs)
	for i := 0; i < 90; i++ {
		_ = a.RecordValue(1000) // 1 ms
	}
	for i := 0; i < 10; i++ {
		_ = b.RecordValue(40000) // 40 ms
	}
	pa, pb := filepath.Join(dir, "a.hist"), filepath.Join(dir, "b.hist")
	if err := writeHistogram(pa, a); err != nil {
		t.Fatal(err)
	}
	if err := writeHistogram(pb, b); err != nil {
		t.Fatal(err)
	}
	sum := filepath.Join(dir, "sum.kv")
	if err := latency(t.Context(), []string{"--summary", sum, pa, pb}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	got := mustSummary(t, sum)
	// 90 at 1 ms and 10 at 40 ms: the median is 1 ms, p95 and the max 40 ms.
	near := func(key string, want time.Duration) {
		t.Helper()
		v := got[key]
		d, err := time.ParseDuration(v + "ms")
		if err != nil || d < want*999/1000 || d > want*1001/1000 {
			t.Errorf("%s = %s ms, want %v", key, v, want)
		}
	}
	if got["count"] != "100" {
		t.Errorf("count = %s, want 100", got["count"])
	}
	near("p50_ms", time.Millisecond)
	near("p95_ms", 40*time.Millisecond)
	near("max_ms", 40*time.Millisecond)
}

func TestLatencyRefusesWhatIsNotAHistogram(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "flood.kv")
	if err := os.WriteFile(bad, []byte("kind=flood\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := latency(t.Context(), []string{bad}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "flood.kv") {
		t.Errorf("latency of a summary file: %v, want an error naming it", err)
	}
	if err := latency(t.Context(), nil, io.Discard, io.Discard); err == nil {
		t.Error("latency of no files: no error")
	}
}
