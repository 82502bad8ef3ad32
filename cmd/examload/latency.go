package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// writeHistogram writes the recorded latencies to path, for the latency
// command to merge with other runs'.
func (r *recorder) writeHistogram(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return writeHistogram(path, r.lat)
}

// writeHistogram writes h to path in the HDR histogram's own V2 compressed
// text form (base64).
func writeHistogram(path string, h *hdrhistogram.Histogram) error {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// readHistogram reads a histogram written by writeHistogram.
func readHistogram(path string) (*hdrhistogram.Histogram, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h, err := hdrhistogram.Decode(bytes.TrimSpace(b))
	if err != nil {
		return nil, fmt.Errorf("%s: not a latency histogram: %w", path, err)
	}
	return h, nil
}

// latency merges the histograms that runs of flood wrote with --histogram and
// prints their percentiles together: the figures of several runs (a benchmark's
// rounds) as if they had been one.
func latency(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("latency", stderr, "examload latency [--summary FILE] HISTOGRAM…\n\nmerge the latency histograms written by flood --histogram and print their percentiles")
	summaryPath := fs.String("summary", "", "also write the figures to FILE as key=value lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("latency: name at least one histogram file")
	}
	all := hdrhistogram.New(histMinMicros, histMaxMicros, histSigFigs)
	for _, path := range fs.Args() {
		h, err := readHistogram(path)
		if err != nil {
			return fmt.Errorf("latency: %w", err)
		}
		if dropped := all.Merge(h); dropped > 0 {
			return fmt.Errorf("latency: %s: %d values outside 1 µs…10 min", path, dropped)
		}
	}
	lat := summarize(all)
	tab := newTable(stdout, fmt.Sprintf("examload latency — %d histograms merged", fs.NArg()))
	tab.row("latencies", fmt.Sprint(lat.Count))
	tab.latencyRows("merged", lat)
	if err := tab.flush(); err != nil {
		return err
	}
	var sum summary
	sum.set("kind", "latency")
	sum.set("histograms", fs.NArg())
	sum.set("count", lat.Count)
	sum.latency("", lat)
	return sum.write(*summaryPath)
}
