package exam

import (
	"math/big"
	"strconv"
)

// ScoringRules are the parts of an exam that scoring reads.
type ScoringRules struct {
	Sections      []SectionSpec
	PointsCorrect float64
	Penalty       Ratio
	PassPercent   float64
}

// Rules returns the exam's scoring rules.
func (e Exam) Rules() ScoringRules {
	return ScoringRules{Sections: e.Sections, PointsCorrect: e.PointsCorrect, Penalty: e.PenaltyWrong, PassPercent: e.PassPercent}
}

// KeyedQuestion is a drawn question as scoring sees it: its effective correct key
// (after any re-keying) and whether it was voided.
type KeyedQuestion struct {
	ID      string
	Section string
	Correct string
	Voided  bool
}

// SectionScore is a candidate's result in one section.
type SectionScore struct {
	Key        string  `json:"key"`
	Title      string  `json:"title"`
	Score      float64 `json:"score"`
	Max        float64 `json:"max"`
	Percent    float64 `json:"percent"`
	MinPercent float64 `json:"min_percent"`
	Passed     bool    `json:"passed"`
	Correct    int     `json:"correct"`
	Wrong      int     `json:"wrong"`
	Blank      int     `json:"blank"`
}

// Score is a candidate's result.
type Score struct {
	Score    float64        `json:"score"`
	Max      float64        `json:"max_score"`
	Percent  float64        `json:"percent"`
	Passed   bool           `json:"passed"`
	Sections []SectionScore `json:"section_scores"`
	Correct  int            `json:"correct"`
	Wrong    int            `json:"wrong"`
	Blank    int            `json:"blank"`
}

// decimal turns a float given in decimal (as configured: 50, 33.33, 0.5) into the
// exact rational it names, so thresholds compare exactly.
func decimal(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
	if r == nil {
		return new(big.Rat)
	}
	return r
}

var hundred = big.NewRat(100, 1)

func ratFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}

// Mark is what one answer earns: +points when correct, −penalty×points when wrong,
// 0 when blank, and nothing at all (not even in the maximum) when voided.
func Mark(rules ScoringRules, q KeyedQuestion, choice string) *big.Rat {
	points := decimal(rules.PointsCorrect)
	switch {
	case q.Voided || choice == "":
		return new(big.Rat)
	case choice == q.Correct:
		return points
	default:
		return new(big.Rat).Neg(new(big.Rat).Mul(points, rules.Penalty.Rat()))
	}
}

// ScoreAttempt scores an attempt: a pure function of the rules, the drawn
// questions (with effective keys and voids) and the final answers (question id →
// chosen key; absent or "" is blank). Percent is score / maximum × 100, negative
// possible with a penalty. Passed needs the overall percent ≥ the pass percent and
// every section's percent ≥ its minimum; a section whose questions are all voided
// has no maximum, shows 0 percent and does not hold anyone back. Comparisons are
// exact (rational arithmetic); floats are only for display.
func ScoreAttempt(rules ScoringRules, questions []KeyedQuestion, answers map[string]string) Score {
	points := decimal(rules.PointsCorrect)
	type acc struct {
		score, max            *big.Rat
		correct, wrong, blank int
	}
	bySection := map[string]*acc{}
	for _, s := range rules.Sections {
		bySection[s.Key] = &acc{score: new(big.Rat), max: new(big.Rat)}
	}
	total := &acc{score: new(big.Rat), max: new(big.Rat)}
	for _, q := range questions {
		a, ok := bySection[q.Section]
		if !ok {
			a = &acc{score: new(big.Rat), max: new(big.Rat)}
			bySection[q.Section] = a
		}
		if q.Voided {
			continue
		}
		choice := answers[q.ID]
		m := Mark(rules, q, choice)
		for _, t := range []*acc{a, total} {
			t.score.Add(t.score, m)
			t.max.Add(t.max, points)
			switch {
			case choice == "":
				t.blank++
			case choice == q.Correct:
				t.correct++
			default:
				t.wrong++
			}
		}
	}
	percent := func(a *acc) *big.Rat {
		if a.max.Sign() == 0 {
			return new(big.Rat)
		}
		p := new(big.Rat).Quo(a.score, a.max)
		return p.Mul(p, hundred)
	}
	out := Score{
		Score: ratFloat(total.score), Max: ratFloat(total.max), Correct: total.correct, Wrong: total.wrong, Blank: total.blank,
		Sections: make([]SectionScore, 0, len(rules.Sections)),
	}
	overall := percent(total)
	out.Percent = ratFloat(overall)
	out.Passed = total.max.Sign() > 0 && overall.Cmp(decimal(rules.PassPercent)) >= 0
	for _, s := range rules.Sections {
		a := bySection[s.Key]
		p := percent(a)
		passed := a.max.Sign() == 0 || p.Cmp(decimal(s.MinPercent)) >= 0
		out.Sections = append(out.Sections, SectionScore{
			Key: s.Key, Title: s.Title, Score: ratFloat(a.score), Max: ratFloat(a.max), Percent: ratFloat(p),
			MinPercent: s.MinPercent, Passed: passed, Correct: a.correct, Wrong: a.wrong, Blank: a.blank,
		})
		if !passed {
			out.Passed = false
		}
	}
	return out
}
