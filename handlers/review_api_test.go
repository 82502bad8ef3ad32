package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/handlers"
	"github.com/council-exam/examd/officials"
)

// Every top-level name in this file starts with "rv" so that it cannot collide
// with the other test files of this package.

const (
	rvPassword    = "rv-long-enough-secret"
	rvCookie      = "examd_session"
	rvUnknownUUID = "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f"
)

// rvEnv is the real router wired as `examd serve` wires it, over a fresh database
// with the demo constituencies and candidates.
type rvEnv struct {
	h     http.Handler
	db    *sqlx.DB
	exams *exam.Store
	cands *candidates.Store
	offs  *officials.Store
	ctx   context.Context
}

func rvNewEnv(tb testing.TB) *rvEnv {
	tb.Helper()
	ctx := context.Background()
	db := dbtest.New(tb)
	electionDay := time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)
	if err := candidates.SeedDemo(ctx, db, electionDay); err != nil {
		tb.Fatalf("candidates.SeedDemo: %v", err)
	}
	w := mustWire(tb, db, electionDay, 5, 50)
	exams, candStore, offs := w.exams, w.candidates, w.officials
	h, err := handlers.New(w.deps)
	if err != nil {
		tb.Fatalf("handlers.New: %v", err)
	}
	return &rvEnv{h: h, db: db, exams: exams, cands: candStore, offs: offs, ctx: ctx}
}

// do sends one request through the router with the session token, if any.
func (e *rvEnv) do(method, path, token, body string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: rvCookie, Value: token})
	}
	req.RemoteAddr = "192.0.2.7:40000"
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *rvEnv) login(tb testing.TB, path, body string) string {
	tb.Helper()
	rec := e.do("POST", path, "", body)
	if rec.Code != http.StatusOK {
		tb.Fatalf("POST %s = %d %s", path, rec.Code, rec.Body.String())
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == rvCookie && c.Value != "" {
			return c.Value
		}
	}
	tb.Fatalf("POST %s set no session cookie", path)
	return ""
}

// official creates an official and returns them with a logged-in session.
func (e *rvEnv) official(tb testing.TB, username, role string) (officials.Official, string) {
	tb.Helper()
	o, err := e.offs.Create(e.ctx, audit.System, officials.NewOfficial{Username: username, Role: role, Password: rvPassword})
	if err != nil {
		tb.Fatalf("create official: %v", err)
	}
	return o, e.login(tb, "/api/v1/official/login", fmt.Sprintf(`{"username":%q,"password":%q}`, username, rvPassword))
}

func rvNationalID(nine string) string {
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

// candidate registers an eligible candidate whose password is rvPassword.
func (e *rvEnv) candidate(tb testing.TB, nine, first, last string, constituency int, hash string) candidates.Candidate {
	tb.Helper()
	c := candidates.Candidate{NationalID: rvNationalID(nine), FirstName: first, LastName: last, FatherName: "حسن",
		BirthDate: time.Date(1982, 5, 6, 0, 0, 0, 0, time.UTC), Gender: "female", Mobile: "09121234567",
		Education: "master", ConstituencyID: constituency, PasswordHash: hash, Eligible: true, IneligibilityReasons: []string{}}
	if err := e.cands.Insert(e.ctx, &c); err != nil {
		tb.Fatalf("insert candidate: %v", err)
	}
	return c
}

func rvJSON(tb testing.TB, rec *httptest.ResponseRecorder, status int, v any) {
	tb.Helper()
	if rec.Code != status {
		tb.Fatalf("status = %d, want %d; body: %s", rec.Code, status, rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		tb.Fatalf("body %s: %v", rec.Body.String(), err)
	}
}

// rvError checks the status, the error code and the fields (nil: none).
func rvError(tb testing.TB, rec *httptest.ResponseRecorder, status int, code string, fields map[string]string) {
	tb.Helper()
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	rvJSON(tb, rec, status, &body)
	if body.Error.Code != code || body.Error.Message == "" || !reflect.DeepEqual(body.Error.Fields, fields) {
		tb.Fatalf("error = %+v, want %s with fields %v: %s", body.Error, code, fields, rec.Body.String())
	}
}

func rvKeys(m map[string]json.RawMessage) []string { return slices.Sorted(maps.Keys(m)) }

// rvHasKeys checks that m has at least every key of want.
func rvHasKeys(tb testing.TB, what string, m map[string]json.RawMessage, want ...string) {
	tb.Helper()
	for _, k := range want {
		if _, ok := m[k]; !ok {
			tb.Fatalf("%s lacks %q: keys %v", what, k, rvKeys(m))
		}
	}
}

func rvClose(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// rvHeader is the Persian header row of the exports.
var rvHeader = []string{"نام داوطلب", "کد ملی", "حوزه انتخابیه", "نمره", "حداکثر نمره", "درصد", "نتیجه", "نحوه پایان", "زمان تحویل (UTC)", "درصد بخش‌ها"}

func TestReviewAPI(t *testing.T) {
	t.Parallel()
	e := rvNewEnv(t)
	admin, adminTok := e.official(t, "rv.admin", officials.RoleAdmin)
	_, reviewerTok := e.official(t, "rv.reviewer", officials.RoleReviewer)

	// Four questions keyed b, one section, drawn whole and unshuffled; pass 60, no penalty.
	var qs []exam.Question
	for i := 1; i <= 4; i++ {
		q, err := e.exams.CreateQuestion(e.ctx, admin.Actor(), exam.QuestionRequest{Section: "law",
			Stem:    fmt.Sprintf("پرسش %d قانون شوراها کدام است؟", i),
			Options: []exam.Option{{Key: "a", Text: "الف"}, {Key: "b", Text: "ب"}, {Key: "c", Text: "ج"}, {Key: "d", Text: "د"}},
			Correct: "b"})
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].ID < qs[j].ID })
	opens := time.Now().UTC().Add(-time.Minute)
	closes := opens.Add(time.Hour)
	pass, points := 60.0, 1.0
	ex, err := e.exams.CreateExam(e.ctx, admin.Actor(), exam.ExamRequest{Title: "آزمون بازبینی",
		Sections: []exam.SectionSpec{{Key: "law", Title: "قانون", Draw: 4}}, DurationSeconds: 1800, OpensAt: &opens, ClosesAt: &closes,
		PointsCorrect: &points, PenaltyWrong: &exam.Ratio{Num: 0, Den: 1}, PassPercent: &pass})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.exams.PublishExam(e.ctx, admin.Actor(), ex.ID); err != nil {
		t.Fatal(err)
	}

	// Before and after voiding Q4:
	//   A bbbb  100 P → 3/3 100 P        (Tehran, submitted)
	//   B bbaa   50 F → 2/3 66.67 P  ←   (Eslamshahr, submitted; objects to Q4)
	//   C b_a_   25 F → 1/3 33.33 F      (Tehran, timeout)
	//   D ____    0 F → 0/3 0 F          (Qods, submitted)
	hash, err := auth.HashPassword(rvPassword)
	if err != nil {
		t.Fatal(err)
	}
	type sitter struct {
		c       candidates.Candidate
		attempt string
	}
	sit := func(c candidates.Candidate, pattern string, timeout bool) sitter {
		t.Helper()
		v, _, err := e.exams.Start(e.ctx, c.ID, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		seq := int64(1)
		for i, ch := range pattern {
			if ch == '_' {
				continue
			}
			choice := string(ch)
			if _, err := e.exams.Save(e.ctx, c.ID, v.AttemptID, qs[i].ID, exam.SaveRequest{Choice: &choice, Seq: &seq}); err != nil {
				t.Fatal(err)
			}
		}
		if timeout {
			if _, err := e.db.Exec(`UPDATE attempts SET deadline_at = started_at - make_interval(secs => grace_seconds) WHERE id = $1`, v.AttemptID); err != nil {
				t.Fatal(err)
			}
			if n, err := e.exams.SweepExpired(e.ctx, 10); err != nil || n != 1 {
				t.Fatalf("SweepExpired = %d, %v", n, err)
			}
		} else if _, err := e.exams.Submit(e.ctx, c.ID, v.AttemptID); err != nil {
			t.Fatal(err)
		}
		return sitter{c, v.AttemptID}
	}
	a := sit(e.candidate(t, "111000001", "علی", "رضایی", 1, hash), "bbbb", false)
	b := sit(e.candidate(t, "111000002", "مریم", "کریمی", 2, hash), "bbaa", false)
	c := sit(e.candidate(t, "222000003", "حسین", "احمدی", 1, hash), "b_a_", true)
	d := sit(e.candidate(t, "111000004", "فاطمه", "حسینی", 3, hash), "____", false)
	bTok := e.login(t, "/api/v1/candidate/login", fmt.Sprintf(`{"national_id":%q,"password":%q}`, b.c.NationalID, rvPassword))

	// The result: hidden until an admin (not a reviewer) publishes the results.
	resultPath := "/api/v1/attempts/" + b.attempt + "/result"
	rvError(t, e.do("GET", resultPath, bTok, ""), http.StatusForbidden, "results_not_published", nil)
	rvError(t, e.do("GET", "/api/v1/attempts/"+a.attempt+"/result", bTok, ""), http.StatusNotFound, "not_found", nil)
	rvError(t, e.do("GET", resultPath, "", ""), http.StatusUnauthorized, "unauthenticated", nil)
	rvError(t, e.do("GET", resultPath, reviewerTok, ""), http.StatusForbidden, "forbidden", nil)
	publishPath := "/api/v1/official/exams/" + ex.ID + "/publish-results"
	rvError(t, e.do("POST", publishPath, reviewerTok, ""), http.StatusForbidden, "forbidden", nil)
	rvError(t, e.do("POST", publishPath, bTok, ""), http.StatusForbidden, "forbidden", nil)
	rvError(t, e.do("POST", "/api/v1/official/exams/not-a-uuid/publish-results", adminTok, ""), http.StatusNotFound, "not_found", nil)
	var published exam.Exam
	rvJSON(t, e.do("POST", publishPath, adminTok, ""), http.StatusOK, &published)
	if published.ID != ex.ID || !published.ResultsPublished {
		t.Fatalf("publish-results = %+v", published)
	}
	var result map[string]json.RawMessage
	rvJSON(t, e.do("GET", resultPath, bTok, ""), http.StatusOK, &result)
	rvHasKeys(t, "result", result, "score", "percent", "section_scores", "passed")
	var r exam.Result
	rvJSON(t, e.do("GET", resultPath, bTok, ""), http.StatusOK, &r)
	wantSections := []exam.SectionScore{{Key: "law", Title: "قانون", Score: 2, Max: 4, Percent: 50, Passed: true, Correct: 2, Wrong: 2}}
	if r.AttemptID != b.attempt || r.Score != 2 || r.MaxScore != 4 || r.Percent != 50 || r.PassPercent != 60 || r.Passed || !reflect.DeepEqual(r.Sections, wantSections) {
		t.Fatalf("result = %+v", r)
	}

	// Objections: only once the exam is closed.
	objectPath := "/api/v1/attempts/" + b.attempt + "/objections"
	objectBody := fmt.Sprintf(`{"question_id":%q,"text":"دو گزینه این پرسش درست است."}`, qs[3].ID)
	rvError(t, e.do("POST", objectPath, bTok, objectBody), http.StatusConflict, "objection_window_closed", nil)
	if rec := e.do("POST", "/api/v1/official/exams/"+ex.ID+"/close", adminTok, ""); rec.Code != http.StatusOK {
		t.Fatalf("close = %d %s", rec.Code, rec.Body.String())
	}
	var obj exam.Objection
	rvJSON(t, e.do("POST", objectPath, bTok, objectBody), http.StatusCreated, &obj)
	if obj.ID == "" || obj.AttemptID != b.attempt || obj.QuestionID != qs[3].ID || obj.Status != "pending" || obj.NationalID != b.c.NationalID {
		t.Fatalf("objection = %+v", obj)
	}
	rvError(t, e.do("POST", objectPath, bTok, objectBody), http.StatusBadRequest, "validation_failed", map[string]string{"question_id": "already_objected"})
	rvError(t, e.do("POST", objectPath, bTok, fmt.Sprintf(`{"question_id":%q,"text":"متن"}`, rvUnknownUUID)), http.StatusBadRequest, "validation_failed",
		map[string]string{"question_id": "unknown_question"})
	rvError(t, e.do("POST", "/api/v1/attempts/"+a.attempt+"/objections", bTok, objectBody), http.StatusNotFound, "not_found", nil)
	// Another objection, filed through the store, to be refused a bad key and rejected.
	other, err := e.exams.Object(e.ctx, d.c.ID, d.attempt, exam.ObjectionRequest{QuestionID: qs[0].ID, Text: "کلید اشتباه است."})
	if err != nil {
		t.Fatal(err)
	}

	var list []exam.Objection
	rvJSON(t, e.do("GET", "/api/v1/official/objections", reviewerTok, ""), http.StatusOK, &list)
	if len(list) != 2 || list[0].ID != obj.ID || list[1].ID != other.ID || list[0].Stem != qs[3].Stem {
		t.Fatalf("objections = %+v", list)
	}
	rvError(t, e.do("GET", "/api/v1/official/objections?status=bogus", reviewerTok, ""), http.StatusBadRequest, "validation_failed",
		map[string]string{"status": "one_of"})

	// Resolving: admins only; void rescores and names B as the one who flipped.
	resolvePath := "/api/v1/official/objections/" + obj.ID + "/resolve"
	rvError(t, e.do("POST", resolvePath, reviewerTok, `{"decision":"void"}`), http.StatusForbidden, "forbidden", nil)
	var res map[string]json.RawMessage
	rec := e.do("POST", resolvePath, adminTok, `{"decision":"void"}`)
	rvJSON(t, rec, http.StatusOK, &res)
	var resolved exam.Resolution
	rvJSON(t, rec, http.StatusOK, &resolved)
	wantChanged := []exam.Change{{AttemptID: b.attempt, CandidateID: b.c.ID, NationalID: b.c.NationalID, PercentBefore: 50,
		PercentAfter: 200.0 / 3, PassedBefore: false, PassedAfter: true}}
	if !reflect.DeepEqual(rvKeys(res), []string{"objection", "rescoring"}) || resolved.Objection.Status != "voided" || resolved.Rescored == nil ||
		resolved.Rescored.Rescored != 4 || !reflect.DeepEqual(resolved.Rescored.Changed, wantChanged) {
		t.Fatalf("resolve(void) = %s", rec.Body.String())
	}
	rvError(t, e.do("POST", resolvePath, adminTok, `{"decision":"void"}`), http.StatusConflict, "already_resolved", nil)
	rvError(t, e.do("POST", "/api/v1/official/objections/"+rvUnknownUUID+"/resolve", adminTok, `{"decision":"reject"}`), http.StatusNotFound, "not_found", nil)
	otherPath := "/api/v1/official/objections/" + other.ID + "/resolve"
	rvError(t, e.do("POST", otherPath, adminTok, `{"decision":"rekey","correct":"z"}`), http.StatusBadRequest, "validation_failed",
		map[string]string{"correct": "not_an_option"})
	rvError(t, e.do("POST", otherPath, adminTok, `{"decision":"maybe"}`), http.StatusBadRequest, "validation_failed",
		map[string]string{"decision": "one_of"})
	rec = e.do("POST", otherPath, adminTok, `{"decision":"reject","note":"کلید درست است"}`)
	res = nil
	rvJSON(t, rec, http.StatusOK, &res)
	if !reflect.DeepEqual(rvKeys(res), []string{"objection"}) || !strings.Contains(string(res["objection"]), `"status":"rejected"`) {
		t.Fatalf("resolve(reject) = %s", rec.Body.String())
	}
	list = nil
	rvJSON(t, e.do("GET", "/api/v1/official/objections?exam_id="+ex.ID+"&status=voided", reviewerTok, ""), http.StatusOK, &list)
	if len(list) != 1 || list[0].ID != obj.ID {
		t.Fatalf("voided objections = %+v", list)
	}
	rvJSON(t, e.do("GET", resultPath, bTok, ""), http.StatusOK, &r)
	if r.Percent != 200.0/3 || !r.Passed || r.MaxScore != 3 {
		t.Fatalf("B's result after voiding = %+v, want 66.67 %% passed of 3", r)
	}

	// The results table.
	base := "/api/v1/official/exams/" + ex.ID
	var page struct {
		Total int                          `json:"total"`
		Items []map[string]json.RawMessage `json:"items"`
	}
	rvJSON(t, e.do("GET", base+"/results?sort=percent&order=desc", reviewerTok, ""), http.StatusOK, &page)
	if page.Total != 4 || len(page.Items) != 4 {
		t.Fatalf("results = %d rows of %d", len(page.Items), page.Total)
	}
	for _, it := range page.Items {
		rvHasKeys(t, "result row", it, "candidate", "national_id", "constituency", "score", "percent", "section_scores", "passed", "finish_reason")
	}
	var rows struct {
		Total int              `json:"total"`
		Items []exam.ResultRow `json:"items"`
	}
	nids := func(rs []exam.ResultRow) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.NationalID)
		}
		return out
	}
	for _, tt := range []struct {
		query string
		total int
		want  []string
	}{
		{"sort=percent&order=desc", 4, []string{a.c.NationalID, b.c.NationalID, c.c.NationalID, d.c.NationalID}},
		{"sort=percent&order=asc", 4, []string{d.c.NationalID, c.c.NationalID, b.c.NationalID, a.c.NationalID}},
		{"passed=true&sort=percent&order=desc", 2, []string{a.c.NationalID, b.c.NationalID}},
		{"passed=false&sort=percent&order=desc", 2, []string{c.c.NationalID, d.c.NationalID}},
		{"constituency=1&sort=percent&order=desc", 2, []string{a.c.NationalID, c.c.NationalID}},
		{"finish_reason=timeout", 1, []string{c.c.NationalID}},
		{"q=222", 1, []string{c.c.NationalID}},
		{"q=" + "%DA%A9%D8%B1%DB%8C%D9%85%DB%8C", 1, []string{b.c.NationalID}}, // کریمی
		{"sort=percent&order=desc&per_page=1&page=2", 4, []string{b.c.NationalID}},
		{"sort=percent&order=desc&per_page=3&page=2", 4, []string{d.c.NationalID}},
	} {
		rows.Items = nil
		rvJSON(t, e.do("GET", base+"/results?"+tt.query, reviewerTok, ""), http.StatusOK, &rows)
		if rows.Total != tt.total || !slices.Equal(nids(rows.Items), tt.want) {
			t.Fatalf("results?%s = %d %v, want %d %v", tt.query, rows.Total, nids(rows.Items), tt.total, tt.want)
		}
	}
	rvJSON(t, e.do("GET", base+"/results?q="+b.c.NationalID, reviewerTok, ""), http.StatusOK, &rows)
	if got := rows.Items[0]; got.Candidate != "مریم کریمی" || got.Constituency != "اسلامشهر" || got.Score != 2 || got.Percent != 200.0/3 ||
		!got.Passed || got.FinishReason != "submitted" || got.AttemptID != b.attempt {
		t.Fatalf("B's row = %+v", got)
	}

	// Bad query values are refused with every field named.
	for _, tt := range []struct {
		query  string
		fields map[string]string
	}{
		{"sort=nonsense", map[string]string{"sort": "one_of"}},
		{"passed=maybe", map[string]string{"passed": "invalid"}},
		{"per_page=0", map[string]string{"per_page": "out_of_range"}},
		{"page=0", map[string]string{"page": "out_of_range"}},
		{"order=sideways", map[string]string{"order": "one_of"}},
		{"finish_reason=abandoned", map[string]string{"finish_reason": "one_of"}},
		{"constituency=tehran", map[string]string{"constituency": "invalid"}},
		{"sort=nonsense&passed=maybe", map[string]string{"sort": "one_of", "passed": "invalid"}},
	} {
		rvError(t, e.do("GET", base+"/results?"+tt.query, reviewerTok, ""), http.StatusBadRequest, "validation_failed", tt.fields)
	}
	rvError(t, e.do("GET", base+"/results.csv?sort=nonsense", reviewerTok, ""), http.StatusBadRequest, "validation_failed", map[string]string{"sort": "one_of"})
	rvError(t, e.do("GET", base+"/results.xlsx?passed=maybe", reviewerTok, ""), http.StatusBadRequest, "validation_failed", map[string]string{"passed": "invalid"})

	// CSV: the BOM, the Persian header, exactly the filtered rows.
	var submitted map[string]time.Time = map[string]time.Time{}
	for _, s := range []sitter{a, b, c, d} {
		var at time.Time
		if err := e.db.Get(&at, `SELECT submitted_at FROM attempts WHERE id = $1`, s.attempt); err != nil {
			t.Fatal(err)
		}
		submitted[s.attempt] = at.UTC()
	}
	wantRecords := [][]string{
		{"حسین احمدی", c.c.NationalID, "تهران", "1", "3", "33.33", "مردود", "پایان وقت", submitted[c.attempt].Format(time.DateTime), "قانون: 33.33"},
		{"فاطمه حسینی", d.c.NationalID, "شهر قدس", "0", "3", "0.00", "مردود", "تحویل داوطلب", submitted[d.attempt].Format(time.DateTime), "قانون: 0.00"},
	}
	rec = e.do("GET", base+"/results.csv?passed=false&sort=percent&order=desc", reviewerTok, "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;") {
		t.Fatalf("results.csv = %d %v", rec.Code, rec.Header())
	}
	raw := rec.Body.Bytes()
	if !bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("results.csv starts with % x, want the UTF-8 BOM", raw[:min(3, len(raw))])
	}
	records, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatalf("results.csv: %v", err)
	}
	if want := append([][]string{rvHeader}, wantRecords...); !reflect.DeepEqual(records, want) {
		t.Fatalf("results.csv =\n%q\nwant\n%q", records, want)
	}
	rec = e.do("GET", base+"/results.csv", reviewerTok, "")
	records, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte{0xEF, 0xBB, 0xBF}))).ReadAll()
	if err != nil || len(records) != 5 {
		t.Fatalf("unfiltered results.csv = %d records, %v; want header + 4", len(records), err)
	}

	// XLSX: the same rows, read back with excelize.
	rec = e.do("GET", base+"/results.xlsx?passed=false&sort=percent&order=desc", reviewerTok, "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("results.xlsx = %d %v", rec.Code, rec.Header())
	}
	book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	defer book.Close()
	if got := book.GetSheetList(); !reflect.DeepEqual(got, []string{"نتایج"}) {
		t.Fatalf("sheets = %q", got)
	}
	xrows, err := book.GetRows("نتایج")
	if err != nil {
		t.Fatal(err)
	}
	if len(xrows) != 3 || !reflect.DeepEqual(xrows[0], rvHeader) {
		t.Fatalf("xlsx rows = %q", xrows)
	}
	wantNums := [][3]float64{{1, 3, 100.0 / 3}, {0, 3, 0}}
	for i, row := range xrows[1:] {
		want := wantRecords[i]
		if len(row) != len(want) {
			t.Fatalf("xlsx row %d = %q", i+1, row)
		}
		for j := range want {
			if j >= 3 && j <= 5 {
				f, err := strconv.ParseFloat(row[j], 64)
				if err != nil || !rvClose(f, wantNums[i][j-3]) {
					t.Fatalf("xlsx row %d column %d = %q, want %v", i+1, j, row[j], wantNums[i][j-3])
				}
				continue
			}
			if row[j] != want[j] {
				t.Fatalf("xlsx row %d column %d = %q, want %q", i+1, j, row[j], want[j])
			}
		}
	}

	// Statistics: percents 100, 66.67, 33.33, 0 → mean and median 50, sample SD
	// √((50² + (50/3)² + (50/3)² + 50²)/3) = √(50000/27) = 43.0331; KR-20 over
	// Q1–Q3 (Q4 voided) is the Guttman 4×3 matrix of TestAlpha: 0.75; SEM = SD·√0.25.
	var stats map[string]json.RawMessage
	rvJSON(t, e.do("GET", base+"/stats", reviewerTok, ""), http.StatusOK, &stats)
	rvHasKeys(t, "stats", stats, "sat", "passed", "pass_rate", "mean", "sd", "median", "kr20", "sem", "histogram", "by_constituency")
	var st exam.Stats
	rvJSON(t, e.do("GET", base+"/stats", reviewerTok, ""), http.StatusOK, &st)
	sd := math.Sqrt(50000.0 / 27)
	round4 := func(x float64) float64 { return math.Round(x*10000) / 10000 }
	if st.Sat != 4 || st.Passed != 2 || st.PassRate != 0.5 || st.Mean != 50 || st.Median != 50 || !rvClose(st.SD, round4(sd)) ||
		st.KR20 == nil || *st.KR20 != 0.75 || st.SEM == nil || !rvClose(*st.SEM, round4(sd/2)) {
		t.Fatalf("stats = %s", e.do("GET", base+"/stats", reviewerTok, "").Body.String())
	}
	var hist []int
	for _, bin := range st.Histogram {
		hist = append(hist, bin.Count)
	}
	if !slices.Equal(hist, []int{1, 0, 0, 1, 0, 0, 1, 0, 0, 1}) || st.Histogram[0].From != 0 || st.Histogram[9].To != 100 {
		t.Fatalf("histogram = %+v", st.Histogram)
	}
	wantBy := []exam.ConstituencyStats{
		{ID: 1, Name: "تهران", Sat: 2, Passed: 1, PassRate: 0.5, Mean: round4(200.0 / 3)},
		{ID: 2, Name: "اسلامشهر", Sat: 1, Passed: 1, PassRate: 1, Mean: round4(200.0 / 3)},
		{ID: 3, Name: "شهر قدس", Sat: 1, Passed: 0, PassRate: 0, Mean: 0},
	}
	if !reflect.DeepEqual(st.ByConstituency, wantBy) {
		t.Fatalf("by_constituency = %+v", st.ByConstituency)
	}

	// Items.
	var items []map[string]json.RawMessage
	rvJSON(t, e.do("GET", base+"/items", reviewerTok, ""), http.StatusOK, &items)
	if len(items) != 4 {
		t.Fatalf("items = %d, want 4", len(items))
	}
	for _, it := range items {
		rvHasKeys(t, "item", it, "question_id", "shown", "p", "discrimination", "blank_rate", "options")
	}
	var its []exam.Item
	rvJSON(t, e.do("GET", base+"/items", reviewerTok, ""), http.StatusOK, &its)
	// Q1: b by A, B, C; blank D → p .75, blank rate .25. Q4 (voided): a by B, b by A.
	if its[0].QuestionID != qs[0].ID || its[0].Shown != 4 || its[0].P != 0.75 || its[0].BlankRate != 0.25 ||
		!reflect.DeepEqual(its[0].Options, map[string]int{"a": 0, "b": 3, "c": 0, "d": 0}) || its[0].Discrimination == nil {
		t.Fatalf("item Q1 = %+v", its[0])
	}
	if its[3].QuestionID != qs[3].ID || !its[3].Voided || its[3].Discrimination != nil || string(items[3]["discrimination"]) != "null" ||
		its[3].Flagged || !reflect.DeepEqual(its[3].Options, map[string]int{"a": 1, "b": 1, "c": 0, "d": 0}) {
		t.Fatalf("item Q4 = %+v", its[3])
	}

	// A reviewer reads everything (above); a candidate and a stranger read nothing.
	for _, path := range []string{base + "/results", base + "/results.csv", base + "/results.xlsx", base + "/stats", base + "/items",
		base + "/results/" + b.attempt, "/api/v1/official/objections"} {
		if rec := e.do("GET", path, reviewerTok, ""); rec.Code != http.StatusOK {
			t.Fatalf("reviewer GET %s = %d %s", path, rec.Code, rec.Body.String())
		}
		rvError(t, e.do("GET", path, bTok, ""), http.StatusForbidden, "forbidden", nil)
		rvError(t, e.do("GET", path, "", ""), http.StatusUnauthorized, "unauthenticated", nil)
	}
	rvError(t, e.do("POST", base+"/rescore", reviewerTok, ""), http.StatusForbidden, "forbidden", nil)
	var rescored exam.Rescored
	rvJSON(t, e.do("POST", base+"/rescore", adminTok, ""), http.StatusOK, &rescored)
	if rescored.Rescored != 4 || len(rescored.Changed) != 0 {
		t.Fatalf("rescore = %+v, want 4 rescored, none changed", rescored)
	}

	// An exam id that is not a UUID, or names no exam, is 404 everywhere.
	for _, id := range []string{"not-a-uuid", rvUnknownUUID} {
		for _, suffix := range []string{"/results", "/results.csv", "/results.xlsx", "/stats", "/items", "/results/" + b.attempt} {
			rvError(t, e.do("GET", "/api/v1/official/exams/"+id+suffix, reviewerTok, ""), http.StatusNotFound, "not_found", nil)
		}
	}
}

// TestReviewResultsQueryNamesEveryField: a results query with several bad
// values is refused with every one of them named, paging included, as every
// other refusal of this API does.
func TestReviewResultsQueryNamesEveryField(t *testing.T) {
	t.Parallel()
	e := rvNewEnv(t)
	_, tok := e.official(t, "rv.reviewer", officials.RoleReviewer)
	for _, path := range []string{"/results", "/results.csv", "/results.xlsx"} {
		rvError(t, e.do("GET", "/api/v1/official/exams/"+rvUnknownUUID+path+"?sort=nonsense&passed=maybe&order=up", tok, ""), http.StatusBadRequest,
			"validation_failed", map[string]string{"sort": "one_of", "passed": "invalid", "order": "one_of"})
	}
	rvError(t, e.do("GET", "/api/v1/official/exams/"+rvUnknownUUID+"/results?sort=nonsense&passed=maybe&per_page=0&page=-1", tok, ""), http.StatusBadRequest,
		"validation_failed", map[string]string{"sort": "one_of", "passed": "invalid", "per_page": "out_of_range", "page": "out_of_range"})
}
