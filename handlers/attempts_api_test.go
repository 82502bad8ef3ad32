package handlers_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/handlers"
	"github.com/council-exam/examd/receipts"
)

const (
	atEligible   = "0499370899" // zahra
	atIneligible = "0013542419" // reza
	atCookie     = "examd_session"
)

// atServer is the real router wired as serve wires it, over a fresh database with
// the demo candidates, the demo bank and the open demo exam.
type atServer struct {
	h      http.Handler
	db     *sqlx.DB
	exams  *exam.Store
	pub    ed25519.PublicKey
	demoID string
	next   atomic.Int64
}

func atNewServer(tb testing.TB) *atServer {
	tb.Helper()
	ctx := context.Background()
	db := dbtest.New(tb)
	electionDay := time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)
	if err := candidates.SeedDemo(ctx, db, electionDay); err != nil {
		tb.Fatalf("candidates.SeedDemo: %v", err)
	}
	if err := (&exam.Store{DB: db}).SeedDemo(ctx); err != nil {
		tb.Fatalf("exam SeedDemo: %v", err)
	}
	w := mustWire(tb, db, electionDay, 20, 100)
	w.deps.Dev = false
	w.deps.MaxBodyBytes = 64 << 10
	exams, pub := w.exams, w.key.Public().(ed25519.PublicKey)
	h, err := handlers.New(w.deps)
	if err != nil {
		tb.Fatalf("handlers.New: %v", err)
	}
	s := &atServer{h: h, db: db, exams: exams, pub: pub}
	if err := db.Get(&s.demoID, `SELECT id FROM exams WHERE title = $1`, exam.DemoExamTitle); err != nil {
		tb.Fatal(err)
	}
	return s
}

// atDo sends one request with the session cookie, if any.
func (s *atServer) atDo(method, path, body string, cookie *http.Cookie) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.RemoteAddr = "192.0.2.7:40000"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func atMustStatus(tb testing.TB, rec *httptest.ResponseRecorder, want int) {
	tb.Helper()
	if rec.Code != want {
		tb.Fatalf("status = %d, want %d; body: %s", rec.Code, want, rec.Body.String())
	}
}

// atMustError checks the status and that the body is exactly the error shape
// with code, and returns its fields.
func atMustError(tb testing.TB, rec *httptest.ResponseRecorder, status int, code string) map[string]string {
	tb.Helper()
	atMustStatus(tb, rec, status)
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		tb.Fatalf("error body %q: %v", rec.Body.String(), err)
	}
	if body.Error.Code != code || body.Error.Message == "" {
		tb.Fatalf("error = %+v, want code %q with a message", body.Error, code)
	}
	return body.Error.Fields
}

func atMustJSON(tb testing.TB, rec *httptest.ResponseRecorder, status int, dst any) {
	tb.Helper()
	atMustStatus(tb, rec, status)
	if err := json.Unmarshal(rec.Body.Bytes(), dst); err != nil {
		tb.Fatalf("body %q: %v", rec.Body.String(), err)
	}
}

func atMustLogin(tb testing.TB, s *atServer, nationalID, password string) *http.Cookie {
	tb.Helper()
	rec := s.atDo("POST", "/api/v1/candidate/login", fmt.Sprintf(`{"national_id":%q,"password":%q}`, nationalID, password), nil)
	atMustStatus(tb, rec, http.StatusOK)
	for _, c := range rec.Result().Cookies() {
		if c.Name == atCookie && c.Value != "" {
			return c
		}
	}
	tb.Fatalf("login set no %s cookie", atCookie)
	return nil
}

// atNationalID completes a nine-digit prefix with its check digit.
func atNationalID(nine string) string {
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

// atRegister registers another eligible candidate through the API and returns
// its national ID; its password is "a long enough secret".
func atRegister(tb testing.TB, s *atServer) string {
	tb.Helper()
	nid := atNationalID(fmt.Sprintf("7%08d", s.next.Add(1)))
	body, _ := json.Marshal(map[string]any{
		"national_id": nid, "first_name": "مریم", "last_name": "احمدی", "father_name": "علی",
		"birth_date": "1985-04-12", "gender": "female", "mobile": "09121112233", "education": "master",
		"constituency_id": 1, "password": "a long enough secret",
	})
	rec := s.atDo("POST", "/api/v1/candidates", string(body), nil)
	var reg struct {
		Eligible bool `json:"eligible"`
	}
	atMustJSON(tb, rec, http.StatusCreated, &reg)
	if !reg.Eligible {
		tb.Fatalf("registered candidate is not eligible: %s", rec.Body.String())
	}
	return nid
}

// atAttempt is the part of an attempt view the tests read.
type atAttempt struct {
	AttemptID   string    `json:"attempt_id"`
	State       string    `json:"state"`
	ServerNow   time.Time `json:"server_now"`
	DeadlineAt  time.Time `json:"deadline_at"`
	RemainingMS int64     `json:"remaining_ms"`
	Questions   []struct {
		ID      string `json:"id"`
		Section string `json:"section"`
		Stem    string `json:"stem"`
		Options []struct {
			Key  string `json:"key"`
			Text string `json:"text"`
		} `json:"options"`
	} `json:"questions"`
	Answers map[string]struct {
		Choice  *string `json:"choice"`
		Flagged bool    `json:"flagged"`
		Seq     int64   `json:"seq"`
	} `json:"answers"`
	FinishReason *string    `json:"finish_reason"`
	SubmittedAt  *time.Time `json:"submitted_at"`
	Receipt      *string    `json:"receipt"`
}

// atLeaks returns every place in a JSON body that reveals a correct key: a
// member whose name mentions "correct", or, in an object about a question (it
// names the question's id, or is the value under the id), a string or string
// list equal to that question's key. correct maps question ids to keys; the
// candidate never chose a correct key, so no honest field holds one.
func atLeaks(body []byte, correct map[string]string) []string {
	if len(body) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var leaks []string
	var walk func(path string, v any, about string)
	walk = func(path string, v any, about string) {
		switch x := v.(type) {
		case map[string]any:
			if about == "" {
				for _, f := range x {
					if s, ok := f.(string); ok {
						if _, ok := correct[s]; ok {
							about = s
						}
					}
				}
			}
			for k, f := range x {
				p := path + "." + k
				// points_correct is a scoring rule (points per right answer), not a key.
				if strings.Contains(strings.ToLower(k), "correct") && k != "points_correct" {
					leaks = append(leaks, p+" is named correct")
				}
				fAbout := ""
				if _, ok := correct[k]; ok {
					fAbout = k
				}
				if key, ok := correct[about]; ok && about != "" {
					switch y := f.(type) {
					case string:
						if y == key {
							leaks = append(leaks, fmt.Sprintf("%s = %q, the key of %s", p, y, about))
						}
					case []any:
						for _, e := range y {
							if e == key {
								leaks = append(leaks, fmt.Sprintf("%s holds %q, the key of %s", p, key, about))
							}
						}
					}
				}
				if key, ok := correct[fAbout]; ok {
					if f == key {
						leaks = append(leaks, fmt.Sprintf("%s = %q, its key", p, key))
					}
				}
				walk(p, f, fAbout)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e, "")
			}
		}
	}
	walk("$", v, "")
	return leaks
}

func TestLeakWalkerFindsLeaks(t *testing.T) {
	t.Parallel()
	const q = "0b6f4a52-3d0c-4f3e-9d55-6f0b8d1a2c3e"
	correct := map[string]string{q: "c"}
	for _, body := range []string{
		`{"questions":[{"id":"` + q + `","options":[{"key":"a"},{"key":"c"}],"answer":"c"}]}`,
		`{"keys":{"` + q + `":"c"}}`,
		`{"keys":{"` + q + `":{"k":"c"}}}`,
		`{"x":[{"question_id":"` + q + `","right":["c"]}]}`,
		`{"q":{"Correct_Key":"a"}}`,
	} {
		if len(atLeaks([]byte(body), correct)) == 0 {
			t.Errorf("atLeaks found nothing in %s", body)
		}
	}
	for _, body := range []string{
		`{"questions":[{"id":"` + q + `","options":[{"key":"a","text":"x"},{"key":"c","text":"y"}]}],"answers":{"` + q + `":{"choice":"a","seq":1}}}`,
		`{"state":"c"}`,
		``,
	} {
		if got := atLeaks([]byte(body), correct); len(got) != 0 {
			t.Errorf("atLeaks(%s) = %q, want nothing", body, got)
		}
	}
}

// TestResultOfRunningAttempt: asking for the result of an attempt still running,
// before results are published, is a 403 like any unpublished result, not a 500.
func TestResultOfRunningAttempt(t *testing.T) {
	t.Parallel()
	s := atNewServer(t)
	cookie := atMustLogin(t, s, atEligible, candidates.DemoPassword)
	var v atAttempt
	atMustJSON(t, s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", cookie), http.StatusCreated, &v)
	atMustError(t, s.atDo("GET", "/api/v1/attempts/"+v.AttemptID+"/result", "", cookie), http.StatusForbidden, "results_not_published")
	atMustStatus(t, s.atDo("POST", "/api/v1/attempts/"+v.AttemptID+"/submit", "", cookie), http.StatusOK)
	atMustError(t, s.atDo("GET", "/api/v1/attempts/"+v.AttemptID+"/result", "", cookie), http.StatusForbidden, "results_not_published")
}

// TestCandidateResponsesNeverRevealKeys calls every candidate route and walks
// every response for the correct keys of the questions drawn.
func TestCandidateResponsesNeverRevealKeys(t *testing.T) {
	t.Parallel()
	s := atNewServer(t)
	var rows []struct {
		ID      string `db:"id"`
		Correct string `db:"correct"`
	}
	if err := s.db.Select(&rows, `SELECT id, correct FROM questions`); err != nil {
		t.Fatal(err)
	}
	correct := map[string]string{}
	for _, r := range rows {
		correct[r.ID] = r.Correct
	}
	walked := 0
	check := func(name string, rec *httptest.ResponseRecorder) {
		t.Helper()
		if rec.Code >= 500 {
			t.Fatalf("%s: status %d: %s", name, rec.Code, rec.Body.String())
		}
		body := rec.Body.Bytes()
		if strings.Contains(strings.ToLower(string(body)), `"correct`) {
			t.Errorf("%s: the body has a member named correct…: %s", name, body)
		}
		for _, leak := range atLeaks(body, correct) {
			t.Errorf("%s: %s", name, leak)
		}
		walked++
	}

	login := s.atDo("POST", "/api/v1/candidate/login", `{"national_id":"`+atEligible+`","password":"`+candidates.DemoPassword+`"}`, nil)
	atMustStatus(t, login, http.StatusOK)
	check("login", login)
	cookie := atMustLogin(t, s, atEligible, candidates.DemoPassword)

	me := s.atDo("GET", "/api/v1/candidate/me", "", cookie)
	atMustStatus(t, me, http.StatusOK)
	check("me", me)
	list := s.atDo("GET", "/api/v1/candidate/exams", "", cookie)
	var exams []struct {
		ID string `json:"id"`
	}
	atMustJSON(t, list, http.StatusOK, &exams)
	if len(exams) != 1 || exams[0].ID != s.demoID {
		t.Fatalf("candidate exams = %s, want the demo exam %s", list.Body.String(), s.demoID)
	}
	check("exams", list)

	start := s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", cookie)
	var v atAttempt
	atMustJSON(t, start, http.StatusCreated, &v)
	check("start", start)
	if len(v.Questions) != 15 {
		t.Fatalf("start drew %d questions, want 15", len(v.Questions))
	}
	// The walker has something to look at: each drawn question's key is among
	// its options, which the response does carry.
	for _, q := range v.Questions {
		key, ok := correct[q.ID]
		if !ok {
			t.Fatalf("drawn question %s is not in the bank", q.ID)
		}
		if !slices.ContainsFunc(q.Options, func(o struct {
			Key  string `json:"key"`
			Text string `json:"text"`
		}) bool {
			return o.Key == key
		}) {
			t.Fatalf("question %s: the key %q is not among its options", q.ID, key)
		}
	}
	resume := s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", cookie)
	atMustStatus(t, resume, http.StatusOK)
	check("resume", resume)

	base := "/api/v1/attempts/" + v.AttemptID
	for i, q := range v.Questions {
		// Always a wrong option (or a cleared answer), so a key in a response
		// can only be a leak.
		choice := "null"
		if i%5 != 4 {
			for _, o := range q.Options {
				if o.Key != correct[q.ID] {
					choice = `"` + o.Key + `"`
					break
				}
			}
		}
		rec := s.atDo("PUT", base+"/answers/"+q.ID, fmt.Sprintf(`{"choice":%s,"flagged":%v,"seq":%d}`, choice, i%3 == 0, i+1), cookie)
		atMustStatus(t, rec, http.StatusOK)
		check("save "+q.ID, rec)
	}
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"save unknown question": s.atDo("PUT", base+"/answers/5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f", `{"choice":"a","seq":1}`, cookie),
		"save bad choice":       s.atDo("PUT", base+"/answers/"+v.Questions[0].ID, `{"choice":"z","seq":99}`, cookie),
		"objection while running": s.atDo("POST", base+"/objections",
			`{"question_id":"`+v.Questions[0].ID+`","text":"پاسخ درست این پرسش گزینه دیگری است"}`, cookie),
	} {
		if rec.Code < 400 {
			t.Fatalf("%s: status %d, want a refusal: %s", name, rec.Code, rec.Body.String())
		}
		check(name, rec)
	}
	got := s.atDo("GET", base, "", cookie)
	atMustStatus(t, got, http.StatusOK)
	check("get attempt", got)
	var running atAttempt
	atMustJSON(t, got, http.StatusOK, &running)
	if len(running.Answers) != len(v.Questions) {
		t.Fatalf("attempt shows %d answers, want %d", len(running.Answers), len(v.Questions))
	}

	submit := s.atDo("POST", base+"/submit", "", cookie)
	atMustStatus(t, submit, http.StatusOK)
	check("submit", submit)
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"submit again":    s.atDo("POST", base+"/submit", "", cookie),
		"get finished":    s.atDo("GET", base, "", cookie),
		"exams after":     s.atDo("GET", "/api/v1/candidate/exams", "", cookie),
		"resume finished": s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", cookie),
		"result after":    s.atDo("GET", base+"/result", "", cookie),
		"objection after": s.atDo("POST", base+"/objections",
			`{"question_id":"`+v.Questions[0].ID+`","text":"پاسخ درست این پرسش گزینه دیگری است"}`, cookie),
		"save after": s.atDo("PUT", base+"/answers/"+v.Questions[0].ID, `{"choice":null,"seq":100}`, cookie),
	} {
		check(name, rec)
	}
	out := s.atDo("POST", "/api/v1/logout", "", cookie)
	atMustStatus(t, out, http.StatusNoContent)
	check("logout", out)
	if walked < 30 {
		t.Fatalf("walked only %d responses", walked)
	}
}

func TestAttemptAPI(t *testing.T) {
	t.Parallel()
	s := atNewServer(t)
	ctx := context.Background()
	zahra := atMustLogin(t, s, atEligible, candidates.DemoPassword)
	otherNID := atRegister(t, s)
	other := atMustLogin(t, s, otherNID, "a long enough secret")
	reza := atMustLogin(t, s, atIneligible, candidates.DemoPassword)

	atMustError(t, s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", nil), http.StatusUnauthorized, "unauthenticated")
	atMustError(t, s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", reza), http.StatusForbidden, "not_eligible")
	atMustError(t, s.atDo("POST", "/api/v1/exams/not-a-uuid/attempts", "", zahra), http.StatusNotFound, "not_found")
	atMustError(t, s.atDo("POST", "/api/v1/exams/5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f/attempts", "", zahra), http.StatusNotFound, "not_found")

	// Start, then resume: 201 then 200, one attempt.
	rec := s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", zahra)
	var v atAttempt
	atMustJSON(t, rec, http.StatusCreated, &v)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"attempt_id", "state", "server_now", "started_at", "deadline_at", "remaining_ms", "grace_seconds", "exam", "questions", "answers"} {
		if _, ok := top[k]; !ok {
			t.Fatalf("start response lacks %q: %s", k, rec.Body.String())
		}
	}
	if v.State != "running" || len(v.Questions) != 15 || len(v.Answers) != 0 || v.RemainingMS <= 0 || v.RemainingMS > 20*60*1000 ||
		v.RemainingMS != v.DeadlineAt.Sub(v.ServerNow).Milliseconds() {
		t.Fatalf("start = %s", rec.Body.String())
	}
	rec = s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", zahra)
	var again atAttempt
	atMustJSON(t, rec, http.StatusOK, &again)
	if again.AttemptID != v.AttemptID || !again.DeadlineAt.Equal(v.DeadlineAt) {
		t.Fatalf("second start = attempt %s deadline %v, want %s %v", again.AttemptID, again.DeadlineAt, v.AttemptID, v.DeadlineAt)
	}
	var n int
	if err := s.db.Get(&n, `SELECT count(*) FROM attempts`); err != nil || n != 1 {
		t.Fatalf("attempts = %d, %v; want 1", n, err)
	}

	base := "/api/v1/attempts/" + v.AttemptID
	q := v.Questions[0]
	rec = s.atDo("PUT", base+"/answers/"+q.ID, `{"choice":"`+q.Options[1].Key+`","flagged":true,"seq":3}`, zahra)
	var saved map[string]any
	atMustJSON(t, rec, http.StatusOK, &saved)
	if got, want := slices.Sorted(maps.Keys(saved)), []string{"deadline_at", "remaining_ms", "saved_at", "server_now"}; !slices.Equal(got, want) {
		t.Fatalf("save body keys = %q, want %q: %s", got, want, rec.Body.String())
	}
	var ack struct {
		SavedAt     time.Time `json:"saved_at"`
		ServerNow   time.Time `json:"server_now"`
		DeadlineAt  time.Time `json:"deadline_at"`
		RemainingMS int64     `json:"remaining_ms"`
	}
	atMustJSON(t, rec, http.StatusOK, &ack)
	if !ack.DeadlineAt.Equal(v.DeadlineAt) || ack.RemainingMS <= 0 || ack.RemainingMS != ack.DeadlineAt.Sub(ack.ServerNow).Milliseconds() ||
		ack.SavedAt.After(ack.ServerNow) || ack.SavedAt.Before(v.ServerNow) {
		t.Fatalf("save = %s; start said deadline %v at %v", rec.Body.String(), v.DeadlineAt, v.ServerNow)
	}
	// An older seq is acknowledged and changes nothing.
	atMustStatus(t, s.atDo("PUT", base+"/answers/"+q.ID, `{"choice":"`+q.Options[0].Key+`","seq":2}`, zahra), http.StatusOK)
	rec = s.atDo("GET", base, "", zahra)
	var got atAttempt
	atMustJSON(t, rec, http.StatusOK, &got)
	if a, ok := got.Answers[q.ID]; !ok || a.Choice == nil || *a.Choice != q.Options[1].Key || !a.Flagged || a.Seq != 3 {
		t.Fatalf("answers = %s, want %s flagged at seq 3", rec.Body.String(), q.Options[1].Key)
	}

	// Bad saves.
	if f := atMustError(t, s.atDo("PUT", base+"/answers/5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f", `{"choice":"a","seq":1}`, zahra), http.StatusBadRequest, "validation_failed"); !maps.Equal(f, map[string]string{"question_id": "unknown_question"}) {
		t.Fatalf("unknown question: fields = %v", f)
	}
	if f := atMustError(t, s.atDo("PUT", base+"/answers/not-a-uuid", `{"choice":"a","seq":1}`, zahra), http.StatusBadRequest, "validation_failed"); !maps.Equal(f, map[string]string{"question_id": "unknown_question"}) {
		t.Fatalf("non-UUID question: fields = %v", f)
	}
	if f := atMustError(t, s.atDo("PUT", base+"/answers/"+q.ID, `{"choice":"z","seq":9}`, zahra), http.StatusBadRequest, "validation_failed"); !maps.Equal(f, map[string]string{"choice": "not_an_option"}) {
		t.Fatalf("bad choice: fields = %v", f)
	}
	if f := atMustError(t, s.atDo("PUT", base+"/answers/"+q.ID, `{"choice":"a"}`, zahra), http.StatusBadRequest, "validation_failed"); !maps.Equal(f, map[string]string{"seq": "required"}) {
		t.Fatalf("no seq: fields = %v", f)
	}
	atMustError(t, s.atDo("PUT", base+"/answers/"+q.ID, `{"choice":`, zahra), http.StatusBadRequest, "malformed_json")

	// Another candidate's attempt, and ids that are not UUIDs, are not found.
	for _, tc := range []struct {
		name, method, path, body string
		cookie                   *http.Cookie
	}{
		{"other's GET", "GET", base, "", other},
		{"other's save", "PUT", base + "/answers/" + q.ID, `{"choice":"a","seq":50}`, other},
		{"other's save of a bad question", "PUT", base + "/answers/nope", `{"choice":"a","seq":50}`, other},
		{"other's submit", "POST", base + "/submit", "", other},
		{"non-UUID GET", "GET", "/api/v1/attempts/not-a-uuid", "", zahra},
		{"non-UUID save", "PUT", "/api/v1/attempts/not-a-uuid/answers/" + q.ID, `{"choice":"a","seq":50}`, zahra},
		{"non-UUID submit", "POST", "/api/v1/attempts/not-a-uuid/submit", "", zahra},
		{"unknown attempt", "GET", "/api/v1/attempts/5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f", "", zahra},
	} {
		t.Run(tc.name, func(t *testing.T) {
			atMustError(t, s.atDo(tc.method, tc.path, tc.body, tc.cookie), http.StatusNotFound, "not_found")
		})
	}
	if err := s.db.Get(&n, `SELECT count(*) FROM attempts WHERE finish_reason IS NULL`); err != nil || n != 1 {
		t.Fatalf("running attempts = %d, %v; want zahra's still running", n, err)
	}

	// Submit: the final state with a receipt; again, the same; saves refused.
	rec = s.atDo("POST", base+"/submit", "", zahra)
	var done atAttempt
	atMustJSON(t, rec, http.StatusOK, &done)
	if done.State != "submitted" || done.FinishReason == nil || *done.FinishReason != "submitted" || done.SubmittedAt == nil || done.Receipt == nil || done.RemainingMS != 0 {
		t.Fatalf("submit = %s", rec.Body.String())
	}
	var twice atAttempt
	atMustJSON(t, s.atDo("POST", base+"/submit", "", zahra), http.StatusOK, &twice)
	if twice.Receipt == nil || *twice.Receipt != *done.Receipt || !twice.SubmittedAt.Equal(*done.SubmittedAt) {
		t.Fatalf("second submit changed the receipt or time")
	}
	atMustError(t, s.atDo("PUT", base+"/answers/"+v.Questions[1].ID, `{"choice":"a","seq":10}`, zahra), http.StatusConflict, "attempt_finished")
	var audits int
	if err := s.db.Get(&audits, `SELECT count(*) FROM audit_log WHERE action IN ('attempt.start', 'attempt.submit') AND object_id = $1`, v.AttemptID); err != nil || audits != 2 {
		t.Fatalf("start and submit audit rows = %d, %v; want 2", audits, err)
	}

	// The receipt: the key, a verification, and a tampered copy.
	rec = s.atDo("GET", "/api/v1/receipts/key", "", nil)
	atMustStatus(t, rec, http.StatusOK)
	if got, want := rec.Body.String(), `{"alg":"Ed25519","public_key":"`+base64.StdEncoding.EncodeToString(s.pub)+`"}`; got != want {
		t.Fatalf("receipt key = %s, want %s", got, want)
	}
	rec = s.atDo("POST", "/api/v1/receipts/verify", fmt.Sprintf(`{"receipt":%q}`, *done.Receipt), nil)
	var verified struct {
		Valid   bool             `json:"valid"`
		Payload receipts.Payload `json:"payload"`
	}
	atMustJSON(t, rec, http.StatusOK, &verified)
	p := verified.Payload
	if !verified.Valid || p.Version != 1 || p.AttemptID != v.AttemptID || p.ExamID != s.demoID || p.NationalID != atEligible ||
		p.FinishReason != "submitted" || !p.SubmittedAt.Equal(*done.SubmittedAt) || len(p.AnswersSHA256) != 64 {
		t.Fatalf("verify = %s", rec.Body.String())
	}
	r := *done.Receipt
	for _, i := range []int{0, len(r) / 3, strings.IndexByte(r, '.') + 5, len(r) - 1} {
		c := byte('A')
		if r[i] == c {
			c = 'B'
		}
		bad := r[:i] + string(c) + r[i+1:]
		rec = s.atDo("POST", "/api/v1/receipts/verify", fmt.Sprintf(`{"receipt":%q}`, bad), nil)
		atMustStatus(t, rec, http.StatusOK)
		if got := rec.Body.String(); got != `{"valid":false}` {
			t.Fatalf("verify of a receipt changed at %d = %s, want {\"valid\":false}", i, got)
		}
	}
	if f := atMustError(t, s.atDo("POST", "/api/v1/receipts/verify", `{"receipt":""}`, nil), http.StatusBadRequest, "validation_failed"); !maps.Equal(f, map[string]string{"receipt": "required"}) {
		t.Fatalf("empty receipt: fields = %v", f)
	}

	// A short exam runs out: 409 time_over, then the attempt reads as a timeout.
	now := time.Now().UTC().Truncate(time.Second)
	opens, closes, pass := now.Add(-time.Hour), now.Add(time.Hour), 50.0
	short, err := s.exams.CreateExam(ctx, audit.System, exam.ExamRequest{Title: "آزمون کوتاه",
		Sections:        []exam.SectionSpec{{Key: "councils_law", Title: "قانون", Draw: 2}},
		DurationSeconds: 1, OpensAt: &opens, ClosesAt: &closes, PassPercent: &pass})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.exams.PublishExam(ctx, audit.System, short.ID); err != nil {
		t.Fatal(err)
	}
	var sv atAttempt
	atMustJSON(t, s.atDo("POST", "/api/v1/exams/"+short.ID+"/attempts", "", other), http.StatusCreated, &sv)
	var dbNow time.Time
	if err := s.db.Get(&dbNow, `SELECT clock_timestamp()`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(sv.DeadlineAt.Add(300 * time.Millisecond).Sub(dbNow))
	atMustError(t, s.atDo("PUT", "/api/v1/attempts/"+sv.AttemptID+"/answers/"+sv.Questions[0].ID, `{"choice":"a","seq":1}`, other), http.StatusConflict, "time_over")
	var timedOut atAttempt
	atMustJSON(t, s.atDo("GET", "/api/v1/attempts/"+sv.AttemptID, "", other), http.StatusOK, &timedOut)
	if timedOut.State != "submitted" || timedOut.FinishReason == nil || *timedOut.FinishReason != "timeout" || timedOut.Receipt == nil ||
		!timedOut.SubmittedAt.Equal(sv.DeadlineAt) || len(timedOut.Answers) != 0 {
		t.Fatalf("timed-out attempt = %+v", timedOut)
	}
	atMustError(t, s.atDo("POST", "/api/v1/exams/"+short.ID+"/attempts", "", other), http.StatusConflict, "attempts_exhausted")
}

func TestLoginEndsOlderSession(t *testing.T) {
	t.Parallel()
	s := atNewServer(t)
	first := atMustLogin(t, s, atEligible, candidates.DemoPassword)
	atMustStatus(t, s.atDo("GET", "/api/v1/candidate/me", "", first), http.StatusOK)
	second := atMustLogin(t, s, atEligible, candidates.DemoPassword)
	if second.Value == first.Value {
		t.Fatalf("the second login reused the first session's token")
	}
	atMustError(t, s.atDo("GET", "/api/v1/candidate/me", "", first), http.StatusUnauthorized, "unauthenticated")
	atMustError(t, s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", first), http.StatusUnauthorized, "unauthenticated")
	atMustStatus(t, s.atDo("GET", "/api/v1/candidate/me", "", second), http.StatusOK)
	// Another candidate's login ends nothing of zahra's.
	atMustLogin(t, s, atIneligible, candidates.DemoPassword)
	atMustStatus(t, s.atDo("GET", "/api/v1/candidate/me", "", second), http.StatusOK)

	c, err := (&candidates.Store{DB: s.db}).ByNationalID(context.Background(), atEligible)
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		ActorKind string `db:"actor_kind"`
		ActorID   string `db:"actor_id"`
		Ended     string `db:"ended"`
	}
	if err := s.db.Select(&rows, `SELECT actor_kind, actor_id, details->>'sessions_ended' AS ended
		FROM audit_log WHERE action = 'candidate.login' AND object_type = 'candidate' AND object_id = $1 ORDER BY id`, c.ID); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Ended != "0" || rows[1].Ended != "1" || rows[1].ActorKind != "candidate" || rows[1].ActorID != c.ID {
		t.Fatalf("candidate.login audit rows = %+v, want sessions_ended 0 then 1 by the candidate", rows)
	}
}

// TestAttemptRoutesRefuseOtherUUIDForms: uuid.Parse also accepts the
// "urn:uuid:" form, which PostgreSQL does not; such an id must be a 404 (or, for a
// question, an unknown question), never a 500.
func TestAttemptRoutesRefuseOtherUUIDForms(t *testing.T) {
	t.Parallel()
	s := atNewServer(t)
	cookie := atMustLogin(t, s, atEligible, candidates.DemoPassword)
	var v atAttempt
	atMustJSON(t, s.atDo("POST", "/api/v1/exams/"+s.demoID+"/attempts", "", cookie), http.StatusCreated, &v)
	urnAttempt := "/api/v1/attempts/urn:uuid:" + v.AttemptID
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/api/v1/exams/urn:uuid:" + s.demoID + "/attempts", ""},
		{"GET", urnAttempt, ""},
		{"PUT", urnAttempt + "/answers/" + v.Questions[0].ID, `{"choice":"a","seq":1}`},
		{"POST", urnAttempt + "/submit", ""},
		{"GET", urnAttempt + "/result", ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			atMustError(t, s.atDo(tc.method, tc.path, tc.body, cookie), http.StatusNotFound, "not_found")
		})
	}
	t.Run("question id", func(t *testing.T) {
		rec := s.atDo("PUT", "/api/v1/attempts/"+v.AttemptID+"/answers/urn:uuid:"+v.Questions[0].ID, `{"choice":"a","seq":1}`, cookie)
		if f := atMustError(t, rec, http.StatusBadRequest, "validation_failed"); !maps.Equal(f, map[string]string{"question_id": "unknown_question"}) {
			t.Fatalf("fields = %v, want question_id unknown_question", f)
		}
	})
}
