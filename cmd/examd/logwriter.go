package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// logWriter gathers the log's lines and writes what has gathered together, at
// most logDelay after a line arrives: every request logs a line, and on a busy
// server one write(2) per line costs more than making the line (the answer
// flood's profile: docs/BENCHMARKS.md). A line is never reordered or dropped
// while the process lives; Flush writes everything at once (warnings and errors
// are flushed as they are logged, see flushingHandler), and Close flushes and
// stops. A kill -9 loses at most the last logDelay of request lines — the audit
// log, not this one, is the record of what was done.
type logWriter struct {
	w io.Writer

	mu  sync.Mutex // guards buf
	buf []byte

	wmu   sync.Mutex // serialises writes to w; guards spare
	spare []byte

	kick   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	closed atomic.Bool
}

const (
	// logDelay is how long a line may wait for others to share its write.
	logDelay = 10 * time.Millisecond
	// logBufferMax is how much may gather before the writer of a line writes
	// it all itself (a slow stderr then slows the server rather than growing
	// the buffer without bound).
	logBufferMax = 1 << 20
)

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go l.loop()
	return l
}

// Write keeps p for the next write to w.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf = append(l.buf, p...)
	full := len(l.buf) >= logBufferMax
	l.mu.Unlock()
	if full || l.closed.Load() {
		return len(p), l.Flush()
	}
	select {
	case l.kick <- struct{}{}:
	default:
	}
	return len(p), nil
}

// Flush writes every line kept so far.
func (l *logWriter) Flush() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.Lock()
	out := l.buf
	l.buf = l.spare[:0]
	l.mu.Unlock()
	if len(out) == 0 {
		l.spare = out
		return nil
	}
	_, err := l.w.Write(out)
	if cap(out) > logBufferMax {
		out = nil // a burst's buffer is not kept for ever
	}
	l.spare = out[:0]
	return err
}

// Close flushes and stops the background writer; later lines are written at
// once.
func (l *logWriter) Close() error {
	l.once.Do(func() {
		l.closed.Store(true)
		close(l.stop)
	})
	<-l.done
	return l.Flush()
}

func (l *logWriter) loop() {
	defer close(l.done)
	timer := time.NewTimer(logDelay)
	timer.Stop()
	for {
		select {
		case <-l.stop:
			timer.Stop()
			return
		case <-l.kick:
			timer.Reset(logDelay)
			select {
			case <-timer.C:
			case <-l.stop:
				timer.Stop()
				return
			}
			_ = l.Flush() // a failing stderr has nowhere to report to
		}
	}
}

// flushingHandler is a slog.Handler that writes its lines through a logWriter
// and flushes it after every record at warn or above: a warning or an error is
// on stderr when the call that logged it returns.
type flushingHandler struct {
	slog.Handler
	w *logWriter
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.w.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(as), h.w}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.w}
}
