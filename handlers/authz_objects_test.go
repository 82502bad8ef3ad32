package handlers_test

// Object-level access control: every route of the router × {anonymous, candidate
// A, candidate B, reviewer, admin, disabled official}, with the object routes
// called on A's objects (A's attempts, A's questions, A's exams) in states where A
// would succeed, so that B's 404 means "not yours" and nothing else. Then B (and A)
// guess attempt ids on every attempt route. Every top-level name in this file starts with "ao"; the
// environment comes from authz_test.go (oz…) and harness_test.go.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/officials"
)

// Personas, in the order their requests are sent: B before A, so that B meets
// each of A's objects in the state A is about to use it in, and the admin last.
const (
	aoAnon = iota
	aoB
	aoReviewer
	aoDisabled
	aoA
	aoAdmin
	aoPersonas
)

var aoNames = [aoPersonas]string{"anonymous", "candidate B", "reviewer", "disabled official", "candidate A", "admin"}

// aoNotFound is the whole answer to a stranger's object: nothing about it leaks.
const aoNotFound = `{"error":{"code":"not_found","message":"not found"}}`

// aoRoute is how the matrix calls one route and what each persona gets.
type aoRoute struct {
	path, ctype, body string
	want              [aoPersonas]int
	// code is the error code of a persona that passed the session checks and
	// still got 400 or more (403 and 401 from the guards are checked apart).
	code string
	// codes overrides code for one persona (e.g. B's not_found beside A's 409).
	codes map[int]string
	// check, when set, looks at a 2xx answer's body.
	check func(p int, body []byte) error
	// endsSession marks a route after which each persona logs in again.
	endsSession bool
}

func aoPublic(s int) [aoPersonas]int { return [aoPersonas]int{s, s, s, s, s, s} }

// aoOwn: a candidate route on A's object: A gets a, B (another candidate) gets b,
// officials 403, a disabled official's ended session and no session 401.
func aoOwn(a, b int) [aoPersonas]int { return [aoPersonas]int{401, b, 403, 401, a, 403} }

// aoRead: any live official session reads; candidates are refused.
func aoRead(s int) [aoPersonas]int { return [aoPersonas]int{401, 403, s, 401, 403, s} }

// aoWrite: only an admin writes.
func aoWrite(s int) [aoPersonas]int { return [aoPersonas]int{401, 403, 403, 401, 403, s} }

// aoView is the part of an attempt view these tests read.
type aoView struct {
	AttemptID string `json:"attempt_id"`
	State     string `json:"state"`
	Questions []struct {
		ID      string `json:"id"`
		Options []struct {
			Key string `json:"key"`
		} `json:"options"`
	} `json:"questions"`
	Answers map[string]struct {
		Choice *string `json:"choice"`
		Seq    int64   `json:"seq"`
	} `json:"answers"`
	Receipt *string `json:"receipt"`
}

// aoWorld is the environment with candidates A and B and A's objects.
type aoWorld struct {
	*ozEnv
	admin, reviewer, gone officials.Official
	aID, bID              string
	aNational, bNational  string
	bPassword             string
	tokens                [aoPersonas]string
	demoExam              string
	// A's attempts: running on the demo exam; running on exSubmit; submitted on
	// exResult (results published); submitted on exObject (closed, objection
	// window open).
	run, sub, res, obj           aoView
	exSubmit, exResult, exObject string
	objQuestion, objQuestion2    string
	objectionByA                 string
	draftToEdit, draftToPublish  string
	toClose                      string
	toRetire                     string
}

func aoNewWorld(t *testing.T) *aoWorld {
	t.Helper()
	e := ozNewEnv(t)
	e.seedBank(t)
	ctx := context.Background()
	w := &aoWorld{ozEnv: e}
	w.admin = e.official(t, "ao.admin", officials.RoleAdmin)
	w.reviewer = e.official(t, "ao.reviewer", officials.RoleReviewer)
	e.official(t, "ao.victim", officials.RoleReviewer)
	w.gone = e.official(t, "ao.gone", officials.RoleAdmin)

	// Candidate B registers through the API; A is the eligible demo candidate.
	w.aNational = ozCandidateID
	w.bNational = withCheckDigit("301234567")
	w.bPassword = "b's own long password"
	status, body := e.do(t, "POST", "/api/v1/candidates", "", "", validBody(w.bNational).with("password", w.bPassword).String())
	if status != 201 || !strings.Contains(string(body), `"eligible":true`) {
		t.Fatalf("register B = %d %s, want 201 eligible", status, body)
	}
	w.bID = ozDecode[struct{ ID string }](t, body).ID

	w.tokens[aoA] = e.loginCandidate(t)
	w.tokens[aoB] = w.loginB(t)
	w.tokens[aoReviewer] = e.loginOfficial(t, "ao.reviewer")
	w.tokens[aoDisabled] = e.loginOfficial(t, "ao.gone")
	w.tokens[aoAdmin] = e.loginOfficial(t, "ao.admin")
	if _, err := e.offs.SetDisabled(ctx, w.admin.Actor(), w.gone.Username, true); err != nil {
		t.Fatal(err)
	}
	status, body = e.do(t, "GET", "/api/v1/candidate/me", w.tokens[aoA], "", "")
	if status != 200 {
		t.Fatalf("A's me = %d %s", status, body)
	}
	w.aID = ozDecode[struct{ ID string }](t, body).ID

	list, err := e.exams.Exams(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("demo exam: %+v %v", list, err)
	}
	w.demoExam = list[0].ID

	opens := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	window := 3600
	published := func(title string) string {
		t.Helper()
		closes := opens.Add(48 * time.Hour)
		ex, err := e.exams.CreateExam(ctx, w.admin.Actor(), exam.ExamRequest{Title: title, DurationSeconds: 600, OpensAt: &opens, ClosesAt: &closes,
			Sections: []exam.SectionSpec{{Key: "councils_law", Draw: 2}}, PassPercent: ozPtr(50.0), ObjectionWindowSeconds: &window})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.exams.PublishExam(ctx, w.admin.Actor(), ex.ID); err != nil {
			t.Fatal(err)
		}
		return ex.ID
	}
	w.exSubmit, w.exResult, w.exObject = published("ao submit"), published("ao result"), published("ao objection")
	w.toClose = published("ao to close")

	w.run = w.start(t, w.demoExam)
	w.sub = w.start(t, w.exSubmit)
	w.res = w.start(t, w.exResult)
	w.obj = w.start(t, w.exObject)
	for _, v := range []aoView{w.res, w.obj} {
		if status, body := e.do(t, "POST", "/api/v1/attempts/"+v.AttemptID+"/submit", w.tokens[aoA], "", ""); status != 200 {
			t.Fatalf("A submits %s = %d %s", v.AttemptID, status, body)
		}
	}
	if _, err := e.exams.PublishResults(ctx, w.admin.Actor(), w.exResult); err != nil {
		t.Fatal(err)
	}
	if _, err := e.exams.CloseExam(ctx, w.admin.Actor(), w.exObject); err != nil {
		t.Fatal(err)
	}
	w.objQuestion, w.objQuestion2 = w.obj.Questions[0].ID, w.obj.Questions[1].ID
	o, err := e.exams.Object(ctx, w.aID, w.obj.AttemptID, exam.ObjectionRequest{QuestionID: w.objQuestion, Text: "کلید این پرسش نادرست است"})
	if err != nil {
		t.Fatal(err)
	}
	w.objectionByA = o.ID

	later := time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)
	draft := func() string {
		t.Helper()
		closes := later.Add(48 * time.Hour)
		d, err := e.exams.CreateExam(ctx, w.admin.Actor(), exam.ExamRequest{Title: "پیش‌نویس", DurationSeconds: 600, OpensAt: &later, ClosesAt: &closes,
			Sections: []exam.SectionSpec{{Key: "councils_law", Draw: 2}}, PassPercent: ozPtr(50.0)})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	w.draftToEdit, w.draftToPublish = draft(), draft()
	q, err := e.exams.CreateQuestion(ctx, w.admin.Actor(), exam.QuestionRequest{Section: "councils_law", Stem: "پرسش ao برای بازنشستگی",
		Options: []exam.Option{{Key: "a", Text: "یک"}, {Key: "b", Text: "دو"}}, Correct: "a"})
	if err != nil {
		t.Fatal(err)
	}
	w.toRetire = q.ID
	return w
}

func (w *aoWorld) loginB(t *testing.T) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"national_id": w.bNational, "password": w.bPassword})
	return w.login(t, "/api/v1/candidate/login", string(b))
}

// start starts A's attempt of examID through the API (201).
func (w *aoWorld) start(t *testing.T, examID string) aoView {
	t.Helper()
	status, body := w.do(t, "POST", "/api/v1/exams/"+examID+"/attempts", w.tokens[aoA], "", "")
	if status != 201 {
		t.Fatalf("A starts %s = %d %s, want 201", examID, status, body)
	}
	v := ozDecode[aoView](t, body)
	if len(v.Questions) < 2 {
		t.Fatalf("A's attempt has %d questions", len(v.Questions))
	}
	return v
}

func (w *aoWorld) relogin(t *testing.T, p int) {
	t.Helper()
	switch p {
	case aoA:
		w.tokens[p] = w.loginCandidate(t)
	case aoB:
		w.tokens[p] = w.loginB(t)
	case aoReviewer:
		w.tokens[p] = w.loginOfficial(t, "ao.reviewer")
	case aoAdmin:
		w.tokens[p] = w.loginOfficial(t, "ao.admin")
	}
}

// aoField checks that a JSON body has field = want.
func aoField(body []byte, field, want string) error {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	if got := fmt.Sprint(m[field]); got != want {
		return fmt.Errorf("%s = %q, want %q", field, got, want)
	}
	return nil
}

func TestAoObjectAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	w := aoNewWorld(t)
	ctx := context.Background()

	const (
		validation = "validation_failed"
		notFound   = "not_found"
	)
	aRun, aSub, aRes, aObj := w.run.AttemptID, w.sub.AttemptID, w.res.AttemptID, w.obj.AttemptID
	q0 := w.run.Questions[0]
	saveBody := fmt.Sprintf(`{"choice":%q,"seq":1}`, q0.Options[0].Key)
	objectBody := fmt.Sprintf(`{"question_id":%q,"text":"گزینهٔ درست دیگری است"}`, w.objQuestion2)
	bNotFound := map[int]string{aoB: notFound}

	table := map[string]aoRoute{
		// Operations and pages: anyone.
		"GET /healthz":                 {path: "/healthz", want: aoPublic(200)},
		"GET /readyz":                  {path: "/readyz", want: aoPublic(200)},
		"GET /metrics":                 {path: "/metrics", want: aoPublic(200)},
		"GET /":                        {path: "/", want: aoPublic(200)},
		"GET /register":                {path: "/register", want: aoPublic(200)},
		"GET /login":                   {path: "/login", want: aoPublic(200)},
		"GET /home":                    {path: "/home", want: aoPublic(200)},
		"GET /exam":                    {path: "/exam", want: aoPublic(200)},
		"GET /verify":                  {path: "/verify", want: aoPublic(200)},
		"GET /result":                  {path: "/result", want: aoPublic(200)},
		"GET /official/login":          {path: "/official/login", want: aoPublic(200)},
		"GET /official":                {path: "/official", want: aoPublic(200)},
		"GET /static/*filepath":        {path: "/static/css/app.css", want: aoPublic(200)},
		"GET /api/v1/constituencies":   {path: "/api/v1/constituencies", want: aoPublic(200)},
		"POST /api/v1/candidates":      {path: "/api/v1/candidates", body: "{}", want: aoPublic(400), code: validation},
		"POST /api/v1/candidate/login": {path: "/api/v1/candidate/login", body: "{}", want: aoPublic(400), code: validation},
		"POST /api/v1/official/login":  {path: "/api/v1/official/login", body: "{}", want: aoPublic(400), code: validation},
		"POST /api/v1/logout":          {path: "/api/v1/logout", want: aoPublic(204), endsSession: true},
		"GET /api/v1/receipts/key":     {path: "/api/v1/receipts/key", want: aoPublic(200)},
		"POST /api/v1/receipts/verify": {path: "/api/v1/receipts/verify", body: "{}", want: aoPublic(400), code: validation},

		// Candidate routes on A's objects.
		"GET /api/v1/candidate/me": {path: "/api/v1/candidate/me", want: aoOwn(200, 200), check: func(p int, b []byte) error {
			// Each candidate sees their own record, never the other's.
			return aoField(b, "national_id", map[int]string{aoA: w.aNational, aoB: w.bNational}[p])
		}},
		"GET /api/v1/candidate/exams": {path: "/api/v1/candidate/exams", want: aoOwn(200, 200), check: func(p int, b []byte) error {
			if p == aoB && (strings.Contains(string(b), aRun) || strings.Contains(string(b), aRes)) {
				return fmt.Errorf("B's exam list names A's attempts: %s", ozTrim(b))
			}
			if p == aoA && !strings.Contains(string(b), aRun) {
				return fmt.Errorf("A's exam list lacks A's running attempt %s", aRun)
			}
			return nil
		}},
		// A resumes the running attempt (200); B starts one of their own (201).
		"POST /api/v1/exams/:examID/attempts": {path: "/api/v1/exams/" + w.demoExam + "/attempts", want: aoOwn(200, 201), check: func(p int, b []byte) error {
			v := ozDecode[aoView](t, b)
			if p == aoA && v.AttemptID != aRun {
				return fmt.Errorf("A resumed %s, want %s", v.AttemptID, aRun)
			}
			if p == aoB && (v.AttemptID == aRun || len(v.Answers) != 0) {
				return fmt.Errorf("B's start answered A's attempt or answers: %s", ozTrim(b))
			}
			return nil
		}},
		"GET /api/v1/attempts/:id": {path: "/api/v1/attempts/" + aRun, want: aoOwn(200, 404), codes: bNotFound, check: func(p int, b []byte) error {
			return aoField(b, "attempt_id", aRun)
		}},
		"PUT /api/v1/attempts/:id/answers/:questionID": {path: "/api/v1/attempts/" + aRun + "/answers/" + q0.ID, body: saveBody,
			want: aoOwn(200, 404), codes: bNotFound},
		"POST /api/v1/attempts/:id/submit": {path: "/api/v1/attempts/" + aSub + "/submit", want: aoOwn(200, 404), codes: bNotFound, check: func(p int, b []byte) error {
			return aoField(b, "state", "submitted")
		}},
		"GET /api/v1/attempts/:id/result": {path: "/api/v1/attempts/" + aRes + "/result", want: aoOwn(200, 404), codes: bNotFound, check: func(p int, b []byte) error {
			return aoField(b, "attempt_id", aRes)
		}},
		"GET /api/v1/attempts/:id/objections": {path: "/api/v1/attempts/" + aObj + "/objections", want: aoOwn(200, 404), codes: bNotFound,
			check: func(p int, b []byte) error {
				if !strings.Contains(string(b), w.objectionByA) || strings.Contains(string(b), w.bID) {
					return fmt.Errorf("A's objections lack A's objection %s or name B: %s", w.objectionByA, ozTrim(b))
				}
				return nil
			}},
		"POST /api/v1/attempts/:id/objections": {path: "/api/v1/attempts/" + aObj + "/objections", body: objectBody,
			want: aoOwn(201, 404), codes: bNotFound, check: func(p int, b []byte) error {
				return aoField(b, "candidate_id", w.aID)
			}},

		// Official reads, on A's exam, attempt and question.
		"GET /api/v1/official/me":                       {path: "/api/v1/official/me", want: aoRead(200)},
		"GET /api/v1/official/officials":                {path: "/api/v1/official/officials", want: aoRead(200)},
		"GET /api/v1/official/sections":                 {path: "/api/v1/official/sections", want: aoRead(200)},
		"GET /api/v1/official/questions":                {path: "/api/v1/official/questions", want: aoRead(200)},
		"GET /api/v1/official/questions/:id":            {path: "/api/v1/official/questions/" + q0.ID, want: aoRead(200)},
		"GET /api/v1/official/exams":                    {path: "/api/v1/official/exams", want: aoRead(200)},
		"GET /api/v1/official/exams/:id":                {path: "/api/v1/official/exams/" + w.exResult, want: aoRead(200)},
		"GET /api/v1/official/exams/:id/accommodations": {path: "/api/v1/official/exams/" + w.exResult + "/accommodations", want: aoRead(200)},
		"GET /api/v1/official/exams/:id/results":        {path: "/api/v1/official/exams/" + w.exResult + "/results", want: aoRead(200)},
		"GET /api/v1/official/exams/:id/results.csv":    {path: "/api/v1/official/exams/" + w.exResult + "/results.csv", want: aoRead(200)},
		"GET /api/v1/official/exams/:id/results.xlsx":   {path: "/api/v1/official/exams/" + w.exResult + "/results.xlsx", want: aoRead(200)},
		"GET /api/v1/official/exams/:id/results/:attemptID": {path: "/api/v1/official/exams/" + w.exResult + "/results/" + aRes, want: aoRead(200),
			check: func(p int, b []byte) error {
				if !strings.Contains(string(b), aRes) {
					return fmt.Errorf("detail lacks the attempt id: %s", ozTrim(b))
				}
				return nil
			}},
		"GET /api/v1/official/exams/:id/stats": {path: "/api/v1/official/exams/" + w.exResult + "/stats", want: aoRead(200)},
		"GET /api/v1/official/exams/:id/items": {path: "/api/v1/official/exams/" + w.exResult + "/items", want: aoRead(200)},
		"GET /api/v1/official/objections":      {path: "/api/v1/official/objections", want: aoRead(200)},
		"GET /api/v1/official/audit":           {path: "/api/v1/official/audit", want: aoRead(200)},
		"GET /api/v1/official/audit/verify":    {path: "/api/v1/official/audit/verify", want: aoRead(200)},

		// Admin writes.
		"POST /api/v1/official/officials":                   {path: "/api/v1/official/officials", body: "{}", want: aoWrite(400), code: validation},
		"POST /api/v1/official/officials/:username/disable": {path: "/api/v1/official/officials/ao.victim/disable", want: aoWrite(200)},
		"POST /api/v1/official/officials/:username/enable":  {path: "/api/v1/official/officials/ao.victim/enable", want: aoWrite(200)},
		"POST /api/v1/official/questions":                   {path: "/api/v1/official/questions", body: "{}", want: aoWrite(400), code: validation},
		"POST /api/v1/official/questions/import":            {path: "/api/v1/official/questions/import", body: "[]", want: aoWrite(400), code: "import_failed"},
		"PUT /api/v1/official/questions/:id":                {path: "/api/v1/official/questions/" + q0.ID, body: "{}", want: aoWrite(400), code: validation},
		"POST /api/v1/official/questions/:id/retire":        {path: "/api/v1/official/questions/" + w.toRetire + "/retire", want: aoWrite(200)},
		"POST /api/v1/official/exams":                       {path: "/api/v1/official/exams", body: "{}", want: aoWrite(400), code: validation},
		"PUT /api/v1/official/exams/:id":                    {path: "/api/v1/official/exams/" + w.draftToEdit, body: "{}", want: aoWrite(400), code: validation},
		"POST /api/v1/official/exams/:id/publish":           {path: "/api/v1/official/exams/" + w.draftToPublish + "/publish", want: aoWrite(200)},
		"POST /api/v1/official/exams/:id/close":             {path: "/api/v1/official/exams/" + w.toClose + "/close", want: aoWrite(200)},
		"POST /api/v1/official/exams/:id/accommodations":    {path: "/api/v1/official/exams/" + w.exResult + "/accommodations", body: "{}", want: aoWrite(400), code: validation},
		"POST /api/v1/official/exams/:id/publish-results":   {path: "/api/v1/official/exams/" + w.exResult + "/publish-results", want: aoWrite(200)},
		"POST /api/v1/official/exams/:id/rescore":           {path: "/api/v1/official/exams/" + w.exResult + "/rescore", want: aoWrite(200)},
		"POST /api/v1/official/objections/:id/resolve": {path: "/api/v1/official/objections/" + w.objectionByA + "/resolve",
			body: `{"decision":"reject"}`, want: aoWrite(200)},
	}

	seen := map[string]bool{}
	for _, r := range w.engine.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		rt, ok := table[key]
		if !ok {
			t.Errorf("route %s has no entry in the object authorization table", key)
			continue
		}
		for p := 0; p < aoPersonas; p++ {
			status, body := w.do(t, r.Method, rt.path, w.tokens[p], rt.ctype, rt.body)
			if rt.endsSession {
				w.relogin(t, p)
			}
			if status != rt.want[p] {
				t.Errorf("%s as %s = %d %s, want %d", key, aoNames[p], status, ozTrim(body), rt.want[p])
				continue
			}
			var wantCode string
			switch {
			case status == 401 && rt.want[aoAnon] == 401:
				wantCode = "unauthenticated"
			case status == 403 && rt.want[aoAnon] == 401:
				// a session of the wrong kind, or a reviewer on an admin route
				wantCode = "forbidden"
			case status >= 400:
				wantCode = rt.code
				if c, ok := rt.codes[p]; ok {
					wantCode = c
				}
			}
			if got := ozCode(body); got != wantCode {
				t.Errorf("%s as %s: error code %q, want %q (%s)", key, aoNames[p], got, wantCode, ozTrim(body))
			}
			if wantCode == notFound && p == aoB && string(body) != aoNotFound {
				t.Errorf("%s as candidate B: body %s, want exactly %s", key, body, aoNotFound)
			}
			if status < 300 && rt.check != nil {
				if err := rt.check(p, body); err != nil {
					t.Errorf("%s as %s: %v", key, aoNames[p], err)
				}
			}
		}
	}
	for key := range table {
		if !seen[key] {
			t.Errorf("the object authorization table names %s, which the router does not have", key)
		}
	}

	// B left no mark on A's objects: the running attempt holds only A's one
	// save, the submitted one was submitted by A, the objections are A's two, and
	// B's audited actions are B's own login(s) and B's own start.
	var answers []struct {
		Question string `db:"question_id"`
		Seq      int64  `db:"seq"`
	}
	if err := w.db.SelectContext(ctx, &answers, `SELECT question_id, seq FROM answers WHERE attempt_id = $1`, aRun); err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0].Question != q0.ID || answers[0].Seq != 1 {
		t.Errorf("answers of A's running attempt = %+v, want only A's save of %s seq 1", answers, q0.ID)
	}
	var submitter string
	if err := w.db.GetContext(ctx, &submitter, `SELECT actor_id FROM audit_log WHERE action = 'attempt.submit' AND object_id = $1`, aSub); err != nil {
		t.Fatalf("the submit of %s: %v", aSub, err)
	}
	if submitter != w.aID {
		t.Errorf("A's attempt %s was submitted by %s, want A %s", aSub, submitter, w.aID)
	}
	var objectors []string
	if err := w.db.SelectContext(ctx, &objectors, `SELECT candidate_id FROM objections WHERE attempt_id = $1`, aObj); err != nil {
		t.Fatal(err)
	}
	if len(objectors) != 2 || objectors[0] != w.aID || objectors[1] != w.aID {
		t.Errorf("objectors on A's attempt = %v, want A twice", objectors)
	}
	var bActions []string
	if err := w.db.SelectContext(ctx, &bActions, `SELECT DISTINCT action FROM audit_log WHERE actor_id = $1 ORDER BY action`, w.bID); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(bActions, ","), "attempt.start,candidate.login"; got != want {
		t.Errorf("B's audited actions = %s, want %s", got, want)
	}
	var bOnA int
	if err := w.db.GetContext(ctx, &bOnA, `SELECT count(*) FROM audit_log WHERE actor_id = $1 AND object_id IN ($2, $3, $4, $5)`,
		w.bID, aRun, aSub, aRes, aObj); err != nil {
		t.Fatal(err)
	}
	if bOnA != 0 {
		t.Errorf("audit rows by B on A's attempts = %d, want 0", bOnA)
	}
}

// aoRandomUUID is a fresh version-4 UUID.
func aoRandomUUID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// aoFlip changes the hex digit at position i of id (skipping dashes).
func aoFlip(id string, i int) string {
	b := []byte(id)
	for b[i] == '-' {
		i++
	}
	if b[i] == '0' {
		b[i] = 'f'
	} else {
		b[i] = '0'
	}
	return string(b)
}

// TestAoGuessedAttemptIDs: neither B with A's id (in any spelling PostgreSQL
// reads as the same UUID) nor anyone with a guessed id (random, or A's with one
// digit changed) reaches an attempt through any of the attempt routes.
func TestAoGuessedAttemptIDs(t *testing.T) {
	t.Parallel()
	w := aoNewWorld(t)
	ctx := context.Background()

	// Attempts B owns too, so that B's guesses are made from a live attempt.
	status, body := w.do(t, "POST", "/api/v1/exams/"+w.demoExam+"/attempts", w.tokens[aoB], "", "")
	if status != 201 {
		t.Fatalf("B starts = %d %s", status, body)
	}
	bRun := ozDecode[aoView](t, body)

	type target struct {
		name, id string
		q        string // a question of that attempt, for the answer and objection routes
	}
	targets := []target{
		{"A's running attempt", w.run.AttemptID, w.run.Questions[0].ID},
		{"A's running attempt in upper case", strings.ToUpper(w.run.AttemptID), w.run.Questions[0].ID},
		{"A's running attempt without dashes", strings.ReplaceAll(w.run.AttemptID, "-", ""), w.run.Questions[0].ID},
		{"A's running attempt in braces", "{" + w.run.AttemptID + "}", w.run.Questions[0].ID},
		{"A's running attempt with B's question", w.run.AttemptID, bRun.Questions[0].ID},
		{"A's attempt with published results", w.res.AttemptID, w.res.Questions[0].ID},
		{"A's attempt in its objection window", w.obj.AttemptID, w.obj.Questions[1].ID},
		{"a random UUID", aoRandomUUID(t), w.run.Questions[0].ID},
		{"another random UUID", aoRandomUUID(t), aoRandomUUID(t)},
		{"the nil UUID", "00000000-0000-0000-0000-000000000000", w.run.Questions[0].ID},
	}
	for _, pos := range []int{0, 7, 14, 20, 35} {
		for _, base := range []aoView{w.run, w.res, w.obj, bRun} {
			targets = append(targets, target{fmt.Sprintf("%s with digit %d changed", base.AttemptID, pos), aoFlip(base.AttemptID, pos), base.Questions[0].ID})
		}
	}
	// What a candidate may send on each attempt route.
	routes := []struct {
		method, suffix string
		body           func(tg target) string
	}{
		{"GET", "", nil},
		{"PUT", "/answers/", func(tg target) string { return `{"choice":"a","seq":99}` }},
		{"POST", "/submit", nil},
		{"GET", "/result", nil},
		{"GET", "/objections", nil},
		{"POST", "/objections", func(tg target) string {
			return fmt.Sprintf(`{"question_id":%q,"text":"این پرسش دو پاسخ درست دارد"}`, tg.q)
		}},
	}
	auditBefore := ozAuditCount(t, w.db, "")
	for _, who := range []int{aoB, aoA} {
		for _, tg := range targets {
			isA := tg.id == w.run.AttemptID || tg.id == w.res.AttemptID || tg.id == w.obj.AttemptID ||
				strings.EqualFold(tg.id, w.run.AttemptID)
			if who == aoA && isA {
				continue // A's own attempts answer A; the matrix covers that
			}
			for _, rt := range routes {
				path := "/api/v1/attempts/" + tg.id + rt.suffix
				if rt.suffix == "/answers/" {
					path += tg.q
				}
				body := ""
				if rt.body != nil {
					body = rt.body(tg)
				}
				status, got := w.do(t, rt.method, path, w.tokens[who], "", body)
				if status != 404 || string(got) != aoNotFound {
					t.Errorf("%s %s (%s) as %s = %d %s, want 404 %s", rt.method, path, tg.name, aoNames[who], status, ozTrim(got), aoNotFound)
				}
			}
		}
	}

	// Nothing was written: no answer, submit, objection or audit row.
	if n := ozAuditCount(t, w.db, ""); n != auditBefore {
		t.Errorf("audit rows after the guesses: max id %d, want %d", n, auditBefore)
	}
	var answers, objections, finished int
	if err := w.db.GetContext(ctx, &answers, `SELECT count(*) FROM answers`); err != nil {
		t.Fatal(err)
	}
	if err := w.db.GetContext(ctx, &objections, `SELECT count(*) FROM objections`); err != nil {
		t.Fatal(err)
	}
	if err := w.db.GetContext(ctx, &finished, `SELECT count(*) FROM attempts WHERE finish_reason IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if answers != 0 || objections != 1 || finished != 2 {
		t.Errorf("after the guesses: %d answers, %d objections, %d finished attempts; want 0, 1 (A's), 2 (A's)", answers, objections, finished)
	}

	// A still reaches A's own attempts, and sees no trace of B's tries.
	status, body = w.do(t, "GET", "/api/v1/attempts/"+w.run.AttemptID, w.tokens[aoA], "", "")
	if v := ozDecode[aoView](t, body); status != 200 || v.State != "running" || len(v.Answers) != 0 {
		t.Fatalf("A's attempt after B's tries = %d %s, want 200 running without answers", status, ozTrim(body))
	}
}

// TestAoOfficialSessionsOnCandidateRoutes: a live official session of either
// role, even on A's own objects, is refused on every candidate route with 403
// forbidden; a candidate session on every official route likewise.
func TestAoOfficialSessionsOnCandidateRoutes(t *testing.T) {
	t.Parallel()
	w := aoNewWorld(t)
	const forbidden = `{"error":{"code":"forbidden","message":"this session may not use this route"}}`
	candidateCalls := [][3]string{
		{"GET", "/api/v1/candidate/me", ""},
		{"GET", "/api/v1/candidate/exams", ""},
		{"POST", "/api/v1/exams/" + w.demoExam + "/attempts", ""},
		{"GET", "/api/v1/attempts/" + w.run.AttemptID, ""},
		{"PUT", "/api/v1/attempts/" + w.run.AttemptID + "/answers/" + w.run.Questions[0].ID, `{"choice":"a","seq":1}`},
		{"POST", "/api/v1/attempts/" + w.run.AttemptID + "/submit", ""},
		{"GET", "/api/v1/attempts/" + w.res.AttemptID + "/result", ""},
		{"GET", "/api/v1/attempts/" + w.obj.AttemptID + "/objections", ""},
		{"POST", "/api/v1/attempts/" + w.obj.AttemptID + "/objections", `{"question_id":"` + w.obj.Questions[1].ID + `","text":"اعتراض"}`},
	}
	for _, p := range []int{aoReviewer, aoAdmin} {
		for _, c := range candidateCalls {
			if status, body := w.do(t, c[0], c[1], w.tokens[p], "", c[2]); status != 403 || string(body) != forbidden {
				t.Errorf("%s %s as %s = %d %s, want 403 %s", c[0], c[1], aoNames[p], status, body, forbidden)
			}
		}
	}
	const wrongKind = forbidden
	for _, p := range []int{aoA, aoB} {
		for _, path := range []string{"/api/v1/official/me", "/api/v1/official/exams/" + w.exResult + "/results/" + w.res.AttemptID, "/api/v1/official/audit"} {
			if status, body := w.do(t, "GET", path, w.tokens[p], "", ""); status != 403 || string(body) != wrongKind {
				t.Errorf("GET %s as %s = %d %s, want 403 %s", path, aoNames[p], status, body, wrongKind)
			}
		}
	}
	// A's attempt is untouched by the officials' tries.
	status, body := w.do(t, "GET", "/api/v1/attempts/"+w.run.AttemptID, w.tokens[aoA], "", "")
	if v := ozDecode[aoView](t, body); status != 200 || v.State != "running" || len(v.Answers) != 0 {
		t.Fatalf("A's attempt after the officials' tries = %d %s", status, ozTrim(body))
	}
}
