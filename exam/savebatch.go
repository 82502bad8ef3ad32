package exam

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/batch"
)

// pendingSave is one checked save waiting for its batch: made by a known
// candidate, or under a session token the batch's statement checks (tokenHash).
type pendingSave struct {
	candidateID, attemptID, questionID string
	tokenHash                          []byte
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
	s.batcher = batch.StartOverlapping(ctx, workers, maxBatch, saveBusyMin, s.saveBatch)
}

// saveBusyMin is how many saves a worker gathers before it commits them while
// another batch is under way (batch.StartOverlapping): on the 2-core bench
// machine, 2 workers overlapping only full-enough batches beat 4 or 8 workers
// committing whatever is waiting (docs/BENCHMARKS.md).
const saveBusyMin = 32

// deadlockRetries bounds how often a batch that PostgreSQL chose as a deadlock
// victim (it takes share locks on several attempts) is run again.
const deadlockRetries = 3

// saveBatchSQL stores a batch of saves in one statement. For each save: the
// session it came with is live and a candidate's (auth.LiveCTE, shared with the
// session lookup; or the candidate is given), the attempt is that candidate's,
// running and within its deadline and grace, the question and choice are among
// those drawn for it; the attempt is share-locked, so no save lands after a
// finish commits; the answer is written unless a higher seq is stored. Saves
// of one question by two senders (a candidate on two devices) that both pass
// are written once, the higher seq, as one row may be updated once per
// statement; the other is acknowledged as a lower seq's retry would be.
var saveBatchSQL = `WITH input AS (
		SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::text[], $5::text[], $6::bool[], $7::int8[], $8::int8[])
			AS t(attempt_id, candidate_id, token_hash, question_id, choice, flagged, seq, i)
	), ` + auth.LiveCTE("IN (SELECT token_hash FROM input)", "$9", "$10") + `, locked AS (
		SELECT a.id, a.candidate_id, a.deadline_at, a.allowed,
			a.finish_reason IS NULL AND now() <= a.deadline_at + make_interval(secs => a.grace_seconds) AS open
		FROM attempts a WHERE a.id IN (SELECT attempt_id FROM input)
		ORDER BY a.id
		FOR SHARE
	), ok AS (
		SELECT i.attempt_id, i.question_id, i.choice, i.flagged, i.seq, i.i, l.deadline_at
		FROM input i
			LEFT JOIN live s ON s.token_hash = i.token_hash AND s.kind = 'candidate'
			JOIN locked l ON l.id = i.attempt_id AND l.candidate_id::text = coalesce(s.subject_id, i.candidate_id::text)
		WHERE l.open AND l.allowed ? i.question_id
			AND (i.choice IS NULL OR (l.allowed -> i.question_id) ? i.choice)
	), ins AS (
		INSERT INTO answers (attempt_id, question_id, choice, flagged, seq, saved_at)
		SELECT DISTINCT ON (attempt_id, question_id) attempt_id, question_id::uuid, choice, flagged, seq, now() FROM ok
		ORDER BY attempt_id, question_id, seq DESC
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

// saveBatch stores a batch of saves with one statement (saveBatchSQL). Saves to
// the same question of the same attempt by the same sender are merged first
// (the highest seq is written; the others share its outcome).
func (s *Store) saveBatch(ctx context.Context, batch []*pendingSave) ([]saveOutcome, error) {
	type key struct{ attempt, question, candidate, token string }
	keyOf := func(p *pendingSave) key { return key{p.attemptID, p.questionID, p.candidateID, string(p.tokenHash)} }
	winner := make(map[key]int, len(batch))
	for i, p := range batch {
		k := keyOf(p)
		if w, ok := winner[k]; !ok || batch[w].seq < p.seq {
			winner[k] = i
		}
	}
	n := len(winner)
	attempts, candidates, questions, choices := make([]string, 0, n), make([]*string, 0, n), make([]string, 0, n), make([]*string, 0, n)
	tokens, flagged, seqs, index := make(pq.ByteaArray, 0, n), make([]bool, 0, n), make([]int64, 0, n), make([]int64, 0, n)
	for _, i := range winner {
		p := batch[i]
		var candidate *string
		if p.candidateID != "" {
			candidate = &p.candidateID
		}
		attempts, candidates, questions = append(attempts, p.attemptID), append(candidates, candidate), append(questions, p.questionID)
		tokens = append(tokens, p.tokenHash) // empty: matches no session
		choices, flagged, seqs, index = append(choices, p.choice), append(flagged, p.flagged), append(seqs, p.seq), append(index, int64(i))
	}
	var idle, touch float64
	if s.Sessions != nil {
		idle, touch = s.Sessions.Window()
	}
	var rows []struct {
		I          int64     `db:"i"`
		SavedAt    time.Time `db:"saved_at"`
		DeadlineAt time.Time `db:"deadline_at"`
		Now        time.Time `db:"db_now"`
	}
	stmt, err := s.prepared(ctx, saveBatchSQL)
	if err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		rows = rows[:0]
		err = stmt.SelectContext(ctx, &rows, pq.StringArray(attempts), nullableStrings(candidates), tokens, pq.StringArray(questions),
			nullableStrings(choices), pq.BoolArray(flagged), pq.Int64Array(seqs), pq.Int64Array(index), idle, touch)
		var pqErr *pq.Error
		if err != nil && errors.As(err, &pqErr) && pqErr.Code == "40P01" && try < deadlockRetries {
			continue
		}
		break
	}
	if err != nil {
		return nil, fmt.Errorf("exam: save: %w", err)
	}
	stored := make(map[int]saveOutcome, len(rows))
	for _, r := range rows {
		stored[int(r.I)] = saveOutcome{saved: Saved{SavedAt: r.SavedAt.UTC(), ServerNow: r.Now.UTC(),
			DeadlineAt: r.DeadlineAt.UTC(), RemainingMS: remainingMS(r.DeadlineAt, r.Now)}}
	}
	// Every save merged into a stored one shares its outcome: a lower seq is
	// acknowledged without being written, as a lone retry would be.
	outcomes := make([]saveOutcome, len(batch))
	for i, p := range batch {
		if o, ok := stored[winner[keyOf(p)]]; ok {
			outcomes[i] = o
		} else {
			outcomes[i].refused = true
		}
	}
	return outcomes, nil
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
