package exam

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/batch"
	"github.com/council-exam/examd/database"
)

// pendingStart is a first start waiting for its batch: the draw is made before,
// from a fresh seed, so that the batch's statement only stores it.
type pendingStart struct {
	candidateID string
	f           *frozenExam
	seed        uint64
	drawn       []DrawnQuestion
	questions   []byte // JSON of the draw
	allowed     []byte // JSON of {question id: [option keys]}
}

// startOutcome answers one start of a batch: the new attempt, or fallback when
// the batch did not make it (not a first start, not eligible, window closed,
// a start of the same candidate racing) and Start must take the full path.
type startOutcome struct {
	row        attemptRow
	nationalID string
	fallback   bool
}

// BatchStarts makes first starts go through workers goroutines, each making
// up to maxBatch attempts that arrive together in one transaction: one
// statement inserts them, one appends their audit rows to one chain, one
// commit. A start storm then costs a few statements per batch instead of
// several per start. Each caller is answered only after its batch commits.
func (s *Store) BatchStarts(ctx context.Context, workers, maxBatch int) {
	s.starter = batch.Start(ctx, workers, maxBatch, s.startBatch)
}

// startBatchSQL makes the attempts of a batch of first starts in one statement.
// The draws come as two JSON arrays (jsonList), the other inputs as arrays in
// the same order.
// For each: the candidate exists and is eligible, the exam is published and
// open, the candidate has no attempt of it yet (then this is attempt 1), and the
// deadline and accommodation come from the database as in a single start. A row
// that conflicts with an attempt another transaction just made is skipped (and
// that start takes the full path).
const startBatchSQL = `WITH input AS (
		SELECT t.candidate_id, t.exam_id, t.seed, q.value AS questions, a.value AS allowed
		FROM unnest($1::uuid[], $2::uuid[], $3::int8[]) WITH ORDINALITY AS t(candidate_id, exam_id, seed, i)
			JOIN jsonb_array_elements($4::jsonb) WITH ORDINALITY AS q(value, i) USING (i)
			JOIN jsonb_array_elements($5::jsonb) WITH ORDINALITY AS a(value, i) USING (i)
	), made AS (
		INSERT INTO attempts (exam_id, candidate_id, number, seed, questions, allowed, deadline_at, grace_seconds, extra_seconds)
		SELECT e.id, i.candidate_id, 1, i.seed, i.questions, i.allowed,
			least(now() + make_interval(secs => e.duration_seconds + coalesce(ac.extra_seconds, 0)),
				e.closes_at + make_interval(secs => coalesce(ac.extra_seconds, 0))),
			e.grace_seconds, coalesce(ac.extra_seconds, 0)
		FROM input i
			JOIN candidates c ON c.id = i.candidate_id AND c.eligible
			JOIN exams e ON e.id = i.exam_id
			LEFT JOIN accommodations ac ON ac.exam_id = i.exam_id AND ac.candidate_id = i.candidate_id -- its key: one at most
		WHERE e.status = 'published' AND e.opens_at <= now() AND now() < e.closes_at AND 1 <= e.max_attempts
			AND NOT EXISTS (SELECT 1 FROM attempts p WHERE p.exam_id = i.exam_id AND p.candidate_id = i.candidate_id)
		ON CONFLICT DO NOTHING
		RETURNING id, exam_id, candidate_id, number, started_at, deadline_at, grace_seconds, extra_seconds,
			submitted_at, finish_reason, receipt, seed, now() AS db_now,
			now() > deadline_at + make_interval(secs => grace_seconds) AS expired
	)
	SELECT made.*, c.national_id FROM made JOIN candidates c ON c.id = made.candidate_id`

// startBatch makes the attempts of a batch of first starts and audits them, in
// one transaction.
func (s *Store) startBatch(ctx context.Context, starts []*pendingStart) ([]startOutcome, error) {
	// Only the first of a candidate's starts in the batch goes into the
	// statement: with two rows of one candidate, ON CONFLICT DO NOTHING keeps
	// whichever the plan inserts first, not necessarily the first given, and
	// the other start would be shown a draw that was never stored.
	type key struct{ candidate, exam string }
	n := len(starts)
	first := make(map[key]bool, n)
	cands, exams, seeds := make([]string, 0, n), make([]string, 0, n), make([]int64, 0, n)
	qs, allowed := make(jsonList, 0, n), make(jsonList, 0, n)
	for _, p := range starts {
		k := key{p.candidateID, p.f.exam.ID}
		if first[k] {
			continue
		}
		first[k] = true
		cands, exams, seeds = append(cands, p.candidateID), append(exams, p.f.exam.ID), append(seeds, int64(p.seed))
		qs, allowed = append(qs, p.questions), append(allowed, p.allowed)
	}
	type madeRow struct {
		attemptRow
		Seed       int64  `db:"seed"`
		NationalID string `db:"national_id"`
	}
	var made []madeRow
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		made = made[:0]
		stmt, err := s.prepared(ctx, startBatchSQL)
		if err != nil {
			return err
		}
		if err := tx.StmtxContext(ctx, stmt).SelectContext(ctx, &made, pq.StringArray(cands), pq.StringArray(exams),
			pq.Int64Array(seeds), qs, allowed); err != nil {
			return fmt.Errorf("exam: start batch: %w", err)
		}
		if len(made) == 0 {
			return nil
		}
		events := make([]audit.Event, len(made))
		for i, r := range made {
			events[i] = audit.Event{
				Actor: audit.Actor{Kind: "candidate", ID: r.CandidateID, Name: r.NationalID},
				Entry: audit.Entry{Action: "attempt.start", ObjectType: "attempt", ObjectID: r.ID,
					Details: map[string]any{"exam_id": r.ExamID, "number": r.Number, "seed": fmt.Sprint(uint64(r.Seed)),
						"deadline_at": r.DeadlineAt.UTC(), "extra_seconds": r.ExtraSeconds}},
			}
		}
		return audit.AppendMany(ctx, tx, audit.NextChain(), events)
	})
	if err != nil {
		return nil, err
	}
	byKey := make(map[key]madeRow, len(made))
	for _, r := range made {
		byKey[key{r.CandidateID, r.ExamID}] = r
	}
	out := make([]startOutcome, n)
	for i, p := range starts {
		k := key{p.candidateID, p.f.exam.ID}
		r, ok := byKey[k]
		if !ok || uint64(r.Seed) != p.seed {
			// Not made, or made from another start's draw (a second start of
			// the candidate, a double click): the full path resumes it.
			out[i].fallback = true
			continue
		}
		delete(byKey, k)
		r.Questions = p.questions
		out[i] = startOutcome{row: r.attemptRow, nationalID: r.NationalID}
	}
	return out, nil
}

// newPendingStart draws a first attempt of f for candidateID from a fresh seed.
func newPendingStart(candidateID string, f *frozenExam) *pendingStart {
	seed, drawn, qj, aj := drawFresh(f)
	return &pendingStart{candidateID: candidateID, f: f, seed: seed, drawn: drawn, questions: qj, allowed: aj}
}

// seeds gives the draws their seeds: ChaCha8, a cryptographically strong
// generator, keyed once from crypto/rand, so that a start makes no system call
// for its seed (crypto/rand.Read was 3% of examd's CPU in a start storm).
var seeds = struct {
	sync.Mutex
	r *rand.ChaCha8
}{r: newChaCha8()}

func newChaCha8() *rand.ChaCha8 {
	var key [32]byte
	_, _ = crand.Read(key[:]) // crypto/rand.Read does not fail; it crashes the program if it cannot read
	return rand.NewChaCha8(key)
}

func newSeed() uint64 {
	seeds.Lock()
	defer seeds.Unlock()
	return seeds.r.Uint64()
}

// drawFresh draws f's questions from a fresh random seed and returns the seed,
// the draw, and the draw and the allowed options as JSON.
func drawFresh(f *frozenExam) (seed uint64, drawn []DrawnQuestion, questions, allowed []byte) {
	seed = newSeed()
	drawn = drawSorted(seed, f.exam.Sections, f.bySection, f.exam.ShuffleQuestions, f.exam.ShuffleOptions)
	qn, an := drawJSONSize(drawn)
	questions, allowed = appendDrawJSON(make([]byte, 0, qn), make([]byte, 0, an), drawn)
	return seed, drawn, questions, allowed
}

// drawJSONSize is the length of appendDrawJSON's two outputs for drawn when no
// string in it needs escaping (ids, section and option keys never do; else
// append grows the buffer).
func drawJSONSize(drawn []DrawnQuestion) (q, a int) {
	q, a = 2, 2
	for _, d := range drawn {
		opts := 2 // [], and each option quoted with a comma before all but the first
		for _, o := range d.Options {
			opts += len(o) + 3
		}
		if len(d.Options) > 0 {
			opts--
		}
		q += len(`{"id":"","section":"","options":},`) + len(d.ID) + len(d.Section) + opts
		a += len(`"":,`) + len(d.ID) + opts
	}
	if len(drawn) > 0 { // n entries, n-1 commas
		q, a = q-1, a-1
	}
	return q, a
}

// appendDrawJSON appends to q the draw as JSON and to a the options each drawn
// question allows, {id: [keys]} — the bytes json.Marshal makes of drawn and of
// that map, without its reflection on every start.
func appendDrawJSON(q, a []byte, drawn []DrawnQuestion) ([]byte, []byte) {
	q = append(q, '[')
	for i, d := range drawn {
		if i > 0 {
			q = append(q, ',')
		}
		q = append(q, `{"id":`...)
		q = appendJSONString(q, d.ID)
		q = append(q, `,"section":`...)
		q = appendJSONString(q, d.Section)
		q = append(q, `,"options":`...)
		q = appendStrings(q, d.Options)
		q = append(q, '}')
	}
	q = append(q, ']')
	byID := slices.Clone(drawn)
	slices.SortStableFunc(byID, func(x, y DrawnQuestion) int { return strings.Compare(x.ID, y.ID) })
	a = append(a, '{')
	first := true
	for i, d := range byID {
		if i+1 < len(byID) && byID[i+1].ID == d.ID {
			continue // a map keeps the last entry of an id (a draw never repeats one)
		}
		if !first {
			a = append(a, ',')
		}
		first = false
		a = appendJSONString(a, d.ID)
		a = append(a, ':')
		a = appendStrings(a, d.Options)
	}
	return q, append(a, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}
