// Package batch coalesces work that arrives together: requests waiting at the same
// moment are handed to one call (one statement, one commit), and each caller gets
// its own result when that call returns. Under light load a batch is a single
// request and adds no wait; under heavy load batches grow by themselves.
package batch

import (
	"context"
	"sync/atomic"
	"time"
)

// Runner hands items to fn in batches of at most max, from a fixed number of
// worker goroutines.
type Runner[T, R any] struct {
	reqs chan *call[T, R]
	max  int
	fn   func(context.Context, []T) ([]R, error)

	// busyMin is how many items a worker gathers before it starts a batch while
	// another batch is under way (see StartOverlapping).
	busyMin  int
	inflight atomic.Int32
	finished chan struct{}
}

type call[T, R any] struct {
	item T
	done chan result[R]
}

type result[R any] struct {
	r   R
	err error
}

// Start runs workers goroutines until ctx ends. fn must return one result per
// item, in order, or an error for the whole batch. It runs with a context that
// is not cancelled when a caller gives up: a batch under way is finished.
func Start[T, R any](ctx context.Context, workers, max int, fn func(context.Context, []T) ([]R, error)) *Runner[T, R] {
	return StartOverlapping(ctx, workers, max, 1, fn)
}

// busyWait bounds how long a worker holding fewer than busyMin items waits for
// more, or for the batch under way to end, before it starts its own.
const busyWait = 2 * time.Millisecond

// StartOverlapping is Start where a worker starts a batch at once when no other
// batch is under way, and otherwise only once it holds busyMin items (or the
// batch under way ends, or busyWait passes). Batches then overlap only when
// there is enough waiting to fill them: on a small machine many small
// concurrent batches cost the database more per item than a few large ones.
func StartOverlapping[T, R any](ctx context.Context, workers, maxItems, busyMin int, fn func(context.Context, []T) ([]R, error)) *Runner[T, R] {
	r := &Runner[T, R]{reqs: make(chan *call[T, R], workers*maxItems), max: maxItems, fn: fn,
		busyMin: min(max(busyMin, 1), maxItems), finished: make(chan struct{}, workers)}
	for range workers {
		go r.work(ctx)
	}
	return r
}

func (r *Runner[T, R]) work(ctx context.Context) {
	calls := make([]*call[T, R], 0, r.max)
	items := make([]T, 0, r.max)
	for {
		calls, items = calls[:0], items[:0]
		select {
		case <-ctx.Done():
			return
		case c := <-r.reqs:
			calls = append(calls, c)
		}
	fill:
		for len(calls) < r.max {
			select {
			case c := <-r.reqs:
				calls = append(calls, c)
			default:
				break fill
			}
		}
		calls = r.gather(calls)
		for _, c := range calls {
			items = append(items, c.item)
		}
		r.inflight.Add(1)
		out, err := r.fn(context.WithoutCancel(ctx), items)
		r.inflight.Add(-1)
		select {
		case r.finished <- struct{}{}:
		default:
		}
		for i, c := range calls {
			if err != nil {
				c.done <- result[R]{err: err}
				continue
			}
			c.done <- result[R]{r: out[i]}
		}
	}
}

// gather adds to calls, while another batch is under way and calls holds fewer
// than busyMin, what arrives until that batch ends or busyWait passes.
func (r *Runner[T, R]) gather(calls []*call[T, R]) []*call[T, R] {
	if len(calls) >= r.busyMin || r.inflight.Load() == 0 {
		return calls
	}
	// A stale signal of an earlier batch's end must not cut this wait short.
	select {
	case <-r.finished:
	default:
	}
	timer := time.NewTimer(busyWait)
	defer timer.Stop()
	for len(calls) < r.busyMin && r.inflight.Load() > 0 {
		select {
		case c := <-r.reqs:
			calls = append(calls, c)
		case <-r.finished:
		case <-timer.C:
			return calls
		}
	}
	return calls
}

// Do hands item to the next batch and waits for its result. It returns ctx's
// error if the caller's context ends first (the batch may still complete).
func (r *Runner[T, R]) Do(ctx context.Context, item T) (R, error) {
	c := &call[T, R]{item: item, done: make(chan result[R], 1)}
	var zero R
	select {
	case r.reqs <- c:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	select {
	case res := <-c.done:
		return res.r, res.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
