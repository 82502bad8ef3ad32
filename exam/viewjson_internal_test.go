package exam

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// jsonTestExam is a frozen exam whose texts hold everything encoding/json
// escapes: quotes, backslashes, HTML, control characters, U+2028, invalid
// UTF-8, Persian with ZWNJ.
func jsonTestExam(tb testing.TB) *frozenExam {
	tb.Helper()
	texts := []string{
		"قانون شوراها\u200cی اسلامی کشور", `"quoted" \ back`, "<b>bold</b> & co", "line\nbreak\ttab\r\x01\x1f\b\f",
		"sep\u2028par\u2029", "bad \xff\xfe utf-8", "plain ascii", "", "ی ک ۱۲۳ ٤",
	}
	f := &frozenExam{
		exam: Exam{ID: "0b6c1b8e-0000-4000-8000-00000000e001", Title: "آزمون \"صلاحیت\" <شوراها>", DurationSeconds: 5400,
			GraceSeconds: 15, PassPercent: 62.5, PointsCorrect: 1, PenaltyWrong: Ratio{1, 3}, PenaltyFraction: "1/3",
			Sections: []SectionSpec{{Key: "law", Title: "قوانین", Draw: 2, MinPercent: 33.3}, {Key: "city", Title: "شهر & روستا", Draw: 2}}},
		questions: map[string]Question{},
	}
	for i := range 6 {
		id := fmt.Sprintf("0b6c1b8e-0000-4000-8000-%012d", i)
		sec := f.exam.Sections[i%2].Key
		q := Question{ID: id, Section: sec, Stem: texts[i%len(texts)] + fmt.Sprint(i)}
		for k, key := range []string{"a", "b", "c", "d"}[:2+i%3] {
			q.Options = append(q.Options, Option{Key: key, Text: texts[(i+k+1)%len(texts)]})
		}
		f.questions[id] = q
		keys := make([]string, len(q.Options))
		for k, o := range q.Options {
			keys[k] = o.Key
		}
		f.pool = append(f.pool, PoolQuestion{ID: id, Section: sec, Options: keys})
	}
	f.bySection = poolBySection(f.pool)
	var err error
	if f.json, err = encodeFrozen(f); err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestAppendJSONIsEncodingJSON: a view encoded by AppendJSON is byte for byte
// what json.Marshal makes of it — running or submitted, with and without
// answers, from the frozen parts or (a view not built from its exam) encoded
// in full.
func TestAppendJSONIsEncodingJSON(t *testing.T) {
	f := jsonTestExam(t)
	s := &Store{}
	now := time.Date(2026, 12, 7, 23, 59, 58, 123456789, time.UTC)
	choice, reason, receipt := "b", ReasonTimeout, "eyJhIjoxfQ.c2ln"
	submitted := now.Add(time.Second)
	for i := range 20 {
		seed := uint64(i) * 7919
		drawn := drawSorted(seed, f.exam.Sections, f.bySection, i%2 == 0, i%3 != 0)
		row := attemptRow{ID: fmt.Sprintf("a0000000-0000-4000-8000-%012d", i), ExamID: f.exam.ID,
			StartedAt: now.Add(-time.Hour), DeadlineAt: now.Add(time.Duration(i) * time.Minute),
			GraceSeconds: 15, ExtraSeconds: 60 * i, Now: now.Add(time.Duration(i) * time.Millisecond)}
		if i%4 == 3 {
			row.FinishReason, row.SubmittedAt, row.Receipt = &reason, &submitted, &receipt
		}
		v, err := s.viewDrawn(context.Background(), nil, f, row, drawn)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			v.Answers[drawn[0].ID] = AnswerState{Choice: &choice, Seq: 4}
			v.Answers[drawn[len(drawn)-1].ID] = AnswerState{Flagged: true, Seq: 9}
		}
		views := map[string]AttemptView{"from the frozen parts": v}
		bare := v
		bare.frozen = nil
		views["encoded in full"] = bare
		odd := v
		odd.Questions = append([]ShownQuestion(nil), v.Questions...)
		odd.Questions[0].Options = append([]Option{{Key: "z", Text: "not in the bank"}}, odd.Questions[0].Options...)
		views["an option the frozen question lacks"] = odd
		empty := v
		empty.Questions, empty.Answers = nil, nil
		views["no questions, no answers"] = empty
		for name, v := range views {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.AppendJSON(nil); !bytes.Equal(got, want) {
				t.Fatalf("view %d, %s:\nAppendJSON   %s\njson.Marshal %s", i, name, got, want)
			}
		}
	}

	saved := Saved{SavedAt: now, ServerNow: now.Add(3 * time.Millisecond), DeadlineAt: now.Add(time.Hour).Truncate(time.Second), RemainingMS: 3599997}
	want, _ := json.Marshal(saved)
	if got := saved.AppendJSON([]byte("x")); !bytes.Equal(got[1:], want) || got[0] != 'x' {
		t.Fatalf("Saved.AppendJSON = %s, want x%s", got, want)
	}
}

// TestAppendDrawJSON: the stored draw and allowed options are json.Marshal's
// bytes of the draw and of {id: options}.
func TestAppendDrawJSON(t *testing.T) {
	f := jsonTestExam(t)
	for i := range 50 {
		drawn := drawSorted(rand.Uint64(), f.exam.Sections, f.bySection, i%2 == 0, true)
		q, a := appendDrawJSON(nil, nil, drawn)
		wantQ, _ := json.Marshal(drawn)
		opts := map[string][]string{}
		for _, d := range drawn {
			opts[d.ID] = d.Options
		}
		wantA, _ := json.Marshal(opts)
		if !bytes.Equal(q, wantQ) || !bytes.Equal(a, wantA) {
			t.Fatalf("appendDrawJSON:\n%s\n%s\nwant\n%s\n%s", q, a, wantQ, wantA)
		}
		// Nothing in a draw needs escaping, so the sizes drawFresh allocates are exact.
		if qn, an := drawJSONSize(drawn); qn != len(q) || an != len(a) {
			t.Fatalf("drawJSONSize = %d, %d; appendDrawJSON wrote %d, %d", qn, an, len(q), len(a))
		}
	}
}

// FuzzJSONString: appendJSONString quotes any string as encoding/json does.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a", `"\`, "<>&", "\u2028\u2029", "\xff", "\x00\x1f\x7f", "فارسی\u200c", "\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
