package batch

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunnerAnswersEachCallerWithItsOwnResult(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls, biggest atomic.Int64
	release := make(chan struct{})
	r := Start(ctx, 2, 16, func(_ context.Context, items []int) ([]int, error) {
		<-release // hold the first batches so that callers pile up
		calls.Add(1)
		if n := int64(len(items)); n > biggest.Load() {
			biggest.Store(n)
		}
		out := make([]int, len(items))
		for i, v := range items {
			out[i] = v * 10
		}
		return out, nil
	})
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := r.Do(context.Background(), i)
			if err != nil || got != i*10 {
				errs <- errors.New("wrong result")
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := calls.Load(); got >= n {
		t.Fatalf("%d calls for %d items: nothing was batched", got, n)
	}
	if got := biggest.Load(); got < 2 || got > 16 {
		t.Fatalf("biggest batch = %d, want between 2 and 16", got)
	}
}

func TestRunnerGivesTheBatchErrorToEveryone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	boom := errors.New("boom")
	r := Start(ctx, 1, 8, func(context.Context, []string) ([]string, error) { return nil, boom })
	if _, err := r.Do(context.Background(), "x"); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

func TestRunnerCallerGivesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	block := make(chan struct{})
	defer close(block)
	r := Start(ctx, 1, 1, func(context.Context, []int) ([]int, error) { <-block; return []int{1}, nil })
	callCtx, stop := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer stop()
	if _, err := r.Do(callCtx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
}

// TestOverlappingWaitsForAFullBatchOnlyWhileAnotherRuns: with one batch under
// way, a second worker holding fewer than busyMin items waits, but not for ever
// (busyWait), and every caller is answered.
func TestOverlappingWaitsForAFullBatchOnlyWhileAnotherRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	var sizes sync.Map
	var batches atomic.Int64
	r := StartOverlapping(ctx, 2, 64, 8, func(_ context.Context, items []int) ([]int, error) {
		n := batches.Add(1)
		sizes.Store(n, len(items))
		if n == 1 {
			<-release // the first batch stays under way
		}
		return items, nil
	})
	first := make(chan error, 1)
	go func() {
		_, err := r.Do(context.Background(), 0)
		first <- err
	}()
	for batches.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// One item while the first batch runs: answered after busyWait, alone.
	start := time.Now()
	if got, err := r.Do(context.Background(), 7); err != nil || got != 7 {
		t.Fatalf("Do = %d, %v; want 7", got, err)
	}
	if waited := time.Since(start); waited < busyWait {
		t.Errorf("a lone item started a second batch after %v, before busyWait (%v)", waited, busyWait)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n, _ := sizes.Load(int64(2)); n != 1 {
		t.Errorf("second batch held %v items, want 1", n)
	}
}
