package exam_test

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/council-exam/examd/exam"
)

// Every top-level name in score_test.go, results_test.go and review_test.go
// starts with "sc" so that it cannot collide with the other test files of this
// package.

// scRules returns scoring rules with the given sections (key → minimum percent,
// in order), points per correct answer, penalty and pass percent.
func scRules(points float64, penalty exam.Ratio, pass float64, sections ...exam.SectionSpec) exam.ScoringRules {
	return exam.ScoringRules{Sections: sections, PointsCorrect: points, Penalty: penalty, PassPercent: pass}
}

func scSection(key string, min float64) exam.SectionSpec {
	return exam.SectionSpec{Key: key, Title: "بخش " + key, MinPercent: min}
}

// scQuestions returns n questions of section, ids "<section><i>", all keyed "b".
func scQuestions(section string, n int) []exam.KeyedQuestion {
	out := make([]exam.KeyedQuestion, n)
	for i := range out {
		out[i] = exam.KeyedQuestion{ID: fmt.Sprintf("%s%d", section, i+1), Section: section, Correct: "b"}
	}
	return out
}

// scAnswers turns a pattern into answers for qs in order: one letter per
// question, '_' for blank.
func scAnswers(qs []exam.KeyedQuestion, pattern string) map[string]string {
	out := map[string]string{}
	for i, c := range pattern {
		if c != '_' {
			out[qs[i].ID] = string(c)
		}
	}
	return out
}

// scFloat is the float64 nearest to the exact rational num/den.
func scFloat(num, den int64) float64 {
	f, _ := big.NewRat(num, den).Float64()
	return f
}

func scConcat(parts ...[]exam.KeyedQuestion) []exam.KeyedQuestion {
	var out []exam.KeyedQuestion
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestScoreAttempt(t *testing.T) {
	t.Parallel()
	third := exam.Ratio{Num: 1, Den: 3}
	zero := exam.Ratio{Num: 0, Den: 1}
	law4 := scQuestions("law", 4)
	law3 := scQuestions("law", 3)
	two := scConcat(scQuestions("law", 4), scQuestions("city", 2))

	voided := scQuestions("law", 4)
	voided[3].Voided = true
	rekeyed := scQuestions("law", 4)
	rekeyed[2].Correct = "c"
	cityVoided := scConcat(scQuestions("law", 4), scQuestions("city", 2))
	cityVoided[4].Voided, cityVoided[5].Voided = true, true

	type section struct {
		score, max, percent float64
		passed              bool
	}
	tests := []struct {
		name                  string
		rules                 exam.ScoringRules
		qs                    []exam.KeyedQuestion
		pattern               string
		score, max, percent   float64
		passed                bool
		correct, wrong, blank int
		sections              []section
	}{
		{name: "all blank", rules: scRules(1, third, 50, scSection("law", 0)), qs: law4, pattern: "____",
			score: 0, max: 4, percent: 0, passed: false, blank: 4,
			sections: []section{{0, 4, 0, true}}},
		{name: "all correct", rules: scRules(1, third, 50, scSection("law", 0)), qs: law4, pattern: "bbbb",
			score: 4, max: 4, percent: 100, passed: true, correct: 4,
			sections: []section{{4, 4, 100, true}}},
		// 0 correct, 3 wrong of 3 with penalty 1/3: −3·(1/3) = −1 point, −1/3 of the maximum.
		{name: "penalty makes the score negative", rules: scRules(1, third, 50, scSection("law", 0)), qs: law3, pattern: "acd",
			score: -1, max: 3, percent: scFloat(-100, 3), passed: false, wrong: 3,
			sections: []section{{-1, 3, scFloat(-100, 3), false}}},
		// 5 correct 1 wrong of 6 is (5 − 1/3)/6 = 77.78 % overall, but city is 1
		// correct 1 wrong of 2 → (1 − 1/3)/2 = 33.33 % < 40: the section fails.
		{name: "a section minimum fails an otherwise passing candidate",
			rules: scRules(1, third, 50, scSection("law", 0), scSection("city", 40)), qs: two, pattern: "bbbbba",
			score: scFloat(14, 3), max: 6, percent: scFloat(1400, 18), passed: false, correct: 5, wrong: 1,
			sections: []section{{4, 4, 100, true}, {scFloat(2, 3), 2, scFloat(100, 3), false}}},
		{name: "the same at the section minimum passes",
			rules: scRules(1, third, 50, scSection("law", 0), scSection("city", 50)), qs: two, pattern: "bbbbb_",
			score: 5, max: 6, percent: scFloat(500, 6), passed: true, correct: 5, blank: 1,
			sections: []section{{4, 4, 100, true}, {1, 2, 50, true}}},
		{name: "exactly at the pass percent passes", rules: scRules(1, zero, 50, scSection("law", 0)), qs: law4, pattern: "bbaa",
			score: 2, max: 4, percent: 50, passed: true, correct: 2, wrong: 2,
			sections: []section{{2, 4, 50, true}}},
		// Penalty 1/1,000,000: (2 − 0.000001)/4 = 49.999975 %, a hair below 50.
		{name: "a hair below the pass percent fails", rules: scRules(1, exam.Ratio{Num: 1, Den: 1_000_000}, 50, scSection("law", 0)), qs: law4, pattern: "bba_",
			score: scFloat(1_999_999, 1_000_000), max: 4, percent: scFloat(1_999_999*100, 4_000_000), passed: false, correct: 2, wrong: 1, blank: 1,
			sections: []section{{scFloat(1_999_999, 1_000_000), 4, scFloat(1_999_999*100, 4_000_000), true}}},
		// 7 of 10 is exactly 70 % (in floats 7/10·100 is 70.00000000000001).
		{name: "decimal threshold compared exactly", rules: scRules(1, zero, 70, scSection("law", 0)), qs: scQuestions("law", 10), pattern: "bbbbbbbaaa",
			score: 7, max: 10, percent: 70, passed: true, correct: 7, wrong: 3,
			sections: []section{{7, 10, 70, true}}},
		// 2/3 = 66.666…% is below a pass percent of 66.67 …
		{name: "two thirds below 66.67", rules: scRules(1, zero, 66.67, scSection("law", 0)), qs: law3, pattern: "bba",
			score: 2, max: 3, percent: scFloat(200, 3), passed: false, correct: 2, wrong: 1,
			sections: []section{{2, 3, scFloat(200, 3), true}}},
		// … and above 66.66.
		{name: "two thirds above 66.66", rules: scRules(1, zero, 66.66, scSection("law", 0)), qs: law3, pattern: "bba",
			score: 2, max: 3, percent: scFloat(200, 3), passed: true, correct: 2, wrong: 1,
			sections: []section{{2, 3, scFloat(200, 3), true}}},
		// The fourth question is voided: the wrong answer to it costs nothing and it
		// leaves the maximum: 2 correct of 3 = 66.67 % passes 60 (unvoided it would
		// be (2 − 1/3)/4 = 41.67 %).
		{name: "a voided question counts for no one", rules: scRules(1, third, 60, scSection("law", 0)), qs: voided, pattern: "bb_a",
			score: 2, max: 3, percent: scFloat(200, 3), passed: true, correct: 2, blank: 1,
			sections: []section{{2, 3, scFloat(200, 3), true}}},
		{name: "a voided question answered correctly earns nothing", rules: scRules(1, third, 60, scSection("law", 0)), qs: voided, pattern: "bbbb",
			score: 3, max: 3, percent: 100, passed: true, correct: 3,
			sections: []section{{3, 3, 100, true}}},
		// The third question's key is now c: "c" is correct, "b" is wrong.
		{name: "a re-keyed question follows the new key", rules: scRules(1, zero, 75, scSection("law", 0)), qs: rekeyed, pattern: "bbcb",
			score: 4, max: 4, percent: 100, passed: true, correct: 4,
			sections: []section{{4, 4, 100, true}}},
		{name: "the old key of a re-keyed question is wrong", rules: scRules(1, zero, 75, scSection("law", 0)), qs: rekeyed, pattern: "bbbb",
			score: 3, max: 4, percent: 75, passed: true, correct: 3, wrong: 1,
			sections: []section{{3, 4, 75, true}}},
		// 3 points a question, 1/3 of that off for a wrong one: 2·3 − 1 = 5 of 9.
		{name: "points_correct 3", rules: scRules(3, third, 50, scSection("law", 0)), qs: law3, pattern: "bba",
			score: 5, max: 9, percent: scFloat(500, 9), passed: true, correct: 2, wrong: 1,
			sections: []section{{5, 9, scFloat(500, 9), true}}},
		// Every city question voided: city has no maximum, shows 0 % and does not
		// hold back a candidate whose law answers pass.
		{name: "a section all voided fails no one", rules: scRules(1, third, 50, scSection("law", 0), scSection("city", 50)), qs: cityVoided, pattern: "bbba__",
			score: scFloat(8, 3), max: 4, percent: scFloat(800, 12), passed: true, correct: 3, wrong: 1,
			sections: []section{{scFloat(8, 3), 4, scFloat(800, 12), true}, {0, 0, 0, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exam.ScoreAttempt(tt.rules, tt.qs, scAnswers(tt.qs, tt.pattern))
			if got.Score != tt.score || got.Max != tt.max || got.Percent != tt.percent || got.Passed != tt.passed {
				t.Fatalf("score %v/%v = %v %%, passed %v; want %v/%v = %v %%, passed %v", got.Score, got.Max, got.Percent, got.Passed,
					tt.score, tt.max, tt.percent, tt.passed)
			}
			if got.Correct != tt.correct || got.Wrong != tt.wrong || got.Blank != tt.blank {
				t.Fatalf("correct/wrong/blank = %d/%d/%d, want %d/%d/%d", got.Correct, got.Wrong, got.Blank, tt.correct, tt.wrong, tt.blank)
			}
			if len(got.Sections) != len(tt.sections) {
				t.Fatalf("sections = %+v, want %d", got.Sections, len(tt.sections))
			}
			for i, w := range tt.sections {
				g := got.Sections[i]
				if g.Key != tt.rules.Sections[i].Key || g.MinPercent != tt.rules.Sections[i].MinPercent || g.Title != tt.rules.Sections[i].Title {
					t.Fatalf("section %d = %+v, want key %q min %v", i, g, tt.rules.Sections[i].Key, tt.rules.Sections[i].MinPercent)
				}
				if g.Score != w.score || g.Max != w.max || g.Percent != w.percent || g.Passed != w.passed {
					t.Fatalf("section %s = %v/%v = %v %% passed %v; want %v/%v = %v %% passed %v", g.Key, g.Score, g.Max, g.Percent, g.Passed,
						w.score, w.max, w.percent, w.passed)
				}
			}
		})
	}
}

// TestScoreAttemptNationalEntranceFormula checks, with penalty 1/3, the percent of
// the national entrance exam (3·correct − wrong)/(3·total)·100 against the exact
// rational for many combinations: the float must be the one nearest to it.
func TestScoreAttemptNationalEntranceFormula(t *testing.T) {
	t.Parallel()
	rules := scRules(1, exam.Ratio{Num: 1, Den: 3}, 30, scSection("law", 0))
	for _, total := range []int{1, 3, 7, 10, 30, 50} {
		qs := scQuestions("law", total)
		for correct := 0; correct <= total; correct++ {
			for wrong := 0; correct+wrong <= total; wrong++ {
				pattern := ""
				for i := 0; i < total; i++ {
					switch {
					case i < correct:
						pattern += "b"
					case i < correct+wrong:
						pattern += "d"
					default:
						pattern += "_"
					}
				}
				got := exam.ScoreAttempt(rules, qs, scAnswers(qs, pattern))
				exact := big.NewRat(int64(3*correct-wrong)*100, int64(3*total))
				want, _ := exact.Float64()
				wantScore, _ := big.NewRat(int64(3*correct-wrong), 3).Float64()
				wantPassed := exact.Cmp(big.NewRat(30, 1)) >= 0
				if got.Percent != want || got.Score != wantScore || got.Max != float64(total) || got.Passed != wantPassed {
					t.Fatalf("%d correct %d wrong of %d = %v (%v/%v) passed %v; want %v (%v/%d) passed %v",
						correct, wrong, total, got.Percent, got.Score, got.Max, got.Passed, want, wantScore, total, wantPassed)
				}
				if got.Correct != correct || got.Wrong != wrong || got.Blank != total-correct-wrong {
					t.Fatalf("%d correct %d wrong of %d: counts %d/%d/%d", correct, wrong, total, got.Correct, got.Wrong, got.Blank)
				}
			}
		}
	}
}

func TestMark(t *testing.T) {
	t.Parallel()
	q := exam.KeyedQuestion{ID: "q1", Section: "law", Correct: "b"}
	v := q
	v.Voided = true
	tests := []struct {
		name   string
		rules  exam.ScoringRules
		q      exam.KeyedQuestion
		choice string
		want   *big.Rat
	}{
		{"correct", scRules(1, exam.Ratio{Num: 1, Den: 3}, 50), q, "b", big.NewRat(1, 1)},
		{"wrong", scRules(1, exam.Ratio{Num: 1, Den: 3}, 50), q, "a", big.NewRat(-1, 3)},
		{"blank", scRules(1, exam.Ratio{Num: 1, Den: 3}, 50), q, "", big.NewRat(0, 1)},
		{"voided and correct", scRules(1, exam.Ratio{Num: 1, Den: 3}, 50), v, "b", big.NewRat(0, 1)},
		{"voided and wrong", scRules(1, exam.Ratio{Num: 1, Den: 3}, 50), v, "a", big.NewRat(0, 1)},
		{"correct, 2.5 points", scRules(2.5, exam.Ratio{Num: 1, Den: 4}, 50), q, "b", big.NewRat(5, 2)},
		{"wrong, 2.5 points, penalty 1/4", scRules(2.5, exam.Ratio{Num: 1, Den: 4}, 50), q, "c", big.NewRat(-5, 8)},
		{"wrong, no penalty", scRules(1, exam.Ratio{Num: 0, Den: 1}, 50), q, "c", big.NewRat(0, 1)},
		{"wrong, zero ratio", scRules(1, exam.Ratio{}, 50), q, "c", big.NewRat(0, 1)},
	}
	for _, tt := range tests {
		if got := exam.Mark(tt.rules, tt.q, tt.choice); got.Cmp(tt.want) != 0 {
			t.Errorf("%s: Mark = %s, want %s", tt.name, got.RatString(), tt.want.RatString())
		}
	}
}

func TestAlpha(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		marks [][]float64
		want  float64
		ok    bool
	}{
		// Item p = .75, .5, .25 → population variances p(1−p) = .1875 + .25 + .1875
		// = .625; totals 3, 2, 1, 0 → mean 1.5, variance (2.25+.25+.25+2.25)/4 = 1.25.
		// α = 3/2 · (1 − .625/1.25) = 3/2 · 1/2 = .75.
		{"guttman 4×3", [][]float64{{1, 1, 1}, {1, 1, 0}, {1, 0, 0}, {0, 0, 0}}, 0.75, true},
		// Items p = .6, .4, .6, .8 → variances .24 + .24 + .24 + .16 = .88; totals
		// 3, 3, 1, 4, 1 → mean 2.4, squared deviations .36+.36+1.96+2.56+1.96 = 7.2,
		// variance 1.44. α = 4/3 · (1 − .88/1.44) = 4/3 · 7/18 = 14/27.
		{"5×4", [][]float64{{1, 0, 1, 1}, {1, 1, 0, 1}, {0, 0, 1, 0}, {1, 1, 1, 1}, {0, 0, 0, 1}}, 14.0 / 27, true},
		// Two items that disagree: item variances .25 + .25 = .5; totals 1, 1, 2, 0
		// → variance .5; α = 2 · (1 − 1) = 0.
		{"zero", [][]float64{{1, 0}, {0, 1}, {1, 1}, {0, 0}}, 0, true},
		// Penalty marks: items (1, −.25), (1, 1), (0, −.25): item 1 mean 2/3,
		// variance (1/9+1/9+4/9)/3 = 2/9; item 2 mean 1/6, variance
		// ((−5/12)²·2 + (5/6)²)/3 = (50/144 + 100/144)/3 = 150/432 = 25/72;
		// totals .75, 2, −.25 → mean 5/6, variance ((−1/12)² + (7/6)² + (−13/12)²)/3
		// = (1/144 + 196/144 + 169/144)/3 = 366/432 = 61/72.
		// α = 2 · (1 − (16/72 + 25/72)/(61/72)) = 2 · 20/61 = 40/61.
		{"penalty marks", [][]float64{{1, -0.25}, {1, 1}, {0, -0.25}}, 40.0 / 61, true},
		{"one candidate", [][]float64{{1, 0, 1}}, 0, false},
		{"one item", [][]float64{{1}, {0}, {1}}, 0, false},
		{"no candidates", nil, 0, false},
		{"no spread of totals", [][]float64{{1, 0}, {0, 1}, {1, 0}}, 0, false},
		{"everyone the same", [][]float64{{1, 1}, {1, 1}}, 0, false},
	}
	for _, tt := range tests {
		got, ok := exam.Alpha(tt.marks)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: Alpha = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
