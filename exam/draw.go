package exam

import (
	"math/rand/v2"
	"slices"
	"sort"
)

// PoolQuestion is a question of an exam's frozen pool, as the draw sees it.
type PoolQuestion struct {
	ID      string
	Section string
	Options []string // option keys in their stored order
}

// DrawnQuestion is one question of an attempt, with its options in shown order.
type DrawnQuestion struct {
	ID      string   `json:"id"`
	Section string   `json:"section"`
	Options []string `json:"options"`
}

// Draw picks an attempt's questions from the frozen pool with a random source
// made from seed alone, so the same seed always gives the same draw: for each
// section in order, exactly Draw distinct questions of that section's pool,
// shuffled if the exam says so (else in pool order), each with its options
// shuffled if the exam says so. Sections keep their order. Draw reads pool in
// any order; it needs each section's pool to hold at least Draw questions.
func Draw(seed uint64, sections []SectionSpec, pool []PoolQuestion, shuffleQuestions, shuffleOptions bool) []DrawnQuestion {
	return drawSorted(seed, sections, poolBySection(pool), shuffleQuestions, shuffleOptions)
}

// poolBySection groups pool by section, each group in a canonical order (by
// id), so that a draw does not depend on how the pool was read. A frozen exam
// keeps this once rather than sorting its pool on every start.
func poolBySection(pool []PoolQuestion) map[string][]PoolQuestion {
	bySection := map[string][]PoolQuestion{}
	for _, q := range pool {
		bySection[q.Section] = append(bySection[q.Section], q)
	}
	for _, qs := range bySection {
		sort.Slice(qs, func(i, j int) bool { return qs[i].ID < qs[j].ID })
	}
	return bySection
}

// drawSorted is Draw over a pool already grouped by poolBySection. It shuffles
// positions rather than the pool's questions themselves, and takes the draw's
// option lists from one allocation: a start storm draws thousands of times a
// second, and copying the pool was most of a draw's cost. The random source is
// consumed exactly as when the questions were swapped, so a seed draws what it
// always drew.
func drawSorted(seed uint64, sections []SectionSpec, bySection map[string][]PoolQuestion, shuffleQuestions, shuffleOptions bool) []DrawnQuestion {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	total, options := 0, 0
	for _, s := range sections {
		qs := bySection[s.Key]
		total += min(s.Draw, len(qs))
		for _, q := range qs {
			options = max(options, len(q.Options))
		}
	}
	out := make([]DrawnQuestion, 0, total)
	optBuf := make([]string, 0, total*options)
	var posBuf [128]int32
	for _, s := range sections {
		qs := bySection[s.Key]
		n := min(s.Draw, len(qs))
		pos := posBuf[:0]
		if len(qs) > len(posBuf) {
			pos = make([]int32, 0, len(qs))
		}
		for i := range qs {
			pos = append(pos, int32(i))
		}
		// A partial Fisher–Yates shuffle: the first n are a uniform sample.
		for i := 0; i < n; i++ {
			j := i + rng.IntN(len(qs)-i)
			pos[i], pos[j] = pos[j], pos[i]
		}
		picked := pos[:n]
		if !shuffleQuestions {
			// The pool is in id order (poolBySection), so position order is id order.
			slices.Sort(picked)
		}
		for _, p := range picked {
			q := qs[p]
			at := len(optBuf)
			optBuf = append(optBuf, q.Options...)
			opts := optBuf[at:len(optBuf):len(optBuf)]
			if shuffleOptions {
				rng.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
			}
			out = append(out, DrawnQuestion{ID: q.ID, Section: s.Key, Options: opts})
		}
	}
	return out
}
