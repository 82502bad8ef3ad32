package main

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter records what reaches it and in how many writes.
type countingWriter struct {
	lineWriter
	mu     sync.Mutex
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes++
	w.mu.Unlock()
	return w.lineWriter.Write(p)
}

func (w *countingWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes
}

// TestLogWriterKeepsEveryLineInOrder: lines from many goroutines all arrive,
// whole and each goroutine's in its order, in fewer writes than lines; a
// warning is out when the call returns; Close writes the rest; a line after
// Close is written at once.
func TestLogWriterKeepsEveryLineInOrder(t *testing.T) {
	out := &countingWriter{}
	lw := newLogWriter(out)
	log := slog.New(flushingHandler{slog.NewTextHandler(lw, nil), lw})

	const goroutines, perG = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perG {
				log.Info("request", "g", g, "i", i)
			}
		}()
	}
	wg.Wait()
	log.Warn("disk nearly full")
	if !strings.Contains(out.String(), "disk nearly full") {
		t.Fatal("a warning is not written when Warn returns")
	}
	log.Info("last before close")
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	log.Info("after close")
	if !strings.Contains(out.String(), "after close") {
		t.Fatal("a line after Close is not written at once")
	}

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if got, want := len(lines), goroutines*perG+3; got != want {
		t.Fatalf("%d lines written, want %d", got, want)
	}
	next := make([]int, goroutines)
	for _, l := range lines {
		at := strings.Index(l, " g=")
		if at < 0 {
			continue // the warning and the last two lines
		}
		var g, i int
		if _, err := fmt.Sscanf(l[at+1:], "g=%d i=%d", &g, &i); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if i != next[g] {
			t.Fatalf("goroutine %d: line %d where %d was due: %q", g, i, next[g], l)
		}
		next[g]++
	}
	for g, n := range next {
		if n != perG {
			t.Errorf("goroutine %d: %d lines, want %d", g, n, perG)
		}
	}
	if w := out.count(); w >= len(lines)/2 {
		t.Errorf("%d writes for %d lines: lines are not gathered", w, len(lines))
	}
}

// TestLogWriterWritesSoonWhenIdle: a lone line reaches the writer shortly, with
// no flush and no further line.
func TestLogWriterWritesSoonWhenIdle(t *testing.T) {
	out := &countingWriter{}
	lw := newLogWriter(out)
	defer lw.Close()
	if _, err := lw.Write([]byte("one line\n")); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(2 * time.Second); out.String() == "" && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	if got, want := out.String(), "one line\n"; got != want {
		t.Fatalf("written %q, want %q", got, want)
	}
}
