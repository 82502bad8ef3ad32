package exam_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/officials"
	"github.com/council-exam/examd/receipts"
)

func scPtr[T any](v T) *T { return &v }

var scElectionDay = time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)

// scEnv is a store wired as `examd serve` wires it (receipts, cache) on a fresh
// database with the demo constituencies and candidates, and an admin to act as.
type scEnv struct {
	db    *sqlx.DB
	s     *exam.Store
	admin audit.Actor
	cands *candidates.Store
	ctx   context.Context
}

func scNewEnv(tb testing.TB) *scEnv {
	tb.Helper()
	db := dbtest.New(tb)
	ctx := context.Background()
	if err := candidates.SeedDemo(ctx, db, scElectionDay); err != nil {
		tb.Fatalf("candidates.SeedDemo: %v", err)
	}
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	offs := &officials.Store{DB: db, Sessions: &auth.Sessions{DB: db, Idle: time.Hour, MaxAge: time.Hour}}
	o, err := offs.Create(ctx, audit.System, officials.NewOfficial{Username: "sc.admin", Role: officials.RoleAdmin, Password: "a long enough secret"})
	if err != nil {
		tb.Fatalf("create admin: %v", err)
	}
	return &scEnv{db: db, s: &exam.Store{DB: db, Receipts: receipts.NewSigner(key), Cache: &exam.Cache{}}, admin: o.Actor(),
		cands: &candidates.Store{DB: db}, ctx: ctx}
}

// scNationalID completes nine digits into a valid national ID.
func scNationalID(nine string) string {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(nine[i]-'0') * (10 - i)
	}
	r := sum % 11
	if r >= 2 {
		r = 11 - r
	}
	return fmt.Sprintf("%s%d", nine, r)
}

// candidate registers an eligible candidate.
func (e *scEnv) candidate(tb testing.TB, nine, first, last string, constituency int) candidates.Candidate {
	tb.Helper()
	mil := "completed"
	c := candidates.Candidate{NationalID: scNationalID(nine), FirstName: first, LastName: last, FatherName: "حسن",
		BirthDate: time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC), Gender: "male", MilitaryService: &mil, Mobile: "09121234567",
		Education: "master", ConstituencyID: constituency, PasswordHash: "x", Eligible: true, IneligibilityReasons: []string{}}
	if err := e.cands.Insert(e.ctx, &c); err != nil {
		tb.Fatalf("insert candidate %s: %v", c.NationalID, err)
	}
	return c
}

// bank adds n questions with options a–d keyed b to section and returns them
// sorted by id (the order of an unshuffled draw).
func (e *scEnv) bank(tb testing.TB, section string, n int) []exam.Question {
	tb.Helper()
	out := make([]exam.Question, n)
	for i := range out {
		q, err := e.s.CreateQuestion(e.ctx, e.admin, exam.QuestionRequest{
			Section: section,
			Stem:    fmt.Sprintf("پرسش %d بخش %s کدام است؟", i+1, section),
			Options: []exam.Option{{Key: "a", Text: "گزینه الف"}, {Key: "b", Text: "گزینه ب"}, {Key: "c", Text: "گزینه ج"}, {Key: "d", Text: "گزینه د"}},
			Correct: "b",
		})
		if err != nil {
			tb.Fatalf("CreateQuestion: %v", err)
		}
		out[i] = q
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// scExamSpec is what the tests vary of an exam; it is open from a minute ago for
// an hour, unshuffled, drawing its whole pool.
type scExamSpec struct {
	sections    []exam.SectionSpec
	pass        float64
	penalty     exam.Ratio
	points      float64
	maxAttempts int
	window      *int
	duration    int
	grace       int
}

// publish creates and publishes an exam.
func (e *scEnv) publish(tb testing.TB, sp scExamSpec) exam.Exam {
	tb.Helper()
	opens := time.Now().UTC().Add(-time.Minute)
	closes := opens.Add(time.Hour)
	if sp.points == 0 {
		sp.points = 1
	}
	if sp.duration == 0 {
		sp.duration = 1800
	}
	if sp.penalty.Den == 0 {
		sp.penalty = exam.Ratio{Num: 0, Den: 1}
	}
	ex, err := e.s.CreateExam(e.ctx, e.admin, exam.ExamRequest{
		Title: "آزمون نمره‌دهی", Sections: sp.sections, DurationSeconds: sp.duration, OpensAt: &opens, ClosesAt: &closes,
		GraceSeconds: sp.grace, PointsCorrect: &sp.points, PenaltyWrong: &sp.penalty, PassPercent: &sp.pass,
		MaxAttempts: sp.maxAttempts, ObjectionWindowSeconds: sp.window,
	})
	if err != nil {
		tb.Fatalf("CreateExam: %v", err)
	}
	if ex, err = e.s.PublishExam(e.ctx, e.admin, ex.ID); err != nil {
		tb.Fatalf("PublishExam: %v", err)
	}
	return ex
}

// scAnswersFor maps a pattern (one letter per question of qs, '_' blank) to
// question id → choice.
func scAnswersFor(qs []exam.Question, pattern string) map[string]string {
	if len(pattern) != len(qs) {
		panic(fmt.Sprintf("pattern %q for %d questions", pattern, len(qs)))
	}
	out := map[string]string{}
	for i, c := range pattern {
		if c != '_' {
			out[qs[i].ID] = string(c)
		}
	}
	return out
}

// start starts an attempt, saves answers and leaves it running.
func (e *scEnv) start(tb testing.TB, candidateID, examID string, answers map[string]string) string {
	tb.Helper()
	v, created, err := e.s.Start(e.ctx, candidateID, examID)
	if err != nil || !created {
		tb.Fatalf("Start = created %v, %v", created, err)
	}
	var seq int64 = 1
	for q, c := range answers {
		c := c
		if _, err := e.s.Save(e.ctx, candidateID, v.AttemptID, q, exam.SaveRequest{Choice: &c, Seq: &seq}); err != nil {
			tb.Fatalf("Save(%s, %s): %v", q, c, err)
		}
	}
	return v.AttemptID
}

// sit starts an attempt, saves answers and submits it.
func (e *scEnv) sit(tb testing.TB, candidateID, examID string, answers map[string]string) string {
	tb.Helper()
	id := e.start(tb, candidateID, examID, answers)
	if v, err := e.s.Submit(e.ctx, candidateID, id); err != nil || v.FinishReason == nil || *v.FinishReason != exam.ReasonSubmitted {
		tb.Fatalf("Submit = %+v, %v", v, err)
	}
	return id
}

// sitTimeout starts an attempt, saves answers, moves its deadline and grace into
// the past and lets the sweeper finish it as a timeout.
func (e *scEnv) sitTimeout(tb testing.TB, candidateID, examID string, answers map[string]string) string {
	tb.Helper()
	id := e.start(tb, candidateID, examID, answers)
	if _, err := e.db.ExecContext(e.ctx, `UPDATE attempts SET deadline_at = started_at - make_interval(secs => grace_seconds) WHERE id = $1`, id); err != nil {
		tb.Fatal(err)
	}
	if n, err := e.s.SweepExpired(e.ctx, 100); err != nil || n != 1 {
		tb.Fatalf("SweepExpired = %d, %v; want 1", n, err)
	}
	return id
}

// scStored is an attempt's score as stored.
type scStored struct {
	ID           string          `db:"id"`
	FinishReason *string         `db:"finish_reason"`
	Score        *float64        `db:"score"`
	MaxScore     *float64        `db:"max_score"`
	Percent      *float64        `db:"percent"`
	Passed       *bool           `db:"passed"`
	Sections     json.RawMessage `db:"section_scores"`
	Scored       bool            `db:"scored"`
}

func (e *scEnv) stored(tb testing.TB, attemptID string) scStored {
	tb.Helper()
	var r scStored
	if err := e.db.GetContext(e.ctx, &r, `SELECT id, finish_reason, score, max_score, percent, passed,
			coalesce(section_scores, 'null') AS section_scores, scored_at IS NOT NULL AS scored
		FROM attempts WHERE id = $1`, attemptID); err != nil {
		tb.Fatal(err)
	}
	return r
}

// mustScored checks an attempt's stored score.
func (e *scEnv) mustScored(tb testing.TB, attemptID, reason string, score, max, percent float64, passed bool, sections []exam.SectionScore) {
	tb.Helper()
	r := e.stored(tb, attemptID)
	if r.FinishReason == nil || *r.FinishReason != reason || !r.Scored || r.Score == nil || r.MaxScore == nil || r.Percent == nil || r.Passed == nil {
		tb.Fatalf("attempt %s = %+v, want finished (%s) and scored", attemptID, r, reason)
	}
	if *r.Score != score || *r.MaxScore != max || *r.Percent != percent || *r.Passed != passed {
		tb.Fatalf("attempt %s score = %v/%v = %v %% passed %v; want %v/%v = %v %% passed %v", attemptID,
			*r.Score, *r.MaxScore, *r.Percent, *r.Passed, score, max, percent, passed)
	}
	if sections != nil {
		var got []exam.SectionScore
		if err := json.Unmarshal(r.Sections, &got); err != nil {
			tb.Fatalf("section_scores %s: %v", r.Sections, err)
		}
		if !reflect.DeepEqual(got, sections) {
			tb.Fatalf("attempt %s section_scores = %+v, want %+v", attemptID, got, sections)
		}
	}
}

type scAuditRow struct {
	ID        int64           `db:"id"`
	ActorKind string          `db:"actor_kind"`
	ActorID   string          `db:"actor_id"`
	Action    string          `db:"action"`
	ObjectID  string          `db:"object_id"`
	Details   json.RawMessage `db:"details"`
}

// auditRows returns the audit rows of an action, oldest first.
func (e *scEnv) auditRows(tb testing.TB, action string) []scAuditRow {
	tb.Helper()
	var rows []scAuditRow
	if err := e.db.SelectContext(e.ctx, &rows, `SELECT id, actor_kind, actor_id, action, object_id, details FROM audit_log
		WHERE action = $1 ORDER BY id`, action); err != nil {
		tb.Fatal(err)
	}
	return rows
}

func scFieldErr(tb testing.TB, err error, field, reason string) {
	tb.Helper()
	var ie *input.Error
	if !errors.As(err, &ie) || !reflect.DeepEqual(ie.Fields, map[string]string{field: reason}) {
		tb.Fatalf("err = %v, want an *input.Error {%s: %s}", err, field, reason)
	}
}

func TestScoredWhenFinished(t *testing.T) {
	t.Parallel()
	e := scNewEnv(t)
	law := e.bank(t, "law", 4)
	city := e.bank(t, "city", 2)
	ethics := e.bank(t, "ethics", 2)
	ex := e.publish(t, scExamSpec{
		sections: []exam.SectionSpec{{Key: "law", Title: "قانون", Draw: 4, MinPercent: 50}, {Key: "city", Title: "شهر", Draw: 2, MinPercent: 0}},
		pass:     50, penalty: exam.Ratio{Num: 1, Den: 3},
	})
	a := e.candidate(t, "111000001", "علی", "رضایی", 1)
	b := e.candidate(t, "111000002", "مریم", "کریمی", 2)

	// law: 3 correct 1 wrong = 3 − 1/3 = 8/3 of 4 (66.67 %); city: 1 correct, 1
	// blank = 1 of 2 (50 %); overall 11/3 of 6 = 61.11 %: passed.
	answers := scAnswersFor(append(append([]exam.Question{}, law...), city...), "bbbab_")
	aID := e.sit(t, a.ID, ex.ID, answers)
	wantSections := []exam.SectionScore{
		{Key: "law", Title: "قانون", Score: scFloat(8, 3), Max: 4, Percent: scFloat(800, 12), MinPercent: 50, Passed: true, Correct: 3, Wrong: 1},
		{Key: "city", Title: "شهر", Score: 1, Max: 2, Percent: 50, MinPercent: 0, Passed: true, Correct: 1, Blank: 1},
	}
	e.mustScored(t, aID, exam.ReasonSubmitted, scFloat(11, 3), 6, scFloat(1100, 18), true, wantSections)

	// Submitting again changes nothing.
	if _, err := e.s.Submit(e.ctx, a.ID, aID); err != nil {
		t.Fatal(err)
	}
	e.mustScored(t, aID, exam.ReasonSubmitted, scFloat(11, 3), 6, scFloat(1100, 18), true, wantSections)

	// A real timeout of a one-second exam (one second of grace), finished by the
	// sweeper, is scored too: 1 correct of 2, no penalty = 50 %, under the pass
	// percent 60.
	short := e.publish(t, scExamSpec{
		sections: []exam.SectionSpec{{Key: "ethics", Title: "اخلاق", Draw: 2, MinPercent: 0}},
		pass:     60, duration: 1, grace: 1,
	})
	bID := e.start(t, b.ID, short.ID, scAnswersFor(ethics, "b_"))
	if r := e.stored(t, bID); r.FinishReason != nil || r.Score != nil || r.Percent != nil || r.Passed != nil || r.Scored {
		t.Fatalf("running attempt = %+v, want no score", r)
	}
	var n int
	for deadline := time.Now().Add(10 * time.Second); n == 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		var err error
		if n, err = e.s.SweepExpired(e.ctx, 100); err != nil {
			t.Fatal(err)
		}
	}
	if n != 1 {
		t.Fatalf("SweepExpired finished %d attempts, want 1", n)
	}
	e.mustScored(t, bID, exam.ReasonTimeout, 1, 2, 50, false, []exam.SectionScore{
		{Key: "ethics", Title: "اخلاق", Score: 1, Max: 2, Percent: 50, MinPercent: 0, Passed: true, Correct: 1, Blank: 1},
	})

	// Results stay hidden until an admin publishes them.
	if _, err := e.s.Result(e.ctx, a.ID, aID); !errors.Is(err, exam.ErrResultsNotPublished) {
		t.Fatalf("Result before publishing: err = %v, want ErrResultsNotPublished", err)
	}
	if _, err := e.s.Result(e.ctx, b.ID, aID); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("Result of another's attempt: err = %v, want ErrNotFound", err)
	}
	if _, err := e.s.Result(e.ctx, a.ID, "not-a-uuid"); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("Result(not-a-uuid): err = %v, want ErrNotFound", err)
	}
	pub, err := e.s.PublishResults(e.ctx, e.admin, ex.ID)
	if err != nil || !pub.ResultsPublished {
		t.Fatalf("PublishResults = results_published %v, %v", pub.ResultsPublished, err)
	}
	rows := e.auditRows(t, "exam.publish_results")
	if len(rows) != 1 || rows[0].ObjectID != ex.ID || rows[0].ActorID != e.admin.ID {
		t.Fatalf("exam.publish_results audit rows = %+v, want one for %s by %s", rows, ex.ID, e.admin.ID)
	}
	var counts map[string]int
	if err := json.Unmarshal(rows[0].Details, &counts); err != nil || !reflect.DeepEqual(counts, map[string]int{"sat": 1, "passed": 1}) {
		t.Fatalf("exam.publish_results details = %s, want {sat:1, passed:1}", rows[0].Details)
	}
	res, err := e.s.Result(e.ctx, a.ID, aID)
	if err != nil {
		t.Fatalf("Result after publishing: %v", err)
	}
	if res.AttemptID != aID || res.ExamID != ex.ID || res.ExamTitle != "آزمون نمره‌دهی" || res.Score != scFloat(11, 3) || res.MaxScore != 6 ||
		res.Percent != scFloat(1100, 18) || res.PassPercent != 50 || !res.Passed || !reflect.DeepEqual(res.Sections, wantSections) || res.SubmittedAt.IsZero() {
		t.Fatalf("Result = %+v", res)
	}
	// The other exam's results are still hidden.
	if _, err := e.s.Result(e.ctx, b.ID, bID); !errors.Is(err, exam.ErrResultsNotPublished) {
		t.Fatalf("Result of the unpublished exam: err = %v, want ErrResultsNotPublished", err)
	}
}

func TestPublishResultsRefusesDraft(t *testing.T) {
	t.Parallel()
	e := scNewEnv(t)
	e.bank(t, "law", 2)
	opens := time.Now().UTC()
	closes := opens.Add(time.Hour)
	pass, points := 50.0, 1.0
	draft, err := e.s.CreateExam(e.ctx, e.admin, exam.ExamRequest{Title: "پیش‌نویس", Sections: []exam.SectionSpec{{Key: "law", Draw: 2}},
		DurationSeconds: 60, OpensAt: &opens, ClosesAt: &closes, PassPercent: &pass, PointsCorrect: &points})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PublishResults(e.ctx, e.admin, draft.ID); !errors.Is(err, exam.ErrNotPublished) {
		t.Fatalf("PublishResults(draft): err = %v, want ErrNotPublished", err)
	}
	if _, err := e.s.PublishResults(e.ctx, e.admin, "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f"); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("PublishResults(unknown): err = %v, want ErrNotFound", err)
	}
	if rows := e.auditRows(t, "exam.publish_results"); len(rows) != 0 {
		t.Fatalf("audit rows after refusals = %+v, want none", rows)
	}
}

// scResolveDetails is the details of an objection.resolve audit row.
type scResolveDetails struct {
	Decision        string        `json:"decision"`
	QuestionID      string        `json:"question_id"`
	ExamID          string        `json:"exam_id"`
	Correct         *string       `json:"correct"`
	Rescored        *int          `json:"rescored"`
	PassFailChanged []exam.Change `json:"pass_fail_changed"`
}

func TestObjectionsVoidAndRekey(t *testing.T) {
	t.Parallel()
	e := scNewEnv(t)
	q := e.bank(t, "law", 4)
	other := e.bank(t, "other", 1) // in the bank, never drawn
	ex := e.publish(t, scExamSpec{sections: []exam.SectionSpec{{Key: "law", Title: "قانون", Draw: 4}}, pass: 60})

	type sitter struct {
		c       candidates.Candidate
		pattern string
		attempt string
	}
	// Pass 60, no penalty, keys b. Before, after voiding Q4, after re-keying Q3 to a:
	//   A bbba  75 P   3/3 100 P      2/3 66.67 P
	//   B bbaa  50 F   2/3 66.67 P ←  3/3 100 P
	//   C baa_  25 F   1/3 33.33 F    2/3 66.67 P ←
	//   D __bb  50 F   1/3 33.33 F    0/3 0 F
	//   G b_bb  75 P   2/3 66.67 P    1/3 33.33 F ←
	s := map[string]*sitter{
		"A": {c: e.candidate(t, "111000001", "علی", "رضایی", 1), pattern: "bbba"},
		"B": {c: e.candidate(t, "111000002", "مریم", "کریمی", 2), pattern: "bbaa"},
		"C": {c: e.candidate(t, "111000003", "حسین", "احمدی", 3), pattern: "baa_"},
		"D": {c: e.candidate(t, "111000004", "فاطمه", "حسینی", 1), pattern: "__bb"},
		"G": {c: e.candidate(t, "111000005", "زینب", "جعفری", 2), pattern: "b_bb"},
	}
	for _, k := range []string{"A", "B", "C", "D", "G"} {
		s[k].attempt = e.sit(t, s[k].c.ID, ex.ID, scAnswersFor(q, s[k].pattern))
	}
	mustPercents := func(step string, want map[string]float64, passed map[string]bool) {
		t.Helper()
		for k, p := range want {
			r := e.stored(t, s[k].attempt)
			if r.Percent == nil || *r.Percent != p || r.Passed == nil || *r.Passed != passed[k] {
				t.Fatalf("%s: %s = %v %% passed %v, want %v %% passed %v", step, k, *r.Percent, *r.Passed, p, passed[k])
			}
		}
	}
	mustPercents("before", map[string]float64{"A": 75, "B": 50, "C": 25, "D": 50, "G": 75},
		map[string]bool{"A": true, "B": false, "C": false, "D": false, "G": true})

	req := exam.ObjectionRequest{QuestionID: q[3].ID, Text: "گزینه‌های این پرسش دو پاسخ درست دارند."}
	if _, err := e.s.Object(e.ctx, s["B"].c.ID, s["B"].attempt, req); !errors.Is(err, exam.ErrObjectionWindowClosed) {
		t.Fatalf("Object before the exam closes: err = %v, want ErrObjectionWindowClosed", err)
	}
	if _, err := e.s.CloseExam(e.ctx, e.admin, ex.ID); err != nil {
		t.Fatal(err)
	}
	voidObj, err := e.s.Object(e.ctx, s["B"].c.ID, s["B"].attempt, req)
	if err != nil {
		t.Fatalf("Object in the window: %v", err)
	}
	if voidObj.ID == "" || voidObj.ExamID != ex.ID || voidObj.AttemptID != s["B"].attempt || voidObj.CandidateID != s["B"].c.ID ||
		voidObj.NationalID != s["B"].c.NationalID || voidObj.QuestionID != q[3].ID || voidObj.Stem != q[3].Stem ||
		voidObj.Text != req.Text || voidObj.Status != "pending" || voidObj.ResolvedAt != nil || voidObj.NewCorrect != nil {
		t.Fatalf("objection = %+v", voidObj)
	}
	if rows := e.auditRows(t, "objection.create"); len(rows) != 1 || rows[0].ObjectID != voidObj.ID || rows[0].ActorID != s["B"].c.ID {
		t.Fatalf("objection.create audit rows = %+v", rows)
	}
	_, err = e.s.Object(e.ctx, s["B"].c.ID, s["B"].attempt, req)
	scFieldErr(t, err, "question_id", "already_objected")
	_, err = e.s.Object(e.ctx, s["B"].c.ID, s["B"].attempt, exam.ObjectionRequest{QuestionID: other[0].ID, Text: "متن"})
	scFieldErr(t, err, "question_id", "unknown_question")
	_, err = e.s.Object(e.ctx, s["B"].c.ID, s["B"].attempt, exam.ObjectionRequest{QuestionID: "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f", Text: "متن"})
	scFieldErr(t, err, "question_id", "unknown_question")
	_, err = e.s.Object(e.ctx, s["B"].c.ID, s["B"].attempt, exam.ObjectionRequest{QuestionID: "q4", Text: "متن"})
	scFieldErr(t, err, "question_id", "unknown_question")
	_, err = e.s.Object(e.ctx, s["B"].c.ID, s["B"].attempt, exam.ObjectionRequest{QuestionID: q[0].ID, Text: "  "})
	scFieldErr(t, err, "text", "required")
	if _, err := e.s.Object(e.ctx, s["B"].c.ID, s["A"].attempt, exam.ObjectionRequest{QuestionID: q[0].ID, Text: "متن"}); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("Object on another's attempt: err = %v, want ErrNotFound", err)
	}
	rejectObj, err := e.s.Object(e.ctx, s["A"].c.ID, s["A"].attempt, exam.ObjectionRequest{QuestionID: q[0].ID, Text: "پاسخ درست الف است."})
	if err != nil {
		t.Fatal(err)
	}
	rekeyObj, err := e.s.Object(e.ctx, s["C"].c.ID, s["C"].attempt, exam.ObjectionRequest{QuestionID: q[2].ID, Text: "کلید این پرسش الف است."})
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.s.Objections(e.ctx, exam.ObjectionFilter{ExamID: ex.ID, Status: "pending"})
	if err != nil || len(list) != 3 || list[0].ID != voidObj.ID || list[1].ID != rejectObj.ID || list[2].ID != rekeyObj.ID {
		t.Fatalf("pending objections = %+v, %v; want the three in order", list, err)
	}

	// Reject: nothing is rescored.
	before := map[string]scStored{}
	for k, v := range s {
		before[k] = e.stored(t, v.attempt)
	}
	res, err := e.s.Resolve(e.ctx, e.admin, rejectObj.ID, exam.ResolveRequest{Decision: "reject", Note: "کلید درست است."})
	if err != nil {
		t.Fatalf("Resolve(reject): %v", err)
	}
	if res.Objection.Status != "rejected" || res.Objection.ResolvedAt == nil || res.Objection.Note == nil || *res.Objection.Note != "کلید درست است." || res.Rescored != nil {
		t.Fatalf("Resolve(reject) = %+v", res)
	}
	for k, v := range s {
		if got := e.stored(t, v.attempt); !reflect.DeepEqual(got, before[k]) {
			t.Fatalf("after reject %s = %+v, want unchanged %+v", k, got, before[k])
		}
	}

	// Void Q4: exactly B flips, from fail to pass.
	res, err = e.s.Resolve(e.ctx, e.admin, voidObj.ID, exam.ResolveRequest{Decision: "void"})
	if err != nil {
		t.Fatalf("Resolve(void): %v", err)
	}
	wantVoid := []exam.Change{{AttemptID: s["B"].attempt, CandidateID: s["B"].c.ID, NationalID: s["B"].c.NationalID,
		PercentBefore: 50, PercentAfter: scFloat(200, 3), PassedBefore: false, PassedAfter: true}}
	if res.Objection.Status != "voided" || res.Rescored == nil || res.Rescored.ExamID != ex.ID || res.Rescored.Rescored != 5 ||
		!reflect.DeepEqual(res.Rescored.Changed, wantVoid) {
		t.Fatalf("Resolve(void) = %+v rescoring %+v; want voided, 5 rescored, changed %+v", res.Objection, res.Rescored, wantVoid)
	}
	mustPercents("after void", map[string]float64{"A": 100, "B": scFloat(200, 3), "C": scFloat(100, 3), "D": scFloat(100, 3), "G": scFloat(200, 3)},
		map[string]bool{"A": true, "B": true, "C": false, "D": false, "G": true})
	e.mustScored(t, s["B"].attempt, exam.ReasonSubmitted, 2, 3, scFloat(200, 3), true, []exam.SectionScore{
		{Key: "law", Title: "قانون", Score: 2, Max: 3, Percent: scFloat(200, 3), Passed: true, Correct: 2, Wrong: 1}})
	if _, err := e.s.Resolve(e.ctx, e.admin, voidObj.ID, exam.ResolveRequest{Decision: "reject"}); !errors.Is(err, exam.ErrAlreadyResolved) {
		t.Fatalf("Resolve twice: err = %v, want ErrAlreadyResolved", err)
	}

	// Re-key Q3: refused for a key that is not an option, then a → C and G flip.
	_, err = e.s.Resolve(e.ctx, e.admin, rekeyObj.ID, exam.ResolveRequest{Decision: "rekey", Correct: scPtr("e")})
	scFieldErr(t, err, "correct", "not_an_option")
	_, err = e.s.Resolve(e.ctx, e.admin, rekeyObj.ID, exam.ResolveRequest{Decision: "rekey"})
	scFieldErr(t, err, "correct", "required")
	_, err = e.s.Resolve(e.ctx, e.admin, rekeyObj.ID, exam.ResolveRequest{Decision: "accept"})
	scFieldErr(t, err, "decision", "one_of")
	if _, err := e.s.Resolve(e.ctx, e.admin, "not-a-uuid", exam.ResolveRequest{Decision: "reject"}); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("Resolve(not-a-uuid): err = %v, want ErrNotFound", err)
	}
	res, err = e.s.Resolve(e.ctx, e.admin, rekeyObj.ID, exam.ResolveRequest{Decision: "rekey", Correct: scPtr(" A ")})
	if err != nil {
		t.Fatalf("Resolve(rekey): %v", err)
	}
	wantRekey := []exam.Change{
		{AttemptID: s["C"].attempt, CandidateID: s["C"].c.ID, NationalID: s["C"].c.NationalID,
			PercentBefore: scFloat(100, 3), PercentAfter: scFloat(200, 3), PassedBefore: false, PassedAfter: true},
		{AttemptID: s["G"].attempt, CandidateID: s["G"].c.ID, NationalID: s["G"].c.NationalID,
			PercentBefore: scFloat(200, 3), PercentAfter: scFloat(100, 3), PassedBefore: true, PassedAfter: false},
	}
	sort.Slice(wantRekey, func(i, j int) bool { return wantRekey[i].AttemptID < wantRekey[j].AttemptID })
	if res.Objection.Status != "rekeyed" || res.Objection.NewCorrect == nil || *res.Objection.NewCorrect != "a" ||
		res.Rescored == nil || res.Rescored.Rescored != 5 || !reflect.DeepEqual(res.Rescored.Changed, wantRekey) {
		t.Fatalf("Resolve(rekey) = %+v rescoring %+v; want rekeyed to a, changed %+v", res.Objection, res.Rescored, wantRekey)
	}
	mustPercents("after rekey", map[string]float64{"A": scFloat(200, 3), "B": 100, "C": scFloat(200, 3), "D": 0, "G": scFloat(100, 3)},
		map[string]bool{"A": true, "B": true, "C": true, "D": false, "G": false})

	// The audit rows name the decisions and the candidates whose pass/fail changed.
	rows := e.auditRows(t, "objection.resolve")
	if len(rows) != 3 {
		t.Fatalf("objection.resolve audit rows = %d, want 3", len(rows))
	}
	wantDetails := []scResolveDetails{
		{Decision: "reject", QuestionID: q[0].ID, ExamID: ex.ID},
		{Decision: "void", QuestionID: q[3].ID, ExamID: ex.ID, Rescored: scPtr(5), PassFailChanged: wantVoid},
		{Decision: "rekey", QuestionID: q[2].ID, ExamID: ex.ID, Correct: scPtr("a"), Rescored: scPtr(5), PassFailChanged: wantRekey},
	}
	for i, r := range rows {
		var d scResolveDetails
		if err := json.Unmarshal(r.Details, &d); err != nil {
			t.Fatal(err)
		}
		if r.ActorID != e.admin.ID || r.ObjectID != []string{rejectObj.ID, voidObj.ID, rekeyObj.ID}[i] || !reflect.DeepEqual(d, wantDetails[i]) {
			t.Fatalf("objection.resolve row %d = %+v %s, want %+v", i, r, r.Details, wantDetails[i])
		}
	}

	// A second rescoring changes nothing.
	snapshot := map[string]scStored{}
	for k, v := range s {
		snapshot[k] = e.stored(t, v.attempt)
	}
	again, err := e.s.Rescore(e.ctx, e.admin, ex.ID)
	if err != nil || again.Rescored != 5 || again.ExamID != ex.ID || len(again.Changed) != 0 || again.Changed == nil {
		t.Fatalf("Rescore again = %+v, %v; want 5 rescored, none changed", again, err)
	}
	for k, v := range s {
		got := e.stored(t, v.attempt)
		if !reflect.DeepEqual(got, snapshot[k]) {
			t.Fatalf("after a second rescoring %s = %+v, want %+v", k, got, snapshot[k])
		}
	}
	rescoreRows := e.auditRows(t, "exam.rescore")
	var rescoreDetails exam.Rescored
	if len(rescoreRows) != 1 || rescoreRows[0].ObjectID != ex.ID || json.Unmarshal(rescoreRows[0].Details, &rescoreDetails) != nil ||
		!reflect.DeepEqual(rescoreDetails, exam.Rescored{ExamID: ex.ID, Rescored: 5, Changed: []exam.Change{}}) {
		t.Fatalf("exam.rescore audit rows = %+v", rescoreRows)
	}
	if _, err := e.s.Rescore(e.ctx, e.admin, "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f"); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("Rescore(unknown): err = %v, want ErrNotFound", err)
	}

	// Candidates see the rescored result once published.
	if _, err := e.s.PublishResults(e.ctx, e.admin, ex.ID); err != nil {
		t.Fatal(err)
	}
	r, err := e.s.Result(e.ctx, s["B"].c.ID, s["B"].attempt)
	if err != nil || r.Percent != 100 || !r.Passed || r.Score != 3 || r.MaxScore != 3 {
		t.Fatalf("B's result = %+v, %v; want 3/3 = 100 %% passed", r, err)
	}
	all, err := e.s.Objections(e.ctx, exam.ObjectionFilter{ExamID: ex.ID})
	if err != nil || len(all) != 3 || all[0].Status != "voided" || all[1].Status != "rejected" || all[2].Status != "rekeyed" {
		t.Fatalf("objections = %+v, %v", all, err)
	}
}

func TestObjectionWindowCloses(t *testing.T) {
	t.Parallel()
	e := scNewEnv(t)
	q := e.bank(t, "law", 2)
	window := 2
	ex := e.publish(t, scExamSpec{sections: []exam.SectionSpec{{Key: "law", Draw: 2}}, pass: 50, window: &window})
	c := e.candidate(t, "111000001", "علی", "رضایی", 1)
	id := e.sit(t, c.ID, ex.ID, scAnswersFor(q, "ba"))
	closed, err := e.s.CloseExam(e.ctx, e.admin, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Object(e.ctx, c.ID, id, exam.ObjectionRequest{QuestionID: q[0].ID, Text: "اعتراض"}); err != nil {
		t.Fatalf("Object within the %d-second window: %v", window, err)
	}
	// The candidate sees their objection and the window it was filed in.
	w, own, err := e.s.AttemptObjections(e.ctx, c.ID, id)
	if err != nil || !w.OpenNow || len(own) != 1 || own[0].QuestionID != q[0].ID || own[0].Status != "pending" {
		t.Fatalf("AttemptObjections = %+v, %+v, %v; want the one pending objection in an open window", w, own, err)
	}
	if got, want := w.ClosesAt.Sub(w.OpensAt), time.Duration(window)*time.Second; got != want {
		t.Fatalf("objection window lasts %v, want %v", got, want)
	}
	other := e.candidate(t, "111000002", "مریم", "کریمی", 1)
	if _, _, err := e.s.AttemptObjections(e.ctx, other.ID, id); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("another candidate's AttemptObjections: err = %v, want ErrNotFound", err)
	}
	time.Sleep(time.Until(closed.ClosesAt.Add(time.Duration(window)*time.Second + 300*time.Millisecond)))
	if _, err := e.s.Object(e.ctx, c.ID, id, exam.ObjectionRequest{QuestionID: q[1].ID, Text: "اعتراض دیرهنگام"}); !errors.Is(err, exam.ErrObjectionWindowClosed) {
		t.Fatalf("Object after the window: err = %v, want ErrObjectionWindowClosed", err)
	}
	if n := len(e.auditRows(t, "objection.create")); n != 1 {
		t.Fatalf("objection.create rows = %d, want 1", n)
	}
}

// TestRescoreWithoutChangesKeepsScores: rescoring an exam whose keys did not
// change must leave every stored score exactly as finishing wrote it (the float
// nearest the exact value, not one cut to 15 digits).
func TestRescoreWithoutChangesKeepsScores(t *testing.T) {
	t.Parallel()
	e := scNewEnv(t)
	q := e.bank(t, "law", 3)
	ex := e.publish(t, scExamSpec{sections: []exam.SectionSpec{{Key: "law", Title: "قانون", Draw: 3}}, pass: 50, penalty: exam.Ratio{Num: 1, Den: 3}})
	c := e.candidate(t, "111000001", "علی", "رضایی", 1)
	// 2 correct 1 wrong with penalty 1/3: 5/3 of 3 = 55.56 %.
	id := e.sit(t, c.ID, ex.ID, scAnswersFor(q, "bba"))
	want := []exam.SectionScore{{Key: "law", Title: "قانون", Score: scFloat(5, 3), Max: 3, Percent: scFloat(500, 9), Passed: true, Correct: 2, Wrong: 1}}
	e.mustScored(t, id, exam.ReasonSubmitted, scFloat(5, 3), 3, scFloat(500, 9), true, want)
	res, err := e.s.Rescore(e.ctx, e.admin, ex.ID)
	if err != nil || res.Rescored != 1 || len(res.Changed) != 0 {
		t.Fatalf("Rescore = %+v, %v", res, err)
	}
	e.mustScored(t, id, exam.ReasonSubmitted, scFloat(5, 3), 3, scFloat(500, 9), true, want)
}

// TestRescoreChangesNameCandidates: with two attempts allowed, a candidate's
// result is their best attempt (as the results table, the statistics and the
// exports have it), so the audited list of "candidates whose pass/fail changed"
// must not name a candidate whose worse attempt flipped while their result did not.
func TestRescoreChangesNameCandidates(t *testing.T) {
	t.Parallel()
	e := scNewEnv(t)
	q := e.bank(t, "law", 4)
	ex := e.publish(t, scExamSpec{sections: []exam.SectionSpec{{Key: "law", Title: "قانون", Draw: 4}}, pass: 60, maxAttempts: 2})
	x := e.candidate(t, "111000001", "علی", "رضایی", 1)
	y := e.candidate(t, "111000002", "مریم", "کریمی", 2)
	// X: first attempt bbba 75 % P, second bbaa 50 % F; Y: bbaa 50 % F.
	// Voiding Q4: X's attempts become 100 % and 66.67 % (both P; X was P and stays
	// P), Y's 66.67 % (F → P). Only Y's pass/fail changed.
	e.sit(t, x.ID, ex.ID, scAnswersFor(q, "bbba"))
	e.sit(t, x.ID, ex.ID, scAnswersFor(q, "bbaa"))
	yID := e.sit(t, y.ID, ex.ID, scAnswersFor(q, "bbaa"))
	if _, err := e.s.CloseExam(e.ctx, e.admin, ex.ID); err != nil {
		t.Fatal(err)
	}
	o, err := e.s.Object(e.ctx, y.ID, yID, exam.ObjectionRequest{QuestionID: q[3].ID, Text: "دو پاسخ درست"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.s.Resolve(e.ctx, e.admin, o.ID, exam.ResolveRequest{Decision: "void"})
	if err != nil {
		t.Fatal(err)
	}
	want := []exam.Change{{AttemptID: yID, CandidateID: y.ID, NationalID: y.NationalID, PercentBefore: 50, PercentAfter: scFloat(200, 3),
		PassedBefore: false, PassedAfter: true}}
	if res.Rescored == nil || res.Rescored.Rescored != 3 || !reflect.DeepEqual(res.Rescored.Changed, want) {
		t.Fatalf("rescoring = %+v, want 3 attempts rescored and only Y changed: %+v", res.Rescored, want)
	}
}
