package exam_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/receipts"
)

var attElectionDay = time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)

const (
	attEligibleNID   = "0499370899"
	attIneligibleNID = "0013542419"
)

// attEnv is a store for attempts on a fresh database with the demo candidates and
// a small bank: six questions of "law" and four of "city".
type attEnv struct {
	s      *exam.Store
	db     *sqlx.DB
	signer *receipts.Signer
	pub    ed25519.PublicKey
	bank   map[string][]exam.Question
	// eligible and ineligible are the demo candidates' ids.
	eligible, ineligible string
	next                 atomic.Int64
}

func attMustEnv(tb testing.TB) *attEnv {
	tb.Helper()
	return attMustEnvOn(tb, dbtest.New(tb))
}

func attMustEnvOn(tb testing.TB, db *sqlx.DB) *attEnv {
	tb.Helper()
	ctx := context.Background()
	if err := candidates.SeedDemo(ctx, db, attElectionDay); err != nil {
		tb.Fatalf("candidates.SeedDemo: %v", err)
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	signer := receipts.NewSigner(priv)
	env := &attEnv{
		s:      &exam.Store{DB: db, Receipts: signer, Cache: &exam.Cache{}},
		db:     db,
		signer: signer,
		pub:    pub,
		bank:   map[string][]exam.Question{},
	}
	for section, n := range map[string]int{"law": 6, "city": 4} {
		for i := 1; i <= n; i++ {
			q, err := env.s.CreateQuestion(ctx, audit.System, exam.QuestionRequest{
				Section: section,
				Stem:    fmt.Sprintf("پرسش %d بخش %s کدام است؟", i, section),
				Options: []exam.Option{{Key: "a", Text: "یک"}, {Key: "b", Text: "دو"}, {Key: "c", Text: "سه"}, {Key: "d", Text: "چهار"}},
				Correct: []string{"a", "b", "c", "d"}[i%4],
			})
			if err != nil {
				tb.Fatalf("CreateQuestion: %v", err)
			}
			env.bank[section] = append(env.bank[section], q)
		}
	}
	store := &candidates.Store{DB: db}
	for nid, id := range map[string]*string{attEligibleNID: &env.eligible, attIneligibleNID: &env.ineligible} {
		c, err := store.ByNationalID(ctx, nid)
		if err != nil {
			tb.Fatalf("ByNationalID(%s): %v", nid, err)
		}
		*id = c.ID
	}
	return env
}

// attCandidate registers one more eligible candidate and returns its id and
// national ID.
func (e *attEnv) attCandidate(tb testing.TB) (string, string) {
	tb.Helper()
	c := candidates.Candidate{
		NationalID: fmt.Sprintf("9%09d", e.next.Add(1)), FirstName: "مریم", LastName: "احمدی", FatherName: "علی",
		BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), Gender: "female", Mobile: "09121112233",
		Education: "master", ConstituencyID: 1, PasswordHash: "not a hash", Eligible: true, IneligibilityReasons: []string{},
	}
	if err := (&candidates.Store{DB: e.db}).Insert(context.Background(), &c); err != nil {
		tb.Fatalf("Insert candidate: %v", err)
	}
	return c.ID, c.NationalID
}

// attExam publishes an exam drawing 3 of "law" and 2 of "city", open from an
// hour ago for four hours, 1 hour long with 1 s of grace; edit may change it first.
func (e *attEnv) attExam(tb testing.TB, edit func(r *exam.ExamRequest)) exam.Exam {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	opens, closes := now.Add(-time.Hour), now.Add(3*time.Hour)
	r := exam.ExamRequest{
		Title: "آزمون زمان‌دار",
		Sections: []exam.SectionSpec{
			{Key: "law", Title: "قانون", Draw: 3, MinPercent: 30},
			{Key: "city", Title: "شهر", Draw: 2, MinPercent: 30},
		},
		DurationSeconds:  3600,
		OpensAt:          &opens,
		ClosesAt:         &closes,
		GraceSeconds:     1,
		ShuffleQuestions: true,
		ShuffleOptions:   true,
		PassPercent:      attPtr(50.0),
		MaxAttempts:      1,
	}
	if edit != nil {
		edit(&r)
	}
	x, err := e.s.CreateExam(ctx, audit.System, r)
	if err != nil {
		tb.Fatalf("CreateExam: %v", err)
	}
	if x, err = e.s.PublishExam(ctx, audit.System, x.ID); err != nil {
		tb.Fatalf("PublishExam: %v", err)
	}
	return x
}

func (e *attEnv) attMustStart(tb testing.TB, candidateID, examID string) exam.AttemptView {
	tb.Helper()
	v, created, err := e.s.Start(context.Background(), candidateID, examID)
	if err != nil {
		tb.Fatalf("Start: %v", err)
	}
	if !created {
		tb.Fatalf("Start: created = false for a first start")
	}
	return v
}

func (e *attEnv) attMustGrant(tb testing.TB, examID, nationalID string, extra int) {
	tb.Helper()
	if _, err := e.s.Grant(context.Background(), audit.System, examID, exam.AccommodationRequest{NationalID: nationalID, ExtraSeconds: extra, Reason: "کم‌بینایی"}); err != nil {
		tb.Fatalf("Grant: %v", err)
	}
}

// attRow is an attempt as stored.
type attRow struct {
	ID           string     `db:"id"`
	Number       int        `db:"number"`
	StartedAt    time.Time  `db:"started_at"`
	DeadlineAt   time.Time  `db:"deadline_at"`
	ExtraSeconds int        `db:"extra_seconds"`
	SubmittedAt  *time.Time `db:"submitted_at"`
	FinishReason *string    `db:"finish_reason"`
	AnswersHash  []byte     `db:"answers_hash"`
	Receipt      *string    `db:"receipt"`
}

func attMustRow(tb testing.TB, db *sqlx.DB, attemptID string) attRow {
	tb.Helper()
	var r attRow
	if err := db.Get(&r, `SELECT id, number, started_at, deadline_at, extra_seconds, submitted_at, finish_reason, answers_hash, receipt
		FROM attempts WHERE id = $1`, attemptID); err != nil {
		tb.Fatalf("read attempt %s: %v", attemptID, err)
	}
	return r
}

// attStored is one stored answer.
type attStored struct {
	Choice  *string `db:"choice"`
	Flagged bool    `db:"flagged"`
	Seq     int64   `db:"seq"`
}

func attMustAnswers(tb testing.TB, db *sqlx.DB, attemptID string) map[string]attStored {
	tb.Helper()
	var rows []struct {
		QuestionID string `db:"question_id"`
		attStored
	}
	if err := db.Select(&rows, `SELECT question_id, choice, flagged, seq FROM answers WHERE attempt_id = $1`, attemptID); err != nil {
		tb.Fatal(err)
	}
	out := map[string]attStored{}
	for _, r := range rows {
		out[r.QuestionID] = r.attStored
	}
	return out
}

// attAnswersHash is the SHA-256 a receipt attests: "question:choice\n" per chosen
// answer, in question id order.
func attAnswersHash(answers map[string]attStored) string {
	h := sha256.New()
	for _, id := range slices.Sorted(maps.Keys(answers)) {
		if a := answers[id]; a.Choice != nil {
			fmt.Fprintf(h, "%s:%s\n", id, *a.Choice)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// attMustFinished checks a finished attempt: its reason, its answers hash and a
// receipt that verifies and attests exactly this attempt.
func (e *attEnv) attMustFinished(tb testing.TB, attemptID, examID, nationalID, reason string) attRow {
	tb.Helper()
	r := attMustRow(tb, e.db, attemptID)
	if r.FinishReason == nil || *r.FinishReason != reason || r.SubmittedAt == nil || r.Receipt == nil {
		tb.Fatalf("attempt %s: finish_reason %v, submitted_at %v, receipt %v; want finished as %s with a receipt",
			attemptID, r.FinishReason, r.SubmittedAt, r.Receipt != nil, reason)
	}
	wantHash := attAnswersHash(attMustAnswers(tb, e.db, attemptID))
	if got := hex.EncodeToString(r.AnswersHash); got != wantHash {
		tb.Fatalf("attempt %s: answers_hash = %s, want %s (of the stored answers)", attemptID, got, wantHash)
	}
	p, err := receipts.Verify(e.pub, *r.Receipt)
	if err != nil {
		tb.Fatalf("attempt %s: receipt does not verify: %v", attemptID, err)
	}
	want := receipts.Payload{Version: 1, AttemptID: attemptID, ExamID: examID, NationalID: nationalID,
		FinishReason: reason, SubmittedAt: r.SubmittedAt.UTC(), AnswersSHA256: wantHash}
	if !p.SubmittedAt.Equal(want.SubmittedAt) {
		tb.Fatalf("receipt submitted_at = %v, want %v", p.SubmittedAt, want.SubmittedAt)
	}
	p.SubmittedAt = want.SubmittedAt
	if p != want {
		tb.Fatalf("receipt payload = %+v\nwant %+v", p, want)
	}
	return r
}

func attMustAuditCount(tb testing.TB, db *sqlx.DB, action, objectID string) int {
	tb.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1 AND object_id = $2`, action, objectID); err != nil {
		tb.Fatal(err)
	}
	return n
}

// attSleepUntil sleeps until the database's clock reads at least t.
func attSleepUntil(tb testing.TB, db *sqlx.DB, t time.Time) {
	tb.Helper()
	var now time.Time
	if err := db.Get(&now, `SELECT clock_timestamp()`); err != nil {
		tb.Fatal(err)
	}
	time.Sleep(t.Sub(now))
}

func attStr(s string) *string { return &s }
func attPtr[T any](v T) *T    { return &v }

func attCount(tb testing.TB, db *sqlx.DB, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.Get(&n, q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}
func attSeq(n int64) *int64 { return &n }

func attMustInputError(tb testing.TB, err error, want map[string]string) {
	tb.Helper()
	var ie *input.Error
	if !errors.As(err, &ie) || !maps.Equal(ie.Fields, want) {
		tb.Fatalf("err = %v, want *input.Error %v", err, want)
	}
}

func TestAttemptTimingOnDatabaseClock(t *testing.T) {
	t.Parallel()
	env := attMustEnv(t)
	ctx := context.Background()
	x := env.attExam(t, func(r *exam.ExamRequest) { r.DurationSeconds, r.GraceSeconds = 2, 2 })
	c1, nid1 := env.attCandidate(t)
	c2, nid2 := env.attCandidate(t)
	c3, nid3 := env.attCandidate(t)

	v := env.attMustStart(t, c1, x.ID)
	v2 := env.attMustStart(t, c2, x.ID)
	v3 := env.attMustStart(t, c3, x.ID)
	if got, want := v.DeadlineAt.Sub(v.StartedAt), 2*time.Second; got != want {
		t.Fatalf("deadline_at - started_at = %v, want %v", got, want)
	}
	if v.State != exam.StateRunning || v.GraceSeconds != 2 || v.ExtraSeconds != 0 || len(v.Questions) != 5 || len(v.Answers) != 0 {
		t.Fatalf("started view = %+v", v)
	}
	if v.RemainingMS <= 0 || v.RemainingMS > 2000 || v.RemainingMS != v.DeadlineAt.Sub(v.ServerNow).Milliseconds() {
		t.Fatalf("remaining_ms = %d with server_now %v and deadline %v", v.RemainingMS, v.ServerNow, v.DeadlineAt)
	}
	q := v.Questions

	// Before the deadline: accepted, with time left.
	saved, err := env.s.Save(ctx, c1, v.AttemptID, q[0].ID, exam.SaveRequest{Choice: attStr(q[0].Options[1].Key), Seq: attSeq(1)})
	if err != nil {
		t.Fatalf("Save before the deadline: %v", err)
	}
	if !saved.DeadlineAt.Equal(v.DeadlineAt) || saved.RemainingMS <= 0 || saved.RemainingMS != saved.DeadlineAt.Sub(saved.ServerNow).Milliseconds() {
		t.Fatalf("Saved = %+v, want deadline %v and time left", saved, v.DeadlineAt)
	}

	// Inside the grace: accepted, with no time left.
	attSleepUntil(t, env.db, v.DeadlineAt.Add(500*time.Millisecond))
	saved, err = env.s.Save(ctx, c1, v.AttemptID, q[1].ID, exam.SaveRequest{Choice: attStr(q[1].Options[0].Key), Flagged: true, Seq: attSeq(1)})
	if err != nil {
		t.Fatalf("Save inside the grace: %v", err)
	}
	if saved.RemainingMS != 0 || !saved.ServerNow.After(v.DeadlineAt) {
		t.Fatalf("Saved inside the grace = %+v, want remaining_ms 0 and server_now after %v", saved, v.DeadlineAt)
	}

	// After deadline + grace: refused, and the attempt is finished as a timeout
	// dated at the end of its grace.
	end := v.DeadlineAt.Add(2 * time.Second)
	attSleepUntil(t, env.db, end.Add(300*time.Millisecond))
	if _, err := env.s.Save(ctx, c1, v.AttemptID, q[2].ID, exam.SaveRequest{Choice: attStr(q[2].Options[0].Key), Seq: attSeq(1)}); !errors.Is(err, exam.ErrTimeOver) {
		t.Fatalf("Save after the grace: err = %v, want ErrTimeOver", err)
	}
	r := env.attMustFinished(t, v.AttemptID, x.ID, nid1, exam.ReasonTimeout)
	if !r.SubmittedAt.Equal(end) {
		t.Fatalf("timeout submitted_at = %v, want deadline + grace %v", r.SubmittedAt, end)
	}
	want := map[string]attStored{
		q[0].ID: {Choice: &q[0].Options[1].Key, Seq: 1},
		q[1].ID: {Choice: &q[1].Options[0].Key, Flagged: true, Seq: 1},
	}
	if got := attMustAnswers(t, env.db, v.AttemptID); !attSameAnswers(got, want) {
		t.Fatalf("stored answers = %v, want %v", got, want)
	}
	if got := attMustAuditCount(t, env.db, "attempt.timeout", v.AttemptID); got != 1 {
		t.Fatalf("attempt.timeout audit rows = %d, want 1", got)
	}
	if _, err := env.s.Save(ctx, c1, v.AttemptID, q[2].ID, exam.SaveRequest{Choice: attStr(q[2].Options[0].Key), Seq: attSeq(2)}); !errors.Is(err, exam.ErrAttemptFinished) {
		t.Fatalf("Save to the timed-out attempt: err = %v, want ErrAttemptFinished", err)
	}

	// Any access finishes an expired attempt: reading it, or handing it in.
	got, err := env.s.Attempt(ctx, c2, v2.AttemptID)
	if err != nil {
		t.Fatalf("Attempt(expired): %v", err)
	}
	if got.State != exam.StateSubmitted || got.FinishReason == nil || *got.FinishReason != exam.ReasonTimeout || got.Receipt == nil || got.RemainingMS != 0 {
		t.Fatalf("Attempt(expired) = state %s, reason %v, receipt %v, remaining %d; want a timeout with a receipt", got.State, got.FinishReason, got.Receipt != nil, got.RemainingMS)
	}
	env.attMustFinished(t, v2.AttemptID, x.ID, nid2, exam.ReasonTimeout)
	if got, err = env.s.Submit(ctx, c3, v3.AttemptID); err != nil || got.FinishReason == nil || *got.FinishReason != exam.ReasonTimeout {
		t.Fatalf("Submit(expired) = %v, %v; want finished as timeout", got.FinishReason, err)
	}
	env.attMustFinished(t, v3.AttemptID, x.ID, nid3, exam.ReasonTimeout)
	for _, id := range []string{v.AttemptID, v2.AttemptID, v3.AttemptID} {
		if got := attMustAuditCount(t, env.db, "attempt.timeout", id); got != 1 {
			t.Fatalf("attempt.timeout audit rows of %s = %d, want 1", id, got)
		}
		if got := attMustAuditCount(t, env.db, "attempt.submit", id); got != 0 {
			t.Fatalf("attempt.submit audit rows of %s = %d, want 0", id, got)
		}
	}
	// The one allowed attempt is used.
	if _, _, err := env.s.Start(ctx, c2, x.ID); !errors.Is(err, exam.ErrAttemptsExhausted) {
		t.Fatalf("Start after the timeout: err = %v, want ErrAttemptsExhausted", err)
	}
}

// attSameAnswers compares stored answers by value.
func attSameAnswers(a, b map[string]attStored) bool {
	return maps.EqualFunc(a, b, func(x, y attStored) bool {
		return x.Flagged == y.Flagged && x.Seq == y.Seq && (x.Choice == nil) == (y.Choice == nil) && (x.Choice == nil || *x.Choice == *y.Choice)
	})
}

func TestAttemptDeadlineFromAccommodationAndWindow(t *testing.T) {
	t.Parallel()
	env := attMustEnv(t)
	ctx := context.Background()

	t.Run("accommodation", func(t *testing.T) {
		x := env.attExam(t, func(r *exam.ExamRequest) { r.DurationSeconds = 2 })
		c1, nid1 := env.attCandidate(t)
		c2, _ := env.attCandidate(t)
		env.attMustGrant(t, x.ID, nid1, 5)
		v := env.attMustStart(t, c1, x.ID)
		if got, want := v.DeadlineAt.Sub(v.StartedAt), 7*time.Second; got != want || v.ExtraSeconds != 5 {
			t.Fatalf("with 5 s extra: deadline_at - started_at = %v, extra %d; want %v, 5", got, v.ExtraSeconds, want)
		}
		r := attMustRow(t, env.db, v.AttemptID)
		if got, want := r.DeadlineAt.Sub(r.StartedAt), 7*time.Second; got != want || r.ExtraSeconds != 5 {
			t.Fatalf("stored deadline_at - started_at = %v, extra %d; want %v, 5", got, r.ExtraSeconds, want)
		}
		v2 := env.attMustStart(t, c2, x.ID)
		if got, want := v2.DeadlineAt.Sub(v2.StartedAt), 2*time.Second; got != want || v2.ExtraSeconds != 0 {
			t.Fatalf("without extra: deadline_at - started_at = %v, extra %d; want %v, 0", got, v2.ExtraSeconds, want)
		}
	})

	t.Run("window close cuts the deadline", func(t *testing.T) {
		closes := time.Now().UTC().Truncate(time.Second).Add(30 * time.Second)
		x := env.attExam(t, func(r *exam.ExamRequest) { r.ClosesAt = &closes })
		c1, _ := env.attCandidate(t)
		c2, nid2 := env.attCandidate(t)
		env.attMustGrant(t, x.ID, nid2, 10)
		if v := env.attMustStart(t, c1, x.ID); !v.DeadlineAt.Equal(closes) {
			t.Fatalf("deadline_at = %v, want closes_at %v", v.DeadlineAt, closes)
		}
		if v := env.attMustStart(t, c2, x.ID); !v.DeadlineAt.Equal(closes.Add(10 * time.Second)) {
			t.Fatalf("with 10 s extra: deadline_at = %v, want closes_at + 10 s = %v", v.DeadlineAt, closes.Add(10*time.Second))
		}
	})

	t.Run("closing the exam cuts running attempts", func(t *testing.T) {
		x := env.attExam(t, nil)
		c1, _ := env.attCandidate(t)
		c2, nid2 := env.attCandidate(t)
		c3, _ := env.attCandidate(t)
		env.attMustGrant(t, x.ID, nid2, 60)
		v1 := env.attMustStart(t, c1, x.ID)
		v2 := env.attMustStart(t, c2, x.ID)
		if got, want := v2.DeadlineAt.Sub(v2.StartedAt), 3660*time.Second; got != want {
			t.Fatalf("before closing: deadline_at - started_at = %v, want %v", got, want)
		}
		closed, err := env.s.CloseExam(ctx, audit.System, x.ID)
		if err != nil {
			t.Fatalf("CloseExam: %v", err)
		}
		if got := attMustRow(t, env.db, v1.AttemptID).DeadlineAt; !got.Equal(closed.ClosesAt) {
			t.Fatalf("after closing: deadline_at = %v, want closes_at %v", got, closed.ClosesAt)
		}
		if got := attMustRow(t, env.db, v2.AttemptID).DeadlineAt; !got.Equal(closed.ClosesAt.Add(time.Minute)) {
			t.Fatalf("after closing, with 60 s extra: deadline_at = %v, want closes_at + 60 s = %v", got, closed.ClosesAt.Add(time.Minute))
		}
		got, err := env.s.Attempt(ctx, c2, v2.AttemptID)
		if err != nil || !got.DeadlineAt.Equal(closed.ClosesAt.Add(time.Minute)) || got.RemainingMS > 60_000 {
			t.Fatalf("Attempt after closing: deadline %v, remaining %d, err %v", got.DeadlineAt, got.RemainingMS, err)
		}
		if _, _, err := env.s.Start(ctx, c3, x.ID); !errors.Is(err, exam.ErrExamNotOpen) {
			t.Fatalf("Start on a closed exam: err = %v, want ErrExamNotOpen", err)
		}
	})
}

func TestStartRules(t *testing.T) {
	t.Parallel()
	env := attMustEnv(t)
	ctx := context.Background()
	x := env.attExam(t, func(r *exam.ExamRequest) { r.MaxAttempts = 2 })

	t.Run("refusals", func(t *testing.T) {
		now := time.Now().UTC().Truncate(time.Second)
		future := env.attExam(t, func(r *exam.ExamRequest) {
			r.OpensAt, r.ClosesAt = attPtr(now.Add(time.Hour)), attPtr(now.Add(2*time.Hour))
		})
		past := env.attExam(t, func(r *exam.ExamRequest) {
			r.OpensAt, r.ClosesAt = attPtr(now.Add(-2*time.Hour)), attPtr(now.Add(-time.Hour))
		})
		opens, closes := now.Add(-time.Hour), now.Add(time.Hour)
		draft, err := env.s.CreateExam(ctx, audit.System, exam.ExamRequest{Title: "پیش‌نویس",
			Sections: []exam.SectionSpec{{Key: "law", Draw: 1}}, DurationSeconds: 60, OpensAt: &opens, ClosesAt: &closes, PassPercent: attPtr(50.0)})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := env.attCandidate(t)
		for _, tc := range []struct {
			name              string
			candidate, examID string
			want              error
		}{
			{"before the window", c, future.ID, exam.ErrExamNotOpen},
			{"after the window", c, past.ID, exam.ErrExamNotOpen},
			{"not eligible", env.ineligible, x.ID, exam.ErrNotEligible},
			{"draft", c, draft.ID, exam.ErrNotFound},
			{"unknown exam", c, "5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f", exam.ErrNotFound},
			{"exam id not a UUID", c, "1; DROP TABLE exams", exam.ErrNotFound},
			{"unknown candidate", "5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f", x.ID, exam.ErrNotFound},
		} {
			if _, _, err := env.s.Start(ctx, tc.candidate, tc.examID); !errors.Is(err, tc.want) {
				t.Errorf("%s: Start err = %v, want %v", tc.name, err, tc.want)
			}
		}
		if got := attCount(t, env.db, `SELECT count(*) FROM attempts WHERE candidate_id IN ($1, $2)`, c, env.ineligible); got != 0 {
			t.Fatalf("refused starts stored %d attempts", got)
		}
	})

	t.Run("resume and max attempts", func(t *testing.T) {
		c, _ := env.attCandidate(t)
		first := env.attMustStart(t, c, x.ID)
		again, created, err := env.s.Start(ctx, c, x.ID)
		if err != nil || created || again.AttemptID != first.AttemptID {
			t.Fatalf("second Start = %s, created %v, err %v; want %s, false", again.AttemptID, created, err, first.AttemptID)
		}
		// The draw is stored: the same questions, in the same order, with the same options.
		if !slices.EqualFunc(first.Questions, again.Questions, func(a, b exam.ShownQuestion) bool {
			return a.ID == b.ID && slices.Equal(a.Options, b.Options)
		}) || !again.DeadlineAt.Equal(first.DeadlineAt) {
			t.Fatalf("resumed attempt reads differently:\n%+v\n%+v", first, again)
		}
		if _, err := env.s.Submit(ctx, c, first.AttemptID); err != nil {
			t.Fatal(err)
		}
		second := env.attMustStart(t, c, x.ID)
		if second.AttemptID == first.AttemptID {
			t.Fatalf("the second attempt reuses the first's id")
		}
		if got := attMustRow(t, env.db, second.AttemptID).Number; got != 2 {
			t.Fatalf("second attempt number = %d, want 2", got)
		}
		if _, err := env.s.Submit(ctx, c, second.AttemptID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := env.s.Start(ctx, c, x.ID); !errors.Is(err, exam.ErrAttemptsExhausted) {
			t.Fatalf("third Start with max_attempts 2: err = %v, want ErrAttemptsExhausted", err)
		}
		if got := attCount(t, env.db, `SELECT count(*) FROM attempts WHERE candidate_id = $1`, c); got != 2 {
			t.Fatalf("attempts = %d, want 2", got)
		}
		if got := attCount(t, env.db, `SELECT count(*) FROM audit_log WHERE action = 'attempt.start' AND actor_id = $1`, c); got != 2 {
			t.Fatalf("attempt.start audit rows = %d, want 2", got)
		}
	})

	t.Run("concurrent starts make one attempt", func(t *testing.T) {
		c, _ := env.attCandidate(t)
		const n = 10
		var (
			wg      sync.WaitGroup
			ids     [n]string
			created [n]bool
			errs    [n]error
			gate    = make(chan struct{})
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				v, c, err := env.s.Start(ctx, c, x.ID)
				ids[i], created[i], errs[i] = v.AttemptID, c, err
			}()
		}
		close(gate)
		wg.Wait()
		nCreated := 0
		for i := 0; i < n; i++ {
			if errs[i] != nil {
				t.Fatalf("concurrent Start %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("concurrent starts returned attempts %s and %s", ids[0], ids[i])
			}
			if created[i] {
				nCreated++
			}
		}
		if nCreated != 1 {
			t.Fatalf("%d starts said created, want 1", nCreated)
		}
		if got := attCount(t, env.db, `SELECT count(*) FROM attempts WHERE candidate_id = $1`, c); got != 1 {
			t.Fatalf("attempt rows = %d, want 1", got)
		}
	})
}

func TestSaveRules(t *testing.T) {
	t.Parallel()
	env := attMustEnv(t)
	ctx := context.Background()
	// Unshuffled options, so the stored order is the shown order.
	x := env.attExam(t, func(r *exam.ExamRequest) { r.ShuffleOptions = false })
	c, _ := env.attCandidate(t)
	other, _ := env.attCandidate(t)
	v := env.attMustStart(t, c, x.ID)
	ov := env.attMustStart(t, other, x.ID)
	q := v.Questions
	save := func(questionID string, choice *string, seq int64) (exam.Saved, error) {
		return env.s.Save(ctx, c, v.AttemptID, questionID, exam.SaveRequest{Choice: choice, Seq: &seq})
	}
	mustStored := func(t *testing.T, questionID string, want attStored) {
		t.Helper()
		got, ok := attMustAnswers(t, env.db, v.AttemptID)[questionID]
		if !ok || !attSameAnswers(map[string]attStored{"": got}, map[string]attStored{"": want}) {
			t.Fatalf("stored answer to %s = %+v (present %v), want %+v", questionID, got, ok, want)
		}
	}

	t.Run("a lower seq never overwrites", func(t *testing.T) {
		first, err := save(q[0].ID, attStr("c"), 5)
		if err != nil {
			t.Fatalf("Save seq 5: %v", err)
		}
		late, err := save(q[0].ID, attStr("a"), 3)
		if err != nil {
			t.Fatalf("Save seq 3 after seq 5: err = %v, want acknowledged", err)
		}
		if !late.SavedAt.Equal(first.SavedAt) {
			t.Fatalf("late retry saved_at = %v, want the stored answer's %v", late.SavedAt, first.SavedAt)
		}
		mustStored(t, q[0].ID, attStored{Choice: attStr("c"), Seq: 5})
		if _, err := save(q[0].ID, attStr("b"), 5); err != nil {
			t.Fatalf("Save with an equal seq: err = %v, want acknowledged", err)
		}
		mustStored(t, q[0].ID, attStored{Choice: attStr("c"), Seq: 5})
		if _, err := save(q[0].ID, attStr(" D "), 6); err != nil {
			t.Fatalf("Save seq 6: %v", err)
		}
		mustStored(t, q[0].ID, attStored{Choice: attStr("d"), Seq: 6})
	})

	t.Run("clear with null", func(t *testing.T) {
		if _, err := save(q[1].ID, attStr("b"), 1); err != nil {
			t.Fatal(err)
		}
		if _, err := env.s.Save(ctx, c, v.AttemptID, q[1].ID, exam.SaveRequest{Choice: nil, Flagged: true, Seq: attSeq(2)}); err != nil {
			t.Fatalf("Save null: %v", err)
		}
		mustStored(t, q[1].ID, attStored{Choice: nil, Flagged: true, Seq: 2})
		got, err := env.s.Attempt(ctx, c, v.AttemptID)
		if err != nil {
			t.Fatal(err)
		}
		if a := got.Answers[q[1].ID]; a.Choice != nil || !a.Flagged || a.Seq != 2 {
			t.Fatalf("Attempt answers[%s] = %+v, want cleared and flagged at seq 2", q[1].ID, a)
		}
	})

	t.Run("refused input", func(t *testing.T) {
		drawn := map[string]bool{}
		for _, d := range q {
			drawn[d.ID] = true
		}
		var undrawn string
		for _, b := range env.bank["law"] {
			if !drawn[b.ID] {
				undrawn = b.ID
			}
		}
		for _, tc := range []struct {
			name       string
			questionID string
			req        exam.SaveRequest
			want       map[string]string
		}{
			{"question of the pool not drawn", undrawn, exam.SaveRequest{Choice: attStr("a"), Seq: attSeq(1)}, map[string]string{"question_id": "unknown_question"}},
			{"unknown question", "5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f", exam.SaveRequest{Choice: attStr("a"), Seq: attSeq(1)}, map[string]string{"question_id": "unknown_question"}},
			{"question id not a UUID", "nope", exam.SaveRequest{Choice: attStr("a"), Seq: attSeq(1)}, map[string]string{"question_id": "unknown_question"}},
			{"choice not an option", q[2].ID, exam.SaveRequest{Choice: attStr("e"), Seq: attSeq(1)}, map[string]string{"choice": "not_an_option"}},
			{"empty choice", q[2].ID, exam.SaveRequest{Choice: attStr(""), Seq: attSeq(1)}, map[string]string{"choice": "not_an_option"}},
			{"no seq", q[2].ID, exam.SaveRequest{Choice: attStr("a")}, map[string]string{"seq": "required"}},
			{"negative seq", q[2].ID, exam.SaveRequest{Choice: attStr("a"), Seq: attSeq(-1)}, map[string]string{"seq": "too_small"}},
		} {
			_, err := env.s.Save(ctx, c, v.AttemptID, tc.questionID, tc.req)
			var ie *input.Error
			if !errors.As(err, &ie) || !maps.Equal(ie.Fields, tc.want) {
				t.Errorf("%s: err = %v, want *input.Error %v", tc.name, err, tc.want)
			}
		}
		if _, ok := attMustAnswers(t, env.db, v.AttemptID)[q[2].ID]; ok {
			t.Fatalf("a refused save was stored")
		}
	})

	t.Run("another candidate's attempt", func(t *testing.T) {
		oq := ov.Questions[0]
		if _, err := env.s.Save(ctx, c, ov.AttemptID, oq.ID, exam.SaveRequest{Choice: attStr(oq.Options[0].Key), Seq: attSeq(1)}); !errors.Is(err, exam.ErrNotFound) {
			t.Fatalf("Save to another's attempt: err = %v, want ErrNotFound", err)
		}
		if _, err := env.s.Save(ctx, c, ov.AttemptID, "nope", exam.SaveRequest{Choice: attStr("a"), Seq: attSeq(1)}); !errors.Is(err, exam.ErrNotFound) {
			t.Fatalf("Save of a bad question to another's attempt: err = %v, want ErrNotFound", err)
		}
		if _, err := env.s.Save(ctx, c, "not-a-uuid", oq.ID, exam.SaveRequest{Choice: attStr("a"), Seq: attSeq(1)}); !errors.Is(err, exam.ErrNotFound) {
			t.Fatalf("Save to a non-UUID attempt: err = %v, want ErrNotFound", err)
		}
		if _, err := env.s.Attempt(ctx, c, ov.AttemptID); !errors.Is(err, exam.ErrNotFound) {
			t.Fatalf("Attempt of another's: err = %v, want ErrNotFound", err)
		}
		if _, err := env.s.Submit(ctx, c, ov.AttemptID); !errors.Is(err, exam.ErrNotFound) {
			t.Fatalf("Submit of another's: err = %v, want ErrNotFound", err)
		}
		if got := attMustRow(t, env.db, ov.AttemptID); got.FinishReason != nil || len(attMustAnswers(t, env.db, ov.AttemptID)) != 0 {
			t.Fatalf("another candidate changed the attempt: %+v", got)
		}
	})

	t.Run("after submit", func(t *testing.T) {
		done, err := env.s.Submit(ctx, c, v.AttemptID)
		if err != nil {
			t.Fatal(err)
		}
		if done.State != exam.StateSubmitted || done.FinishReason == nil || *done.FinishReason != exam.ReasonSubmitted || done.Receipt == nil {
			t.Fatalf("Submit = %+v", done)
		}
		if _, err := save(q[3].ID, attStr("a"), 1); !errors.Is(err, exam.ErrAttemptFinished) {
			t.Fatalf("Save after submit: err = %v, want ErrAttemptFinished", err)
		}
		if _, err := save(q[0].ID, attStr("a"), 7); !errors.Is(err, exam.ErrAttemptFinished) {
			t.Fatalf("Save of a newer seq after submit: err = %v, want ErrAttemptFinished", err)
		}
		mustStored(t, q[0].ID, attStored{Choice: attStr("d"), Seq: 6})
		if _, ok := attMustAnswers(t, env.db, v.AttemptID)[q[3].ID]; ok {
			t.Fatalf("a save after submit was stored")
		}
		// Submitting again changes nothing.
		again, err := env.s.Submit(ctx, c, v.AttemptID)
		if err != nil || again.Receipt == nil || *again.Receipt != *done.Receipt || !again.SubmittedAt.Equal(*done.SubmittedAt) {
			t.Fatalf("second Submit = %v, %v; want the same receipt", again.Receipt, err)
		}
		if got := attMustAuditCount(t, env.db, "attempt.submit", v.AttemptID); got != 1 {
			t.Fatalf("attempt.submit audit rows = %d, want 1", got)
		}
	})
}

// attAck is one save and whether the store acknowledged it.
type attAck struct {
	question string
	choice   string
	flagged  bool
	seq      int64
}

func TestConcurrentSavesAndSubmit(t *testing.T) {
	t.Parallel()
	attRunConcurrentSavesAndSubmit(t, attMustEnv(t))
}

// TestConcurrentSavesAndSubmitBatched runs the same race with group commit on:
// saves that arrive together share one statement and one commit.
func TestConcurrentSavesAndSubmitBatched(t *testing.T) {
	t.Parallel()
	env := attMustEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env.s.StartBatching(ctx, 3, 16)
	attRunConcurrentSavesAndSubmit(t, env)
}

func attRunConcurrentSavesAndSubmit(t *testing.T, env *attEnv) {
	ctx := context.Background()
	x := env.attExam(t, func(r *exam.ExamRequest) {
		r.Sections[0].Draw, r.Sections[1].Draw = 6, 4
	})
	const (
		rounds     = 5
		workers    = 20
		perWorker  = 10
		submitWhen = workers * perWorker / 3
	)
	refusedTotal := 0
	for round := 0; round < rounds; round++ {
		c, nid := env.attCandidate(t)
		v := env.attMustStart(t, c, x.ID)
		var (
			mu      sync.Mutex
			acked   []attAck
			refused []attAck
			done    atomic.Int64
			half    = make(chan struct{})
			gate    = make(chan struct{})
			wg      sync.WaitGroup
		)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				for i := 0; i < perWorker; i++ {
					q := v.Questions[(w+i)%len(v.Questions)]
					a := attAck{question: q.ID, choice: q.Options[(w+i)%len(q.Options)].Key, flagged: (w+i)%3 == 0,
						seq: int64(i*workers + w + 1)}
					_, err := env.s.Save(ctx, c, v.AttemptID, a.question, exam.SaveRequest{Choice: &a.choice, Flagged: a.flagged, Seq: &a.seq})
					mu.Lock()
					switch {
					case err == nil:
						acked = append(acked, a)
					case errors.Is(err, exam.ErrAttemptFinished):
						refused = append(refused, a)
					default:
						t.Errorf("round %d: Save: %v", round, err)
					}
					mu.Unlock()
					if done.Add(1) == submitWhen {
						close(half)
					}
					// Spread the saves out, so the submit lands among them.
					time.Sleep(time.Duration(w%3) * time.Millisecond)
				}
			}()
		}
		var submitted exam.AttemptView
		var submitErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-half
			submitted, submitErr = env.s.Submit(ctx, c, v.AttemptID)
		}()
		close(gate)
		wg.Wait()
		if submitErr != nil {
			t.Fatalf("round %d: Submit: %v", round, submitErr)
		}
		refusedTotal += len(refused)
		t.Logf("round %d: %d saves acknowledged, %d refused", round, len(acked), len(refused))

		// The stored answer to each question is exactly the acknowledged save with
		// the highest seq; a question with no acknowledged save has none.
		want := map[string]attStored{}
		for _, a := range acked {
			if cur, ok := want[a.question]; !ok || a.seq > cur.Seq {
				want[a.question] = attStored{Choice: attStr(a.choice), Flagged: a.flagged, Seq: a.seq}
			}
		}
		got := attMustAnswers(t, env.db, v.AttemptID)
		if !attSameAnswers(got, want) {
			t.Fatalf("round %d: stored answers differ from the latest acknowledged saves:\nstored %v\nwant   %v", round, got, want)
		}
		// What was stored is what the receipt attests and what submit showed.
		env.attMustFinished(t, v.AttemptID, x.ID, nid, exam.ReasonSubmitted)
		shown := map[string]attStored{}
		for id, a := range submitted.Answers {
			shown[id] = attStored{Choice: a.Choice, Flagged: a.Flagged, Seq: a.Seq}
		}
		if !attSameAnswers(shown, got) {
			t.Fatalf("round %d: submit showed %v, stored %v", round, shown, got)
		}
		// No refused save is stored (seqs are unique per question).
		for _, r := range refused {
			if s, ok := got[r.question]; ok && s.Seq == r.seq {
				t.Fatalf("round %d: refused save %+v is stored", round, r)
			}
		}
	}
	if refusedTotal == 0 {
		t.Fatalf("no save was refused in %d rounds: the submit never landed mid-way", rounds)
	}
}

func TestSweepersFinishEachExpiredAttemptOnce(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	open := func() *sqlx.DB {
		db, err := database.Open(context.Background(), url, database.PoolConfig{MaxOpen: 10})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db1, db2 := open(), open()
	env := attMustEnvOn(t, db1)
	ctx := context.Background()
	short := env.attExam(t, func(r *exam.ExamRequest) { r.DurationSeconds, r.GraceSeconds = 1, 0 })
	long := env.attExam(t, nil)

	const expired = 9
	nids := map[string]string{}
	var last time.Time
	for i := 0; i < expired; i++ {
		c, nid := env.attCandidate(t)
		v := env.attMustStart(t, c, short.ID)
		nids[v.AttemptID] = nid
		if i%2 == 0 {
			q := v.Questions[0]
			if _, err := env.s.Save(ctx, c, v.AttemptID, q.ID, exam.SaveRequest{Choice: &q.Options[0].Key, Seq: attSeq(1)}); err != nil {
				t.Fatal(err)
			}
		}
		last = v.DeadlineAt
	}
	var running []string
	for i := 0; i < 3; i++ {
		c, _ := env.attCandidate(t)
		running = append(running, env.attMustStart(t, c, long.ID).AttemptID)
	}
	attSleepUntil(t, env.db, last.Add(200*time.Millisecond))

	stores := []*exam.Store{
		{DB: db1, Receipts: env.signer, Cache: &exam.Cache{}},
		{DB: db2, Receipts: env.signer, Cache: &exam.Cache{}},
	}
	var (
		wg    sync.WaitGroup
		total atomic.Int64
		gate  = make(chan struct{})
	)
	for i := 0; i < 4; i++ {
		s := stores[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			for {
				n, err := s.SweepExpired(ctx, 2)
				if err != nil {
					t.Errorf("SweepExpired: %v", err)
					return
				}
				if n == 0 {
					return
				}
				total.Add(int64(n))
			}
		}()
	}
	close(gate)
	wg.Wait()
	if got := total.Load(); got != expired {
		t.Fatalf("sweepers finished %d attempts, want %d", got, expired)
	}
	if n, err := stores[0].SweepExpired(ctx, 100); err != nil || n != 0 {
		t.Fatalf("a later sweep finished %d (err %v), want 0", n, err)
	}
	for id, nid := range nids {
		r := env.attMustFinished(t, id, short.ID, nid, exam.ReasonTimeout)
		if !r.SubmittedAt.Equal(r.DeadlineAt) {
			t.Fatalf("attempt %s: timeout at %v, want its deadline %v (no grace)", id, r.SubmittedAt, r.DeadlineAt)
		}
		if got := attMustAuditCount(t, env.db, "attempt.timeout", id); got != 1 {
			t.Fatalf("attempt %s: %d attempt.timeout audit rows, want 1", id, got)
		}
	}
	for _, id := range running {
		if r := attMustRow(t, env.db, id); r.FinishReason != nil || r.SubmittedAt != nil || r.Receipt != nil {
			t.Fatalf("running attempt %s was touched: %+v", id, r)
		}
		if got := attMustAuditCount(t, env.db, "attempt.timeout", id); got != 0 {
			t.Fatalf("running attempt %s has %d attempt.timeout audit rows", id, got)
		}
	}
	if res, err := audit.Verify(ctx, env.db); err != nil || !res.Valid {
		t.Fatalf("audit chain after concurrent sweeps: %+v, %v", res, err)
	}
}

// TestStartFinishesExpiredAttempt: starting again is an access like any other, so
// an expired attempt that nobody touched is finished as a timeout then, also when
// no attempt is left to start.
func TestStartFinishesExpiredAttempt(t *testing.T) {
	t.Parallel()
	env := attMustEnv(t)
	ctx := context.Background()
	one := env.attExam(t, func(r *exam.ExamRequest) { r.DurationSeconds, r.GraceSeconds = 1, 0 })
	two := env.attExam(t, func(r *exam.ExamRequest) { r.DurationSeconds, r.GraceSeconds, r.MaxAttempts = 1, 0, 2 })
	c, nid := env.attCandidate(t)
	v1 := env.attMustStart(t, c, one.ID)
	v2 := env.attMustStart(t, c, two.ID)
	attSleepUntil(t, env.db, v2.DeadlineAt.Add(200*time.Millisecond))

	// A second attempt is allowed: the first is finished, the second starts.
	next, created, err := env.s.Start(ctx, c, two.ID)
	if err != nil || !created || next.AttemptID == v2.AttemptID {
		t.Fatalf("Start after expiry with an attempt left = %s, created %v, err %v; want a new attempt", next.AttemptID, created, err)
	}
	env.attMustFinished(t, v2.AttemptID, two.ID, nid, exam.ReasonTimeout)

	// No attempt left: refused, but the expired one is finished all the same.
	if _, _, err := env.s.Start(ctx, c, one.ID); !errors.Is(err, exam.ErrAttemptsExhausted) {
		t.Fatalf("Start after expiry with no attempt left: err = %v, want ErrAttemptsExhausted", err)
	}
	env.attMustFinished(t, v1.AttemptID, one.ID, nid, exam.ReasonTimeout)
	if got := attMustAuditCount(t, env.db, "attempt.timeout", v1.AttemptID); got != 1 {
		t.Fatalf("attempt.timeout audit rows = %d, want 1", got)
	}
}
