package exam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/receipts"
)

// Errors of attempts.
var (
	// ErrNotEligible is returned by Start for a candidate who is not eligible.
	ErrNotEligible = errors.New("exam: candidate is not eligible")
	// ErrExamNotOpen is returned by Start outside the exam's window.
	ErrExamNotOpen = errors.New("exam: exam is not open")
	// ErrAttemptsExhausted is returned by Start when every allowed attempt is used.
	ErrAttemptsExhausted = errors.New("exam: no attempts left")
	// ErrTimeOver is returned by Save after the deadline and its grace.
	ErrTimeOver = errors.New("exam: time is over")
	// ErrAttemptFinished is returned by Save after the attempt was handed in.
	ErrAttemptFinished = errors.New("exam: attempt is finished")
)

// Attempt states and finish reasons.
const (
	StateRunning    = "running"
	StateSubmitted  = "submitted"
	ReasonSubmitted = "submitted"
	ReasonTimeout   = "timeout"
)

// frozenExam is what never changes about a published exam: its rules and its
// pool, with the full questions. It is cached per instance.
type frozenExam struct {
	exam      Exam
	pool      []PoolQuestion
	bySection map[string][]PoolQuestion // pool by section, in draw order (poolBySection)
	questions map[string]Question
	json      *frozenJSON // the parts of a view that never change, encoded once
}

// info is what a candidate's view shows of the exam.
func (f *frozenExam) info() ExamInfo {
	e := &f.exam
	return ExamInfo{ID: e.ID, Title: e.Title, DurationSeconds: e.DurationSeconds,
		GraceSeconds: e.GraceSeconds, PassPercent: e.PassPercent, Sections: e.Sections,
		PenaltyWrong: e.PenaltyWrong, PenaltyFraction: e.PenaltyFraction, PointsCorrect: e.PointsCorrect}
}

// Cache holds the frozen part of published exams. Only immutable data lives here;
// the database stays the authority on time and state.
type Cache struct {
	mu    sync.Mutex
	exams map[string]*cacheEntry
}

// cacheEntry loads one exam once, however many requests ask for it at the same
// moment (a start storm asks thousands of times in the first second).
type cacheEntry struct {
	once sync.Once
	f    *frozenExam
	err  error
}

// frozen returns the frozen exam, loading it once. It returns ErrNotFound for an
// exam that does not exist or is still a draft (candidates never see drafts).
func (s *Store) frozen(ctx context.Context, examID string) (*frozenExam, error) {
	if s.Cache == nil {
		return s.loadFrozen(ctx, examID)
	}
	c := s.Cache
	c.mu.Lock()
	if c.exams == nil {
		c.exams = map[string]*cacheEntry{}
	}
	e, ok := c.exams[examID]
	if !ok {
		e = &cacheEntry{}
		c.exams[examID] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.f, e.err = s.loadFrozen(context.WithoutCancel(ctx), examID) })
	if e.err != nil {
		// Not kept: a draft may be published later, a failed load may succeed.
		c.mu.Lock()
		if c.exams[examID] == e {
			delete(c.exams, examID)
		}
		c.mu.Unlock()
		return nil, e.err
	}
	return e.f, nil
}

func (s *Store) loadFrozen(ctx context.Context, examID string) (*frozenExam, error) {
	e, err := getExam(ctx, s.DB, examID, false)
	if err != nil {
		return nil, err
	}
	if e.Status == StatusDraft {
		return nil, ErrNotFound
	}
	var rows []questionRow
	const q = `SELECT q.id, q.section, q.stem, q.options, q.correct, q.status, q.replaces, q.created_at, true AS frozen
		FROM exam_pool p JOIN questions q ON q.id = p.question_id WHERE p.exam_id = $1 ORDER BY q.id`
	if err := s.DB.SelectContext(ctx, &rows, q, examID); err != nil {
		return nil, fmt.Errorf("exam: load pool: %w", err)
	}
	f := &frozenExam{exam: e, questions: make(map[string]Question, len(rows))}
	for _, r := range rows {
		qq, err := r.question()
		if err != nil {
			return nil, err
		}
		keys := make([]string, len(qq.Options))
		for i, o := range qq.Options {
			keys[i] = o.Key
		}
		f.pool = append(f.pool, PoolQuestion{ID: qq.ID, Section: qq.Section, Options: keys})
		f.questions[qq.ID] = qq
	}
	f.bySection = poolBySection(f.pool)
	if f.json, err = encodeFrozen(f); err != nil {
		return nil, fmt.Errorf("exam: encode exam: %w", err)
	}
	return f, nil
}

// attemptRow is an attempt as stored, with the database's clock beside it.
type attemptRow struct {
	ID           string          `db:"id"`
	ExamID       string          `db:"exam_id"`
	CandidateID  string          `db:"candidate_id"`
	Number       int             `db:"number"`
	Questions    json.RawMessage `db:"questions"`
	StartedAt    time.Time       `db:"started_at"`
	DeadlineAt   time.Time       `db:"deadline_at"`
	GraceSeconds int             `db:"grace_seconds"`
	ExtraSeconds int             `db:"extra_seconds"`
	SubmittedAt  *time.Time      `db:"submitted_at"`
	FinishReason *string         `db:"finish_reason"`
	Receipt      *string         `db:"receipt"`
	Now          time.Time       `db:"db_now"`
	Expired      bool            `db:"expired"`
}

const attemptColumns = `id, exam_id, candidate_id, number, questions, started_at, deadline_at, grace_seconds,
	extra_seconds, submitted_at, finish_reason, receipt, now() AS db_now,
	now() > deadline_at + make_interval(secs => grace_seconds) AS expired`

// ShownQuestion is a question as a candidate sees it: never with its key.
type ShownQuestion struct {
	ID      string   `json:"id"`
	Section string   `json:"section"`
	Stem    string   `json:"stem"`
	Options []Option `json:"options"`
}

// AnswerState is a candidate's saved answer to one question.
type AnswerState struct {
	Choice  *string `json:"choice"`
	Flagged bool    `json:"flagged"`
	Seq     int64   `json:"seq"`
}

// ExamInfo is what a candidate needs to know of the exam while sitting it.
type ExamInfo struct {
	ID              string        `json:"id"`
	Title           string        `json:"title"`
	DurationSeconds int           `json:"duration_seconds"`
	GraceSeconds    int           `json:"grace_seconds"`
	PassPercent     float64       `json:"pass_percent"`
	Sections        []SectionSpec `json:"sections"`
	PenaltyWrong    Ratio         `json:"penalty_wrong"`
	PenaltyFraction string        `json:"penalty_wrong_fraction"`
	PointsCorrect   float64       `json:"points_correct"`
}

// AttemptView is an attempt as its candidate sees it.
type AttemptView struct {
	AttemptID    string                 `json:"attempt_id"`
	State        string                 `json:"state"`
	ServerNow    time.Time              `json:"server_now"`
	StartedAt    time.Time              `json:"started_at"`
	DeadlineAt   time.Time              `json:"deadline_at"`
	RemainingMS  int64                  `json:"remaining_ms"`
	GraceSeconds int                    `json:"grace_seconds"`
	ExtraSeconds int                    `json:"extra_seconds"`
	Exam         ExamInfo               `json:"exam"`
	Questions    []ShownQuestion        `json:"questions"`
	Answers      map[string]AnswerState `json:"answers"`
	FinishReason *string                `json:"finish_reason,omitempty"`
	SubmittedAt  *time.Time             `json:"submitted_at,omitempty"`
	Receipt      *string                `json:"receipt,omitempty"`

	frozen *frozenExam // the exam it was built from, whose parts AppendJSON reuses
}

func remainingMS(deadline, now time.Time) int64 {
	return max(0, deadline.Sub(now).Milliseconds())
}

// view builds the candidate's view of an attempt from its row and its answers,
// read through q (nil for an attempt just made, which has none).
func (s *Store) view(ctx context.Context, q sqlx.QueryerContext, f *frozenExam, row attemptRow) (AttemptView, error) {
	var drawn []DrawnQuestion
	if err := json.Unmarshal(row.Questions, &drawn); err != nil {
		return AttemptView{}, fmt.Errorf("exam: attempt questions: %w", err)
	}
	return s.viewDrawn(ctx, q, f, row, drawn)
}

// viewDrawn is view with the attempt's draw already at hand (a start that just
// made it), rather than read back from row.Questions.
func (s *Store) viewDrawn(ctx context.Context, q sqlx.QueryerContext, f *frozenExam, row attemptRow, drawn []DrawnQuestion) (AttemptView, error) {
	v := AttemptView{
		AttemptID:    row.ID,
		State:        StateRunning,
		ServerNow:    row.Now.UTC(),
		StartedAt:    row.StartedAt.UTC(),
		DeadlineAt:   row.DeadlineAt.UTC(),
		RemainingMS:  remainingMS(row.DeadlineAt, row.Now),
		GraceSeconds: row.GraceSeconds,
		ExtraSeconds: row.ExtraSeconds,
		Exam:         f.info(),
		Questions:    make([]ShownQuestion, 0, len(drawn)),
		Answers:      map[string]AnswerState{},
		FinishReason: row.FinishReason,
		Receipt:      row.Receipt,
		frozen:       f,
	}
	if row.FinishReason != nil {
		v.State = StateSubmitted
		v.RemainingMS = 0
		t := row.SubmittedAt.UTC()
		v.SubmittedAt = &t
	}
	for _, d := range drawn {
		full, ok := f.questions[d.ID]
		if !ok {
			return AttemptView{}, fmt.Errorf("exam: attempt %s names question %s outside the pool", row.ID, d.ID)
		}
		// At most six options: a look along them, not a map per question per view.
		sq := ShownQuestion{ID: d.ID, Section: d.Section, Stem: full.Stem, Options: make([]Option, len(d.Options))}
		for i, k := range d.Options {
			sq.Options[i].Key = k
			for _, o := range full.Options {
				if o.Key == k {
					sq.Options[i].Text = o.Text
					break
				}
			}
		}
		v.Questions = append(v.Questions, sq)
	}
	if q == nil {
		return v, nil
	}
	var answers []struct {
		QuestionID string  `db:"question_id"`
		Choice     *string `db:"choice"`
		Flagged    bool    `db:"flagged"`
		Seq        int64   `db:"seq"`
	}
	if err := sqlx.SelectContext(ctx, q, &answers, `SELECT question_id, choice, flagged, seq FROM answers WHERE attempt_id = $1`, row.ID); err != nil {
		return AttemptView{}, fmt.Errorf("exam: answers: %w", err)
	}
	for _, a := range answers {
		v.Answers[a.QuestionID] = AnswerState{Choice: a.Choice, Flagged: a.Flagged, Seq: a.Seq}
	}
	return v, nil
}

// Start begins an attempt of a published exam for a candidate, or returns the
// running one (created is false then). The draw is made from a fresh random seed
// and stored. It returns ErrNotEligible, ErrNotFound (no such published exam),
// ErrExamNotOpen outside the window, or ErrAttemptsExhausted.
func (s *Store) Start(ctx context.Context, candidateID, examID string) (AttemptView, bool, error) {
	if s.starter != nil {
		// The common case of a storm, a first start of a published exam, goes in
		// a batch; whatever the batch does not make takes the full path.
		if f, err := s.frozen(ctx, examID); err == nil {
			p := newPendingStart(candidateID, f)
			out, err := s.starter.Do(ctx, p)
			if err != nil {
				return AttemptView{}, false, err
			}
			if !out.fallback {
				v, err := s.viewDrawn(ctx, nil, f, out.row, p.drawn) // a new attempt has no answers to read
				return v, err == nil, err
			}
		}
	}
	return s.startUnbatched(ctx, candidateID, examID)
}

// startUnbatched is Start's full path, in a function of its own so that its
// locals are not in the frame of every batched start while it waits (see
// handlers' logRequest: the stacks of a storm's 10,000 waiting starts).
//
//go:noinline
func (s *Store) startUnbatched(ctx context.Context, candidateID, examID string) (AttemptView, bool, error) {
	var cand struct {
		Eligible   bool   `db:"eligible"`
		NationalID string `db:"national_id"`
	}
	err := database.Check(s.DB.GetContext(ctx, &cand, `SELECT eligible, national_id FROM candidates WHERE id = $1`, candidateID))
	if errors.Is(err, database.ErrNotFound) {
		return AttemptView{}, false, ErrNotFound
	}
	if err != nil {
		return AttemptView{}, false, fmt.Errorf("exam: start: %w", err)
	}
	if !cand.Eligible {
		return AttemptView{}, false, ErrNotEligible
	}
	f, err := s.frozen(ctx, examID)
	if err != nil {
		return AttemptView{}, false, err
	}
	return s.startFull(ctx, f, audit.Actor{Kind: "candidate", ID: candidateID, Name: cand.NationalID})
}

// startFull is Start's full path, one transaction per start: it resumes a
// running attempt, finishes an expired one, tells why no attempt may start, or
// makes the next attempt.
func (s *Store) startFull(ctx context.Context, f *frozenExam, actor audit.Actor) (AttemptView, bool, error) {
	for try := 0; ; try++ {
		v, created, err := s.startOnce(ctx, f, actor)
		// Two starts racing: the loser finds the winner's attempt on its next
		// try. An expired attempt was just finished (and that is committed): try
		// again for a new one.
		if (errors.Is(err, database.ErrConflict) || errors.Is(err, errFinishedExpired)) && try < 3 {
			continue
		}
		return v, created, err
	}
}

// errFinishedExpired tells Start that startOnce finished an expired attempt and
// committed that, and that it should look again.
var errFinishedExpired = errors.New("exam: finished an expired attempt")

func (s *Store) startOnce(ctx context.Context, f *frozenExam, actor audit.Actor) (AttemptView, bool, error) {
	candidateID := actor.ID
	var v AttemptView
	created, expiredFinished := false, false
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		// One look for the common case, a first start: how many attempts, and
		// whether one runs (only then is it read again, locked).
		var mine struct {
			Used    int  `db:"used"`
			Running bool `db:"running"`
		}
		if err := tx.GetContext(ctx, &mine, `SELECT count(*) AS used, coalesce(bool_or(finish_reason IS NULL), false) AS running
			FROM attempts WHERE exam_id = $1 AND candidate_id = $2`, f.exam.ID, candidateID); err != nil {
			return fmt.Errorf("exam: start: %w", err)
		}
		err := database.ErrNotFound
		var running attemptRow
		if mine.Running {
			err = database.Check(tx.GetContext(ctx, &running, `SELECT `+attemptColumns+` FROM attempts
				WHERE exam_id = $1 AND candidate_id = $2 AND finish_reason IS NULL FOR UPDATE`, f.exam.ID, candidateID))
		}
		switch {
		case err == nil && !running.Expired:
			v, err = s.view(ctx, tx, f, running)
			return err
		case err == nil:
			// Finished on this access, whatever the start decides next: commit
			// the timeout on its own.
			if err := s.finish(ctx, tx, running.ID, ReasonTimeout, audit.System); err != nil {
				return err
			}
			expiredFinished = true
			return nil
		case !errors.Is(err, database.ErrNotFound):
			return fmt.Errorf("exam: start: %w", err)
		}
		used := mine.Used
		seed, _, qj, aj := drawFresh(f)
		// The window check, the accommodation and the deadline come from the
		// database in the same statement that starts the attempt.
		const ins = `INSERT INTO attempts (exam_id, candidate_id, number, seed, questions, allowed, deadline_at, grace_seconds, extra_seconds)
			SELECT e.id, $2, $3, $4, $5, $6,
				least(now() + make_interval(secs => e.duration_seconds + x.extra), e.closes_at + make_interval(secs => x.extra)),
				e.grace_seconds, x.extra
			FROM exams e,
				(SELECT coalesce((SELECT extra_seconds FROM accommodations WHERE exam_id = $1 AND candidate_id = $2), 0) AS extra) x
			WHERE e.id = $1 AND e.status = 'published' AND e.opens_at <= now() AND now() < e.closes_at
				AND $3 <= e.max_attempts
			RETURNING ` + attemptColumns
		var row attemptRow
		err = database.Check(tx.GetContext(ctx, &row, ins, f.exam.ID, candidateID, used+1, int64(seed), string(qj), string(aj)))
		if errors.Is(err, database.ErrNotFound) {
			var open bool
			if err := tx.GetContext(ctx, &open, `SELECT status = 'published' AND opens_at <= now() AND now() < closes_at FROM exams WHERE id = $1`, f.exam.ID); err != nil {
				return fmt.Errorf("exam: start: %w", err)
			}
			if !open {
				return ErrExamNotOpen
			}
			return ErrAttemptsExhausted
		}
		if err != nil {
			return err
		}
		created = true
		if v, err = s.view(ctx, nil, f, row); err != nil { // a new attempt has no answers to read
			return err
		}
		// Last before the commit: the chain head is held as briefly as it can be.
		return audit.Append(ctx, tx, actor, audit.Entry{
			Action: "attempt.start", ObjectType: "attempt", ObjectID: row.ID,
			Details: map[string]any{"exam_id": f.exam.ID, "number": row.Number, "seed": fmt.Sprint(seed),
				"deadline_at": row.DeadlineAt.UTC(), "extra_seconds": row.ExtraSeconds},
		})
	})
	if err == nil && expiredFinished {
		return v, false, errFinishedExpired
	}
	return v, created, err
}

// getAttempt reads a candidate's attempt, locking it when lock is set; another
// candidate's attempt is ErrNotFound, as is an id that is not a UUID.
func getAttempt(ctx context.Context, q sqlx.QueryerContext, candidateID, attemptID string, lock bool) (attemptRow, error) {
	var row attemptRow
	if !database.IsUUID(attemptID) {
		return row, ErrNotFound
	}
	stmt := `SELECT ` + attemptColumns + ` FROM attempts WHERE id = $1 AND candidate_id = $2`
	if lock {
		stmt += ` FOR UPDATE`
	}
	err := database.Check(sqlx.GetContext(ctx, q, &row, stmt, attemptID, candidateID))
	if errors.Is(err, database.ErrNotFound) {
		return row, ErrNotFound
	}
	if err != nil {
		return row, fmt.Errorf("exam: get attempt: %w", err)
	}
	return row, nil
}

// Attempt returns a candidate's attempt; one past its deadline and grace is
// finished as a timeout first. It returns ErrNotFound for another's attempt.
func (s *Store) Attempt(ctx context.Context, candidateID, attemptID string) (AttemptView, error) {
	row, err := getAttempt(ctx, s.DB, candidateID, attemptID, false)
	if err != nil {
		return AttemptView{}, err
	}
	if row.FinishReason == nil && row.Expired {
		return s.Submit(ctx, candidateID, attemptID)
	}
	f, err := s.frozen(ctx, row.ExamID)
	if err != nil {
		return AttemptView{}, err
	}
	return s.view(ctx, s.DB, f, row)
}

// SaveRequest is one answer as the candidate's browser sends it.
type SaveRequest struct {
	Choice  *string `json:"choice"`
	Flagged bool    `json:"flagged"`
	Seq     *int64  `json:"seq"`
}

// Saved acknowledges a save.
type Saved struct {
	SavedAt     time.Time `json:"saved_at"`
	ServerNow   time.Time `json:"server_now"`
	DeadlineAt  time.Time `json:"deadline_at"`
	RemainingMS int64     `json:"remaining_ms"`
}

// Save stores one answer of a running attempt. The time check and the write are
// one statement that also takes a share lock on the attempt, so a save can never
// slip in after a submit or a timeout committed. A save whose seq is not above
// the stored one is acknowledged without overwriting. It returns ErrNotFound,
// ErrTimeOver, ErrAttemptFinished, or an *input.Error for an unknown question or
// choice.
func (s *Store) Save(ctx context.Context, candidateID, attemptID, questionID string, r SaveRequest) (Saved, error) {
	if !database.IsUUID(attemptID) {
		return Saved{}, ErrNotFound
	}
	p, badQuestion, badChoice := r.check(questionID)
	if badQuestion || badChoice {
		// Still tell a stranger's attempt apart from a bad question: 404 first.
		if _, err := getAttempt(ctx, s.DB, candidateID, attemptID, false); err != nil {
			return Saved{}, err
		}
		if badQuestion {
			p.Add("question_id", "unknown_question")
		} else {
			p.Add("choice", "not_an_option")
		}
	}
	if err := p.Err(); err != nil {
		return Saved{}, err
	}
	out, err := s.save(ctx, &pendingSave{candidateID: candidateID, attemptID: attemptID, questionID: questionID,
		choice: r.Choice, flagged: r.Flagged, seq: *r.Seq})
	if err != nil {
		return Saved{}, err
	}
	if !out.refused {
		return out.saved, nil
	}
	return s.refusedSave(ctx, candidateID, attemptID, questionID, r)
}

// SaveWithSession is Save for a request whose session is not checked yet: the
// save's own statement also checks that token is a live candidate session, notes
// its use and matches the attempt to its candidate — one round trip and one
// batch instead of a session lookup and then the save. A save that request
// makes with a stale session, or that is refused for any other reason, takes
// the slow path: the session is looked up on its own first (auth.ErrNoSession,
// auth.ErrWrongKind), then Save answers as it would.
func (s *Store) SaveWithSession(ctx context.Context, token, attemptID, questionID string, r SaveRequest) (Saved, error) {
	if s.Sessions == nil {
		return Saved{}, errors.New("exam: no sessions configured")
	}
	if p, badQuestion, badChoice := r.check(questionID); token != "" && database.IsUUID(attemptID) &&
		p.Err() == nil && !badQuestion && !badChoice {
		out, err := s.save(ctx, &pendingSave{tokenHash: auth.TokenHash(token), attemptID: attemptID, questionID: questionID,
			choice: r.Choice, flagged: r.Flagged, seq: *r.Seq})
		if err != nil {
			return Saved{}, err
		}
		if !out.refused {
			return out.saved, nil
		}
	}
	candidateID, err := s.Sessions.Subject(ctx, token, auth.KindCandidate)
	if err != nil {
		return Saved{}, err
	}
	return s.Save(ctx, candidateID, attemptID, questionID, r)
}

// check normalises the choice and tells what is wrong with r on its face: the
// field errors so far, a question id that is no UUID, a choice that is no option
// letter.
func (r *SaveRequest) check(questionID string) (p *input.Error, badQuestion, badChoice bool) {
	p = &input.Error{}
	if r.Seq == nil {
		p.Add("seq", "required")
	} else if *r.Seq < 0 {
		p.Add("seq", "too_small")
	}
	if r.Choice != nil {
		c := strings.ToLower(strings.TrimSpace(*r.Choice))
		r.Choice = &c
	}
	badQuestion = !database.IsUUID(questionID)
	badChoice = r.Choice != nil && (len(*r.Choice) != 1 || !strings.Contains(optionKeys, *r.Choice))
	return p, badQuestion, badChoice
}

// save runs one checked save through the batches (or alone, without them).
func (s *Store) save(ctx context.Context, ps *pendingSave) (saveOutcome, error) {
	if s.batcher != nil {
		return s.batcher.Do(ctx, ps)
	}
	outs, err := s.saveBatch(ctx, []*pendingSave{ps})
	if err != nil {
		return saveOutcome{}, err
	}
	return outs[0], nil
}

// refusedSave finds out why a save wrote nothing, on the rare path.
func (s *Store) refusedSave(ctx context.Context, candidateID, attemptID, questionID string, r SaveRequest) (Saved, error) {
	const q = `SELECT a.finish_reason IS NOT NULL AS finished,
			now() > a.deadline_at + make_interval(secs => a.grace_seconds) AS expired,
			a.allowed ? $3::text AS known_question,
			coalesce($4::text IS NULL OR (a.allowed -> $3::text) ? $4::text, false) AS known_choice,
			ans.seq AS stored_seq, ans.saved_at AS stored_at, a.deadline_at, now() AS db_now
		FROM attempts a LEFT JOIN answers ans ON ans.attempt_id = a.id AND ans.question_id = $3::uuid
		WHERE a.id = $1 AND a.candidate_id = $2`
	var why struct {
		Finished      bool       `db:"finished"`
		Expired       bool       `db:"expired"`
		KnownQuestion bool       `db:"known_question"`
		KnownChoice   bool       `db:"known_choice"`
		StoredSeq     *int64     `db:"stored_seq"`
		StoredAt      *time.Time `db:"stored_at"`
		DeadlineAt    time.Time  `db:"deadline_at"`
		Now           time.Time  `db:"db_now"`
	}
	err := database.Check(s.DB.GetContext(ctx, &why, q, attemptID, candidateID, questionID, r.Choice))
	switch {
	case errors.Is(err, database.ErrNotFound):
		return Saved{}, ErrNotFound
	case err != nil:
		return Saved{}, fmt.Errorf("exam: save: %w", err)
	case !why.KnownQuestion:
		return Saved{}, input.Invalid("question_id", "unknown_question")
	case !why.KnownChoice:
		return Saved{}, input.Invalid("choice", "not_an_option")
	case why.StoredSeq != nil && *why.StoredSeq >= *r.Seq:
		// A retry of a save already acknowledged: acknowledge it again.
		return Saved{SavedAt: why.StoredAt.UTC(), ServerNow: why.Now.UTC(), DeadlineAt: why.DeadlineAt.UTC(),
			RemainingMS: remainingMS(why.DeadlineAt, why.Now)}, nil
	case why.Finished:
		return Saved{}, ErrAttemptFinished
	case why.Expired:
		if _, err := s.Submit(ctx, candidateID, attemptID); err != nil {
			return Saved{}, err
		}
		return Saved{}, ErrTimeOver
	}
	// The attempt changed between the two statements (e.g. it was just
	// submitted); the save was not stored.
	return Saved{}, ErrAttemptFinished
}

// Submit hands in a candidate's attempt, or finishes it as a timeout when past
// its deadline and grace. Submitting a finished attempt returns it unchanged.
// It returns ErrNotFound for another's attempt.
func (s *Store) Submit(ctx context.Context, candidateID, attemptID string) (AttemptView, error) {
	var v AttemptView
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		row, err := getAttempt(ctx, tx, candidateID, attemptID, true)
		if err != nil {
			return err
		}
		if row.FinishReason == nil {
			reason, actor := ReasonSubmitted, audit.Actor{Kind: "candidate", ID: candidateID, Name: candidateID}
			if row.Expired {
				reason, actor = ReasonTimeout, audit.System
			}
			if err := s.finish(ctx, tx, row.ID, reason, actor); err != nil {
				return err
			}
			if row, err = getAttempt(ctx, tx, candidateID, attemptID, false); err != nil {
				return err
			}
		}
		f, err := s.frozen(ctx, row.ExamID)
		if err != nil {
			return err
		}
		v, err = s.view(ctx, tx, f, row)
		return err
	})
	return v, err
}

// finish ends a running attempt that tx has locked: it hashes the final answers,
// signs the receipt and writes the audit row. A timeout is dated at the end of
// its grace, a submission at the database's now.
func (s *Store) finish(ctx context.Context, tx *sqlx.Tx, attemptID, reason string, actor audit.Actor) error {
	if s.Receipts == nil {
		return errors.New("exam: no receipt signer configured")
	}
	var info struct {
		ExamID      string          `db:"exam_id"`
		Questions   json.RawMessage `db:"questions"`
		NationalID  string          `db:"national_id"`
		SubmittedAt time.Time       `db:"submitted_at"`
	}
	const q = `SELECT a.exam_id, a.questions, c.national_id,
			CASE WHEN $2 = 'timeout' THEN least(now(), a.deadline_at + make_interval(secs => a.grace_seconds)) ELSE now() END AS submitted_at
		FROM attempts a JOIN candidates c ON c.id = a.candidate_id WHERE a.id = $1`
	if err := tx.GetContext(ctx, &info, q, attemptID, reason); err != nil {
		return fmt.Errorf("exam: finish: %w", err)
	}
	var answers []struct {
		QuestionID string  `db:"question_id"`
		Choice     *string `db:"choice"`
	}
	if err := tx.SelectContext(ctx, &answers, `SELECT question_id, choice FROM answers WHERE attempt_id = $1 AND choice IS NOT NULL ORDER BY question_id`, attemptID); err != nil {
		return fmt.Errorf("exam: finish: %w", err)
	}
	h := sha256.New()
	for _, a := range answers {
		fmt.Fprintf(h, "%s:%s\n", a.QuestionID, *a.Choice)
	}
	sum := h.Sum(nil)
	receipt, err := s.Receipts.Sign(receipts.Payload{
		AttemptID: attemptID, ExamID: info.ExamID, NationalID: info.NationalID,
		FinishReason: reason, SubmittedAt: info.SubmittedAt, AnswersSHA256: hex.EncodeToString(sum),
	})
	if err != nil {
		return err
	}
	// Scored in the same transaction that finishes the attempt.
	chosen := make(map[string]string, len(answers))
	for _, a := range answers {
		chosen[a.QuestionID] = *a.Choice
	}
	score, err := s.scoreOne(ctx, tx, info.ExamID, info.Questions, chosen)
	if err != nil {
		return err
	}
	sections, _ := json.Marshal(score.Sections)
	res, err := tx.ExecContext(ctx, `UPDATE attempts SET finish_reason = $2, submitted_at = $3, answers_hash = $4, receipt = $5,
			score = $6, max_score = $7, percent = $8, passed = $9, section_scores = $10, scored_at = now()
		WHERE id = $1 AND finish_reason IS NULL`, attemptID, reason, info.SubmittedAt, sum, receipt,
		score.Score, score.Max, score.Percent, score.Passed, string(sections))
	if err != nil {
		return fmt.Errorf("exam: finish: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("exam: finish: attempt %s was already finished", attemptID)
	}
	if actor.Kind == "candidate" {
		actor.Name = info.NationalID // the log names candidates by national ID
	}
	return audit.Append(ctx, tx, actor, audit.Entry{Action: "attempt." + map[string]string{ReasonSubmitted: "submit", ReasonTimeout: "timeout"}[reason],
		ObjectType: "attempt", ObjectID: attemptID,
		Details: map[string]any{"exam_id": info.ExamID, "answered": len(answers), "answers_sha256": hex.EncodeToString(sum),
			"submitted_at": info.SubmittedAt.UTC()}})
}

// SweepExpired finishes, as timeouts, up to limit running attempts that are past
// their deadline and grace. Any number of instances may sweep at once: each takes
// the rows no one else holds (SKIP LOCKED), so each attempt is finished once.
func (s *Store) SweepExpired(ctx context.Context, limit int) (int, error) {
	n := 0
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var ids []string
		const q = `SELECT id FROM attempts
			WHERE finish_reason IS NULL AND now() > deadline_at + make_interval(secs => grace_seconds)
			ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED`
		if err := tx.SelectContext(ctx, &ids, q, limit); err != nil {
			return fmt.Errorf("exam: sweep: %w", err)
		}
		// Finish in ascending audit-chain order: two sweepers then take the chain
		// heads in the same order and cannot deadlock.
		sort.Slice(ids, func(i, j int) bool {
			ci, cj := audit.ChainOf("attempt", ids[i]), audit.ChainOf("attempt", ids[j])
			return ci < cj || (ci == cj && ids[i] < ids[j])
		})
		for _, id := range ids {
			if err := s.finish(ctx, tx, id, ReasonTimeout, audit.System); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// CandidateExam is an exam as listed for a candidate.
type CandidateExam struct {
	ID               string        `json:"id" db:"id"`
	Title            string        `json:"title" db:"title"`
	OpensAt          time.Time     `json:"opens_at" db:"opens_at"`
	ClosesAt         time.Time     `json:"closes_at" db:"closes_at"`
	DurationSeconds  int           `json:"duration_seconds" db:"duration_seconds"`
	PassPercent      float64       `json:"pass_percent" db:"pass_percent"`
	MaxAttempts      int           `json:"max_attempts" db:"max_attempts"`
	Status           string        `json:"status" db:"status"`
	OpenNow          bool          `json:"open_now" db:"open_now"`
	AttemptsUsed     int           `json:"attempts_used" db:"attempts_used"`
	ResultsPublished bool          `json:"results_published" db:"results_published"`
	QuestionCount    int           `json:"question_count" db:"-"`
	GraceSeconds     int           `json:"grace_seconds" db:"-"`
	PointsCorrect    float64       `json:"points_correct" db:"-"`
	PenaltyWrong     Ratio         `json:"penalty_wrong" db:"-"`
	PenaltyFraction  string        `json:"penalty_wrong_fraction" db:"-"`
	Sections         []SectionSpec `json:"sections" db:"-"`
	Attempt          *AttemptRef   `json:"attempt,omitempty" db:"-"`
	AttemptID        *string       `json:"-" db:"attempt_id"`
	AttemptReason    *string       `json:"-" db:"attempt_reason"`
}

// AttemptRef names a candidate's latest attempt of an exam.
type AttemptRef struct {
	ID           string  `json:"id"`
	State        string  `json:"state"`
	FinishReason *string `json:"finish_reason,omitempty"`
}

// CandidateExams lists the published exams open now or opening within 30 days,
// and every exam the candidate has sat, with the latest attempt.
func (s *Store) CandidateExams(ctx context.Context, candidateID string) ([]CandidateExam, error) {
	const q = `SELECT e.id, e.title, e.opens_at, e.closes_at, e.duration_seconds, e.pass_percent, e.max_attempts,
			e.status, e.results_published,
			(e.status = 'published' AND e.opens_at <= now() AND now() < e.closes_at) AS open_now,
			(SELECT count(*) FROM attempts a WHERE a.exam_id = e.id AND a.candidate_id = $1) AS attempts_used,
			l.id AS attempt_id, l.finish_reason AS attempt_reason
		FROM exams e
		LEFT JOIN LATERAL (SELECT a.id, a.finish_reason FROM attempts a WHERE a.exam_id = e.id AND a.candidate_id = $1
			ORDER BY a.number DESC LIMIT 1) l ON true
		WHERE (e.status = 'published' AND e.closes_at > now() AND e.opens_at < now() + interval '30 days')
			OR l.id IS NOT NULL
		ORDER BY e.opens_at, e.id`
	var list []CandidateExam
	if err := s.DB.SelectContext(ctx, &list, q, candidateID); err != nil {
		return nil, fmt.Errorf("exam: candidate exams: %w", err)
	}
	for i := range list {
		e := &list[i]
		e.OpensAt, e.ClosesAt = e.OpensAt.UTC(), e.ClosesAt.UTC()
		if f, err := s.frozen(ctx, e.ID); err == nil {
			e.Sections = f.exam.Sections
			e.GraceSeconds, e.PointsCorrect = f.exam.GraceSeconds, f.exam.PointsCorrect
			e.PenaltyWrong, e.PenaltyFraction = f.exam.PenaltyWrong, f.exam.PenaltyFraction
			for _, sec := range f.exam.Sections {
				e.QuestionCount += sec.Draw
			}
		}
		if e.AttemptID != nil {
			ref := &AttemptRef{ID: *e.AttemptID, State: StateRunning, FinishReason: e.AttemptReason}
			if e.AttemptReason != nil {
				ref.State = StateSubmitted
			}
			e.Attempt = ref
		}
	}
	if list == nil {
		list = []CandidateExam{}
	}
	return list, nil
}
