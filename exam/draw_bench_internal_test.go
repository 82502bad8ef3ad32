package exam

import (
	"fmt"
	"testing"
)

// benchFrozenExam is an exam the size of the bench's: 15 questions drawn from
// three sections of 30, four options each, both shuffles on.
func benchFrozenExam() *frozenExam {
	f := &frozenExam{exam: Exam{Sections: []SectionSpec{{Key: "law", Draw: 5}, {Key: "city", Draw: 5}, {Key: "ethics", Draw: 5}},
		ShuffleQuestions: true, ShuffleOptions: true}}
	for i := range 90 {
		f.pool = append(f.pool, PoolQuestion{ID: fmt.Sprintf("0b6c1b8e-0000-4000-8000-%012d", i),
			Section: f.exam.Sections[i%3].Key, Options: []string{"a", "b", "c", "d"}})
	}
	f.bySection = poolBySection(f.pool)
	return f
}

// BenchmarkDrawFresh: what a first start costs examd before its batch — a seed,
// the draw, and its JSON for the database.
func BenchmarkDrawFresh(b *testing.B) {
	f := benchFrozenExam()
	b.ReportAllocs()
	for b.Loop() {
		drawFresh(f)
	}
}

// BenchmarkStartBatchArrays: encoding a batch of 64 first starts' draws as the
// statement's two JSON array parameters.
func BenchmarkStartBatchArrays(b *testing.B) {
	f := benchFrozenExam()
	qs, as := make(jsonList, 64), make(jsonList, 64)
	for i := range qs {
		_, _, qs[i], as[i] = drawFresh(f)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qs.Value(); err != nil {
			b.Fatal(err)
		}
		if _, err := as.Value(); err != nil {
			b.Fatal(err)
		}
	}
}
