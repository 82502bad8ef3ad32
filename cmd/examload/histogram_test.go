package main

import (
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"
)

// within reports whether got is within rel (relative) of want.
func within(got, want time.Duration, rel float64) bool {
	return math.Abs(float64(got-want)) <= rel*float64(want)
}

func TestRecorderPercentilesUniform(t *testing.T) {
	r := newRecorder()
	// 1 ms … 10 s in 1 ms steps: the q-quantile is q·10 s.
	for i := 1; i <= 10_000; i++ {
		r.success(time.Duration(i)*time.Millisecond, time.Time{})
	}
	s := r.summary()
	if got, want := s.Count, int64(10_000); got != want {
		t.Fatalf("count = %d, want %d", got, want)
	}
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{
		{"p50", s.P50, 5 * time.Second},
		{"p95", s.P95, 9500 * time.Millisecond},
		{"p99", s.P99, 9900 * time.Millisecond},
		{"p99.9", s.P999, 9990 * time.Millisecond},
		{"max", s.Max, 10 * time.Second},
		{"mean", s.Mean, 5000500 * time.Microsecond},
	} {
		if !within(c.got, c.want, 0.001) {
			t.Errorf("%s = %v, want %v ± 0.1%%", c.name, c.got, c.want)
		}
	}
}

// TestRecorderPercentilesSkewed compares against exact percentiles of a
// long-tailed sample, as latencies are: within 0.1% at every percentile.
func TestRecorderPercentilesSkewed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := newRecorder()
	vals := make([]time.Duration, 100_000)
	for i := range vals {
		// Log-normal around 2 ms with a tail to seconds.
		v := time.Duration(math.Exp(rng.NormFloat64()*1.5+math.Log(2000))) * time.Microsecond
		vals[i] = max(v, time.Microsecond)
		r.success(vals[i], time.Time{})
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	exact := func(q float64) time.Duration { return vals[int(math.Ceil(q*float64(len(vals))))-1] }
	s := r.summary()
	for _, c := range []struct {
		name string
		q    float64
		got  time.Duration
	}{{"p50", 0.50, s.P50}, {"p95", 0.95, s.P95}, {"p99", 0.99, s.P99}, {"p99.9", 0.999, s.P999}, {"max", 1, s.Max}} {
		// One microsecond of slack for values recorded in whole microseconds.
		if want := exact(c.q); !within(c.got, want, 0.001) && (c.got-want).Abs() > time.Microsecond {
			t.Errorf("%s = %v, want %v ± 0.1%%", c.name, c.got, want)
		}
	}
}

func TestRecorderClampsAndCountsFailures(t *testing.T) {
	r := newRecorder()
	r.success(0, time.Time{})         // below the range: 1 µs
	r.success(time.Hour, time.Time{}) // above: 10 minutes
	r.failure("409 time_over", "first", time.Time{})
	r.failure("409 time_over", "second", time.Time{})
	r.failure("net: timeout", "t", time.Time{})
	s := r.summary()
	if got, want := s.Count, int64(2); got != want {
		t.Fatalf("count = %d, want %d", got, want)
	}
	if !within(s.Max, 10*time.Minute, 0.001) {
		t.Errorf("max = %v, want 10m (clamped)", s.Max)
	}
	if got, want := r.failed(), int64(3); got != want {
		t.Errorf("failed = %d, want %d", got, want)
	}
	kinds := r.failureKinds()
	if got, want := len(kinds), 2; got != want {
		t.Fatalf("%d kinds of failure, want %d", got, want)
	}
	if k := kinds[0]; k.Kind != "409 time_over" || k.Count != 2 || k.Sample != "first" {
		t.Errorf("most frequent failure = %+v, want 409 time_over ×2 with the first sample", k)
	}
}

func TestRecorderConcurrent(t *testing.T) {
	r := newRecorder()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				r.success(time.Duration(w*1000+i+1)*time.Microsecond, time.Now())
			}
		}()
	}
	wg.Wait()
	if got, want := r.summary().Count, int64(16_000); got != want {
		t.Fatalf("count = %d, want %d", got, want)
	}
}

func TestEmptySummary(t *testing.T) {
	if s := newRecorder().summary(); s != (latencySummary{}) {
		t.Fatalf("summary of nothing = %+v, want zero", s)
	}
}
