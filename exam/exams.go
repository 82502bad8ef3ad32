package exam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/persian"
)

// Exam statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusClosed    = "closed"
)

// Ratio is an exact non-negative fraction, such as the penalty 1/3 of a wrong
// answer. In JSON it is a number (0.25) or a string ("1/3", "0.25").
type Ratio struct {
	Num, Den int64
}

// UnmarshalJSON accepts a JSON number or a string holding a fraction or decimal.
func (r *Ratio) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	rat, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || !rat.Num().IsInt64() || !rat.Denom().IsInt64() || rat.Denom().Int64() > 1_000_000 {
		return &json.UnmarshalTypeError{Value: "string", Type: reflect.TypeOf(Ratio{})}
	}
	r.Num, r.Den = rat.Num().Int64(), rat.Denom().Int64()
	return nil
}

// MarshalJSON writes the ratio as a number.
func (r Ratio) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(r.Float(), 'f', -1, 64)), nil
}

// Float returns the ratio as a float64 (for display only; scoring uses Rat).
func (r Ratio) Float() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// Rat returns the exact ratio.
func (r Ratio) Rat() *big.Rat {
	if r.Den == 0 {
		return new(big.Rat)
	}
	return big.NewRat(r.Num, r.Den)
}

// String writes the ratio as a fraction "1/3", or "0".
func (r Ratio) String() string { return r.Rat().RatString() }

// SectionSpec is one section of an exam: how many questions to draw from the
// bank's section Key and the minimum percent a candidate must reach in it.
type SectionSpec struct {
	Key        string  `json:"key"`
	Title      string  `json:"title"`
	Draw       int     `json:"draw"`
	MinPercent float64 `json:"min_percent"`
}

// ExamRequest is an exam as an admin writes it.
type ExamRequest struct {
	Title                  string        `json:"title"`
	Sections               []SectionSpec `json:"sections"`
	DurationSeconds        int           `json:"duration_seconds"`
	OpensAt                *time.Time    `json:"opens_at"`
	ClosesAt               *time.Time    `json:"closes_at"`
	GraceSeconds           int           `json:"grace_seconds"`
	ShuffleQuestions       bool          `json:"shuffle_questions"`
	ShuffleOptions         bool          `json:"shuffle_options"`
	PointsCorrect          *float64      `json:"points_correct"`
	PenaltyWrong           *Ratio        `json:"penalty_wrong"`
	PassPercent            *float64      `json:"pass_percent"`
	MaxAttempts            int           `json:"max_attempts"`
	ObjectionWindowSeconds *int          `json:"objection_window_seconds"`
}

// Exam is an exam as stored.
type Exam struct {
	ID                     string        `json:"id" db:"id"`
	Title                  string        `json:"title" db:"title"`
	Sections               []SectionSpec `json:"sections" db:"-"`
	DurationSeconds        int           `json:"duration_seconds" db:"duration_seconds"`
	OpensAt                time.Time     `json:"opens_at" db:"opens_at"`
	ClosesAt               time.Time     `json:"closes_at" db:"closes_at"`
	GraceSeconds           int           `json:"grace_seconds" db:"grace_seconds"`
	ShuffleQuestions       bool          `json:"shuffle_questions" db:"shuffle_questions"`
	ShuffleOptions         bool          `json:"shuffle_options" db:"shuffle_options"`
	PointsCorrect          float64       `json:"points_correct" db:"points_correct"`
	PenaltyWrong           Ratio         `json:"penalty_wrong" db:"-"`
	PenaltyFraction        string        `json:"penalty_wrong_fraction" db:"-"`
	PassPercent            float64       `json:"pass_percent" db:"pass_percent"`
	MaxAttempts            int           `json:"max_attempts" db:"max_attempts"`
	ObjectionWindowSeconds int           `json:"objection_window_seconds" db:"objection_window_seconds"`
	Status                 string        `json:"status" db:"status"`
	ResultsPublished       bool          `json:"results_published" db:"results_published"`
	CreatedAt              time.Time     `json:"created_at" db:"created_at"`
	UpdatedAt              time.Time     `json:"updated_at" db:"updated_at"`
	PublishedAt            *time.Time    `json:"published_at" db:"published_at"`
	ClosedAt               *time.Time    `json:"closed_at" db:"closed_at"`
	// PoolSizes is, per section, the size of the frozen pool once published, or the
	// number of active questions in the bank while a draft.
	PoolSizes map[string]int `json:"pool_sizes" db:"-"`

	PenaltyNum int64 `json:"-" db:"penalty_num"`
	PenaltyDen int64 `json:"-" db:"penalty_den"`
}

// Defaults of an exam when the request leaves them out.
const (
	defaultObjectionWindow = 72 * 60 * 60
	maxDuration            = 24 * 60 * 60
)

// check normalises r and returns every problem at once; counts holds the active
// questions per bank section, to check each section's draw against its pool.
func (r *ExamRequest) check(counts map[string]int) error {
	p := &input.Error{}
	// Normalised in place: work on a copy, never on the caller's sections.
	r.Sections = slices.Clone(r.Sections)
	r.Title = persian.Text(r.Title)
	switch n := len([]rune(r.Title)); {
	case n == 0:
		p.Add("title", "required")
	case n > 200:
		p.Add("title", "too_long")
	}
	if len(r.Sections) == 0 {
		p.Add("sections", "required")
	}
	if len(r.Sections) > 20 {
		p.Add("sections", "too_many")
	}
	seen := map[string]bool{}
	for i := range r.Sections {
		s := &r.Sections[i]
		f := "sections[" + strconv.Itoa(i) + "]"
		s.Key = strings.ToLower(strings.TrimSpace(s.Key))
		s.Title = persian.Text(s.Title)
		switch {
		case s.Key == "":
			p.Add(f+".key", "required")
		case !sectionKeyRE.MatchString(s.Key):
			p.Add(f+".key", "invalid")
		case seen[s.Key]:
			p.Add(f+".key", "duplicate")
		}
		seen[s.Key] = true
		if s.Title == "" {
			s.Title = s.Key
		}
		if len([]rune(s.Title)) > 200 {
			p.Add(f+".title", "too_long")
		}
		switch {
		case s.Draw <= 0:
			p.Add(f+".draw", "too_small")
		case s.Draw > counts[s.Key]:
			p.Add(f+".draw", "pool_too_small")
		}
		if s.MinPercent < 0 || s.MinPercent > 100 {
			p.Add(f+".min_percent", "out_of_range")
		}
	}
	switch {
	case r.DurationSeconds <= 0:
		p.Add("duration_seconds", "too_small")
	case r.DurationSeconds > maxDuration:
		p.Add("duration_seconds", "too_large")
	}
	if r.OpensAt == nil {
		p.Add("opens_at", "required")
	}
	if r.ClosesAt == nil {
		p.Add("closes_at", "required")
	}
	if r.OpensAt != nil && r.ClosesAt != nil && !r.ClosesAt.After(*r.OpensAt) {
		p.Add("closes_at", "not_after_opens_at")
	}
	if r.GraceSeconds < 0 || r.GraceSeconds > 3600 {
		p.Add("grace_seconds", "out_of_range")
	}
	if r.PointsCorrect == nil {
		one := 1.0
		r.PointsCorrect = &one
	} else if *r.PointsCorrect <= 0 || *r.PointsCorrect > 1000 {
		p.Add("points_correct", "out_of_range")
	}
	if r.PenaltyWrong == nil {
		r.PenaltyWrong = &Ratio{0, 1}
	} else if r.PenaltyWrong.Num < 0 || r.PenaltyWrong.Den <= 0 || r.PenaltyWrong.Float() > 10 {
		p.Add("penalty_wrong", "out_of_range")
	}
	if r.PassPercent == nil {
		p.Add("pass_percent", "required")
	} else if *r.PassPercent < 0 || *r.PassPercent > 100 {
		p.Add("pass_percent", "out_of_range")
	}
	if r.MaxAttempts == 0 {
		r.MaxAttempts = 1
	} else if r.MaxAttempts < 0 || r.MaxAttempts > 10 {
		p.Add("max_attempts", "out_of_range")
	}
	if r.ObjectionWindowSeconds == nil {
		w := defaultObjectionWindow
		r.ObjectionWindowSeconds = &w
	} else if *r.ObjectionWindowSeconds < 0 || *r.ObjectionWindowSeconds > 90*24*3600 {
		p.Add("objection_window_seconds", "out_of_range")
	}
	return p.Err()
}

// activeCounts returns the active questions per section, read in q (a tx or db).
func activeCounts(ctx context.Context, q sqlx.QueryerContext) (map[string]int, error) {
	var rows []struct {
		Section string `db:"section"`
		N       int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT section, count(*) AS n FROM questions WHERE status = 'active' GROUP BY section`); err != nil {
		return nil, fmt.Errorf("exam: section counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Section] = r.N
	}
	return out, nil
}

const examColumns = `id, title, duration_seconds, opens_at, closes_at, grace_seconds, shuffle_questions,
	shuffle_options, points_correct, penalty_num, penalty_den, pass_percent, max_attempts,
	objection_window_seconds, status, results_published, created_at, updated_at, published_at, closed_at`

// getExam reads one exam with its sections and pool sizes.
func getExam(ctx context.Context, q sqlx.QueryerContext, id string, lock bool) (Exam, error) {
	if !database.IsUUID(id) {
		return Exam{}, ErrNotFound
	}
	stmt := `SELECT ` + examColumns + ` FROM exams WHERE id = $1`
	if lock {
		stmt += ` FOR UPDATE`
	}
	var e Exam
	err := database.Check(sqlx.GetContext(ctx, q, &e, stmt, id))
	if errors.Is(err, database.ErrNotFound) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("exam: get exam: %w", err)
	}
	if err := fillExam(ctx, q, &e); err != nil {
		return e, err
	}
	return e, nil
}

func fillExam(ctx context.Context, q sqlx.QueryerContext, e *Exam) error {
	e.PenaltyWrong = Ratio{e.PenaltyNum, e.PenaltyDen}
	e.PenaltyFraction = e.PenaltyWrong.String()
	e.OpensAt, e.ClosesAt, e.CreatedAt, e.UpdatedAt = e.OpensAt.UTC(), e.ClosesAt.UTC(), e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	e.Sections = []SectionSpec{}
	const sq = `SELECT key, title, draw, min_percent FROM exam_sections WHERE exam_id = $1 ORDER BY position`
	var rows []struct {
		Key        string  `db:"key"`
		Title      string  `db:"title"`
		Draw       int     `db:"draw"`
		MinPercent float64 `db:"min_percent"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, sq, e.ID); err != nil {
		return fmt.Errorf("exam: sections: %w", err)
	}
	for _, r := range rows {
		e.Sections = append(e.Sections, SectionSpec(r))
	}
	e.PoolSizes = map[string]int{}
	if e.Status == StatusDraft {
		counts, err := activeCounts(ctx, q)
		if err != nil {
			return err
		}
		for _, s := range e.Sections {
			e.PoolSizes[s.Key] = counts[s.Key]
		}
		return nil
	}
	var pools []struct {
		Key string `db:"section_key"`
		N   int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, q, &pools, `SELECT section_key, count(*) AS n FROM exam_pool WHERE exam_id = $1 GROUP BY section_key`, e.ID); err != nil {
		return fmt.Errorf("exam: pool sizes: %w", err)
	}
	for _, p := range pools {
		e.PoolSizes[p.Key] = p.N
	}
	return nil
}

// Exam returns one exam with its sections, or ErrNotFound.
func (s *Store) Exam(ctx context.Context, id string) (Exam, error) {
	return getExam(ctx, s.DB, id, false)
}

// Exams returns every exam, newest first.
func (s *Store) Exams(ctx context.Context) ([]Exam, error) {
	var list []Exam
	if err := s.DB.SelectContext(ctx, &list, `SELECT `+examColumns+` FROM exams ORDER BY created_at DESC, id`); err != nil {
		return nil, fmt.Errorf("exam: list exams: %w", err)
	}
	for i := range list {
		if err := fillExam(ctx, s.DB, &list[i]); err != nil {
			return nil, err
		}
	}
	if list == nil {
		list = []Exam{}
	}
	return list, nil
}

func writeSections(ctx context.Context, tx *sqlx.Tx, examID string, sections []SectionSpec) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM exam_sections WHERE exam_id = $1`, examID); err != nil {
		return fmt.Errorf("exam: sections: %w", err)
	}
	for i, s := range sections {
		if _, err := tx.ExecContext(ctx, `INSERT INTO exam_sections (exam_id, position, key, title, draw, min_percent) VALUES ($1, $2, $3, $4, $5, $6)`,
			examID, i, s.Key, s.Title, s.Draw, s.MinPercent); err != nil {
			return fmt.Errorf("exam: sections: %w", err)
		}
	}
	return nil
}

// CreateExam stores a draft exam, audited. It returns an *input.Error naming
// every wrong field, including a section whose pool is smaller than its draw.
func (s *Store) CreateExam(ctx context.Context, actor audit.Actor, r ExamRequest) (Exam, error) {
	var e Exam
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		counts, err := activeCounts(ctx, tx)
		if err != nil {
			return err
		}
		if err := r.check(counts); err != nil {
			return err
		}
		const q = `INSERT INTO exams (title, duration_seconds, opens_at, closes_at, grace_seconds, shuffle_questions,
				shuffle_options, points_correct, penalty_num, penalty_den, pass_percent, max_attempts,
				objection_window_seconds, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`
		var id string
		if err := tx.GetContext(ctx, &id, q, r.Title, r.DurationSeconds, r.OpensAt, r.ClosesAt, r.GraceSeconds,
			r.ShuffleQuestions, r.ShuffleOptions, *r.PointsCorrect, r.PenaltyWrong.Num, r.PenaltyWrong.Den,
			*r.PassPercent, r.MaxAttempts, *r.ObjectionWindowSeconds, officialID(actor)); err != nil {
			return fmt.Errorf("exam: create: %w", err)
		}
		if err := writeSections(ctx, tx, id, r.Sections); err != nil {
			return err
		}
		if e, err = getExam(ctx, tx, id, false); err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "exam.create", ObjectType: "exam", ObjectID: id, Details: e})
	})
	return e, err
}

// UpdateExam rewrites a draft exam, audited with its state before and after. It
// returns ErrExamFrozen once the exam is published, ErrNotFound, or an *input.Error.
func (s *Store) UpdateExam(ctx context.Context, actor audit.Actor, id string, r ExamRequest) (Exam, error) {
	var e Exam
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		before, err := getExam(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Status != StatusDraft {
			return ErrExamFrozen
		}
		counts, err := activeCounts(ctx, tx)
		if err != nil {
			return err
		}
		if err := r.check(counts); err != nil {
			return err
		}
		const q = `UPDATE exams SET title = $2, duration_seconds = $3, opens_at = $4, closes_at = $5, grace_seconds = $6,
				shuffle_questions = $7, shuffle_options = $8, points_correct = $9, penalty_num = $10, penalty_den = $11,
				pass_percent = $12, max_attempts = $13, objection_window_seconds = $14, updated_at = now()
			WHERE id = $1`
		if _, err := tx.ExecContext(ctx, q, id, r.Title, r.DurationSeconds, r.OpensAt, r.ClosesAt, r.GraceSeconds,
			r.ShuffleQuestions, r.ShuffleOptions, *r.PointsCorrect, r.PenaltyWrong.Num, r.PenaltyWrong.Den,
			*r.PassPercent, r.MaxAttempts, *r.ObjectionWindowSeconds); err != nil {
			return fmt.Errorf("exam: update: %w", err)
		}
		if err := writeSections(ctx, tx, id, r.Sections); err != nil {
			return err
		}
		if e, err = getExam(ctx, tx, id, false); err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "exam.update", ObjectType: "exam", ObjectID: id,
			Details: map[string]any{"before": before, "after": e}})
	})
	return e, err
}

// PublishExam freezes a draft: its rules no longer change, and the active
// questions of each of its sections become its pool for good. It returns
// ErrExamFrozen when the exam is not a draft, and an *input.Error when a section's
// pool has shrunk below its draw since the exam was written.
func (s *Store) PublishExam(ctx context.Context, actor audit.Actor, id string) (Exam, error) {
	var e Exam
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		before, err := getExam(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Status != StatusDraft {
			return ErrExamFrozen
		}
		// Lock the bank's active rows of these sections so none is retired between
		// the count and the copy.
		const pool = `INSERT INTO exam_pool (exam_id, section_key, question_id)
			SELECT s.exam_id, s.key, q.id
			FROM exam_sections s JOIN questions q ON q.section = s.key AND q.status = 'active'
			WHERE s.exam_id = $1`
		if _, err := tx.ExecContext(ctx, `SELECT q.id FROM questions q JOIN exam_sections s ON s.key = q.section
			WHERE s.exam_id = $1 AND q.status = 'active' FOR SHARE OF q`, id); err != nil {
			return fmt.Errorf("exam: lock pool: %w", err)
		}
		if _, err := tx.ExecContext(ctx, pool, id); err != nil {
			return fmt.Errorf("exam: freeze pool: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exams SET status = 'published', published_at = now(), updated_at = now() WHERE id = $1`, id); err != nil {
			return fmt.Errorf("exam: publish: %w", err)
		}
		if e, err = getExam(ctx, tx, id, false); err != nil {
			return err
		}
		short := &input.Error{}
		for i, sec := range e.Sections {
			if e.PoolSizes[sec.Key] < sec.Draw {
				short.Add("sections["+strconv.Itoa(i)+"].draw", "pool_too_small")
			}
		}
		if err := short.Err(); err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "exam.publish", ObjectType: "exam", ObjectID: id,
			Details: map[string]any{"pool_sizes": e.PoolSizes}})
	})
	return e, err
}

// CloseExam ends a published exam's sitting now: its window closes at once (a
// running attempt's deadline follows) and the objection window starts. It returns
// ErrNotPublished for a draft and ErrExamClosed for a closed exam.
func (s *Store) CloseExam(ctx context.Context, actor audit.Actor, id string) (Exam, error) {
	var e Exam
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		before, err := getExam(ctx, tx, id, true)
		if err != nil {
			return err
		}
		switch before.Status {
		case StatusDraft:
			return ErrNotPublished
		case StatusClosed:
			return ErrExamClosed
		}
		// An exam closed before it opened keeps a window of one microsecond after
		// opening, so closes_at stays after opens_at; a closed exam starts nothing.
		const q = `UPDATE exams SET status = 'closed', closed_at = now(),
			closes_at = greatest(least(closes_at, now()), opens_at + interval '1 microsecond'),
			updated_at = now() WHERE id = $1`
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("exam: close: %w", err)
		}
		// Running attempts end now too, keeping any extra time they were granted.
		const cut = `UPDATE attempts SET deadline_at = least(deadline_at, now() + make_interval(secs => extra_seconds))
			WHERE exam_id = $1 AND finish_reason IS NULL`
		if _, err := tx.ExecContext(ctx, cut, id); err != nil {
			return fmt.Errorf("exam: close: %w", err)
		}
		if e, err = getExam(ctx, tx, id, false); err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "exam.close", ObjectType: "exam", ObjectID: id,
			Details: map[string]any{"planned_closes_at": before.ClosesAt, "closes_at": e.ClosesAt}})
	})
	return e, err
}

// AccommodationRequest grants one candidate extra time on one exam.
type AccommodationRequest struct {
	NationalID   string `json:"national_id"`
	ExtraSeconds int    `json:"extra_seconds"`
	Reason       string `json:"reason"`
}

// Accommodation is extra time granted to a candidate.
type Accommodation struct {
	ExamID       string    `json:"exam_id" db:"exam_id"`
	CandidateID  string    `json:"candidate_id" db:"candidate_id"`
	NationalID   string    `json:"national_id" db:"national_id"`
	ExtraSeconds int       `json:"extra_seconds" db:"extra_seconds"`
	Reason       string    `json:"reason" db:"reason"`
	GrantedAt    time.Time `json:"granted_at" db:"granted_at"`
}

// Grant records (or replaces) a candidate's extra time on an exam, audited. It
// returns ErrNotFound for the exam, ErrExamClosed, or an *input.Error (also for
// a national ID that no candidate has).
func (s *Store) Grant(ctx context.Context, actor audit.Actor, examID string, r AccommodationRequest) (Accommodation, error) {
	p := &input.Error{}
	r.NationalID = strings.TrimSpace(persian.Digits(r.NationalID))
	r.Reason = persian.Text(r.Reason)
	if r.NationalID == "" {
		p.Add("national_id", "required")
	}
	if r.ExtraSeconds <= 0 || r.ExtraSeconds > maxDuration {
		p.Add("extra_seconds", "out_of_range")
	}
	switch n := len([]rune(r.Reason)); {
	case n == 0:
		p.Add("reason", "required")
	case n > 500:
		p.Add("reason", "too_long")
	}
	var a Accommodation
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		e, err := getExam(ctx, tx, examID, true)
		if err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if e.Status == StatusClosed {
			return ErrExamClosed
		}
		const q = `INSERT INTO accommodations (exam_id, candidate_id, extra_seconds, reason, granted_by)
			SELECT $1, c.id, $3, $4, $5 FROM candidates c WHERE c.national_id = $2
			ON CONFLICT (exam_id, candidate_id) DO UPDATE SET extra_seconds = EXCLUDED.extra_seconds,
				reason = EXCLUDED.reason, granted_by = EXCLUDED.granted_by, granted_at = now()
			RETURNING exam_id, candidate_id, $2::text AS national_id, extra_seconds, reason, granted_at`
		err = database.Check(tx.GetContext(ctx, &a, q, examID, r.NationalID, r.ExtraSeconds, r.Reason, officialID(actor)))
		if errors.Is(err, database.ErrNotFound) {
			return input.Invalid("national_id", "unknown_candidate")
		}
		if err != nil {
			return fmt.Errorf("exam: grant accommodation: %w", err)
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "exam.accommodation", ObjectType: "exam", ObjectID: examID,
			Details: a})
	})
	return a, err
}

// Accommodations lists the extra time granted on an exam. It returns ErrNotFound
// when no exam has that id.
func (s *Store) Accommodations(ctx context.Context, examID string) ([]Accommodation, error) {
	if !database.IsUUID(examID) {
		return nil, ErrNotFound
	}
	var exists bool
	if err := s.DB.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM exams WHERE id = $1)`, examID); err != nil {
		return nil, fmt.Errorf("exam: accommodations: %w", err)
	}
	if !exists {
		return nil, ErrNotFound
	}
	out := []Accommodation{}
	const q = `SELECT a.exam_id, a.candidate_id, c.national_id, a.extra_seconds, a.reason, a.granted_at
		FROM accommodations a JOIN candidates c ON c.id = a.candidate_id WHERE a.exam_id = $1 ORDER BY a.granted_at`
	if err := s.DB.SelectContext(ctx, &out, q, examID); err != nil {
		return nil, fmt.Errorf("exam: accommodations: %w", err)
	}
	return out, nil
}
