package main

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/lib/pq"
)

// stored is an answers row as the database holds it.
type stored struct {
	Choice  *string
	Flagged bool
	Seq     int64
}

type pairKey struct{ attempt, question string }

// ackCheck is what became of the acknowledged saves.
type ackCheck struct {
	Acknowledged int // saves that got a 200
	Found        int // of those, in the database: its seq and content, or a later save
	Lost         int // Acknowledged - Found
	Pairs        int // (attempt, question) pairs with an acknowledged save
	// Pairs whose stored seq is above the highest acknowledged one: a save sent
	// but not acknowledged (examd or PostgreSQL went down before the 200) was
	// committed all the same. Allowed.
	NewerUnacked int
	// Stored rows of the load's attempts that no save of the load sent with that
	// seq and content: corruption.
	Foreign int
	// Saves sent after an acknowledged submit that are stored.
	AfterSubmitStored int
	Samples           []string // the first problems, for the report
}

// checkAcks compares every acknowledged save with the stored rows. An
// acknowledged save is found when the row of its (attempt, question) has its seq
// with the same choice and flag, or a higher seq (a later save of the same
// question); anything else is lost.
func checkAcks(acks []save, rows map[pairKey]stored, sent map[saveKey]save, afterSub []save) ackCheck {
	var c ackCheck
	sample := func(format string, args ...any) {
		if len(c.Samples) < 10 {
			c.Samples = append(c.Samples, fmt.Sprintf(format, args...))
		}
	}
	highest := map[pairKey]int64{}
	for _, a := range acks {
		c.Acknowledged++
		k := pairKey{a.Attempt, a.Question}
		if a.Seq > highest[k] {
			highest[k] = a.Seq
		}
		r, ok := rows[k]
		switch {
		case !ok:
			c.Lost++
			sample("LOST: %s/%s seq %d choice %s (phase %d): no row stored", a.Attempt, a.Question, a.Seq, a.choiceText(), a.Phase)
		case r.Seq > a.Seq:
			c.Found++
		case r.Seq == a.Seq && sameChoice(r.Choice, a.Choice) && r.Flagged == a.Flagged:
			c.Found++
		case r.Seq == a.Seq:
			c.Lost++
			sample("LOST: %s/%s seq %d: acknowledged choice %s flagged %t, stored choice %s flagged %t",
				a.Attempt, a.Question, a.Seq, a.choiceText(), a.Flagged, save{Choice: r.Choice}.choiceText(), r.Flagged)
		default:
			c.Lost++
			sample("LOST: %s/%s seq %d choice %s (phase %d): the stored row has the older seq %d",
				a.Attempt, a.Question, a.Seq, a.choiceText(), a.Phase, r.Seq)
		}
	}
	c.Pairs = len(highest)
	for k, h := range highest {
		if r, ok := rows[k]; ok && r.Seq > h {
			c.NewerUnacked++
		}
	}
	for k, r := range rows {
		s, ok := sent[saveKey{k.attempt, k.question, r.Seq}]
		if !ok || !sameChoice(s.Choice, r.Choice) || s.Flagged != r.Flagged {
			c.Foreign++
			sample("FOREIGN: %s/%s stored seq %d choice %s: the load never sent that", k.attempt, k.question, r.Seq, save{Choice: r.Choice}.choiceText())
		}
	}
	for _, s := range afterSub {
		if r, ok := rows[pairKey{s.Attempt, s.Question}]; ok && r.Seq == s.Seq {
			c.AfterSubmitStored++
			sample("STORED AFTER SUBMIT: %s/%s seq %d", s.Attempt, s.Question, s.Seq)
		}
	}
	return c
}

func sameChoice(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// loadRows reads the stored answers of the given attempts.
func loadRows(ctx context.Context, db *sql.DB, attemptIDs []string) (map[pairKey]stored, error) {
	rows, err := db.QueryContext(ctx, `SELECT attempt_id::text, question_id::text, choice, flagged, seq
		FROM answers WHERE attempt_id = ANY($1::uuid[])`, pq.StringArray(attemptIDs))
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	defer rows.Close()
	out := map[pairKey]stored{}
	for rows.Next() {
		var k pairKey
		var s stored
		var choice sql.NullString
		if err := rows.Scan(&k.attempt, &k.question, &choice, &s.Flagged, &s.Seq); err != nil {
			return nil, err
		}
		if choice.Valid {
			c := choice.String
			s.Choice = &c
		}
		out[k] = s
	}
	return out, rows.Err()
}

// stateCheck is one rule about attempts that must hold after any crash: the
// query counts the attempts (or rows) that break it.
type stateCheck struct {
	name, query string
}

// stateChecks are the impossible states, for the exam $1. The exam is long
// (hours), so no attempt may have expired; a running attempt past its deadline
// and grace would mean the deadline itself is wrong.
var stateChecks = []stateCheck{
	{"finished without submitted_at, receipt, answers hash or score",
		`SELECT count(*) FROM attempts WHERE exam_id = $1 AND finish_reason IS NOT NULL
			AND (submitted_at IS NULL OR receipt IS NULL OR answers_hash IS NULL OR scored_at IS NULL OR score IS NULL)`},
	{"running but with submitted_at, receipt or score",
		`SELECT count(*) FROM attempts WHERE exam_id = $1 AND finish_reason IS NULL
			AND (submitted_at IS NOT NULL OR receipt IS NOT NULL OR answers_hash IS NOT NULL OR score IS NOT NULL)`},
	{"finished as a timeout although the exam runs for hours",
		`SELECT count(*) FROM attempts WHERE exam_id = $1 AND finish_reason = 'timeout'`},
	{"running past deadline + grace",
		`SELECT count(*) FROM attempts WHERE exam_id = $1 AND finish_reason IS NULL
			AND now() > deadline_at + make_interval(secs => grace_seconds)`},
	{"answer stored after its attempt's submitted_at",
		`SELECT count(*) FROM answers x JOIN attempts a ON a.id = x.attempt_id
			WHERE a.exam_id = $1 AND a.submitted_at IS NOT NULL AND x.saved_at > a.submitted_at`},
	{"answer stored after deadline + grace",
		`SELECT count(*) FROM answers x JOIN attempts a ON a.id = x.attempt_id
			WHERE a.exam_id = $1 AND x.saved_at > a.deadline_at + make_interval(secs => a.grace_seconds)`},
	{"answer to a question or option the attempt did not draw",
		`SELECT count(*) FROM answers x JOIN attempts a ON a.id = x.attempt_id
			WHERE a.exam_id = $1 AND (NOT a.allowed ? x.question_id::text
				OR (x.choice IS NOT NULL AND NOT (a.allowed -> x.question_id::text) ? x.choice))`},
	{"answers hash of a finished attempt differs from its stored answers",
		`SELECT count(*) FROM attempts a WHERE a.exam_id = $1 AND a.finish_reason IS NOT NULL
			AND a.answers_hash IS DISTINCT FROM (
				SELECT sha256(convert_to(coalesce(string_agg(x.question_id::text || ':' || x.choice || E'\n', '' ORDER BY x.question_id), ''), 'UTF8'))
				FROM answers x WHERE x.attempt_id = a.id AND x.choice IS NOT NULL)`},
	{"finished attempt without exactly one finish entry in the audit log",
		`SELECT count(*) FROM attempts a WHERE a.exam_id = $1 AND a.finish_reason IS NOT NULL
			AND (SELECT count(*) FROM audit_log l WHERE l.object_type = 'attempt' AND l.object_id = a.id::text
				AND l.action IN ('attempt.submit', 'attempt.timeout')) <> 1`},
	{"running attempt with a finish entry in the audit log",
		`SELECT count(*) FROM attempts a WHERE a.exam_id = $1 AND a.finish_reason IS NULL
			AND EXISTS (SELECT 1 FROM audit_log l WHERE l.object_type = 'attempt' AND l.object_id = a.id::text
				AND l.action IN ('attempt.submit', 'attempt.timeout'))`},
	{"candidate with more than one attempt (the exam allows one)",
		`SELECT count(*) FROM (SELECT candidate_id FROM attempts WHERE exam_id = $1 GROUP BY candidate_id HAVING count(*) > 1) m`},
}

// impossibleStates runs every state check and returns the broken ones with
// their counts.
func impossibleStates(ctx context.Context, db *sql.DB, examID string) ([]string, error) {
	var broken []string
	for _, c := range stateChecks {
		var n int
		if err := db.QueryRowContext(ctx, c.query, examID).Scan(&n); err != nil {
			return nil, fmt.Errorf("state check %q: %w", c.name, err)
		}
		if n > 0 {
			broken = append(broken, fmt.Sprintf("%s: %d", c.name, n))
		}
	}
	return broken, nil
}

// unfinishedSubmits returns the acknowledged submits whose attempt is not
// finished as submitted.
func unfinishedSubmits(ctx context.Context, db *sql.DB, submits []ackedSubmit) ([]string, error) {
	if len(submits) == 0 {
		return nil, nil
	}
	ids := make([]string, len(submits))
	for i, s := range submits {
		ids[i] = s.Attempt
	}
	rows, err := db.QueryContext(ctx, `SELECT id::text FROM attempts WHERE id = ANY($1::uuid[])
		AND finish_reason IS DISTINCT FROM 'submitted'`, pq.StringArray(ids))
	if err != nil {
		return nil, fmt.Errorf("read submitted attempts: %w", err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		bad = append(bad, id)
	}
	sort.Strings(bad)
	return bad, rows.Err()
}
