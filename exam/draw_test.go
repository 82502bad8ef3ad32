package exam_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/council-exam/examd/exam"
)

// attDrawSections are sections of various sizes: a partial draw, a whole pool,
// a single pick, a larger pool, and one whose pool is listed out of order.
var attDrawSections = []exam.SectionSpec{
	{Key: "law", Draw: 3},
	{Key: "city", Draw: 12},
	{Key: "rights", Draw: 1},
	{Key: "budget", Draw: 6},
	{Key: "ethics", Draw: 2},
}

// attDrawPoolSizes is the pool size of each of attDrawSections.
var attDrawPoolSizes = map[string]int{"law": 7, "city": 12, "rights": 5, "budget": 20, "ethics": 4}

// attDrawPool builds the pool of attDrawSections, with 2 to 6 options per
// question, plus questions of a section the exam does not draw from.
func attDrawPool() []exam.PoolQuestion {
	var pool []exam.PoolQuestion
	keys := []string{"a", "b", "c", "d", "e", "f"}
	n := 0
	for _, s := range append(slices.Clone(attDrawSections), exam.SectionSpec{Key: "unused"}) {
		size := attDrawPoolSizes[s.Key]
		if s.Key == "unused" {
			size = 5
		}
		for i := 0; i < size; i++ {
			n++
			opts := slices.Clone(keys[:2+n%5])
			if n%3 == 0 {
				// Stored order need not be alphabetical.
				slices.Reverse(opts)
			}
			pool = append(pool, exam.PoolQuestion{
				ID:      fmt.Sprintf("%08x-0000-4000-8000-%012d", n*7919%100003, n),
				Section: s.Key,
				Options: opts,
			})
		}
	}
	return pool
}

// attCheckDraw checks the invariants that hold for every draw.
func attCheckDraw(t *testing.T, seed uint64, pool []exam.PoolQuestion, got []exam.DrawnQuestion, shuffleQuestions, shuffleOptions bool) {
	t.Helper()
	byID := map[string]exam.PoolQuestion{}
	for _, q := range pool {
		byID[q.ID] = q
	}
	total := 0
	for _, s := range attDrawSections {
		total += s.Draw
	}
	if len(got) != total {
		t.Fatalf("seed %d: drew %d questions, want %d", seed, len(got), total)
	}
	at := 0
	for _, s := range attDrawSections {
		part := got[at : at+s.Draw]
		at += s.Draw
		seen := map[string]bool{}
		var ids []string
		for _, d := range part {
			if d.Section != s.Key {
				t.Fatalf("seed %d: section %s holds %s of section %q (sections out of order?)", seed, s.Key, d.ID, d.Section)
			}
			q, ok := byID[d.ID]
			if !ok || q.Section != s.Key {
				t.Fatalf("seed %d: section %s drew %s, which is not in its pool", seed, s.Key, d.ID)
			}
			if seen[d.ID] {
				t.Fatalf("seed %d: section %s drew %s twice", seed, s.Key, d.ID)
			}
			seen[d.ID] = true
			ids = append(ids, d.ID)
			if !shuffleOptions {
				if !slices.Equal(d.Options, q.Options) {
					t.Fatalf("seed %d: options of %s = %q, want the stored order %q", seed, d.ID, d.Options, q.Options)
				}
			} else if got, want := slices.Sorted(slices.Values(d.Options)), slices.Sorted(slices.Values(q.Options)); !slices.Equal(got, want) {
				t.Fatalf("seed %d: options of %s = %q, not a permutation of %q", seed, d.ID, d.Options, q.Options)
			}
		}
		if !shuffleQuestions && !sort.StringsAreSorted(ids) {
			t.Fatalf("seed %d: unshuffled section %s is not in id order: %q", seed, s.Key, ids)
		}
	}
}

func TestDrawProperties(t *testing.T) {
	t.Parallel()
	pool := attDrawPool()
	const seeds = 1000
	for _, mode := range []struct{ questions, options bool }{{true, true}, {true, false}, {false, true}, {false, false}} {
		t.Run(fmt.Sprintf("shuffleQuestions=%v,shuffleOptions=%v", mode.questions, mode.options), func(t *testing.T) {
			t.Parallel()
			drawn := map[string]int{}
			distinct := map[string]bool{}
			firstKey := map[string]map[string]bool{} // question → keys ever shown first
			unsortedSections := 0
			shuffler := rand.New(rand.NewPCG(1, 2))
			for i := 0; i < seeds; i++ {
				seed := uint64(i)
				if i%2 == 1 {
					seed = shuffler.Uint64()
				}
				got := exam.Draw(seed, attDrawSections, pool, mode.questions, mode.options)
				attCheckDraw(t, seed, pool, got, mode.questions, mode.options)

				again := exam.Draw(seed, attDrawSections, pool, mode.questions, mode.options)
				if !reflect.DeepEqual(got, again) {
					t.Fatalf("seed %d: two draws differ:\n%v\n%v", seed, got, again)
				}
				shuffled := slices.Clone(pool)
				shuffler.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				if other := exam.Draw(seed, attDrawSections, shuffled, mode.questions, mode.options); !reflect.DeepEqual(got, other) {
					t.Fatalf("seed %d: the draw depends on the pool's order:\n%v\n%v", seed, got, other)
				}

				distinct[fmt.Sprint(got)] = true
				at := 0
				for _, s := range attDrawSections {
					var ids []string
					for _, d := range got[at : at+s.Draw] {
						ids = append(ids, d.ID)
					}
					at += s.Draw
					if !sort.StringsAreSorted(ids) {
						unsortedSections++
					}
				}
				for _, d := range got {
					drawn[d.ID]++
					if firstKey[d.ID] == nil {
						firstKey[d.ID] = map[string]bool{}
					}
					firstKey[d.ID][d.Options[0]] = true
				}
			}

			// Every question of a drawn section comes up, about as often as its
			// share says; the undrawn section never does.
			for _, q := range pool {
				size, ok := attDrawPoolSizes[q.Section]
				if !ok {
					if drawn[q.ID] != 0 {
						t.Fatalf("question %s of an undrawn section was drawn %d times", q.ID, drawn[q.ID])
					}
					continue
				}
				var draw int
				for _, s := range attDrawSections {
					if s.Key == q.Section {
						draw = s.Draw
					}
				}
				want := float64(seeds*draw) / float64(size)
				if got := float64(drawn[q.ID]); got < 0.7*want || got > 1.3*want {
					t.Fatalf("question %s (section %s) drawn %v times in %d draws, want about %.0f", q.ID, q.Section, got, seeds, want)
				}
				if mode.options && len(firstKey[q.ID]) != len(q.Options) {
					t.Fatalf("question %s: only %v were ever shown first, want each of %q", q.ID, firstKey[q.ID], q.Options)
				}
			}
			if mode.questions && unsortedSections == 0 {
				t.Fatalf("shuffled questions always came in id order")
			}
			if got := len(distinct); got < seeds*95/100 {
				t.Fatalf("%d seeds gave only %d distinct draws", seeds, got)
			}
		})
	}
}

// TestDrawSeedDecides checks that the seed, not chance, makes the draw, and that a
// pool of exactly draw questions is drawn whole.
func TestDrawSeedDecides(t *testing.T) {
	t.Parallel()
	pool := attDrawPool()
	a := exam.Draw(42, attDrawSections, pool, true, true)
	b := exam.Draw(43, attDrawSections, pool, true, true)
	if reflect.DeepEqual(a, b) {
		t.Fatalf("seeds 42 and 43 gave the same draw")
	}
	// A pool of exactly draw questions is drawn whole.
	var city []string
	for _, d := range a {
		if d.Section == "city" {
			city = append(city, d.ID)
		}
	}
	var want []string
	for _, q := range pool {
		if q.Section == "city" {
			want = append(want, q.ID)
		}
	}
	if got := slices.Sorted(slices.Values(city)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Fatalf("city drew %q, want its whole pool %q", got, want)
	}
}

// attReferenceDraw is Draw as first written (each section's pool copied and its
// questions swapped): the seeds stored with attempts drew by this, so Draw must
// still draw exactly this from them.
func attReferenceDraw(seed uint64, sections []exam.SectionSpec, pool []exam.PoolQuestion, shuffleQuestions, shuffleOptions bool) []exam.DrawnQuestion {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bySection := map[string][]exam.PoolQuestion{}
	for _, q := range pool {
		bySection[q.Section] = append(bySection[q.Section], q)
	}
	var out []exam.DrawnQuestion
	for _, s := range sections {
		qs := append([]exam.PoolQuestion(nil), bySection[s.Key]...)
		sort.Slice(qs, func(i, j int) bool { return qs[i].ID < qs[j].ID })
		n := min(s.Draw, len(qs))
		for i := 0; i < n; i++ {
			j := i + rng.IntN(len(qs)-i)
			qs[i], qs[j] = qs[j], qs[i]
		}
		picked := qs[:n]
		if !shuffleQuestions {
			sort.Slice(picked, func(i, j int) bool { return picked[i].ID < picked[j].ID })
		}
		for _, q := range picked {
			opts := append([]string(nil), q.Options...)
			if shuffleOptions {
				rng.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
			}
			out = append(out, exam.DrawnQuestion{ID: q.ID, Section: s.Key, Options: opts})
		}
	}
	return out
}

// TestDrawIsTheReferenceDraw: for many seeds and every shuffle setting, Draw
// gives the reference draw, question for question and option for option — also
// for a pool larger than Draw keeps positions of on its stack.
func TestDrawIsTheReferenceDraw(t *testing.T) {
	pool := attDrawPool()
	big := []exam.SectionSpec{{Key: "huge", Draw: 40}}
	var hugePool []exam.PoolQuestion
	for i := range 300 {
		hugePool = append(hugePool, exam.PoolQuestion{ID: fmt.Sprintf("q-huge-%03d", (i*37)%300), Section: "huge", Options: []string{"a", "b", "c"}})
	}
	for seed := uint64(0); seed < 400; seed++ {
		for _, sq := range []bool{false, true} {
			for _, so := range []bool{false, true} {
				if got, want := exam.Draw(seed, attDrawSections, pool, sq, so), attReferenceDraw(seed, attDrawSections, pool, sq, so); !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d shuffle %v/%v: Draw = %v, want %v", seed, sq, so, got, want)
				}
				if seed%20 == 0 {
					if got, want := exam.Draw(seed, big, hugePool, sq, so), attReferenceDraw(seed, big, hugePool, sq, so); !reflect.DeepEqual(got, want) {
						t.Fatalf("large pool, seed %d shuffle %v/%v: Draw = %v, want %v", seed, sq, so, got, want)
					}
				}
			}
		}
	}
}
