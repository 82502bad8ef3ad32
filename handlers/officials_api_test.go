package handlers_test

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/officials"
)

// ozAdminEnv returns an environment with the demo bank and exam, an admin and a
// reviewer, both logged in.
func ozAdminEnv(t *testing.T) (e *ozEnv, admin officials.Official, adminToken, reviewerToken string) {
	t.Helper()
	e = ozNewEnv(t)
	e.seedBank(t)
	admin = e.official(t, "oz.admin", officials.RoleAdmin)
	e.official(t, "oz.reviewer", officials.RoleReviewer)
	return e, admin, e.loginOfficial(t, "oz.admin"), e.loginOfficial(t, "oz.reviewer")
}

func ozCount(t *testing.T, e *ozEnv, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// ozQuestionList is the answer of GET /api/v1/official/questions.
type ozQuestionList struct {
	Total int             `json:"total"`
	Items []exam.Question `json:"items"`
}

func TestOzImportAPI(t *testing.T) {
	t.Parallel()
	e, admin, adminTok, reviewerTok := ozAdminEnv(t)
	const path = "/api/v1/official/questions/import"

	good := "\ufeffsection,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct\r\n" +
		"oz_law,آيا شوراي شهر بودجه شهرداري را تصويب مي‌کند؟,بله,خير,,,,,a\r\n" +
		"oz_law,\"شهردار را چه کسی، و برای چند سال، انتخاب می‌کند؟\",شورای شهر برای چهار سال,وزیر کشور برای دو سال,مردم,,,,A\r\n" +
		"oz_ethics,رازداری درباره اطلاعات شهروندان یعنی چه؟,حفظ اطلاعات,انتشار اطلاعات,فروش اطلاعات,نادیده گرفتن,,,a\r\n"
	audits := ozAuditCount(t, e.db, "")
	status, body := e.do(t, "POST", path, adminTok, ozCSV, good)
	if status != 200 || string(body) != `{"imported":3}` {
		t.Fatalf("import good CSV = %d %s, want 200 {\"imported\":3}", status, body)
	}
	if n := ozCount(t, e, `SELECT count(*) FROM audit_log WHERE id > $1 AND action = 'question.import' AND actor_id = $2`, audits, admin.ID); n != 1 {
		t.Fatalf("question.import audit rows = %d, want 1", n)
	}

	status, body = e.do(t, "GET", "/api/v1/official/questions?section=oz_law", reviewerTok, "", "")
	list := ozDecode[ozQuestionList](t, body)
	if status != 200 || list.Total != 2 {
		t.Fatalf("GET questions?section=oz_law = %d %s, want 2", status, body)
	}
	stems := map[string][]exam.Option{}
	for _, q := range list.Items {
		stems[q.Stem] = q.Options
		if q.Correct != "a" || q.Status != "active" {
			t.Errorf("question %q: correct %q status %q, want a, active", q.Stem, q.Correct, q.Status)
		}
	}
	wantStems := map[string][]exam.Option{
		"آیا شورای شهر بودجه شهرداری را تصویب می\u200cکند؟":     {{Key: "a", Text: "بله"}, {Key: "b", Text: "خیر"}},
		"شهردار را چه کسی، و برای چند سال، انتخاب می\u200cکند؟": {{Key: "a", Text: "شورای شهر برای چهار سال"}, {Key: "b", Text: "وزیر کشور برای دو سال"}, {Key: "c", Text: "مردم"}},
	}
	if !reflect.DeepEqual(stems, wantStems) {
		t.Fatalf("imported questions =\n%q\nwant\n%q", stems, wantStems)
	}
	// The search finds the Persian text whichever letter forms the query uses.
	status, body = e.do(t, "GET", "/api/v1/official/questions?q="+url.QueryEscape("شوراي شهر بودجه"), adminTok, "", "")
	if list := ozDecode[ozQuestionList](t, body); status != 200 || list.Total != 1 {
		t.Fatalf("search with Arabic letter forms = %d %s, want one question", status, body)
	}

	// Several bad lines: every one reported, nothing imported, nothing audited.
	bad := "section,stem,option_a,option_b,option_c,correct\n" + // 1
		"oz_law,پرسش درست تازه,الف,ب,,a\n" + // 2
		"oz_law,,الف,ب,,a\n" + // 3
		"oz_law,کلید نادرست,الف,ب,,d\n" + // 4
		"oz_law,تنها یک گزینه,الف,,,a\n" + // 5
		"oz_law,گزینه پس از جای خالی,الف,,ج,a\n" + // 6
		"oz_law,پرسش درست تازه,یک,دو,,b\n" + // 7
		"oz_ethics,رازداری درباره اطلاعات شهروندان یعنی چه؟,الف,ب,,a\n" // 8
	wantLines := []exam.LineError{
		{Line: 3, Message: "stem: required"},
		{Line: 4, Message: "correct: not_an_option"},
		{Line: 5, Message: "options: too_few"},
		{Line: 6, Message: "option_c is filled after an empty option"},
		{Line: 7, Message: "the same stem as line 2 in section oz_law"},
		{Line: 8, Message: "a question with this stem is already in section oz_ethics"},
	}
	questions := ozCount(t, e, `SELECT count(*) FROM questions`)
	audits = ozAuditCount(t, e.db, "")
	status, body = e.do(t, "POST", path, adminTok, "text/csv", bad)
	eb := ozDecode[ozErrorBody](t, body)
	if status != 400 || eb.Error.Code != "import_failed" {
		t.Fatalf("import bad CSV = %d %s, want 400 import_failed", status, body)
	}
	if !reflect.DeepEqual(eb.Error.Errors, wantLines) || !reflect.DeepEqual(eb.Errors, wantLines) {
		t.Fatalf("import errors: error.errors = %+v, errors = %+v; want both %+v", eb.Error.Errors, eb.Errors, wantLines)
	}
	if got := ozCount(t, e, `SELECT count(*) FROM questions`); got != questions {
		t.Fatalf("questions after a refused import = %d, want %d", got, questions)
	}
	if got := ozAuditCount(t, e.db, ""); got != audits {
		t.Fatalf("audit log grew from id %d to %d on a refused import", audits, got)
	}

	// JSON, good and bad (items numbered as lines).
	status, body = e.do(t, "POST", path, adminTok, "application/json; charset=utf-8",
		`[{"section":"oz_json","stem":"پرسش از جی‌سان","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"b"}]`)
	if status != 200 || string(body) != `{"imported":1}` {
		t.Fatalf("import good JSON = %d %s, want 200 {\"imported\":1}", status, body)
	}
	status, body = e.do(t, "POST", path, adminTok, ozJSON,
		`[{"section":"oz_json","stem":"پرسش دیگر","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"},
		  {"section":"oz_json","stem":"پرسش از جي‌سان","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"}]`)
	eb = ozDecode[ozErrorBody](t, body)
	want := []exam.LineError{{Line: 2, Message: "a question with this stem is already in section oz_json"}}
	if status != 400 || eb.Error.Code != "import_failed" || !reflect.DeepEqual(eb.Errors, want) {
		t.Fatalf("import bad JSON = %d %s, want 400 import_failed with %+v", status, body, want)
	}

	// Other content types, and a reviewer.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		if ct == "" {
			// e.do sends a body without a type as JSON; send none at all instead.
			status, body = e.do(t, "POST", path, adminTok, "", "")
		} else {
			status, body = e.do(t, "POST", path, adminTok, ct, "section,stem\n")
		}
		if status != 415 || ozCode(body) != "unsupported_media_type" {
			t.Errorf("import as %q = %d %s, want 415 unsupported_media_type", ct, status, body)
		}
	}
	questions = ozCount(t, e, `SELECT count(*) FROM questions`)
	status, body = e.do(t, "POST", path, reviewerTok, ozCSV, good)
	if status != 403 || ozCode(body) != "forbidden" {
		t.Fatalf("import by a reviewer = %d %s, want 403 forbidden", status, body)
	}
	if got := ozCount(t, e, `SELECT count(*) FROM questions`); got != questions {
		t.Fatalf("a reviewer's import changed the bank: %d questions, want %d", got, questions)
	}
}

// ozExamBody is a valid exam request drawing draw questions from the demo's
// councils_law section, with penalty as the JSON value of penalty_wrong.
func ozExamBody(title string, draw int, penalty string) string {
	return fmt.Sprintf(`{"title":%q,"sections":[{"key":"councils_law","title":"قانون شوراها","draw":%d,"min_percent":40}],
		"duration_seconds":1200,"opens_at":"2030-05-01T08:00:00Z","closes_at":"2030-05-01T12:00:00Z","grace_seconds":15,
		"shuffle_questions":true,"shuffle_options":false,"points_correct":1,"penalty_wrong":%s,"pass_percent":60,"max_attempts":2}`,
		title, draw, penalty)
}

func TestOzExamAuthoringAPI(t *testing.T) {
	t.Parallel()
	e, admin, adminTok, reviewerTok := ozAdminEnv(t)

	status, body := e.do(t, "POST", "/api/v1/official/exams", adminTok, "", ozExamBody("آزمون نمونه", 5, `"1/3"`))
	created := ozDecode[map[string]any](t, body)
	if status != 201 || created["status"] != "draft" || created["penalty_wrong_fraction"] != "1/3" || created["penalty_wrong"] != 1.0/3 {
		t.Fatalf("POST exams = %d %s, want 201 draft with penalty 1/3", status, body)
	}
	id := created["id"].(string)
	if n := ozCount(t, e, `SELECT count(*) FROM audit_log WHERE action = 'exam.create' AND object_id = $1 AND actor_id = $2`, id, admin.ID); n != 1 {
		t.Fatalf("exam.create audit rows = %d, want 1", n)
	}

	status, body = e.do(t, "PUT", "/api/v1/official/exams/"+id, adminTok, "", ozExamBody("آزمون ویرایش‌شده", 4, `0`))
	edited := ozDecode[exam.Exam](t, body)
	if status != 200 || edited.Title != "آزمون ویرایش‌شده" || edited.Sections[0].Draw != 4 || edited.PenaltyFraction != "0" || edited.MaxAttempts != 2 {
		t.Fatalf("PUT draft = %d %s, want the edit", status, body)
	}
	status, body = e.do(t, "PUT", "/api/v1/official/exams/"+id, reviewerTok, "", ozExamBody("آزمون بازبین", 4, `0`))
	if status != 403 || ozCode(body) != "forbidden" {
		t.Fatalf("PUT by a reviewer = %d %s, want 403 forbidden", status, body)
	}

	status, body = e.do(t, "POST", "/api/v1/official/exams/"+id+"/close", adminTok, "", "")
	if status != 409 || ozCode(body) != "exam_not_published" {
		t.Fatalf("close a draft = %d %s, want 409 exam_not_published", status, body)
	}

	status, body = e.do(t, "POST", "/api/v1/official/exams/"+id+"/publish", adminTok, "", "")
	pub := ozDecode[exam.Exam](t, body)
	if status != 200 || pub.Status != "published" || !maps.Equal(pub.PoolSizes, map[string]int{"councils_law": 22}) {
		t.Fatalf("publish = %d %s, want 200 published with a pool of 22", status, body)
	}
	audits := ozAuditCount(t, e.db, "")
	for _, req := range []struct{ method, path, body string }{
		{"PUT", "/api/v1/official/exams/" + id, ozExamBody("پس از انتشار", 3, `0`)},
		{"POST", "/api/v1/official/exams/" + id + "/publish", ""},
	} {
		status, body = e.do(t, req.method, req.path, adminTok, "", req.body)
		if status != 409 || ozCode(body) != "exam_frozen" {
			t.Errorf("%s %s after publishing = %d %s, want 409 exam_frozen", req.method, req.path, status, body)
		}
	}
	if got := ozAuditCount(t, e.db, ""); got != audits {
		t.Fatalf("refused writes added audit rows (last id %d, was %d)", got, audits)
	}

	// Retiring a pooled question leaves the published exam as it was.
	var pooled string
	if err := e.db.Get(&pooled, `SELECT question_id FROM exam_pool WHERE exam_id = $1 LIMIT 1`, id); err != nil {
		t.Fatal(err)
	}
	status, body = e.do(t, "POST", "/api/v1/official/questions/"+pooled+"/retire", adminTok, "", "")
	if status != 200 || ozDecode[exam.Question](t, body).Status != "retired" {
		t.Fatalf("retire a pooled question = %d %s, want 200 retired", status, body)
	}
	status, body = e.do(t, "GET", "/api/v1/official/exams/"+id, reviewerTok, "", "")
	again := ozDecode[exam.Exam](t, body)
	if status != 200 || !maps.Equal(again.PoolSizes, map[string]int{"councils_law": 22}) || again.Title != "آزمون ویرایش‌شده" {
		t.Fatalf("exam after retiring a pooled question = %d %s, want the pool of 22 unchanged", status, body)
	}
	if n := ozCount(t, e, `SELECT count(*) FROM exam_pool WHERE exam_id = $1`, id); n != 22 {
		t.Fatalf("exam_pool rows = %d, want 22", n)
	}

	// Editing a pooled question makes a new one.
	status, body = e.do(t, "PUT", "/api/v1/official/questions/"+pooled, adminTok, "",
		`{"section":"councils_law","stem":"صورت تازه یک پرسش","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"b"}`)
	nq := ozDecode[exam.Question](t, body)
	if status != 200 || nq.ID == pooled || nq.Replaces == nil || *nq.Replaces != pooled {
		t.Fatalf("PUT a pooled question = %d %s, want a new question replacing %s", status, body, pooled)
	}

	// Validation: every field at once, with the reasons the API documents.
	status, body = e.do(t, "POST", "/api/v1/official/exams", adminTok, "",
		`{"title":"آزمون نادرست","sections":[{"key":"councils_law","draw":500,"min_percent":120}],"duration_seconds":0,
		  "opens_at":"2030-05-01T12:00:00Z","closes_at":"2030-05-01T08:00:00Z","penalty_wrong":"-1/4","pass_percent":-5}`)
	eb := ozDecode[ozErrorBody](t, body)
	wantFields := map[string]string{
		"sections[0].draw":        "pool_too_small",
		"sections[0].min_percent": "out_of_range",
		"duration_seconds":        "too_small",
		"closes_at":               "not_after_opens_at",
		"penalty_wrong":           "out_of_range",
		"pass_percent":            "out_of_range",
	}
	if status != 400 || eb.Error.Code != "validation_failed" || !maps.Equal(eb.Error.Fields, wantFields) {
		t.Fatalf("POST a bad exam = %d %s, want 400 validation_failed with %v", status, body, wantFields)
	}
	status, body = e.do(t, "POST", "/api/v1/official/exams", adminTok, "", ozExamBody("کسر نادرست", 2, `"one third"`))
	eb = ozDecode[ozErrorBody](t, body)
	if status != 400 || eb.Error.Code != "validation_failed" || !maps.Equal(eb.Error.Fields, map[string]string{"penalty_wrong": "wrong_type"}) {
		t.Fatalf("POST an exam with penalty \"one third\" = %d %s, want 400 penalty_wrong wrong_type", status, body)
	}

	for _, p := range []string{"/api/v1/official/exams/" + ozUnknownUUID, "/api/v1/official/exams/not-a-uuid"} {
		status, body = e.do(t, "GET", p, adminTok, "", "")
		if status != 404 || ozCode(body) != "not_found" {
			t.Errorf("GET %s = %d %s, want 404 not_found", p, status, body)
		}
	}
}

func TestOzAccommodationAPI(t *testing.T) {
	t.Parallel()
	e, admin, adminTok, reviewerTok := ozAdminEnv(t)
	list, err := e.exams.Exams(t.Context())
	if err != nil || len(list) != 1 {
		t.Fatalf("demo exam: %v", err)
	}
	path := "/api/v1/official/exams/" + list[0].ID + "/accommodations"

	audits := ozAuditCount(t, e.db, "")
	status, body := e.do(t, "POST", path, adminTok, "", `{"national_id":"0000000000","extra_seconds":600,"reason":"کم‌بینایی"}`)
	eb := ozDecode[ozErrorBody](t, body)
	if status != 400 || eb.Error.Code != "validation_failed" || !maps.Equal(eb.Error.Fields, map[string]string{"national_id": "unknown_candidate"}) {
		t.Fatalf("grant to an unknown national ID = %d %s, want 400 national_id unknown_candidate", status, body)
	}
	if got := ozAuditCount(t, e.db, ""); got != audits {
		t.Fatalf("a refused grant added audit rows")
	}

	status, body = e.do(t, "POST", path, reviewerTok, "", `{"national_id":"`+ozCandidateID+`","extra_seconds":600,"reason":"کم‌بینایی"}`)
	if status != 403 || ozCode(body) != "forbidden" {
		t.Fatalf("grant by a reviewer = %d %s, want 403", status, body)
	}

	status, body = e.do(t, "POST", path, adminTok, "", `{"national_id":"۰۴۹۹۳۷۰۸۹۹","extra_seconds":600,"reason":"کم‌بینایی"}`)
	got := ozDecode[exam.Accommodation](t, body)
	if status != 201 || got.ExamID != list[0].ID || got.NationalID != ozCandidateID || got.ExtraSeconds != 600 || got.Reason != "کم‌بینایی" || got.CandidateID == "" {
		t.Fatalf("grant = %d %s, want 201 with 600 s for %s", status, body, ozCandidateID)
	}
	if n := ozCount(t, e, `SELECT count(*) FROM audit_log WHERE id > $1 AND action = 'exam.accommodation' AND object_id = $2 AND actor_id = $3`,
		audits, list[0].ID, admin.ID); n != 1 {
		t.Fatalf("exam.accommodation audit rows = %d, want 1", n)
	}

	status, body = e.do(t, "GET", path, reviewerTok, "", "")
	listed := ozDecode[[]exam.Accommodation](t, body)
	if status != 200 || len(listed) != 1 || listed[0].NationalID != ozCandidateID || listed[0].ExtraSeconds != 600 || listed[0].CandidateID != got.CandidateID {
		t.Fatalf("GET accommodations = %d %s, want the one grant", status, body)
	}
	status, body = e.do(t, "GET", "/api/v1/official/exams/"+ozUnknownUUID+"/accommodations", reviewerTok, "", "")
	if status != 404 || ozCode(body) != "not_found" {
		t.Fatalf("GET accommodations of an unknown exam = %d %s, want 404 not_found", status, body)
	}
}

func TestOzAuditAPI(t *testing.T) {
	t.Parallel()
	e, admin, adminTok, reviewerTok := ozAdminEnv(t)

	// A write through the API is audited once, by the official who made it.
	audits := ozAuditCount(t, e.db, "")
	status, body := e.do(t, "POST", "/api/v1/official/questions", adminTok, "",
		`{"section":"oz_law","stem":"شوراي شهر چند عضو دارد؟","options":[{"key":"a","text":"پنج"},{"key":"b","text":"هفت"}],"correct":"b"}`)
	q := ozDecode[exam.Question](t, body)
	if status != 201 || q.Stem != "شورای شهر چند عضو دارد؟" || q.Section != "oz_law" {
		t.Fatalf("POST question = %d %s, want 201 with the stem normalised", status, body)
	}
	var rows []struct {
		Action   string `db:"action"`
		ObjectID string `db:"object_id"`
		ActorID  string `db:"actor_id"`
	}
	if err := e.db.Select(&rows, `SELECT action, object_id, actor_id FROM audit_log WHERE id > $1`, audits); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Action != "question.create" || rows[0].ObjectID != q.ID || rows[0].ActorID != admin.ID {
		t.Fatalf("audit rows of POST question = %+v, want one question.create of %s by %s", rows, q.ID, admin.ID)
	}
	status, body = e.do(t, "POST", "/api/v1/official/questions", adminTok, "",
		`{"section":"oz_law","stem":"شورای شهر چند عضو دارد؟","options":[{"key":"a","text":"پنج"},{"key":"b","text":"هفت"}],"correct":"a"}`)
	if eb := ozDecode[ozErrorBody](t, body); status != 400 || !maps.Equal(eb.Error.Fields, map[string]string{"stem": "duplicate"}) {
		t.Fatalf("POST the same stem again = %d %s, want 400 stem duplicate", status, body)
	}

	status, body = e.do(t, "GET", "/api/v1/official/audit?action=official.login&per_page=1", reviewerTok, "", "")
	page := ozDecode[struct {
		Total int `json:"total"`
		Items []struct {
			Action    string `json:"action"`
			ActorName string `json:"actor_name"`
		} `json:"items"`
	}](t, body)
	if status != 200 || page.Total != 2 || len(page.Items) != 1 || page.Items[0].Action != "official.login" || page.Items[0].ActorName != "oz.reviewer" {
		t.Fatalf("GET audit?action=official.login = %d %s, want 2 logins, the reviewer's first", status, body)
	}

	rowsNow := ozCount(t, e, `SELECT count(*) FROM audit_log`)
	status, body = e.do(t, "GET", "/api/v1/official/audit/verify", reviewerTok, "", "")
	if want := fmt.Sprintf(`{"valid":true,"rows":%d}`, rowsNow); status != 200 || string(body) != want {
		t.Fatalf("verify = %d %s, want 200 %s", status, body, want)
	}

	if _, err := e.db.Exec(`ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`UPDATE audit_log SET details = '{"forged": true}' WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	status, body = e.do(t, "GET", "/api/v1/official/audit/verify", adminTok, "", "")
	if want := fmt.Sprintf(`{"valid":false,"rows":%d,"first_bad_id":3}`, rowsNow); status != 200 || string(body) != want {
		t.Fatalf("verify after tampering = %d %s, want 200 %s", status, body, want)
	}
}

func TestOzOfficialsAPI(t *testing.T) {
	t.Parallel()
	e, admin, adminTok, reviewerTok := ozAdminEnv(t)

	audits := ozAuditCount(t, e.db, "")
	status, body := e.do(t, "POST", "/api/v1/official/officials", adminTok, "", `{"username":"Oz.New","role":"reviewer","password":"`+ozPassword+`"}`)
	created := ozDecode[map[string]any](t, body)
	if status != 201 || created["username"] != "oz.new" || created["role"] != "reviewer" || created["disabled"] != false {
		t.Fatalf("POST officials = %d %s, want 201 reviewer oz.new", status, body)
	}
	if _, leaked := created["password_hash"]; leaked || strings.Contains(string(body), "argon2") {
		t.Fatalf("POST officials answered with the password hash: %s", body)
	}
	if n := ozCount(t, e, `SELECT count(*) FROM audit_log WHERE id > $1 AND action = 'official.create' AND object_id = $2 AND actor_id = $3`,
		audits, created["id"], admin.ID); n != 1 {
		t.Fatalf("official.create audit rows = %d, want 1", n)
	}

	for _, tt := range []struct {
		body       string
		status     int
		code       string
		wantFields map[string]string
	}{
		{`{"username":"OZ.NEW","role":"reviewer","password":"` + ozPassword + `"}`, 409, "username_taken", nil},
		{`{"username":"oz.weak","role":"reviewer","password":"password123"}`, 400, "validation_failed", map[string]string{"password": "common_password"}},
		{`{"username":"oz.weak","role":"reviewer","password":"short"}`, 400, "validation_failed", map[string]string{"password": "too_short"}},
		{`{"username":"oz.weak","role":"reviewer","password":"my-oz.weak-pass"}`, 400, "validation_failed", map[string]string{"password": "contains_username"}},
		{`{"username":"oz.weak","role":"superuser","password":"` + ozPassword + `"}`, 400, "validation_failed", map[string]string{"role": "one_of"}},
	} {
		status, body := e.do(t, "POST", "/api/v1/official/officials", adminTok, "", tt.body)
		eb := ozDecode[ozErrorBody](t, body)
		if status != tt.status || eb.Error.Code != tt.code || !maps.Equal(eb.Error.Fields, tt.wantFields) {
			t.Errorf("POST officials %s = %d %s, want %d %s %v", tt.body, status, body, tt.status, tt.code, tt.wantFields)
		}
	}

	// A login is audited; a failed one is not.
	audits = ozAuditCount(t, e.db, "")
	newTok := e.loginOfficial(t, "oz.new")
	if n := ozCount(t, e, `SELECT count(*) FROM audit_log WHERE id > $1 AND action = 'official.login' AND actor_id = $2`, audits, created["id"]); n != 1 {
		t.Fatalf("official.login audit rows = %d, want 1", n)
	}
	audits = ozAuditCount(t, e.db, "")
	status, body = e.do(t, "POST", "/api/v1/official/login", "", "", `{"username":"oz.new","password":"wrong password here"}`)
	if status != 401 || ozCode(body) != "invalid_credentials" {
		t.Fatalf("login with a wrong password = %d %s, want 401 invalid_credentials", status, body)
	}
	if got := ozAuditCount(t, e.db, ""); got != audits {
		t.Fatalf("a failed login was audited")
	}

	// Disabling ends the official's sessions at once.
	status, body = e.do(t, "POST", "/api/v1/official/officials/oz.new/disable", reviewerTok, "", "")
	if status != 403 {
		t.Fatalf("disable by a reviewer = %d %s, want 403", status, body)
	}
	status, body = e.do(t, "POST", "/api/v1/official/officials/OZ.NEW/disable", adminTok, "", "")
	if status != 200 || ozDecode[map[string]any](t, body)["disabled"] != true {
		t.Fatalf("disable = %d %s, want 200 disabled", status, body)
	}
	status, body = e.do(t, "GET", "/api/v1/official/me", newTok, "", "")
	if status != 401 || ozCode(body) != "unauthenticated" {
		t.Fatalf("GET me with a disabled official's session = %d %s, want 401 unauthenticated", status, body)
	}
	status, body = e.do(t, "POST", "/api/v1/official/officials/nobody.here/disable", adminTok, "", "")
	if status != 404 || ozCode(body) != "not_found" {
		t.Fatalf("disable an unknown official = %d %s, want 404 not_found", status, body)
	}
}

// TestOzAdminCannotDisableSelf: the guard in setOfficialDisabled compares the raw
// path parameter with the admin's username, while officials.Store.SetDisabled
// trims it, so " oz.admin" (%20oz.admin) slips past the guard.
func TestOzAdminCannotDisableSelf(t *testing.T) {
	t.Parallel()
	e, _, adminTok, _ := ozAdminEnv(t)
	for _, name := range []string{"oz.admin", "OZ.Admin", "%20oz.admin", "oz.admin%20"} {
		status, body := e.do(t, "POST", "/api/v1/official/officials/"+name+"/disable", adminTok, "", "")
		eb := ozDecode[ozErrorBody](t, body)
		if status != 400 || !maps.Equal(eb.Error.Fields, map[string]string{"username": "cannot_disable_self"}) {
			t.Errorf("admin disables %q (themself) = %d %s, want 400 username cannot_disable_self", name, status, body)
		}
	}
	if status, body := e.do(t, "GET", "/api/v1/official/me", adminTok, "", ""); status != 200 {
		t.Fatalf("the admin's own session after trying to disable themself = %d %s, want 200", status, body)
	}
}
