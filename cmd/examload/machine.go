package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// machine measures two costs of this machine that decide the benchmark's
// figures and differ tenfold between machines that look alike: the first touch
// of a page of fresh memory (a page fault: the kernel maps and zeroes it; under
// some hypervisors it also leaves the guest), which a start storm pays for every
// page of its connections' stacks and buffers, and a small durable write (8 KB
// written and fdatasync'd), which bounds a commit.
func machine(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("machine", stderr, "examload machine [--mb 64] [--writes 200] [--dir DIR] [--summary FILE]\n\n"+
		"measure this machine's cost of a page fault (first touch of fresh memory) and of an 8 KB fdatasync'd write")
	mb := fs.Int("mb", 64, "MiB of fresh memory to touch in each of 3 passes")
	writes := fs.Int("writes", 200, "8 KB writes, each followed by fdatasync")
	dir := fs.String("dir", os.TempDir(), "folder for the write test's file (on the disk to measure)")
	summaryPath := fs.String("summary", "", "also write the figures to FILE as key=value lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *mb < 1 || *mb > 4096 || *writes < 1 {
		return fmt.Errorf("machine: --mb must be 1…4096 and --writes at least 1")
	}
	fault, err := pageFaultCost(*mb << 20)
	if err != nil {
		return fmt.Errorf("machine: %w", err)
	}
	sync, err := syncWriteCost(*dir, *writes)
	if err != nil {
		return fmt.Errorf("machine: %w", err)
	}
	tab := newTable(stdout, "examload machine")
	tab.row("page fault (first touch of a 4 KB page)", fmt.Sprintf("%.2f µs (median of 3 passes over %d MiB)", us(fault), *mb))
	tab.row("8 KB write + fdatasync", fmt.Sprintf("%.3f ms (mean of %d, in %s)", us(sync)/1000, *writes, *dir))
	if err := tab.flush(); err != nil {
		return err
	}
	var sum summary
	sum.set("kind", "machine")
	sum.set("page_fault_us", us(fault))
	sum.set("fdatasync_8k_ms", fmt.Sprintf("%.3f", us(sync)/1000))
	return sum.write(*summaryPath)
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// pageFaultCost maps n bytes of fresh anonymous memory three times, touches
// one byte of each page, and returns the median time per page.
func pageFaultCost(n int) (time.Duration, error) {
	page := os.Getpagesize()
	var per []time.Duration
	for range 3 {
		b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			return 0, fmt.Errorf("mmap %d bytes: %w", n, err)
		}
		start := time.Now()
		for i := 0; i < n; i += page {
			b[i] = 1
		}
		per = append(per, time.Since(start)/time.Duration(n/page))
		if err := syscall.Munmap(b); err != nil {
			return 0, err
		}
	}
	slices.Sort(per)
	return per[1], nil
}

// syncWriteCost writes count blocks of 8 KB to a new file in dir, each followed
// by fdatasync, and returns the mean time per write.
func syncWriteCost(dir string, count int) (time.Duration, error) {
	f, err := os.CreateTemp(dir, "examload-sync-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(filepath.Clean(f.Name()))
	defer f.Close()
	block := make([]byte, 8<<10)
	start := time.Now()
	for range count {
		if _, err := f.Write(block); err != nil {
			return 0, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return 0, fmt.Errorf("fdatasync: %w", err)
		}
	}
	return time.Since(start) / time.Duration(count), nil
}
