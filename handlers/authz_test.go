package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/handlers"
	"github.com/council-exam/examd/officials"
)

// Every top-level name in this file and officials_api_test.go starts with "oz" so
// that it cannot collide with the other test files of this package.

var ozElectionDay = time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)

const (
	ozPassword     = "oz-long-enough-secret"
	ozCookie       = "examd_session"
	ozCandidateID  = "0499370899" // a demo candidate, eligible
	ozUnknownUUID  = "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f"
	ozUnknownUUID2 = "0f6a2b1c-9d8e-4c7b-8a69-5e4d3c2b1a00"
	ozJSON         = "application/json"
	ozCSV          = "text/csv; charset=utf-8"
)

// ozEnv is the real router over real stores on a fresh database with the demo
// candidates, wired as `examd serve` wires it, behind a real HTTP server.
type ozEnv struct {
	db       *sqlx.DB
	srv      *httptest.Server
	engine   *gin.Engine
	offs     *officials.Store
	exams    *exam.Store
	sessions *auth.Sessions
}

func ozNewEnv(tb testing.TB) *ozEnv {
	tb.Helper()
	db := dbtest.New(tb)
	ctx := context.Background()
	if err := candidates.SeedDemo(ctx, db, ozElectionDay); err != nil {
		tb.Fatalf("candidates.SeedDemo: %v", err)
	}
	w := mustWire(tb, db, ozElectionDay, 5, 50)
	sessions, exams, offs := w.sessions, w.exams, w.officials
	h, err := handlers.New(w.deps)
	if err != nil {
		tb.Fatalf("handlers.New: %v", err)
	}
	engine, ok := h.(*gin.Engine)
	if !ok {
		tb.Fatalf("handlers.New returned %T, want *gin.Engine", h)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return &ozEnv{db: db, srv: srv, engine: engine, offs: offs, exams: exams, sessions: sessions}
}

// seedBank adds the demo bank and its published, open demo exam.
func (e *ozEnv) seedBank(tb testing.TB) {
	tb.Helper()
	if err := e.exams.SeedDemo(context.Background()); err != nil {
		tb.Fatalf("exam SeedDemo: %v", err)
	}
}

// official creates an official with ozPassword.
func (e *ozEnv) official(tb testing.TB, username, role string) officials.Official {
	tb.Helper()
	o, err := e.offs.Create(context.Background(), audit.System, officials.NewOfficial{Username: username, Role: role, Password: ozPassword})
	if err != nil {
		tb.Fatalf("create official %s: %v", username, err)
	}
	return o
}

// do sends one request with the session token (if any) and returns the status
// and the body. A body without a content type is sent as JSON.
func (e *ozEnv) do(tb testing.TB, method, path, token, ctype, body string) (int, []byte) {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
		if ctype == "" {
			ctype = ozJSON
		}
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: ozCookie, Value: token})
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, b
}

// login posts credentials to a login route and returns the session cookie's value.
func (e *ozEnv) login(tb testing.TB, path, body string) string {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", ozJSON)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("POST %s = %d %s, want 200", path, resp.StatusCode, b)
	}
	for _, c := range resp.Cookies() {
		if c.Name == ozCookie && c.Value != "" {
			return c.Value
		}
	}
	tb.Fatalf("POST %s set no %s cookie", path, ozCookie)
	return ""
}

func (e *ozEnv) loginOfficial(tb testing.TB, username string) string {
	tb.Helper()
	b, _ := json.Marshal(map[string]string{"username": username, "password": ozPassword})
	return e.login(tb, "/api/v1/official/login", string(b))
}

func (e *ozEnv) loginCandidate(tb testing.TB) string {
	tb.Helper()
	b, _ := json.Marshal(map[string]string{"national_id": ozCandidateID, "password": candidates.DemoPassword})
	return e.login(tb, "/api/v1/candidate/login", string(b))
}

// ozErrorBody is the one error shape of the API.
type ozErrorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
		Errors  []exam.LineError  `json:"errors"`
	} `json:"error"`
	Errors []exam.LineError `json:"errors"`
}

func ozDecode[T any](tb testing.TB, b []byte) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func ozCode(b []byte) string {
	var e ozErrorBody
	_ = json.Unmarshal(b, &e)
	return e.Error.Code
}

// Personas of the authorization matrix, in the order their requests are sent:
// the admin last, so that an admin's write cannot change what others see.
const (
	ozAnon = iota
	ozCand
	ozReviewer
	ozDisabled
	ozAdmin
	ozPersonas
)

var ozPersonaNames = [ozPersonas]string{"anonymous", "candidate", "reviewer", "disabled official", "admin"}

// ozRoute is how the matrix calls one route and what each persona gets.
type ozRoute struct {
	path, ctype, body string
	want              [ozPersonas]int
	// code is the error code expected in the answer of a persona whose status is
	// 400 or more and who passed the session checks (e.g. an admin's 400).
	code string
	// endsSession marks a route that ends the caller's session: each persona
	// logs in again after calling it.
	endsSession bool
}

func ozPublic(status int) [ozPersonas]int {
	return [ozPersonas]int{status, status, status, status, status}
}

// ozCandidateRoute: only a live candidate session passes; an official's is 403,
// a disabled official's (ended) session is 401.
func ozCandidateRoute(status int) [ozPersonas]int { return [ozPersonas]int{401, status, 403, 401, 403} }

// ozRead: any live official session reads.
func ozRead(status int) [ozPersonas]int { return [ozPersonas]int{401, 403, status, 401, status} }

// ozWrite: only an admin writes.
func ozWrite(status int) [ozPersonas]int { return [ozPersonas]int{401, 403, 403, 401, status} }

func TestOzAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := ozNewEnv(t)
	e.seedBank(t)
	ctx := context.Background()

	admin := e.official(t, "oz.admin", officials.RoleAdmin)
	reviewer := e.official(t, "oz.reviewer", officials.RoleReviewer)
	e.official(t, "oz.victim", officials.RoleReviewer)
	gone := e.official(t, "oz.gone", officials.RoleAdmin)

	// Objects for the routes' parameters.
	qs, _, err := e.exams.ListQuestions(ctx, exam.QuestionFilter{Section: "councils_law", Page: 1, PerPage: 1})
	if err != nil || len(qs) != 1 {
		t.Fatalf("a demo question: %v", err)
	}
	questionID := qs[0].ID
	toRetire, err := e.exams.CreateQuestion(ctx, admin.Actor(), exam.QuestionRequest{Section: "councils_law", Stem: "پرسشی برای بازنشسته شدن",
		Options: []exam.Option{{Key: "a", Text: "یک"}, {Key: "b", Text: "دو"}}, Correct: "a"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.exams.Exams(ctx)
	if err != nil || len(list) != 1 || list[0].Status != exam.StatusPublished {
		t.Fatalf("demo exam: %+v, %v", list, err)
	}
	demoExam := list[0].ID
	mustDraft := func(opens time.Time) string {
		t.Helper()
		closes := opens.Add(48 * time.Hour)
		d, err := e.exams.CreateExam(ctx, admin.Actor(), exam.ExamRequest{Title: "پیش‌نویس", DurationSeconds: 600, OpensAt: &opens, ClosesAt: &closes,
			Sections: []exam.SectionSpec{{Key: "councils_law", Draw: 2}}, PassPercent: ozPtr(50.0)})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	later := time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)
	draftToEdit, draftToPublish := mustDraft(later), mustDraft(later)
	toClose := mustDraft(time.Now().UTC().Add(-time.Hour).Truncate(time.Second))
	if _, err := e.exams.PublishExam(ctx, admin.Actor(), toClose); err != nil {
		t.Fatal(err)
	}

	// Sessions: the disabled official logged in and was then disabled.
	tokens := [ozPersonas]string{
		ozCand:     e.loginCandidate(t),
		ozReviewer: e.loginOfficial(t, "oz.reviewer"),
		ozDisabled: e.loginOfficial(t, "oz.gone"),
		ozAdmin:    e.loginOfficial(t, "oz.admin"),
	}
	if _, err := e.offs.SetDisabled(ctx, admin.Actor(), gone.Username, true); err != nil {
		t.Fatal(err)
	}
	// relogin replaces a session that a route ended (a candidate has one session
	// at a time, so a second login would end the first anyway).
	relogin := func(p int) {
		switch p {
		case ozCand:
			tokens[p] = e.loginCandidate(t)
		case ozReviewer:
			tokens[p] = e.loginOfficial(t, "oz.reviewer")
		case ozAdmin:
			tokens[p] = e.loginOfficial(t, "oz.admin")
		}
	}

	const (
		validation = "validation_failed"
		notFound   = "not_found"
	)
	table := map[string]ozRoute{
		// Operations and pages: anyone.
		"GET /healthz":                 {path: "/healthz", want: ozPublic(200)},
		"GET /readyz":                  {path: "/readyz", want: ozPublic(200)},
		"GET /metrics":                 {path: "/metrics", want: ozPublic(200)},
		"GET /":                        {path: "/", want: ozPublic(200)},
		"GET /register":                {path: "/register", want: ozPublic(200)},
		"GET /login":                   {path: "/login", want: ozPublic(200)},
		"GET /home":                    {path: "/home", want: ozPublic(200)},
		"GET /exam":                    {path: "/exam", want: ozPublic(200)},
		"GET /verify":                  {path: "/verify", want: ozPublic(200)},
		"GET /result":                  {path: "/result", want: ozPublic(200)},
		"GET /official/login":          {path: "/official/login", want: ozPublic(200)},
		"GET /official":                {path: "/official", want: ozPublic(200)},
		"GET /static/*filepath":        {path: "/static/css/app.css", want: ozPublic(200)},
		"GET /api/v1/constituencies":   {path: "/api/v1/constituencies", want: ozPublic(200)},
		"POST /api/v1/candidates":      {path: "/api/v1/candidates", body: "{}", want: ozPublic(400), code: validation},
		"POST /api/v1/candidate/login": {path: "/api/v1/candidate/login", body: "{}", want: ozPublic(400), code: validation},
		"POST /api/v1/official/login":  {path: "/api/v1/official/login", body: "{}", want: ozPublic(400), code: validation},
		"POST /api/v1/logout":          {path: "/api/v1/logout", want: ozPublic(204), endsSession: true},
		"GET /api/v1/receipts/key":     {path: "/api/v1/receipts/key", want: ozPublic(200)},
		"POST /api/v1/receipts/verify": {path: "/api/v1/receipts/verify", body: "{}", want: ozPublic(400), code: validation},

		// Candidate routes.
		"GET /api/v1/candidate/me":            {path: "/api/v1/candidate/me", want: ozCandidateRoute(200)},
		"GET /api/v1/candidate/exams":         {path: "/api/v1/candidate/exams", want: ozCandidateRoute(200)},
		"POST /api/v1/exams/:examID/attempts": {path: "/api/v1/exams/" + ozUnknownUUID + "/attempts", want: ozCandidateRoute(404), code: notFound},
		"GET /api/v1/attempts/:id":            {path: "/api/v1/attempts/" + ozUnknownUUID, want: ozCandidateRoute(404), code: notFound},
		"POST /api/v1/attempts/:id/submit":    {path: "/api/v1/attempts/" + ozUnknownUUID + "/submit", want: ozCandidateRoute(404), code: notFound},
		"PUT /api/v1/attempts/:id/answers/:questionID": {path: "/api/v1/attempts/" + ozUnknownUUID + "/answers/" + ozUnknownUUID2,
			body: `{"choice":"a","seq":1}`, want: ozCandidateRoute(404), code: notFound},

		"GET /api/v1/attempts/:id/result":     {path: "/api/v1/attempts/" + ozUnknownUUID + "/result", want: ozCandidateRoute(404), code: notFound},
		"GET /api/v1/attempts/:id/objections": {path: "/api/v1/attempts/" + ozUnknownUUID + "/objections", want: ozCandidateRoute(404), code: notFound},
		"POST /api/v1/attempts/:id/objections": {path: "/api/v1/attempts/" + ozUnknownUUID + "/objections",
			body: `{"question_id":"` + ozUnknownUUID2 + `","text":"گزینه درست دیگری است"}`, want: ozCandidateRoute(404), code: notFound},

		// Official reads.
		"GET /api/v1/official/me":                           {path: "/api/v1/official/me", want: ozRead(200)},
		"GET /api/v1/official/officials":                    {path: "/api/v1/official/officials", want: ozRead(200)},
		"GET /api/v1/official/sections":                     {path: "/api/v1/official/sections", want: ozRead(200)},
		"GET /api/v1/official/questions":                    {path: "/api/v1/official/questions", want: ozRead(200)},
		"GET /api/v1/official/questions/:id":                {path: "/api/v1/official/questions/" + questionID, want: ozRead(200)},
		"GET /api/v1/official/exams":                        {path: "/api/v1/official/exams", want: ozRead(200)},
		"GET /api/v1/official/exams/:id":                    {path: "/api/v1/official/exams/" + demoExam, want: ozRead(200)},
		"GET /api/v1/official/exams/:id/accommodations":     {path: "/api/v1/official/exams/" + demoExam + "/accommodations", want: ozRead(200)},
		"GET /api/v1/official/exams/:id/results":            {path: "/api/v1/official/exams/" + demoExam + "/results", want: ozRead(200)},
		"GET /api/v1/official/exams/:id/results.csv":        {path: "/api/v1/official/exams/" + demoExam + "/results.csv", want: ozRead(200)},
		"GET /api/v1/official/exams/:id/results.xlsx":       {path: "/api/v1/official/exams/" + demoExam + "/results.xlsx", want: ozRead(200)},
		"GET /api/v1/official/exams/:id/results/:attemptID": {path: "/api/v1/official/exams/" + demoExam + "/results/" + ozUnknownUUID, want: ozRead(404), code: notFound},
		"GET /api/v1/official/exams/:id/stats":              {path: "/api/v1/official/exams/" + demoExam + "/stats", want: ozRead(200)},
		"GET /api/v1/official/exams/:id/items":              {path: "/api/v1/official/exams/" + demoExam + "/items", want: ozRead(200)},
		"GET /api/v1/official/objections":                   {path: "/api/v1/official/objections", want: ozRead(200)},
		"GET /api/v1/official/audit":                        {path: "/api/v1/official/audit", want: ozRead(200)},
		"GET /api/v1/official/audit/verify":                 {path: "/api/v1/official/audit/verify", want: ozRead(200)},

		// Admin writes, each with a minimal body.
		"POST /api/v1/official/officials":                   {path: "/api/v1/official/officials", body: "{}", want: ozWrite(400), code: validation},
		"POST /api/v1/official/officials/:username/disable": {path: "/api/v1/official/officials/oz.victim/disable", want: ozWrite(200)},
		"POST /api/v1/official/officials/:username/enable":  {path: "/api/v1/official/officials/oz.victim/enable", want: ozWrite(200)},
		"POST /api/v1/official/questions":                   {path: "/api/v1/official/questions", body: "{}", want: ozWrite(400), code: validation},
		"POST /api/v1/official/questions/import":            {path: "/api/v1/official/questions/import", body: "[]", want: ozWrite(400), code: "import_failed"},
		"PUT /api/v1/official/questions/:id":                {path: "/api/v1/official/questions/" + questionID, body: "{}", want: ozWrite(400), code: validation},
		"POST /api/v1/official/questions/:id/retire":        {path: "/api/v1/official/questions/" + toRetire.ID + "/retire", want: ozWrite(200)},
		"POST /api/v1/official/exams":                       {path: "/api/v1/official/exams", body: "{}", want: ozWrite(400), code: validation},
		"PUT /api/v1/official/exams/:id":                    {path: "/api/v1/official/exams/" + draftToEdit, body: "{}", want: ozWrite(400), code: validation},
		"POST /api/v1/official/exams/:id/publish":           {path: "/api/v1/official/exams/" + draftToPublish + "/publish", want: ozWrite(200)},
		"POST /api/v1/official/exams/:id/close":             {path: "/api/v1/official/exams/" + toClose + "/close", want: ozWrite(200)},
		"POST /api/v1/official/exams/:id/accommodations":    {path: "/api/v1/official/exams/" + demoExam + "/accommodations", body: "{}", want: ozWrite(400), code: validation},
		"POST /api/v1/official/exams/:id/publish-results":   {path: "/api/v1/official/exams/" + ozUnknownUUID + "/publish-results", want: ozWrite(404), code: notFound},
		"POST /api/v1/official/exams/:id/rescore":           {path: "/api/v1/official/exams/" + ozUnknownUUID + "/rescore", want: ozWrite(404), code: notFound},
		"POST /api/v1/official/objections/:id/resolve": {path: "/api/v1/official/objections/" + ozUnknownUUID + "/resolve",
			body: `{"decision":"reject"}`, want: ozWrite(404), code: notFound},
	}

	auditBefore := ozAuditCount(t, e.db, "")
	seen := map[string]bool{}
	for _, r := range e.engine.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		rt, ok := table[key]
		if !ok {
			t.Errorf("route %s has no entry in the authorization table", key)
			continue
		}
		for p := 0; p < ozPersonas; p++ {
			status, body := e.do(t, r.Method, rt.path, tokens[p], rt.ctype, rt.body)
			if rt.endsSession {
				relogin(p)
			}
			if status != rt.want[p] {
				t.Errorf("%s as %s = %d %s, want %d", key, ozPersonaNames[p], status, ozTrim(body), rt.want[p])
				continue
			}
			var wantCode string
			switch {
			case status == 401 && rt.want[ozAnon] == 401:
				wantCode = "unauthenticated"
			case status == 403 && (p == ozCand || p == ozReviewer || p == ozAdmin) && rt.want[ozAnon] == 401:
				wantCode = "forbidden"
			case status >= 400:
				wantCode = rt.code
			}
			if got := ozCode(body); got != wantCode {
				t.Errorf("%s as %s: error code %q, want %q (%s)", key, ozPersonaNames[p], got, wantCode, ozTrim(body))
			}
		}
	}
	for key := range table {
		if !seen[key] {
			t.Errorf("the authorization table names %s, which the router does not have", key)
		}
	}

	// Nobody but the admin wrote anything: the reviewer's, the disabled official's
	// and the candidate's requests left no row beyond their logins.
	var others int
	if err := e.db.Get(&others, `SELECT count(*) FROM audit_log WHERE id > $1 AND actor_id IN ($2, $3) AND action <> 'official.login'`,
		auditBefore, reviewer.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if others != 0 {
		t.Fatalf("audit rows by the reviewer or the disabled official = %d, want 0", others)
	}
	var adminWrites []string
	if err := e.db.Select(&adminWrites, `SELECT action FROM audit_log WHERE id > $1 AND actor_id = $2 AND action <> 'official.login' ORDER BY action`,
		auditBefore, admin.ID); err != nil {
		t.Fatal(err)
	}
	want := []string{"exam.close", "exam.publish", "official.disable", "official.enable", "question.retire"}
	if strings.Join(adminWrites, ",") != strings.Join(want, ",") {
		t.Fatalf("the admin's audited writes = %v, want %v", adminWrites, want)
	}
}

// TestOzDisabledFlagAloneRefusesSession checks the second guard: an official
// marked disabled whose sessions were somehow not ended is still refused.
func TestOzDisabledFlagAloneRefusesSession(t *testing.T) {
	t.Parallel()
	e := ozNewEnv(t)
	e.official(t, "oz.admin", officials.RoleAdmin)
	token := e.loginOfficial(t, "oz.admin")
	if status, body := e.do(t, "GET", "/api/v1/official/me", token, "", ""); status != 200 {
		t.Fatalf("GET /official/me = %d %s, want 200", status, body)
	}
	if _, err := e.db.Exec(`UPDATE officials SET disabled = true WHERE username = 'oz.admin'`); err != nil {
		t.Fatal(err)
	}
	status, body := e.do(t, "GET", "/api/v1/official/me", token, "", "")
	if status != 401 || ozCode(body) != "unauthenticated" {
		t.Fatalf("GET /official/me of a disabled official with a live session = %d %s, want 401 unauthenticated", status, body)
	}
	// Nor may they log in again.
	b, _ := json.Marshal(map[string]string{"username": "oz.admin", "password": ozPassword})
	status, body = e.do(t, "POST", "/api/v1/official/login", "", ozJSON, string(b))
	if status != 401 || ozCode(body) != "invalid_credentials" {
		t.Fatalf("login of a disabled official = %d %s, want 401 invalid_credentials", status, body)
	}
}

func ozPtr[T any](v T) *T { return &v }

func ozTrim(b []byte) string {
	s := string(b)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// ozAuditCount returns the highest audit id written so far (0 for none) when
// action is empty, else the number of rows with that action.
func ozAuditCount(tb testing.TB, db *sqlx.DB, action string) int {
	tb.Helper()
	var n int
	var err error
	if action == "" {
		err = db.Get(&n, `SELECT coalesce(max(id), 0) FROM audit_log`)
	} else {
		err = db.Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1`, action)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return n
}
