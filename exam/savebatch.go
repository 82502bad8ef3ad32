package exam

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/batch"
)

// pendingSave is one checked save waiting for its batch.
type pendingSave struct {
	candidateID, attemptID, questionID string
	choice                             *string
	flagged                            bool
	seq                                int64
}

// saveOutcome answers one save of a batch: stored (or acknowledged as a retry)
// with its times, or refused — the caller then finds out why.
type saveOutcome struct {
	saved   Saved
	refused bool
}

// StartBatching makes Save go through workers goroutines, each committing up to
// maxBatch saves that arrive together with one statement (group commit), until
// ctx ends. Each request is answered only after its batch commits, so an
// acknowledged save is as durable as before.
func (s *Store) StartBatching(ctx context.Context, workers, maxBatch int) {
	s.batcher = batch.Start(ctx, workers, maxBatch, s.saveBatch)
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
	stmt, err := s.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		rows = rows[:0]
		err = stmt.SelectContext(ctx, &rows, pq.StringArray(attempts), pq.StringArray(candidates), pq.StringArray(questions),
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

// prepared returns q as a prepared statement, made once per Store: the hot
// statements are then parsed and planned once per connection, not per request.
func (s *Store) prepared(ctx context.Context, q string) (*sqlx.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	st, err := s.DB.PreparexContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("exam: prepare: %w", err)
	}
	if s.stmts == nil {
		s.stmts = map[string]*sqlx.Stmt{}
	}
	s.stmts[q] = st
	return st, nil
}
