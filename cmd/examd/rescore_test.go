package main

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/receipts"
)

// Every top-level name in this file starts with "rs" so that it cannot collide
// with the other test files of this package.

// rsRun runs the binary's run with env and returns what it printed and its error.
func rsRun(env map[string]string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, io.Discard)
	return out.String(), err
}

func TestRescoreCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": dbtest.NewURL(t), "LOG_LEVEL": "warn"}
	if _, err := rsRun(env, "seed-demo"); err != nil {
		t.Fatalf("seed-demo: %v", err)
	}
	db, err := sqlx.Connect("postgres", env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var examID string
	if err := db.Get(&examID, `SELECT id FROM exams WHERE title = $1`, exam.DemoExamTitle); err != nil {
		t.Fatal(err)
	}
	key, err := receipts.LoadKey(ctx, db, "", "")
	if err != nil {
		t.Fatal(err)
	}
	s := &exam.Store{DB: db, Receipts: receipts.NewSigner(key)}

	// The demo candidate Zahra answers all fifteen drawn questions correctly: 100 %.
	zahra, err := (&candidates.Store{DB: db}).ByNationalID(ctx, "0499370899")
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := s.Start(ctx, zahra.ID, examID)
	if err != nil {
		t.Fatal(err)
	}
	seq := int64(1)
	for _, q := range v.Questions {
		var correct string
		if err := db.Get(&correct, `SELECT correct FROM questions WHERE id = $1`, q.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Save(ctx, zahra.ID, v.AttemptID, q.ID, exam.SaveRequest{Choice: &correct, Seq: &seq}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Submit(ctx, zahra.ID, v.AttemptID); err != nil {
		t.Fatal(err)
	}
	rsMustPercent(t, db, v.AttemptID, 100, true)

	out, err := rsRun(env, "rescore", "--exam", examID)
	if err != nil || out != "rescored 1 attempts; pass/fail changed for 0\n" {
		t.Fatalf("rescore = %q, %v", out, err)
	}
	rsMustPercent(t, db, v.AttemptID, 100, true)

	// Every drawn question re-keyed to another option (as a decision would): all
	// fifteen answers are now wrong, −1/3 each: −5 of 15 = −33.33 %.
	for _, q := range v.Questions {
		if _, err := db.Exec(`INSERT INTO question_overrides (exam_id, question_id, correct)
			SELECT $1, q.id, (SELECT o->>'key' FROM jsonb_array_elements(q.options) o WHERE o->>'key' <> q.correct LIMIT 1)
			FROM questions q WHERE q.id = $2`, examID, q.ID); err != nil {
			t.Fatal(err)
		}
	}
	out, err = rsRun(env, "rescore", "--exam", examID)
	if want := "rescored 1 attempts; pass/fail changed for 1\n  0499370899: 100.00% → -33.33% (passed true → false)\n"; err != nil || out != want {
		t.Fatalf("rescore after re-keying = %q, %v\nwant %q", out, err, want)
	}
	rsMustPercent(t, db, v.AttemptID, -100.0/3, false)

	// Again: nothing changes.
	out, err = rsRun(env, "rescore", "--exam", examID)
	if err != nil || out != "rescored 1 attempts; pass/fail changed for 0\n" {
		t.Fatalf("rescore again = %q, %v", out, err)
	}
	rsMustPercent(t, db, v.AttemptID, -100.0/3, false)
	var audited []struct {
		ActorKind string `db:"actor_kind"`
		ActorID   string `db:"actor_id"`
		ObjectID  string `db:"object_id"`
	}
	if err := db.Select(&audited, `SELECT actor_kind, actor_id, object_id FROM audit_log WHERE action = 'exam.rescore' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(audited) != 3 {
		t.Fatalf("exam.rescore audit rows = %d, want 3", len(audited))
	}
	for _, a := range audited {
		if a.ActorKind != "system" || a.ActorID != "cli" || a.ObjectID != examID {
			t.Fatalf("exam.rescore audit row = %+v, want by the command line on %s", a, examID)
		}
	}

	// A draft is not published: nothing to rescore.
	opens := time.Now().UTC()
	closes := opens.Add(time.Hour)
	pass, points := 50.0, 1.0
	draft, err := s.CreateExam(ctx, audit.System, exam.ExamRequest{Title: "پیش‌نویس", Sections: []exam.SectionSpec{{Key: "councils_law", Draw: 1}},
		DurationSeconds: 60, OpensAt: &opens, ClosesAt: &closes, PassPercent: &pass, PointsCorrect: &points})
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"rescore", "--exam", "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f"}, `rescore: no published exam "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f"`},
		{[]string{"rescore", "--exam", "not-an-id"}, `rescore: no published exam "not-an-id"`},
		{[]string{"rescore", "--exam", draft.ID}, `rescore: no published exam "` + draft.ID + `"`},
		{[]string{"rescore"}, "rescore: give --exam ID"},
	} {
		out, err := rsRun(env, tt.args...)
		if err == nil || err.Error() != tt.want || out != "" {
			t.Errorf("%q = %q, %v; want error %q and no output", tt.args, out, err, tt.want)
		}
	}
	if out, err := rsRun(env, "rescore", "--exam-id", examID); err == nil || out != "" {
		t.Errorf("rescore with an unknown flag = %q, %v; want an error", out, err)
	}
}

func rsMustPercent(tb testing.TB, db *sqlx.DB, attemptID string, percent float64, passed bool) {
	tb.Helper()
	var got struct {
		Percent float64 `db:"percent"`
		Passed  bool    `db:"passed"`
	}
	if err := db.Get(&got, `SELECT percent, passed FROM attempts WHERE id = $1`, attemptID); err != nil {
		tb.Fatal(err)
	}
	if got.Percent != percent || got.Passed != passed {
		tb.Fatalf("attempt %s = %v %% passed %v, want %v %% passed %v", attemptID, got.Percent, got.Passed, percent, passed)
	}
}
