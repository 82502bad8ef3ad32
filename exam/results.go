package exam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/persian"
)

// Errors of results and objections.
var (
	// ErrResultsNotPublished is returned by Result before an admin publishes results.
	ErrResultsNotPublished = errors.New("exam: results are not published")
	// ErrObjectionWindowClosed is returned by Object outside the objection window.
	ErrObjectionWindowClosed = errors.New("exam: the objection window is closed")
	// ErrAlreadyResolved is returned by Resolve for an objection already decided.
	ErrAlreadyResolved = errors.New("exam: objection already resolved")
	// ErrAttemptRunning is returned for objecting on an attempt not yet finished.
	ErrAttemptRunning = errors.New("exam: attempt is still running")
)

// override is an objection decision that changes one question's scoring.
type override struct {
	QuestionID string  `db:"question_id"`
	Voided     bool    `db:"voided"`
	Correct    *string `db:"correct"`
}

func overrides(ctx context.Context, q sqlx.QueryerContext, examID string) (map[string]override, error) {
	var rows []override
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT question_id, voided, correct FROM question_overrides WHERE exam_id = $1`, examID); err != nil {
		return nil, fmt.Errorf("exam: overrides: %w", err)
	}
	out := make(map[string]override, len(rows))
	for _, r := range rows {
		out[r.QuestionID] = r
	}
	return out, nil
}

// keyed joins an attempt's drawn questions with their keys and the exam's
// overrides.
func keyed(f *frozenExam, drawnJSON []byte, ov map[string]override) ([]KeyedQuestion, error) {
	var drawn []DrawnQuestion
	if err := json.Unmarshal(drawnJSON, &drawn); err != nil {
		return nil, fmt.Errorf("exam: drawn questions: %w", err)
	}
	out := make([]KeyedQuestion, len(drawn))
	for i, d := range drawn {
		q := KeyedQuestion{ID: d.ID, Section: d.Section, Correct: f.questions[d.ID].Correct}
		if o, ok := ov[d.ID]; ok {
			q.Voided = o.Voided
			if o.Correct != nil {
				q.Correct = *o.Correct
			}
		}
		out[i] = q
	}
	return out, nil
}

func (s *Store) scoreOne(ctx context.Context, tx *sqlx.Tx, examID string, drawnJSON []byte, answers map[string]string) (Score, error) {
	f, err := s.frozen(ctx, examID)
	if err != nil {
		return Score{}, err
	}
	// A rescoring holds the exam row exclusively while it changes overrides and
	// scores; sharing it here means this score sees the overrides as they stand.
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM exams WHERE id = $1 FOR SHARE`, examID); err != nil {
		return Score{}, fmt.Errorf("exam: score: %w", err)
	}
	ov, err := overrides(ctx, tx, examID)
	if err != nil {
		return Score{}, err
	}
	qs, err := keyed(f, drawnJSON, ov)
	if err != nil {
		return Score{}, err
	}
	return ScoreAttempt(f.exam.Rules(), qs, answers), nil
}

// Change is a candidate whose pass/fail a rescoring changed.
type Change struct {
	AttemptID     string  `json:"attempt_id"`
	CandidateID   string  `json:"candidate_id"`
	NationalID    string  `json:"national_id"`
	PercentBefore float64 `json:"percent_before"`
	PercentAfter  float64 `json:"percent_after"`
	PassedBefore  bool    `json:"passed_before"`
	PassedAfter   bool    `json:"passed_after"`
}

// standing is a candidate's best attempt: highest percent, then the earliest.
type standing struct {
	attemptID, nationalID string
	percent               float64
	passed                bool
	at                    time.Time
}

func better(cur, next standing) standing {
	if cur.attemptID == "" || next.percent > cur.percent || (next.percent == cur.percent && next.at.Before(cur.at)) {
		return next
	}
	return cur
}

// Rescored summarises a rescoring.
type Rescored struct {
	ExamID   string   `json:"exam_id"`
	Rescored int      `json:"rescored"`
	Changed  []Change `json:"changed"`
}

// Rescore scores every finished attempt of an exam again, with the overrides as
// they now stand, in one transaction: one read of all attempts and answers, one
// UPDATE of all scores. It is audited with the candidates whose pass/fail changed.
func (s *Store) Rescore(ctx context.Context, actor audit.Actor, examID string) (Rescored, error) {
	var out Rescored
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.rescore(ctx, tx, examID)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "exam.rescore", ObjectType: "exam", ObjectID: examID, Details: out})
	})
	return out, err
}

func (s *Store) rescore(ctx context.Context, tx *sqlx.Tx, examID string) (Rescored, error) {
	out := Rescored{ExamID: examID, Changed: []Change{}}
	// Rescorings of one exam run one at a time.
	if _, err := getExam(ctx, tx, examID, true); err != nil {
		return out, err
	}
	f, err := s.frozen(ctx, examID)
	if err != nil {
		return out, err
	}
	ov, err := overrides(ctx, tx, examID)
	if err != nil {
		return out, err
	}
	const q = `SELECT a.id, a.candidate_id, c.national_id, a.questions, coalesce(a.percent, 0) AS percent,
			coalesce(a.passed, false) AS passed, a.submitted_at,
			coalesce((SELECT jsonb_object_agg(ans.question_id, ans.choice) FROM answers ans
				WHERE ans.attempt_id = a.id AND ans.choice IS NOT NULL), '{}') AS answers
		FROM attempts a JOIN candidates c ON c.id = a.candidate_id
		WHERE a.exam_id = $1 AND a.finish_reason IS NOT NULL
		ORDER BY a.id
		FOR UPDATE OF a`
	var rows []struct {
		ID          string          `db:"id"`
		CandidateID string          `db:"candidate_id"`
		NationalID  string          `db:"national_id"`
		Questions   json.RawMessage `db:"questions"`
		Percent     float64         `db:"percent"`
		Passed      bool            `db:"passed"`
		Answers     json.RawMessage `db:"answers"`
		SubmittedAt time.Time       `db:"submitted_at"`
	}
	if err := tx.SelectContext(ctx, &rows, q, examID); err != nil {
		return out, fmt.Errorf("exam: rescore: %w", err)
	}
	n := len(rows)
	before, after := map[string]standing{}, map[string]standing{}
	ids, scores, maxes, percents, passed, sections := make([]string, n), make([]float64, n), make([]float64, n),
		make([]float64, n), make([]bool, n), make([]string, n)
	for i, r := range rows {
		qs, err := keyed(f, r.Questions, ov)
		if err != nil {
			return out, err
		}
		var answers map[string]string
		if err := json.Unmarshal(r.Answers, &answers); err != nil {
			return out, fmt.Errorf("exam: rescore answers: %w", err)
		}
		sc := ScoreAttempt(f.exam.Rules(), qs, answers)
		sj, _ := json.Marshal(sc.Sections)
		ids[i], scores[i], maxes[i], percents[i], passed[i], sections[i] = r.ID, sc.Score, sc.Max, sc.Percent, sc.Passed, string(sj)
		before[r.CandidateID] = better(before[r.CandidateID], standing{r.ID, r.NationalID, r.Percent, r.Passed, r.SubmittedAt})
		after[r.CandidateID] = better(after[r.CandidateID], standing{r.ID, r.NationalID, sc.Percent, sc.Passed, r.SubmittedAt})
	}
	// A candidate stands by their best attempt, as in the results table: report
	// the candidates whose standing flipped, once each.
	for cand, b := range before {
		a := after[cand]
		if a.passed != b.passed {
			out.Changed = append(out.Changed, Change{AttemptID: a.attemptID, CandidateID: cand, NationalID: a.nationalID,
				PercentBefore: b.percent, PercentAfter: a.percent, PassedBefore: b.passed, PassedAfter: a.passed})
		}
	}
	sort.Slice(out.Changed, func(i, j int) bool { return out.Changed[i].AttemptID < out.Changed[j].AttemptID })
	// numeric[], not float8[]: PostgreSQL casts float8 to numeric with 15
	// significant digits, which would store other values than finish() does.
	const upd = `UPDATE attempts a SET score = t.score, max_score = t.max_score, percent = t.percent, passed = t.passed,
			section_scores = t.sections::jsonb, scored_at = now()
		FROM unnest($1::uuid[], $2::numeric[], $3::numeric[], $4::numeric[], $5::bool[], $6::text[])
			AS t(id, score, max_score, percent, passed, sections)
		WHERE a.id = t.id`
	if _, err := tx.ExecContext(ctx, upd, pq.StringArray(ids), pq.Float64Array(scores), pq.Float64Array(maxes),
		pq.Float64Array(percents), pq.BoolArray(passed), pq.StringArray(sections)); err != nil {
		return out, fmt.Errorf("exam: rescore: %w", err)
	}
	out.Rescored = n
	return out, nil
}

// PublishResults lets candidates see their scores, audited. It returns
// ErrNotPublished for a draft.
func (s *Store) PublishResults(ctx context.Context, actor audit.Actor, examID string) (Exam, error) {
	var e Exam
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		before, err := getExam(ctx, tx, examID, true)
		if err != nil {
			return err
		}
		if before.Status == StatusDraft {
			return ErrNotPublished
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exams SET results_published = true, updated_at = now() WHERE id = $1`, examID); err != nil {
			return fmt.Errorf("exam: publish results: %w", err)
		}
		var counts struct {
			Sat    int `db:"sat" json:"sat"`
			Passed int `db:"passed" json:"passed"`
		}
		if err := tx.GetContext(ctx, &counts, `SELECT count(*) AS sat, count(*) FILTER (WHERE passed) AS passed
			FROM attempts WHERE exam_id = $1 AND finish_reason IS NOT NULL`, examID); err != nil {
			return fmt.Errorf("exam: publish results: %w", err)
		}
		if e, err = getExam(ctx, tx, examID, false); err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "exam.publish_results", ObjectType: "exam", ObjectID: examID,
			Details: counts})
	})
	return e, err
}

// Result is what a candidate sees of their score once results are published.
type Result struct {
	AttemptID   string         `json:"attempt_id"`
	ExamID      string         `json:"exam_id"`
	ExamTitle   string         `json:"exam_title"`
	Score       float64        `json:"score"`
	MaxScore    float64        `json:"max_score"`
	Percent     float64        `json:"percent"`
	PassPercent float64        `json:"pass_percent"`
	Passed      bool           `json:"passed"`
	Sections    []SectionScore `json:"section_scores"`
	SubmittedAt time.Time      `json:"submitted_at"`
}

// Result returns a candidate's score for a finished attempt. It returns
// ErrNotFound for another's attempt, ErrAttemptRunning, and
// ErrResultsNotPublished before an admin publishes the exam's results.
func (s *Store) Result(ctx context.Context, candidateID, attemptID string) (Result, error) {
	if !database.IsUUID(attemptID) {
		return Result{}, ErrNotFound
	}
	var r struct {
		ExamID      string          `db:"exam_id"`
		Title       string          `db:"title"`
		Published   bool            `db:"results_published"`
		Finished    bool            `db:"finished"`
		Score       *float64        `db:"score"`
		MaxScore    *float64        `db:"max_score"`
		Percent     *float64        `db:"percent"`
		PassPercent float64         `db:"pass_percent"`
		Passed      *bool           `db:"passed"`
		Sections    json.RawMessage `db:"section_scores"`
		SubmittedAt *time.Time      `db:"submitted_at"`
	}
	const q = `SELECT a.exam_id, e.title, e.results_published, a.finish_reason IS NOT NULL AS finished, a.score, a.max_score,
			a.percent, e.pass_percent, a.passed, coalesce(a.section_scores, '[]') AS section_scores, a.submitted_at
		FROM attempts a JOIN exams e ON e.id = a.exam_id WHERE a.id = $1 AND a.candidate_id = $2`
	err := database.Check(s.DB.GetContext(ctx, &r, q, attemptID, candidateID))
	if errors.Is(err, database.ErrNotFound) {
		return Result{}, ErrNotFound
	}
	if err != nil {
		return Result{}, fmt.Errorf("exam: result: %w", err)
	}
	if !r.Published {
		return Result{}, ErrResultsNotPublished
	}
	if !r.Finished || r.Percent == nil {
		return Result{}, ErrAttemptRunning
	}
	out := Result{AttemptID: attemptID, ExamID: r.ExamID, ExamTitle: r.Title, Score: *r.Score, MaxScore: *r.MaxScore,
		Percent: *r.Percent, PassPercent: r.PassPercent, Passed: *r.Passed, SubmittedAt: r.SubmittedAt.UTC()}
	if err := json.Unmarshal(r.Sections, &out.Sections); err != nil {
		return Result{}, fmt.Errorf("exam: result sections: %w", err)
	}
	return out, nil
}

// ObjectionRequest is a candidate's objection to one question of their attempt.
type ObjectionRequest struct {
	QuestionID string `json:"question_id"`
	Text       string `json:"text"`
}

// Objection is a dispute about a question and its decision.
type Objection struct {
	ID          string     `json:"id" db:"id"`
	ExamID      string     `json:"exam_id" db:"exam_id"`
	AttemptID   string     `json:"attempt_id" db:"attempt_id"`
	CandidateID string     `json:"candidate_id" db:"candidate_id"`
	NationalID  string     `json:"national_id" db:"national_id"`
	QuestionID  string     `json:"question_id" db:"question_id"`
	Stem        string     `json:"stem" db:"stem"`
	Text        string     `json:"text" db:"text"`
	Status      string     `json:"status" db:"status"`
	CreatedAt   time.Time  `json:"created_at" db:"created_at"`
	ResolvedAt  *time.Time `json:"resolved_at" db:"resolved_at"`
	NewCorrect  *string    `json:"new_correct" db:"new_correct"`
	Note        *string    `json:"note" db:"note"`
}

const objectionColumns = `o.id, o.exam_id, o.attempt_id, o.candidate_id, c.national_id, o.question_id, q.stem, o.text,
	o.status, o.created_at, o.resolved_at, o.new_correct, o.note`

const objectionFrom = ` FROM objections o JOIN candidates c ON c.id = o.candidate_id JOIN questions q ON q.id = o.question_id`

// Object files a candidate's objection to a question of their finished attempt,
// while the exam's objection window (after it closes) is open. It returns
// ErrNotFound, ErrAttemptRunning, ErrObjectionWindowClosed, or an *input.Error
// (also for a question the attempt did not draw, or a second objection to it).
func (s *Store) Object(ctx context.Context, candidateID, attemptID string, r ObjectionRequest) (Objection, error) {
	p := &input.Error{}
	r.Text = persian.Text(r.Text)
	switch n := len([]rune(r.Text)); {
	case n == 0:
		p.Add("text", "required")
	case n > 2000:
		p.Add("text", "too_long")
	}
	if !database.IsUUID(r.QuestionID) {
		p.Add("question_id", "unknown_question")
	}
	row, err := getAttempt(ctx, s.DB, candidateID, attemptID, false)
	if err != nil {
		return Objection{}, err
	}
	if err := p.Err(); err != nil {
		return Objection{}, err
	}
	if row.FinishReason == nil {
		return Objection{}, ErrAttemptRunning
	}
	var o Objection
	err = database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		const ins = `INSERT INTO objections (exam_id, attempt_id, candidate_id, question_id, text)
			SELECT a.exam_id, a.id, a.candidate_id, $3::uuid, $4 FROM attempts a JOIN exams e ON e.id = a.exam_id
			WHERE a.id = $1 AND a.candidate_id = $2 AND a.allowed ? $3::text
				AND e.status <> 'draft' AND e.closes_at <= now()
				AND now() < e.closes_at + make_interval(secs => e.objection_window_seconds)
			RETURNING id`
		var id string
		err := database.Check(tx.GetContext(ctx, &id, ins, attemptID, candidateID, r.QuestionID, r.Text))
		if errors.Is(err, database.ErrConflict) {
			return input.Invalid("question_id", "already_objected")
		}
		if errors.Is(err, database.ErrNotFound) {
			var drawn bool
			if err := tx.GetContext(ctx, &drawn, `SELECT allowed ? $2::text FROM attempts WHERE id = $1`, attemptID, r.QuestionID); err != nil {
				return fmt.Errorf("exam: object: %w", err)
			}
			if !drawn {
				return input.Invalid("question_id", "unknown_question")
			}
			return ErrObjectionWindowClosed
		}
		if err != nil {
			return fmt.Errorf("exam: object: %w", err)
		}
		if err := tx.GetContext(ctx, &o, `SELECT `+objectionColumns+objectionFrom+` WHERE o.id = $1`, id); err != nil {
			return fmt.Errorf("exam: object: %w", err)
		}
		return audit.Append(ctx, tx, audit.Actor{Kind: "candidate", ID: candidateID, Name: o.NationalID}, audit.Entry{
			Action: "objection.create", ObjectType: "objection", ObjectID: id,
			Details: map[string]string{"attempt_id": attemptID, "question_id": r.QuestionID}})
	})
	return o, err
}

// AttemptObjections lists a candidate's objections on their attempt, with the
// decisions, and the attempt's objection window. It returns ErrNotFound for
// another's attempt.
func (s *Store) AttemptObjections(ctx context.Context, candidateID, attemptID string) (ObjectionWindow, []Objection, error) {
	var w ObjectionWindow
	if !database.IsUUID(attemptID) {
		return w, nil, ErrNotFound
	}
	const wq = `SELECT e.closes_at AS opens_at, e.closes_at + make_interval(secs => e.objection_window_seconds) AS closes_at,
			e.status <> 'draft' AND e.closes_at <= now() AND now() < e.closes_at + make_interval(secs => e.objection_window_seconds) AS open_now
		FROM attempts a JOIN exams e ON e.id = a.exam_id WHERE a.id = $1 AND a.candidate_id = $2`
	err := database.Check(s.DB.GetContext(ctx, &w, wq, attemptID, candidateID))
	if errors.Is(err, database.ErrNotFound) {
		return w, nil, ErrNotFound
	}
	if err != nil {
		return w, nil, fmt.Errorf("exam: objections: %w", err)
	}
	w.OpensAt, w.ClosesAt = w.OpensAt.UTC(), w.ClosesAt.UTC()
	out := []Objection{}
	q := `SELECT ` + objectionColumns + objectionFrom + ` WHERE o.attempt_id = $1 AND o.candidate_id = $2 ORDER BY o.created_at, o.id`
	if err := s.DB.SelectContext(ctx, &out, q, attemptID, candidateID); err != nil {
		return w, nil, fmt.Errorf("exam: objections: %w", err)
	}
	return w, out, nil
}

// ObjectionWindow is when objections to an exam are taken: from its close for
// objection_window_seconds.
type ObjectionWindow struct {
	OpensAt  time.Time `json:"opens_at" db:"opens_at"`
	ClosesAt time.Time `json:"closes_at" db:"closes_at"`
	OpenNow  bool      `json:"open_now" db:"open_now"`
}

// ObjectionFilter narrows Objections; empty fields match everything.
type ObjectionFilter struct {
	ExamID string
	Status string
}

// Objections lists objections, oldest first.
func (s *Store) Objections(ctx context.Context, f ObjectionFilter) ([]Objection, error) {
	if f.ExamID != "" {
		if !database.IsUUID(f.ExamID) {
			return []Objection{}, nil
		}
	}
	out := []Objection{}
	q := `SELECT ` + objectionColumns + objectionFrom + `
		WHERE ($1 = '' OR o.exam_id::text = $1) AND ($2 = '' OR o.status = $2) ORDER BY o.created_at, o.id`
	if err := s.DB.SelectContext(ctx, &out, q, f.ExamID, f.Status); err != nil {
		return nil, fmt.Errorf("exam: objections: %w", err)
	}
	return out, nil
}

// ResolveRequest is an admin's decision on an objection.
type ResolveRequest struct {
	Decision string  `json:"decision"`
	Correct  *string `json:"correct"`
	Note     string  `json:"note"`
}

// Resolution is a decided objection and, for void or rekey, the rescoring it caused.
type Resolution struct {
	Objection Objection `json:"objection"`
	Rescored  *Rescored `json:"rescoring,omitempty"`
}

// Resolve decides an objection: reject it, void its question, or change its key.
// Voiding or re-keying rescores every finished attempt of the exam in the same
// transaction, audited with the candidates whose pass/fail changed. It returns
// ErrNotFound, ErrAlreadyResolved, or an *input.Error.
func (s *Store) Resolve(ctx context.Context, actor audit.Actor, objectionID string, r ResolveRequest) (Resolution, error) {
	if !database.IsUUID(objectionID) {
		return Resolution{}, ErrNotFound
	}
	p := &input.Error{}
	switch r.Decision {
	case "reject", "void":
		r.Correct = nil // a key means something only for a rekey
	case "rekey":
		if r.Correct == nil || *r.Correct == "" {
			p.Add("correct", "required")
		} else {
			c := strings.ToLower(strings.TrimSpace(*r.Correct))
			r.Correct = &c
		}
	case "":
		p.Add("decision", "required")
	default:
		p.Add("decision", "one_of")
	}
	r.Note = persian.Text(r.Note)
	if err := p.Err(); err != nil {
		return Resolution{}, err
	}
	var out Resolution
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var o Objection
		err := database.Check(tx.GetContext(ctx, &o, `SELECT `+objectionColumns+objectionFrom+` WHERE o.id = $1 FOR UPDATE OF o`, objectionID))
		if errors.Is(err, database.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("exam: resolve: %w", err)
		}
		if o.Status != "pending" {
			return ErrAlreadyResolved
		}
		status := map[string]string{"reject": "rejected", "void": "voided", "rekey": "rekeyed"}[r.Decision]
		if r.Decision == "rekey" {
			f, err := s.frozen(ctx, o.ExamID)
			if err != nil {
				return err
			}
			known := false
			for _, opt := range f.questions[o.QuestionID].Options {
				known = known || opt.Key == *r.Correct
			}
			if !known {
				return input.Invalid("correct", "not_an_option")
			}
		}
		if r.Decision != "reject" {
			const ov = `INSERT INTO question_overrides (exam_id, question_id, voided, correct) VALUES ($1, $2, $3, $4)
				ON CONFLICT (exam_id, question_id) DO UPDATE SET voided = EXCLUDED.voided, correct = EXCLUDED.correct, decided_at = now()`
			if _, err := tx.ExecContext(ctx, ov, o.ExamID, o.QuestionID, r.Decision == "void", r.Correct); err != nil {
				return fmt.Errorf("exam: resolve: %w", err)
			}
		}
		const upd = `UPDATE objections SET status = $2, resolved_at = now(), resolved_by = $3, new_correct = $4, note = nullif($5, '')
			WHERE id = $1`
		if _, err := tx.ExecContext(ctx, upd, objectionID, status, officialID(actor), r.Correct, r.Note); err != nil {
			return fmt.Errorf("exam: resolve: %w", err)
		}
		if err := tx.GetContext(ctx, &out.Objection, `SELECT `+objectionColumns+objectionFrom+` WHERE o.id = $1`, objectionID); err != nil {
			return fmt.Errorf("exam: resolve: %w", err)
		}
		details := map[string]any{"decision": r.Decision, "question_id": o.QuestionID, "exam_id": o.ExamID}
		if r.Correct != nil {
			details["correct"] = *r.Correct
		}
		if r.Decision != "reject" {
			res, err := s.rescore(ctx, tx, o.ExamID)
			if err != nil {
				return err
			}
			out.Rescored = &res
			details["rescored"] = res.Rescored
			details["pass_fail_changed"] = res.Changed
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "objection.resolve", ObjectType: "objection", ObjectID: objectionID,
			Details: details})
	})
	return out, err
}
