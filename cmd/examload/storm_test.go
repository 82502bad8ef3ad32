package main

import (
	"net/http"
	"testing"
	"time"
)

// The storm keeps each start's answer and reads them all afterwards: what it
// reports must be what reading each at once would have reported.
func TestReadAnswersRecordsAsMeasured(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	good := `{"attempt_id":"a1","state":"running","questions":[{"id":"q1","options":[{"key":"b","text":"x"},{"key":"a","text":"y"}]}]}`
	s := &starter{
		creds:   []credential{{Token: "t0"}, {Token: "t1"}, {Token: "t2"}, {Token: "t3"}},
		rec:     newRecorder(),
		results: make([]attemptRecord, 4),
		answers: []startAnswer{
			{status: http.StatusCreated, body: []byte(good), latency: 1500 * time.Millisecond, end: t0.Add(2 * time.Second)},
			{status: http.StatusOK, body: []byte(good), latency: 20 * time.Millisecond, end: t0.Add(time.Second)},
			{status: http.StatusCreated, body: []byte(`{"attempt_id":"a3","questions":[]}`), latency: time.Millisecond, end: t0.Add(3 * time.Second)},
			{}, // failed on the wire: recorded then, nothing kept
		},
	}
	s.readAnswers()

	if got := s.created.Load(); got != 1 {
		t.Errorf("created = %d, want 1", got)
	}
	if got := s.resumed.Load(); got != 1 {
		t.Errorf("resumed = %d, want 1", got)
	}
	lat := s.rec.summary()
	if lat.Count != 2 || lat.Max < 1490*time.Millisecond || lat.Max > 1510*time.Millisecond {
		t.Errorf("latencies: %d recorded, max %v; want 2, max 1.5 s as measured", lat.Count, lat.Max)
	}
	kinds := s.rec.failureKinds()
	if len(kinds) != 1 || kinds[0].Kind != "201 unreadable answer" || kinds[0].Count != 1 {
		t.Errorf("failures = %+v, want one 201 unreadable answer", kinds)
	}
	if !s.rec.last.Equal(t0.Add(3 * time.Second)) {
		t.Errorf("last answer at %v, want the latest end", s.rec.last)
	}
	r := s.results[0]
	if r.AttemptID != "a1" || r.Token != "t0" || len(r.Questions) != 1 || r.Questions[0].ID != "q1" ||
		len(r.Questions[0].Options) != 2 || r.Questions[0].Options[0] != "b" {
		t.Errorf("results[0] = %+v, want attempt a1 of t0 with q1's options in the order drawn", r)
	}
	if s.results[2].AttemptID != "" || s.results[3].AttemptID != "" {
		t.Errorf("an unreadable or missing answer made an attempt: %+v %+v", s.results[2], s.results[3])
	}
	for i, a := range s.answers {
		if a.body != nil {
			t.Errorf("answer %d still held after reading", i)
		}
	}
}
