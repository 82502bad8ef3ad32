package exam_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/officials"
)

// mustStore returns a store on a fresh database and an admin to act as.
func mustStore(tb testing.TB) (*exam.Store, *sqlx.DB, audit.Actor) {
	tb.Helper()
	db := dbtest.New(tb)
	// Straight into the table: these tests never log in, so no password hashing.
	var o officials.Official
	if err := db.Get(&o, `INSERT INTO officials (username, display_name, role, password_hash)
		VALUES ('bank.admin', 'bank.admin', 'admin', 'no-login') RETURNING id, username, role`); err != nil {
		tb.Fatalf("create admin: %v", err)
	}
	return &exam.Store{DB: db}, db, o.Actor()
}

// question returns a valid request with four options whose stem is unique to n.
func question(section string, n int) exam.QuestionRequest {
	return exam.QuestionRequest{
		Section: section,
		Stem:    fmt.Sprintf("پرسش شماره %d از بخش %s چیست؟", n, section),
		Options: []exam.Option{{Key: "a", Text: "گزینه اول"}, {Key: "b", Text: "گزینه دوم"}, {Key: "c", Text: "گزینه سوم"}, {Key: "d", Text: "گزینه چهارم"}},
		Correct: "b",
	}
}

func mustQuestion(tb testing.TB, s *exam.Store, actor audit.Actor, r exam.QuestionRequest) exam.Question {
	tb.Helper()
	q, err := s.CreateQuestion(context.Background(), actor, r)
	if err != nil {
		tb.Fatalf("CreateQuestion(%q): %v", r.Stem, err)
	}
	return q
}

// mustBank adds n questions to section and returns them.
func mustBank(tb testing.TB, s *exam.Store, actor audit.Actor, section string, n int) []exam.Question {
	tb.Helper()
	out := make([]exam.Question, n)
	for i := range out {
		out[i] = mustQuestion(tb, s, actor, question(section, i+1))
	}
	return out
}

type auditRow struct {
	ID         int64  `db:"id"`
	ActorID    string `db:"actor_id"`
	Action     string `db:"action"`
	ObjectType string `db:"object_type"`
	ObjectID   string `db:"object_id"`
	Details    string `db:"details"`
}

func mustAuditRows(tb testing.TB, db *sqlx.DB) []auditRow {
	tb.Helper()
	var rows []auditRow
	if err := db.Select(&rows, `SELECT id, actor_id, action, object_type, object_id, details::text AS details FROM audit_log ORDER BY id`); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// mustOneNewAuditRow checks that exactly one row was appended since before (the
// number of rows then), that it records action on objectID by actor, and returns it.
func mustOneNewAuditRow(tb testing.TB, db *sqlx.DB, before int, actor audit.Actor, action, objectID string) auditRow {
	tb.Helper()
	rows := mustAuditRows(tb, db)
	if got := len(rows) - before; got != 1 {
		tb.Fatalf("new audit rows = %d, want exactly 1 (%s)", got, action)
	}
	r := rows[len(rows)-1]
	if r.Action != action || r.ObjectID != objectID || r.ActorID != actor.ID {
		tb.Fatalf("audit row = %+v, want %s of %q by %s", r, action, objectID, actor.ID)
	}
	return r
}

func mustCount(tb testing.TB, db *sqlx.DB, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.Get(&n, q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestCreateQuestion(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	before := len(mustAuditRows(t, db))
	q, err := s.CreateQuestion(ctx, admin, exam.QuestionRequest{
		Section: " Councils_Law ",
		Stem:    "  وظيفه   اصلی شورا در برنامه‌ريزی كدام است؟ ",
		Options: []exam.Option{{Key: "A", Text: " نظارت بر شهرداري "}, {Key: "B", Text: "تصويب بودجه"}},
		Correct: "B",
	})
	if err != nil {
		t.Fatalf("CreateQuestion: %v", err)
	}
	want := exam.Question{ID: q.ID, Section: "councils_law", Stem: "وظیفه اصلی شورا در برنامه‌ریزی کدام است؟",
		Options: []exam.Option{{Key: "a", Text: "نظارت بر شهرداری"}, {Key: "b", Text: "تصویب بودجه"}},
		Correct: "b", Status: "active", CreatedAt: q.CreatedAt}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("CreateQuestion =\n%+v\nwant\n%+v", q, want)
	}
	got, err := s.Question(ctx, q.ID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Question(id) = %+v, %v; want %+v", got, err, want)
	}
	r := mustOneNewAuditRow(t, db, before, admin, "question.create", q.ID)
	if r.ObjectType != "question" || r.Details != `{"section": "councils_law"}` {
		t.Fatalf("audit row = %+v, want object_type question and details {\"section\": \"councils_law\"}", r)
	}
	var createdBy string
	if err := db.Get(&createdBy, `SELECT created_by FROM questions WHERE id = $1`, q.ID); err != nil || createdBy != admin.ID {
		t.Fatalf("created_by = %q, %v; want %s", createdBy, err, admin.ID)
	}
}

func TestCreateQuestionRefusesBadInput(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	mustQuestion(t, s, admin, exam.QuestionRequest{Section: "law", Stem: "شورا چه می‌کند؟",
		Options: []exam.Option{{Key: "a", Text: "یک"}, {Key: "b", Text: "دو"}}, Correct: "a"})
	before := len(mustAuditRows(t, db))
	two := []exam.Option{{Key: "a", Text: "یک"}, {Key: "b", Text: "دو"}}
	tests := []struct {
		name string
		r    exam.QuestionRequest
		want map[string]string
	}{
		{"empty", exam.QuestionRequest{}, map[string]string{"section": "required", "stem": "required", "options": "too_few", "correct": "required"}},
		{"one option", exam.QuestionRequest{Section: "law", Stem: "پرسش", Options: two[:1], Correct: "a"}, map[string]string{"options": "too_few"}},
		{"seven options", exam.QuestionRequest{Section: "law", Stem: "پرسش", Correct: "a", Options: []exam.Option{
			{Key: "a", Text: "1"}, {Key: "b", Text: "2"}, {Key: "c", Text: "3"}, {Key: "d", Text: "4"}, {Key: "e", Text: "5"}, {Key: "f", Text: "6"}, {Key: "g", Text: "7"}}},
			map[string]string{"options": "too_many", "options[6].key": "invalid"}},
		{"correct not an option", exam.QuestionRequest{Section: "law", Stem: "پرسش", Options: two, Correct: "c"}, map[string]string{"correct": "not_an_option"}},
		{"duplicate keys and texts", exam.QuestionRequest{Section: "law", Stem: "پرسش", Correct: "a",
			Options: []exam.Option{{Key: "a", Text: "يك"}, {Key: "a", Text: "یک"}}},
			map[string]string{"options[1].key": "duplicate", "options[1].text": "duplicate"}},
		{"bad section", exam.QuestionRequest{Section: "1law", Stem: "پرسش", Options: two, Correct: "a"}, map[string]string{"section": "invalid"}},
		{"same stem in the section, ZWNJ as space", exam.QuestionRequest{Section: "law", Stem: "شورا  چه مي كند؟", Options: two, Correct: "a"},
			map[string]string{"stem": "duplicate"}},
	}
	for _, tt := range tests {
		_, err := s.CreateQuestion(ctx, admin, tt.r)
		var ie *input.Error
		if !errors.As(err, &ie) || !maps.Equal(ie.Fields, tt.want) {
			t.Errorf("%s: err = %v, want fields %v", tt.name, err, tt.want)
		}
	}
	if got := len(mustAuditRows(t, db)); got != before {
		t.Fatalf("audit rows after refused creates = %d, want %d", got, before)
	}
	// The same stem in another section is another question.
	mustQuestion(t, s, admin, exam.QuestionRequest{Section: "city", Stem: "شورا چه می‌کند؟", Options: two, Correct: "a"})
}

func TestListQuestions(t *testing.T) {
	t.Parallel()
	s, _, admin := mustStore(t)
	ctx := context.Background()
	law := mustBank(t, s, admin, "law", 5)
	city := mustBank(t, s, admin, "city", 2)
	special := mustQuestion(t, s, admin, exam.QuestionRequest{Section: "city", Stem: "بودجه سالانه شهرداری را چه کسی تصویب می‌کند؟",
		Options: []exam.Option{{Key: "a", Text: "شورای شهر"}, {Key: "b", Text: "استاندار"}}, Correct: "a"})
	if _, err := s.RetireQuestion(ctx, admin, law[1].ID); err != nil {
		t.Fatal(err)
	}
	ids := func(qs []exam.Question) []string {
		out := []string{}
		for _, q := range qs {
			out = append(out, q.ID)
		}
		return out
	}
	tests := []struct {
		name      string
		f         exam.QuestionFilter
		wantTotal int
		wantIDs   []string
	}{
		{"all, first page", exam.QuestionFilter{Page: 1, PerPage: 3}, 8, []string{city[0].ID, city[1].ID, special.ID}},
		{"all, third page", exam.QuestionFilter{Page: 3, PerPage: 3}, 8, []string{law[3].ID, law[4].ID}},
		{"section and status", exam.QuestionFilter{Section: "law", Status: "active", Page: 1, PerPage: 50}, 4, []string{law[0].ID, law[2].ID, law[3].ID, law[4].ID}},
		{"retired", exam.QuestionFilter{Status: "retired", Page: 1, PerPage: 50}, 1, []string{law[1].ID}},
		{"text with Arabic letter forms", exam.QuestionFilter{Text: "بودجه سالانه شهرداري", Page: 1, PerPage: 50}, 1, []string{special.ID}},
		{"text in an option", exam.QuestionFilter{Text: "استاندار", Page: 1, PerPage: 50}, 1, []string{special.ID}},
		{"LIKE wildcards are literal", exam.QuestionFilter{Text: "%", Page: 1, PerPage: 50}, 0, []string{}},
	}
	for _, tt := range tests {
		got, total, err := s.ListQuestions(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if total != tt.wantTotal || !reflect.DeepEqual(ids(got), tt.wantIDs) {
			t.Errorf("%s: total %d, ids %v; want %d, %v", tt.name, total, ids(got), tt.wantTotal, tt.wantIDs)
		}
	}
	counts, err := s.SectionCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"law": 4, "city": 3}; !maps.Equal(counts, want) {
		t.Fatalf("SectionCounts = %v, want %v", counts, want)
	}
}

func TestRetireAndUpdateQuestion(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	q := mustQuestion(t, s, admin, question("law", 1))

	before := len(mustAuditRows(t, db))
	edit := question("law", 1)
	edit.Stem = "پرسش ویرایش‌شده"
	edit.Correct = "d"
	got, err := s.UpdateQuestion(ctx, admin, q.ID, edit)
	if err != nil {
		t.Fatalf("UpdateQuestion: %v", err)
	}
	if got.ID != q.ID || got.Stem != "پرسش ویرایش‌شده" || got.Correct != "d" || got.Replaces != nil || got.Frozen {
		t.Fatalf("UpdateQuestion of an unused question = %+v, want the same id edited in place", got)
	}
	mustOneNewAuditRow(t, db, before, admin, "question.update", q.ID)

	before++
	retired, err := s.RetireQuestion(ctx, admin, q.ID)
	if err != nil || retired.Status != "retired" {
		t.Fatalf("RetireQuestion = %+v, %v; want retired", retired, err)
	}
	mustOneNewAuditRow(t, db, before, admin, "question.retire", q.ID)

	// A retired stem may be used again.
	mustQuestion(t, s, admin, edit)

	before = len(mustAuditRows(t, db))
	for _, id := range []string{"nope", "9b0b7d8e-2f59-4d77-9f53-3d8a8a3b1c11"} {
		if _, err := s.RetireQuestion(ctx, admin, id); !errors.Is(err, exam.ErrNotFound) {
			t.Errorf("RetireQuestion(%q): err = %v, want ErrNotFound", id, err)
		}
		if _, err := s.UpdateQuestion(ctx, admin, id, question("law", 9)); !errors.Is(err, exam.ErrNotFound) {
			t.Errorf("UpdateQuestion(%q): err = %v, want ErrNotFound", id, err)
		}
		if _, err := s.Question(ctx, id); !errors.Is(err, exam.ErrNotFound) {
			t.Errorf("Question(%q): err = %v, want ErrNotFound", id, err)
		}
	}
	if got := len(mustAuditRows(t, db)); got != before {
		t.Fatalf("audit rows after refused writes = %d, want %d", got, before)
	}
}
