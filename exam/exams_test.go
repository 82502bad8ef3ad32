package exam_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/input"
)

func ptr[T any](v T) *T { return &v }

// examRequest returns a valid exam drawing draw[i] questions from sections[i].
func examRequest(sections []string, draw []int) exam.ExamRequest {
	opens := time.Date(2030, 3, 1, 8, 0, 0, 0, time.UTC)
	r := exam.ExamRequest{
		Title:            "آزمون آزمایشی",
		DurationSeconds:  1800,
		OpensAt:          &opens,
		ClosesAt:         ptr(opens.Add(4 * time.Hour)),
		GraceSeconds:     30,
		ShuffleQuestions: true,
		PointsCorrect:    ptr(1.0),
		PenaltyWrong:     &exam.Ratio{Num: 1, Den: 4},
		PassPercent:      ptr(50.0),
		MaxAttempts:      1,
	}
	for i, s := range sections {
		r.Sections = append(r.Sections, exam.SectionSpec{Key: s, Title: "بخش " + s, Draw: draw[i], MinPercent: 30})
	}
	return r
}

// mustPool returns the question ids of an exam's frozen pool by section.
func mustPool(tb testing.TB, db *sqlx.DB, examID string) map[string][]string {
	tb.Helper()
	var rows []struct {
		Section string `db:"section_key"`
		ID      string `db:"question_id"`
	}
	if err := db.Select(&rows, `SELECT section_key, question_id FROM exam_pool WHERE exam_id = $1 ORDER BY section_key, question_id`, examID); err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Section] = append(out[r.Section], r.ID)
	}
	return out
}

func questionIDs(qs []exam.Question) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.ID)
	}
	slices.Sort(out)
	return out
}

func TestPublishFreezesExamAndPool(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	law := mustBank(t, s, admin, "law", 4)
	city := mustBank(t, s, admin, "city", 3)
	mustBank(t, s, admin, "ethics", 2) // not drawn by the exam

	before := len(mustAuditRows(t, db))
	draft, err := s.CreateExam(ctx, admin, examRequest([]string{"law", "city"}, []int{3, 2}))
	if err != nil {
		t.Fatalf("CreateExam: %v", err)
	}
	mustOneNewAuditRow(t, db, before, admin, "exam.create", draft.ID)
	if draft.Status != "draft" || !maps.Equal(draft.PoolSizes, map[string]int{"law": 4, "city": 3}) {
		t.Fatalf("draft = status %q, pool sizes %v; want draft with {law:4 city:3}", draft.Status, draft.PoolSizes)
	}

	// A draft may be edited.
	before++
	edit := examRequest([]string{"law", "city"}, []int{2, 2})
	edit.Title = "آزمون ویرایش‌شده"
	edited, err := s.UpdateExam(ctx, admin, draft.ID, edit)
	if err != nil || edited.Title != "آزمون ویرایش‌شده" || edited.Sections[0].Draw != 2 {
		t.Fatalf("UpdateExam(draft) = %+v, %v; want the edit", edited, err)
	}
	mustOneNewAuditRow(t, db, before, admin, "exam.update", draft.ID)

	before++
	pub, err := s.PublishExam(ctx, admin, draft.ID)
	if err != nil {
		t.Fatalf("PublishExam: %v", err)
	}
	mustOneNewAuditRow(t, db, before, admin, "exam.publish", draft.ID)
	if pub.Status != "published" || pub.PublishedAt == nil || !maps.Equal(pub.PoolSizes, map[string]int{"law": 4, "city": 3}) {
		t.Fatalf("published = status %q, published_at %v, pool sizes %v", pub.Status, pub.PublishedAt, pub.PoolSizes)
	}
	wantPool := map[string][]string{"law": questionIDs(law), "city": questionIDs(city)}
	if got := mustPool(t, db, draft.ID); !reflect.DeepEqual(got, wantPool) {
		t.Fatalf("pool = %v, want %v", got, wantPool)
	}

	// The rules no longer change, and the refusal writes nothing.
	before++
	if _, err := s.UpdateExam(ctx, admin, draft.ID, examRequest([]string{"law"}, []int{1})); !errors.Is(err, exam.ErrExamFrozen) {
		t.Fatalf("UpdateExam(published): err = %v, want ErrExamFrozen", err)
	}
	if _, err := s.PublishExam(ctx, admin, draft.ID); !errors.Is(err, exam.ErrExamFrozen) {
		t.Fatalf("PublishExam twice: err = %v, want ErrExamFrozen", err)
	}
	if got := len(mustAuditRows(t, db)); got != before {
		t.Fatalf("audit rows after refused writes = %d, want %d", got, before)
	}

	// What happens to the bank afterwards does not change the pool.
	if _, err := s.RetireQuestion(ctx, admin, law[0].ID); err != nil {
		t.Fatal(err)
	}
	mustQuestion(t, s, admin, question("law", 99))
	mustQuestion(t, s, admin, question("city", 99))
	replaced := question("city", 1)
	replaced.Stem = "صورت تازه پرسش یکم شهری"
	replaced.Correct = "c"
	before = len(mustAuditRows(t, db))
	newQ, err := s.UpdateQuestion(ctx, admin, city[0].ID, replaced)
	if err != nil {
		t.Fatalf("UpdateQuestion(pooled): %v", err)
	}
	if newQ.ID == city[0].ID || newQ.Replaces == nil || *newQ.Replaces != city[0].ID || newQ.Status != "active" || newQ.Stem != "صورت تازه پرسش یکم شهری" || newQ.Frozen {
		t.Fatalf("UpdateQuestion(pooled) = %+v, want a new active question replacing %s", newQ, city[0].ID)
	}
	if r := mustOneNewAuditRow(t, db, before, admin, "question.replace", newQ.ID); !strings.Contains(r.Details, city[0].ID) {
		t.Fatalf("question.replace details = %s, want the replaced id %s", r.Details, city[0].ID)
	}
	old, err := s.Question(ctx, city[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if old.Stem != city[0].Stem || old.Correct != "b" || !reflect.DeepEqual(old.Options, city[0].Options) || old.Status != "retired" || !old.Frozen {
		t.Fatalf("old question after the edit = %+v, want its content unchanged, retired and frozen", old)
	}

	if got := mustPool(t, db, draft.ID); !reflect.DeepEqual(got, wantPool) {
		t.Fatalf("pool after bank changes = %v, want %v", got, wantPool)
	}
	again, err := s.Exam(ctx, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(again.PoolSizes, map[string]int{"law": 4, "city": 3}) {
		t.Fatalf("pool sizes after bank changes = %v, want {law:4 city:3}", again.PoolSizes)
	}
	pub.UpdatedAt, again.UpdatedAt = time.Time{}, time.Time{}
	pubJSON, _ := json.Marshal(pub)
	againJSON, _ := json.Marshal(again)
	if string(pubJSON) != string(againJSON) {
		t.Fatalf("published exam changed:\n%s\nnow\n%s", pubJSON, againJSON)
	}

	// The database itself refuses to rewrite a pooled question; its status may change.
	_, err = db.Exec(`UPDATE questions SET stem = 'rewritten' WHERE id = $1`, law[1].ID)
	if err == nil || !strings.Contains(err.Error(), "is used by a published exam and cannot change") {
		t.Fatalf("direct UPDATE of a pooled stem: err = %v, want the trigger's refusal", err)
	}
	for _, q := range []string{`UPDATE questions SET correct = 'a' WHERE id = $1`, `UPDATE questions SET options = '[]' WHERE id = $1`} {
		if _, err := db.Exec(q, law[1].ID); err == nil {
			t.Errorf("%s on a pooled question succeeded, want the trigger's refusal", q)
		}
	}
	if _, err := db.Exec(`UPDATE questions SET status = 'retired' WHERE id = $1`, law[1].ID); err != nil {
		t.Fatalf("retiring a pooled question with SQL: %v", err)
	}
	// A question outside every pool may still be rewritten.
	if _, err := db.Exec(`UPDATE questions SET stem = 'rewritten' WHERE id = $1`, newQ.ID); err != nil {
		t.Fatalf("direct UPDATE of an unpooled question: %v", err)
	}
}

func TestPublishRefusesShrunkPool(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	law := mustBank(t, s, admin, "law", 3)
	e, err := s.CreateExam(ctx, admin, examRequest([]string{"law"}, []int{3}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RetireQuestion(ctx, admin, law[2].ID); err != nil {
		t.Fatal(err)
	}
	before := len(mustAuditRows(t, db))
	_, err = s.PublishExam(ctx, admin, e.ID)
	var ie *input.Error
	if !errors.As(err, &ie) || !maps.Equal(ie.Fields, map[string]string{"sections[0].draw": "pool_too_small"}) {
		t.Fatalf("PublishExam with a shrunk pool: err = %v, want sections[0].draw pool_too_small", err)
	}
	got, err := s.Exam(ctx, e.ID)
	if err != nil || got.Status != "draft" || len(mustPool(t, db, e.ID)) != 0 || len(mustAuditRows(t, db)) != before {
		t.Fatalf("after a refused publish: status %q, pool %v, err %v; want a draft with no pool and no audit row", got.Status, mustPool(t, db, e.ID), err)
	}
}

func TestExamValidation(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	mustBank(t, s, admin, "law", 3)
	tests := []struct {
		name string
		edit func(r *exam.ExamRequest)
		want map[string]string
	}{
		{"draw exceeds the active pool", func(r *exam.ExamRequest) { r.Sections[0].Draw = 4 },
			map[string]string{"sections[0].draw": "pool_too_small"}},
		{"section with no questions", func(r *exam.ExamRequest) {
			r.Sections = append(r.Sections, exam.SectionSpec{Key: "city", Draw: 1})
		}, map[string]string{"sections[1].draw": "pool_too_small"}},
		{"closes before it opens", func(r *exam.ExamRequest) { r.ClosesAt = ptr(r.OpensAt.Add(-time.Minute)) },
			map[string]string{"closes_at": "not_after_opens_at"}},
		{"closes when it opens", func(r *exam.ExamRequest) { r.ClosesAt = ptr(*r.OpensAt) },
			map[string]string{"closes_at": "not_after_opens_at"}},
		{"everything wrong at once", func(r *exam.ExamRequest) {
			r.Title = "  "
			r.Sections[0].MinPercent = 100.5
			r.Sections = append(r.Sections, exam.SectionSpec{Key: "law", Draw: 0, MinPercent: -1})
			r.DurationSeconds = 0
			r.PassPercent = ptr(101.0)
			r.PenaltyWrong = &exam.Ratio{Num: -1, Den: 3}
			r.GraceSeconds = -1
			r.PointsCorrect = ptr(0.0)
			r.MaxAttempts = -1
			r.OpensAt = nil
		}, map[string]string{
			"title":                   "required",
			"sections[0].min_percent": "out_of_range",
			"sections[1].key":         "duplicate",
			"sections[1].draw":        "too_small",
			"sections[1].min_percent": "out_of_range",
			"duration_seconds":        "too_small",
			"pass_percent":            "out_of_range",
			"penalty_wrong":           "out_of_range",
			"grace_seconds":           "out_of_range",
			"points_correct":          "out_of_range",
			"max_attempts":            "out_of_range",
			"opens_at":                "required",
		}},
		{"no sections, no pass percent", func(r *exam.ExamRequest) { r.Sections, r.PassPercent = nil, nil },
			map[string]string{"sections": "required", "pass_percent": "required"}},
		{"duration over a day", func(r *exam.ExamRequest) { r.DurationSeconds = 24*3600 + 1 },
			map[string]string{"duration_seconds": "too_large"}},
	}
	for _, tt := range tests {
		r := examRequest([]string{"law"}, []int{3})
		tt.edit(&r)
		_, err := s.CreateExam(ctx, admin, r)
		var ie *input.Error
		if !errors.As(err, &ie) || !maps.Equal(ie.Fields, tt.want) {
			t.Errorf("%s: err = %v, want fields %v", tt.name, err, tt.want)
		}
	}
	if n := mustCount(t, db, `SELECT count(*) FROM exams`); n != 0 {
		t.Fatalf("exams after refused creates = %d, want 0", n)
	}
	// Drawing the whole active pool is allowed.
	if _, err := s.CreateExam(ctx, admin, examRequest([]string{"law"}, []int{3})); err != nil {
		t.Fatalf("CreateExam drawing the whole pool: %v", err)
	}
}

func TestPenaltyFractionRoundTrips(t *testing.T) {
	t.Parallel()
	s, _, admin := mustStore(t)
	ctx := context.Background()
	mustBank(t, s, admin, "law", 2)
	for _, tt := range []struct {
		json, wantFraction string
		wantRatio          exam.Ratio
	}{
		{`"1/3"`, "1/3", exam.Ratio{Num: 1, Den: 3}},
		{`0.25`, "1/4", exam.Ratio{Num: 1, Den: 4}},
		{`"0"`, "0", exam.Ratio{Num: 0, Den: 1}},
	} {
		body := `{"title":"آزمون","sections":[{"key":"law","title":"قانون","draw":2,"min_percent":0}],"duration_seconds":60,
			"opens_at":"2030-01-01T08:00:00Z","closes_at":"2030-01-01T09:00:00Z","pass_percent":50,"penalty_wrong":` + tt.json + `}`
		var r exam.ExamRequest
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatalf("%s: %v", tt.json, err)
		}
		e, err := s.CreateExam(ctx, admin, r)
		if err != nil {
			t.Fatalf("%s: CreateExam: %v", tt.json, err)
		}
		got, err := s.Exam(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PenaltyFraction != tt.wantFraction || got.PenaltyWrong != tt.wantRatio {
			t.Errorf("penalty %s read back as %q %+v, want %q %+v", tt.json, got.PenaltyFraction, got.PenaltyWrong, tt.wantFraction, tt.wantRatio)
		}
		b, _ := json.Marshal(got)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m["penalty_wrong_fraction"] != tt.wantFraction || m["penalty_wrong"] != tt.wantRatio.Float() {
			t.Errorf("penalty %s in JSON: fraction %v, number %v; want %q, %v", tt.json, m["penalty_wrong_fraction"], m["penalty_wrong"], tt.wantFraction, tt.wantRatio.Float())
		}
		// Defaults filled in when left out.
		if got.PointsCorrect != 1 || got.MaxAttempts != 1 || got.ObjectionWindowSeconds != 72*3600 || got.GraceSeconds != 0 {
			t.Errorf("defaults = points %v, attempts %d, objection window %d, grace %d; want 1, 1, 259200, 0",
				got.PointsCorrect, got.MaxAttempts, got.ObjectionWindowSeconds, got.GraceSeconds)
		}
	}
	var r exam.ExamRequest
	if err := json.Unmarshal([]byte(`{"penalty_wrong":"one third"}`), &r); err == nil {
		t.Fatalf("penalty \"one third\" was accepted as %+v", r.PenaltyWrong)
	}
}

func TestCloseExam(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	mustBank(t, s, admin, "law", 2)
	r := examRequest([]string{"law"}, []int{2})
	opens := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	r.OpensAt, r.ClosesAt = &opens, ptr(opens.Add(48*time.Hour))
	e, err := s.CreateExam(ctx, admin, r)
	if err != nil {
		t.Fatal(err)
	}
	before := len(mustAuditRows(t, db))
	if _, err := s.CloseExam(ctx, admin, e.ID); !errors.Is(err, exam.ErrNotPublished) {
		t.Fatalf("CloseExam(draft): err = %v, want ErrNotPublished", err)
	}
	if _, err := s.CloseExam(ctx, admin, "5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f"); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("CloseExam(unknown): err = %v, want ErrNotFound", err)
	}
	if got := len(mustAuditRows(t, db)); got != before {
		t.Fatalf("audit rows after refused closes = %d, want %d", got, before)
	}
	if _, err := s.PublishExam(ctx, admin, e.ID); err != nil {
		t.Fatal(err)
	}
	before = len(mustAuditRows(t, db))
	start := time.Now()
	closed, err := s.CloseExam(ctx, admin, e.ID)
	if err != nil {
		t.Fatalf("CloseExam(published): %v", err)
	}
	mustOneNewAuditRow(t, db, before, admin, "exam.close", e.ID)
	if closed.Status != "closed" || closed.ClosedAt == nil || closed.ClosesAt.After(time.Now()) || closed.ClosesAt.Before(start.Add(-time.Second)) {
		t.Fatalf("closed = status %q, closed_at %v, closes_at %v; want closed now", closed.Status, closed.ClosedAt, closed.ClosesAt)
	}
	if _, err := s.CloseExam(ctx, admin, e.ID); !errors.Is(err, exam.ErrExamClosed) {
		t.Fatalf("CloseExam twice: err = %v, want ErrExamClosed", err)
	}
	if _, err := s.UpdateExam(ctx, admin, e.ID, r); !errors.Is(err, exam.ErrExamFrozen) {
		t.Fatalf("UpdateExam(closed): err = %v, want ErrExamFrozen", err)
	}
}

func TestGrantAccommodation(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	if err := candidates.SeedDemo(ctx, db, time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	reg, err := candidates.NewService(&candidates.Store{DB: db}, time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)).Register(ctx, candidates.RegisterRequest{
		NationalID: "0012345679", FirstName: "مریم", LastName: "احمدی", FatherName: "علی", BirthDate: "1985-04-12",
		Gender: "female", Mobile: "09121112233", Education: "bachelor", ConstituencyID: 1, Password: "a long enough secret",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	mustBank(t, s, admin, "law", 2)
	e, err := s.CreateExam(ctx, admin, examRequest([]string{"law"}, []int{2}))
	if err != nil {
		t.Fatal(err)
	}

	before := len(mustAuditRows(t, db))
	_, err = s.Grant(ctx, admin, e.ID, exam.AccommodationRequest{NationalID: "0000000000", ExtraSeconds: 600, Reason: "کم‌بینایی"})
	var ie *input.Error
	if !errors.As(err, &ie) || !maps.Equal(ie.Fields, map[string]string{"national_id": "unknown_candidate"}) {
		t.Fatalf("Grant(unknown national ID): err = %v, want national_id unknown_candidate", err)
	}
	_, err = s.Grant(ctx, admin, e.ID, exam.AccommodationRequest{})
	if !errors.As(err, &ie) || !maps.Equal(ie.Fields, map[string]string{"national_id": "required", "extra_seconds": "out_of_range", "reason": "required"}) {
		t.Fatalf("Grant(empty): err = %v, want national_id, extra_seconds and reason", err)
	}
	if _, err := s.Grant(ctx, admin, "5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f", exam.AccommodationRequest{NationalID: "0012345679", ExtraSeconds: 600, Reason: "x"}); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("Grant(unknown exam): err = %v, want ErrNotFound", err)
	}
	if got := len(mustAuditRows(t, db)); got != before {
		t.Fatalf("audit rows after refused grants = %d, want %d", got, before)
	}

	// Persian digits in the national ID are read as ASCII.
	a, err := s.Grant(ctx, admin, e.ID, exam.AccommodationRequest{NationalID: "۰۰۱۲۳۴۵۶۷۹", ExtraSeconds: 600, Reason: " كم‌بینایی "})
	if err != nil {
		t.Fatalf("Grant: %v", err)
	}
	if a.ExamID != e.ID || a.CandidateID != reg.ID || a.NationalID != "0012345679" || a.ExtraSeconds != 600 || a.Reason != "کم‌بینایی" {
		t.Fatalf("Grant = %+v, want 600 s for %s", a, reg.ID)
	}
	mustOneNewAuditRow(t, db, before, admin, "exam.accommodation", e.ID)

	// Granting again replaces the earlier grant.
	if _, err := s.Grant(ctx, admin, e.ID, exam.AccommodationRequest{NationalID: "0012345679", ExtraSeconds: 900, Reason: "دست‌نویسی کند"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.Accommodations(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].NationalID != "0012345679" || list[0].ExtraSeconds != 900 || list[0].Reason != "دست‌نویسی کند" {
		t.Fatalf("Accommodations = %+v, want one grant of 900 s", list)
	}
	if _, err := s.Accommodations(ctx, "5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f"); !errors.Is(err, exam.ErrNotFound) {
		t.Fatalf("Accommodations(unknown exam): err = %v, want ErrNotFound", err)
	}
}

// TestCloseExamBeforeItOpens: closing a published exam whose window has not
// opened yet must close it, not break the closes_at > opens_at constraint.
func TestCloseExamBeforeItOpens(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	mustBank(t, s, admin, "law", 2)
	e, err := s.CreateExam(ctx, admin, examRequest([]string{"law"}, []int{2})) // opens in 2030
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishExam(ctx, admin, e.ID); err != nil {
		t.Fatal(err)
	}
	before := len(mustAuditRows(t, db))
	closed, err := s.CloseExam(ctx, admin, e.ID)
	if err != nil {
		t.Fatalf("CloseExam of a published exam that has not opened yet: %v", err)
	}
	if closed.Status != "closed" || closed.ClosedAt == nil || closed.ClosesAt.After(e.ClosesAt) {
		t.Fatalf("closed = status %q, closed_at %v, closes_at %v; want closed", closed.Status, closed.ClosedAt, closed.ClosesAt)
	}
	mustOneNewAuditRow(t, db, before, admin, "exam.close", e.ID)
}
