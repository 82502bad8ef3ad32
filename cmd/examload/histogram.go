package main

import (
	"sort"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds from 1 µs to 10 minutes with three
// significant digits: any percentile is within 0.1% of the true value.
const (
	histMinMicros = 1
	histMaxMicros = int64(10 * time.Minute / time.Microsecond)
	histSigFigs   = 3
)

// recorder collects the outcome of requests from many goroutines: the latency
// of every success in an HDR histogram, and failures counted by kind (an HTTP
// status with its error code, or a network error) with one sample body each.
type recorder struct {
	mu       sync.Mutex
	lat      *hdrhistogram.Histogram
	ok       int64
	failures map[string]int64
	samples  map[string]string
	// first and last are when the first request went out and the last answer came.
	first, last time.Time
}

func newRecorder() *recorder {
	return &recorder{
		lat:      hdrhistogram.New(histMinMicros, histMaxMicros, histSigFigs),
		failures: map[string]int64{},
		samples:  map[string]string{},
	}
}

// clampMicros turns d into whole microseconds inside the histogram's range; a
// latency beyond 10 minutes is recorded as 10 minutes.
func clampMicros(d time.Duration) int64 {
	return min(max(int64(d/time.Microsecond), histMinMicros), histMaxMicros)
}

// success records one acknowledged request that took d (measured from when it
// was sent, or from when it was scheduled in the open model).
func (r *recorder) success(d time.Duration, end time.Time) {
	r.mu.Lock()
	r.ok++
	_ = r.lat.RecordValue(clampMicros(d))
	if end.After(r.last) {
		r.last = end
	}
	r.mu.Unlock()
}

// failure records one request that was refused or failed; kind names how
// ("409 time_over", "net: timeout") and sample is an example of its body.
func (r *recorder) failure(kind, sample string, end time.Time) {
	r.mu.Lock()
	r.failures[kind]++
	if _, ok := r.samples[kind]; !ok {
		r.samples[kind] = sample
	}
	if end.After(r.last) {
		r.last = end
	}
	r.mu.Unlock()
}

// failed is the number of failed requests.
func (r *recorder) failed() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for _, c := range r.failures {
		n += c
	}
	return n
}

// failureKinds returns the kinds of failure, most frequent first.
func (r *recorder) failureKinds() []failureCount {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]failureCount, 0, len(r.failures))
	for k, n := range r.failures {
		out = append(out, failureCount{Kind: k, Count: n, Sample: r.samples[k]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// failureCount is one kind of failure and how often it happened.
type failureCount struct {
	Kind   string
	Count  int64
	Sample string
}

// latencySummary is the distribution of the successes' latencies.
type latencySummary struct {
	Count                          int64
	Mean, P50, P95, P99, P999, Max time.Duration
}

// summary returns the percentiles of the recorded latencies.
func (r *recorder) summary() latencySummary {
	r.mu.Lock()
	defer r.mu.Unlock()
	return summarize(r.lat)
}

func summarize(h *hdrhistogram.Histogram) latencySummary {
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	if h.TotalCount() == 0 {
		return latencySummary{}
	}
	return latencySummary{
		Count: h.TotalCount(),
		Mean:  time.Duration(h.Mean() * float64(time.Microsecond)),
		P50:   us(h.ValueAtQuantile(50)),
		P95:   us(h.ValueAtQuantile(95)),
		P99:   us(h.ValueAtQuantile(99)),
		P999:  us(h.ValueAtQuantile(99.9)),
		Max:   us(h.Max()),
	}
}

// summaryCount is the number of successes so far.
func (r *recorder) summaryCount() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok
}
