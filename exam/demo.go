package exam

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/input"
)

//go:embed demo_questions.json
var demoQuestionsJSON []byte

// DemoExamTitle names the demo exam that SeedDemo publishes.
const DemoExamTitle = "آزمون صلاحیت داوطلبان شوراهای اسلامی شهر و روستا (نمونه)"

// demoSections are the sections of the demo bank and of the demo exam.
var demoSections = []SectionSpec{
	{Key: "councils_law", Title: "قانون شوراها و وظایف شورا", Draw: 5, MinPercent: 30},
	{Key: "city_management", Title: "مدیریت شهری و بودجه شهرداری", Draw: 5, MinPercent: 30},
	{Key: "citizens_rights", Title: "حقوق شهروندی و اخلاق حرفه‌ای", Draw: 5, MinPercent: 30},
}

// DemoQuestions returns the demo bank: Persian questions in three sections.
func DemoQuestions() ([]QuestionRequest, error) {
	var qs []QuestionRequest
	if err := json.Unmarshal(demoQuestionsJSON, &qs); err != nil {
		return nil, fmt.Errorf("exam: demo questions: %w", err)
	}
	return qs, nil
}

// SeedDemo adds the demo bank (questions already there are kept) and, unless an
// exam of that title exists, publishes a demo exam that is open from now for 30
// days. Running it again changes nothing.
func (s *Store) SeedDemo(ctx context.Context) error {
	qs, err := DemoQuestions()
	if err != nil {
		return err
	}
	err = database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		added := 0
		for _, q := range qs {
			q.normalize()
			if p := q.check(); p.Err() != nil {
				return fmt.Errorf("exam: demo question %q: %w", q.Stem, p)
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT q`); err != nil {
				return err
			}
			if _, err := insertQuestion(ctx, tx, audit.System, q, nil); err != nil {
				if !isDuplicateStem(err) {
					return err
				}
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT q`); err != nil {
					return err
				}
				continue
			}
			added++
		}
		if added == 0 {
			return nil
		}
		return audit.Append(ctx, tx, audit.System, audit.Entry{Action: "question.import", ObjectType: "question",
			Details: map[string]any{"imported": added, "source": "seed-demo"}})
	})
	if err != nil {
		return err
	}
	var n int
	if err := s.DB.GetContext(ctx, &n, `SELECT count(*) FROM exams WHERE title = $1`, DemoExamTitle); err != nil {
		return fmt.Errorf("exam: demo exam: %w", err)
	}
	if n > 0 {
		return nil
	}
	now := time.Now().UTC().Truncate(time.Minute)
	opens, closes := now.Add(-time.Minute), now.Add(30*24*time.Hour)
	points, pass, window := 1.0, 50.0, 72*3600
	e, err := s.CreateExam(ctx, audit.System, ExamRequest{
		Title:                  DemoExamTitle,
		Sections:               demoSections,
		DurationSeconds:        20 * 60,
		OpensAt:                &opens,
		ClosesAt:               &closes,
		GraceSeconds:           30,
		ShuffleQuestions:       true,
		ShuffleOptions:         true,
		PointsCorrect:          &points,
		PenaltyWrong:           &Ratio{1, 3},
		PassPercent:            &pass,
		MaxAttempts:            2,
		ObjectionWindowSeconds: &window,
	})
	if err != nil {
		return err
	}
	_, err = s.PublishExam(ctx, audit.System, e.ID)
	return err
}

func isDuplicateStem(err error) bool {
	var ie *input.Error
	return errors.As(err, &ie) && ie.Fields["stem"] == "duplicate"
}
