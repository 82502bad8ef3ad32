package exam

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// pendingSave is one checked save waiting for its batch.
type pendingSave struct {
	candidateID, attemptID, questionID string
	choice                             *string
	flagged                            bool
	seq                                int64
	done                               chan saveOutcome
}

// saveOutcome answers one save of a batch: stored (or acknowledged as a retry)
// with its times, or refused — the caller then finds out why.
type saveOutcome struct {
	saved   Saved
	refused bool
	err     error
}

// Batcher coalesces saves that arrive together into one statement and one
// commit (group commit). Each waiting request is answered only after the commit
// of its batch, so an acknowledged save is as durable as before; under light
// load a batch is a single save and adds no wait.
type Batcher struct {
	reqs     chan *pendingSave
	maxBatch int
}

// StartBatching makes Save go through workers goroutines, each committing up to
// maxBatch saves at once, until ctx ends.
func (s *Store) StartBatching(ctx context.Context, workers, maxBatch int) {
	b := &Batcher{reqs: make(chan *pendingSave, workers*maxBatch), maxBatch: maxBatch}
	for range workers {
		go s.batchWorker(ctx, b)
	}
	s.batcher = b
}

func (s *Store) batchWorker(ctx context.Context, b *Batcher) {
	batch := make([]*pendingSave, 0, b.maxBatch)
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			return
		case p := <-b.reqs:
			batch = append(batch, p)
		}
	fill:
		for len(batch) < b.maxBatch {
			select {
			case p := <-b.reqs:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		// The batch is committed even if a request gave up waiting: the save
		// may already be on its way, and half a batch cannot be taken back.
		outcomes, err := s.saveBatch(context.WithoutCancel(ctx), batch)
		for i, p := range batch {
			if err != nil {
				p.done <- saveOutcome{err: err}
				continue
			}
			p.done <- outcomes[i]
		}
	}
}

// deadlockRetries bounds how often a batch that PostgreSQL chose as a deadlock
// victim (it takes share locks on several attempts) is run again.
const deadlockRetries = 3

// saveBatch stores a batch of saves with one statement: for each, the time
// check, the share lock on its attempt and the write happen in that statement,
// as for a single save. Saves to the same question of the same attempt are
// merged first (the highest seq is written; the others share its outcome).
func (s *Store) saveBatch(ctx context.Context, batch []*pendingSave) ([]saveOutcome, error) {
	type key struct{ attempt, question, candidate string }
	winner := map[key]int{}
	for i, p := range batch {
		k := key{p.attemptID, p.questionID, p.candidateID}
		if w, ok := winner[k]; !ok || batch[w].seq < p.seq {
			winner[k] = i
		}
	}
	n := len(winner)
	attempts, candidates, questions, choices := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]*string, 0, n)
	flagged, seqs, index := make([]bool, 0, n), make([]int64, 0, n), make([]int64, 0, n)
	for _, i := range winner {
		p := batch[i]
		attempts, candidates, questions = append(attempts, p.attemptID), append(candidates, p.candidateID), append(questions, p.questionID)
		choices, flagged, seqs, index = append(choices, p.choice), append(flagged, p.flagged), append(seqs, p.seq), append(index, int64(i))
	}
	const q = `WITH input AS (
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bool[], $6::int8[], $7::int8[])
				AS t(attempt_id, candidate_id, question_id, choice, flagged, seq, i)
		), locked AS (
			SELECT a.id, a.candidate_id, a.deadline_at, a.allowed,
				a.finish_reason IS NULL AND now() <= a.deadline_at + make_interval(secs => a.grace_seconds) AS open
			FROM attempts a WHERE a.id IN (SELECT attempt_id FROM input)
			ORDER BY a.id
			FOR SHARE
		), ok AS (
			SELECT i.attempt_id, i.question_id, i.choice, i.flagged, i.seq, i.i, l.deadline_at
			FROM input i JOIN locked l ON l.id = i.attempt_id AND l.candidate_id = i.candidate_id
			WHERE l.open AND l.allowed ? i.question_id
				AND (i.choice IS NULL OR (l.allowed -> i.question_id) ? i.choice)
		), ins AS (
			INSERT INTO answers (attempt_id, question_id, choice, flagged, seq, saved_at)
			SELECT attempt_id, question_id::uuid, choice, flagged, seq, now() FROM ok
			ON CONFLICT (attempt_id, question_id) DO UPDATE
				SET choice = EXCLUDED.choice, flagged = EXCLUDED.flagged, seq = EXCLUDED.seq, saved_at = EXCLUDED.saved_at
				WHERE answers.seq < EXCLUDED.seq
			RETURNING attempt_id, question_id, saved_at
		)
		SELECT ok.i,
			coalesce(ins.saved_at, (SELECT x.saved_at FROM answers x
				WHERE x.attempt_id = ok.attempt_id AND x.question_id = ok.question_id::uuid), now()) AS saved_at,
			ok.deadline_at, now() AS db_now
		FROM ok LEFT JOIN ins ON ins.attempt_id = ok.attempt_id AND ins.question_id = ok.question_id::uuid`
	var rows []struct {
		I          int64     `db:"i"`
		SavedAt    time.Time `db:"saved_at"`
		DeadlineAt time.Time `db:"deadline_at"`
		Now        time.Time `db:"db_now"`
	}
	var err error
	for try := 0; ; try++ {
		rows = rows[:0]
		err = s.DB.SelectContext(ctx, &rows, q, pq.StringArray(attempts), pq.StringArray(candidates), pq.StringArray(questions),
			nullableStrings(choices), pq.BoolArray(flagged), pq.Int64Array(seqs), pq.Int64Array(index))
		var pqErr *pq.Error
		if err != nil && errors.As(err, &pqErr) && pqErr.Code == "40P01" && try < deadlockRetries {
			continue
		}
		break
	}
	if err != nil {
		return nil, fmt.Errorf("exam: save: %w", err)
	}
	outcomes := make([]saveOutcome, len(batch))
	for i := range outcomes {
		outcomes[i].refused = true
	}
	stored := map[int]saveOutcome{}
	for _, r := range rows {
		stored[int(r.I)] = saveOutcome{saved: Saved{SavedAt: r.SavedAt.UTC(), ServerNow: r.Now.UTC(),
			DeadlineAt: r.DeadlineAt.UTC(), RemainingMS: remainingMS(r.DeadlineAt, r.Now)}}
	}
	for k, w := range winner {
		o, ok := stored[w]
		if !ok {
			continue
		}
		// Every save merged into this one shares its outcome: a lower seq is
		// acknowledged without being written, as a lone retry would be.
		for i, p := range batch {
			if p.attemptID == k.attempt && p.questionID == k.question && p.candidateID == k.candidate {
				outcomes[i] = o
			}
		}
	}
	return outcomes, nil
}

// nullableStrings encodes a text[] in which nil pointers are NULL.
type nullableStrings []*string

// Value implements driver.Valuer.
func (a nullableStrings) Value() (any, error) {
	b := []byte{'{'}
	for i, s := range a {
		if i > 0 {
			b = append(b, ',')
		}
		if s == nil {
			b = append(b, "NULL"...)
			continue
		}
		b = append(b, '"')
		for _, c := range []byte(*s) {
			if c == '"' || c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
		b = append(b, '"')
	}
	return string(append(b, '}')), nil
}
