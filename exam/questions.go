package exam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/batch"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/persian"
	"github.com/council-exam/examd/receipts"
)

// Option is one answer choice; its key (a–f) is stable whatever order it is shown in.
type Option struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// Question is one multiple-choice question of the bank.
type Question struct {
	ID        string    `json:"id"`
	Section   string    `json:"section"`
	Stem      string    `json:"stem"`
	Options   []Option  `json:"options"`
	Correct   string    `json:"correct"`
	Status    string    `json:"status"`
	Replaces  *string   `json:"replaces,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Frozen is true when a published exam may draw the question: its content can
	// no longer change.
	Frozen bool `json:"frozen"`
}

// QuestionRequest is a question as an official sends it (one, or one of an import).
type QuestionRequest struct {
	Section string   `json:"section"`
	Stem    string   `json:"stem"`
	Options []Option `json:"options"`
	Correct string   `json:"correct"`
}

// Limits of a question.
const (
	MinOptions            = 2
	MaxOptions            = 6
	maxStemLen            = 2000
	maxOptionLen          = 500
	optionKeys            = "abcdef"
	questionStatusActive  = "active"
	questionStatusRetired = "retired"
)

var sectionKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// normalize trims and maps Arabic letter forms in the text and lower-cases keys.
func (r *QuestionRequest) normalize() {
	r.Section = strings.ToLower(strings.TrimSpace(r.Section))
	r.Stem = persian.Text(r.Stem)
	r.Correct = strings.ToLower(strings.TrimSpace(r.Correct))
	for i := range r.Options {
		r.Options[i].Key = strings.ToLower(strings.TrimSpace(r.Options[i].Key))
		r.Options[i].Text = persian.Text(r.Options[i].Text)
	}
}

// check returns an *input.Error naming every problem of a normalised request.
func (r *QuestionRequest) check() *input.Error {
	p := &input.Error{}
	if r.Section == "" {
		p.Add("section", "required")
	} else if !sectionKeyRE.MatchString(r.Section) {
		p.Add("section", "invalid")
	}
	switch n := len([]rune(r.Stem)); {
	case n == 0:
		p.Add("stem", "required")
	case n > maxStemLen:
		p.Add("stem", "too_long")
	}
	if len(r.Options) < MinOptions {
		p.Add("options", "too_few")
	} else if len(r.Options) > MaxOptions {
		p.Add("options", "too_many")
	}
	seen := map[string]bool{}
	texts := map[string]bool{}
	for i, o := range r.Options {
		f := "options[" + strconv.Itoa(i) + "]"
		switch {
		case len(o.Key) != 1 || !strings.Contains(optionKeys, o.Key):
			p.Add(f+".key", "invalid")
		case seen[o.Key]:
			p.Add(f+".key", "duplicate")
		}
		seen[o.Key] = true
		switch n := len([]rune(o.Text)); {
		case n == 0:
			p.Add(f+".text", "required")
		case n > maxOptionLen:
			p.Add(f+".text", "too_long")
		case texts[persian.Key(o.Text)]:
			p.Add(f+".text", "duplicate")
		}
		texts[persian.Key(o.Text)] = true
	}
	if r.Correct == "" {
		p.Add("correct", "required")
	} else if !seen[r.Correct] {
		p.Add("correct", "not_an_option")
	}
	return p
}

// QuestionFilter narrows ListQuestions; empty fields match everything.
type QuestionFilter struct {
	Section string
	Status  string
	Text    string
	Page    int
	PerPage int
}

// questionRow is a question as stored.
type questionRow struct {
	ID        string          `db:"id"`
	Section   string          `db:"section"`
	Stem      string          `db:"stem"`
	Options   json.RawMessage `db:"options"`
	Correct   string          `db:"correct"`
	Status    string          `db:"status"`
	Replaces  *string         `db:"replaces"`
	CreatedAt time.Time       `db:"created_at"`
	Frozen    bool            `db:"frozen"`
}

func (r questionRow) question() (Question, error) {
	q := Question{ID: r.ID, Section: r.Section, Stem: r.Stem, Correct: r.Correct, Status: r.Status,
		Replaces: r.Replaces, CreatedAt: r.CreatedAt.UTC(), Frozen: r.Frozen}
	if err := json.Unmarshal(r.Options, &q.Options); err != nil {
		return q, fmt.Errorf("exam: question %s options: %w", r.ID, err)
	}
	return q, nil
}

const questionColumns = `q.id, q.section, q.stem, q.options, q.correct, q.status, q.replaces, q.created_at,
	EXISTS (SELECT 1 FROM exam_pool p WHERE p.question_id = q.id) AS frozen`

// Store keeps the bank, the exams and the attempts in PostgreSQL.
type Store struct {
	DB *sqlx.DB
	// Receipts signs the receipt of every finished attempt.
	Receipts *receipts.Signer
	// Cache holds published exams' frozen rules and pools; nil reads them each time.
	Cache *Cache
	// Sessions checks the sessions that SaveWithSession's saves arrive with.
	Sessions *auth.Sessions

	batcher *batch.Runner[*pendingSave, saveOutcome]
	starter *batch.Runner[*pendingStart, startOutcome]
	stmtMu  sync.Mutex
	stmts   map[string]*sqlx.Stmt
}

// CreateQuestion adds one question to the bank, audited. It returns an
// *input.Error for a bad question, including a stem that an active question of
// the same section already has ("duplicate").
func (s *Store) CreateQuestion(ctx context.Context, actor audit.Actor, r QuestionRequest) (Question, error) {
	r.normalize()
	if err := r.check().Err(); err != nil {
		return Question{}, err
	}
	var q Question
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var err error
		if q, err = insertQuestion(ctx, tx, actor, r, nil); err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "question.create", ObjectType: "question", ObjectID: q.ID,
			Details: map[string]string{"section": q.Section}})
	})
	return q, err
}

func insertQuestion(ctx context.Context, tx *sqlx.Tx, actor audit.Actor, r QuestionRequest, replaces *string) (Question, error) {
	opts, err := json.Marshal(r.Options)
	if err != nil {
		return Question{}, err
	}
	const ins = `INSERT INTO questions (section, stem, stem_key, options, correct, replaces, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`
	var id string
	err = database.Check(tx.GetContext(ctx, &id, ins, r.Section, r.Stem, persian.Key(r.Stem), string(opts), r.Correct, replaces, officialID(actor)))
	if errors.Is(err, database.ErrConflict) {
		return Question{}, input.Invalid("stem", "duplicate")
	}
	if err != nil {
		return Question{}, fmt.Errorf("exam: insert question: %w", err)
	}
	return getQuestion(ctx, tx, id)
}

// officialID returns the actor's id when it is an official, for created_by columns.
func officialID(a audit.Actor) *string {
	if a.Kind != "official" {
		return nil
	}
	return &a.ID
}

func getQuestion(ctx context.Context, q sqlx.QueryerContext, id string) (Question, error) {
	if !database.IsUUID(id) {
		return Question{}, ErrNotFound
	}
	var row questionRow
	err := database.Check(sqlx.GetContext(ctx, q, &row, `SELECT `+questionColumns+` FROM questions q WHERE q.id = $1`, id))
	if errors.Is(err, database.ErrNotFound) {
		return Question{}, ErrNotFound
	}
	if err != nil {
		return Question{}, fmt.Errorf("exam: get question: %w", err)
	}
	return row.question()
}

// Question returns one question of the bank, or ErrNotFound.
func (s *Store) Question(ctx context.Context, id string) (Question, error) {
	return getQuestion(ctx, s.DB, id)
}

// ListQuestions returns one page of the bank matching f, oldest first, and the
// number of questions matching.
func (s *Store) ListQuestions(ctx context.Context, f QuestionFilter) ([]Question, int, error) {
	const where = ` WHERE ($1 = '' OR q.section = $1) AND ($2 = '' OR q.status = $2)
		AND ($3 = '' OR q.stem ILIKE '%' || $3 || '%' OR q.options::text ILIKE '%' || $3 || '%')`
	text := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(persian.Text(f.Text))
	var total int
	if err := s.DB.GetContext(ctx, &total, `SELECT count(*) FROM questions q`+where, f.Section, f.Status, text); err != nil {
		return nil, 0, fmt.Errorf("exam: count questions: %w", err)
	}
	var rows []questionRow
	q := `SELECT ` + questionColumns + ` FROM questions q` + where + ` ORDER BY q.section, q.created_at, q.id LIMIT $4 OFFSET $5`
	if err := s.DB.SelectContext(ctx, &rows, q, f.Section, f.Status, text, f.PerPage, (f.Page-1)*f.PerPage); err != nil {
		return nil, 0, fmt.Errorf("exam: list questions: %w", err)
	}
	out := make([]Question, 0, len(rows))
	for _, r := range rows {
		q, err := r.question()
		if err != nil {
			return nil, 0, err
		}
		out = append(out, q)
	}
	return out, total, nil
}

// UpdateQuestion changes a question. A question that a published exam may draw
// never changes: the edit then makes a new active question that replaces it, and
// the old one is retired (the exam keeps drawing the old one). It returns the
// question as it now stands, ErrNotFound, or an *input.Error.
func (s *Store) UpdateQuestion(ctx context.Context, actor audit.Actor, id string, r QuestionRequest) (Question, error) {
	r.normalize()
	if err := r.check().Err(); err != nil {
		return Question{}, err
	}
	var out Question
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		old, err := getQuestion(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM questions WHERE id = $1 FOR UPDATE`, id); err != nil {
			return fmt.Errorf("exam: lock question: %w", err)
		}
		if old.Frozen {
			if _, err := tx.ExecContext(ctx, `UPDATE questions SET status = 'retired' WHERE id = $1`, id); err != nil {
				return fmt.Errorf("exam: retire replaced question: %w", err)
			}
			if out, err = insertQuestion(ctx, tx, actor, r, &old.ID); err != nil {
				return err
			}
			return audit.Append(ctx, tx, actor, audit.Entry{Action: "question.replace", ObjectType: "question", ObjectID: out.ID,
				Details: map[string]string{"replaces": old.ID, "reason": "used by a published exam"}})
		}
		opts, err := json.Marshal(r.Options)
		if err != nil {
			return err
		}
		const upd = `UPDATE questions SET section = $2, stem = $3, stem_key = $4, options = $5, correct = $6 WHERE id = $1`
		err = database.Check(exec(ctx, tx, upd, id, r.Section, r.Stem, persian.Key(r.Stem), string(opts), r.Correct))
		if errors.Is(err, database.ErrConflict) {
			return input.Invalid("stem", "duplicate")
		}
		if err != nil {
			return fmt.Errorf("exam: update question: %w", err)
		}
		if out, err = getQuestion(ctx, tx, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "question.update", ObjectType: "question", ObjectID: id,
			Details: map[string]any{"before": old, "after": out}})
	})
	return out, err
}

func exec(ctx context.Context, tx *sqlx.Tx, q string, args ...any) error {
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// RetireQuestion takes a question out of the bank for future exams; exams already
// published keep drawing it. It returns ErrNotFound.
func (s *Store) RetireQuestion(ctx context.Context, actor audit.Actor, id string) (Question, error) {
	var out Question
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if !database.IsUUID(id) {
			return ErrNotFound
		}
		res, err := tx.ExecContext(ctx, `UPDATE questions SET status = 'retired' WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("exam: retire question: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if out, err = getQuestion(ctx, tx, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "question.retire", ObjectType: "question", ObjectID: id})
	})
	return out, err
}

// SectionCounts returns the number of active questions per section.
func (s *Store) SectionCounts(ctx context.Context) (map[string]int, error) {
	return activeCounts(ctx, s.DB)
}

// insertQuestions stores many checked questions with one statement.
func insertQuestions(ctx context.Context, tx *sqlx.Tx, actor audit.Actor, rs []QuestionRequest) ([]string, error) {
	sections := make([]string, len(rs))
	stems := make([]string, len(rs))
	keys := make([]string, len(rs))
	options := make([]string, len(rs))
	corrects := make([]string, len(rs))
	for i, r := range rs {
		b, err := json.Marshal(r.Options)
		if err != nil {
			return nil, err
		}
		sections[i], stems[i], keys[i], options[i], corrects[i] = r.Section, r.Stem, persian.Key(r.Stem), string(b), r.Correct
	}
	const q = `INSERT INTO questions (section, stem, stem_key, options, correct, created_by)
		SELECT t.section, t.stem, t.stem_key, t.options::jsonb, t.correct, $6
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(section, stem, stem_key, options, correct)
		RETURNING id`
	var ids []string
	err := tx.SelectContext(ctx, &ids, q, pq.StringArray(sections), pq.StringArray(stems), pq.StringArray(keys),
		pq.StringArray(options), pq.StringArray(corrects), officialID(actor))
	if err != nil {
		return nil, fmt.Errorf("exam: insert questions: %w", database.Check(err))
	}
	return ids, nil
}
