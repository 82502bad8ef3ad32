package main

import (
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

func TestCheckAcks(t *testing.T) {
	const a, q1, q2 = "att", "q1", "q2"
	sent := map[saveKey]save{}
	for _, s := range []save{
		{Attempt: a, Question: q1, Seq: 1, Choice: ptr("a")},
		{Attempt: a, Question: q2, Seq: 2, Choice: ptr("b")},
		{Attempt: a, Question: q1, Seq: 3, Choice: ptr("c")},
		{Attempt: a, Question: q2, Seq: 4, Choice: nil, Flagged: true},
	} {
		sent[saveKey{s.Attempt, s.Question, s.Seq}] = s
	}
	acks := []save{sent[saveKey{a, q1, 1}], sent[saveKey{a, q2, 2}], sent[saveKey{a, q1, 3}]}
	tests := []struct {
		name                               string
		rows                               map[pairKey]stored
		found, lost, newer, foreign, after int
	}{
		{"every save stored as acknowledged",
			map[pairKey]stored{{a, q1}: {Choice: ptr("c"), Seq: 3}, {a, q2}: {Choice: ptr("b"), Seq: 2}}, 3, 0, 0, 0, 0},
		{"a later save sent but not acknowledged was committed",
			map[pairKey]stored{{a, q1}: {Choice: ptr("c"), Seq: 3}, {a, q2}: {Flagged: true, Seq: 4}}, 3, 0, 1, 0, 0},
		{"the latest acknowledged save is missing: an older one is stored",
			map[pairKey]stored{{a, q1}: {Choice: ptr("a"), Seq: 1}, {a, q2}: {Choice: ptr("b"), Seq: 2}}, 2, 1, 0, 0, 0},
		{"no row at all",
			map[pairKey]stored{{a, q1}: {Choice: ptr("c"), Seq: 3}}, 2, 1, 0, 0, 0},
		{"same seq, other choice",
			map[pairKey]stored{{a, q1}: {Choice: ptr("d"), Seq: 3}, {a, q2}: {Choice: ptr("b"), Seq: 2}}, 2, 1, 0, 1, 0},
		{"same seq, cleared instead of chosen",
			map[pairKey]stored{{a, q1}: {Choice: nil, Seq: 3}, {a, q2}: {Choice: ptr("b"), Seq: 2}}, 2, 1, 0, 1, 0},
		{"a seq never sent",
			map[pairKey]stored{{a, q1}: {Choice: ptr("c"), Seq: 9}, {a, q2}: {Choice: ptr("b"), Seq: 2}}, 3, 0, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checkAcks(acks, tt.rows, sent, nil)
			if got, want := c.Acknowledged, 3; got != want {
				t.Fatalf("acknowledged = %d, want %d", got, want)
			}
			if got, want := [5]int{c.Found, c.Lost, c.NewerUnacked, c.Foreign, c.AfterSubmitStored},
				[5]int{tt.found, tt.lost, tt.newer, tt.foreign, tt.after}; got != want {
				t.Fatalf("found, lost, newer, foreign, after submit = %v, want %v (%s)", got, want, strings.Join(c.Samples, "; "))
			}
			if c.Lost > 0 && !strings.HasPrefix(c.Samples[0], "LOST: ") {
				t.Fatalf("first sample = %q, want a LOST line", c.Samples[0])
			}
		})
	}
}

func TestCheckAcksAfterSubmit(t *testing.T) {
	s := save{Attempt: "att", Question: "q1", Seq: 5, Choice: ptr("a")}
	sent := map[saveKey]save{{"att", "q1", 5}: s}
	rows := map[pairKey]stored{{"att", "q1"}: {Choice: ptr("a"), Seq: 5}}
	c := checkAcks(nil, rows, sent, []save{s})
	if got, want := c.AfterSubmitStored, 1; got != want {
		t.Fatalf("after submit stored = %d, want %d", got, want)
	}
}
