package handlers_test

// Fuzz targets for every JSON body the API accepts (the registration's is
// FuzzRegisterBody in fuzz_test.go). Each sends arbitrary bytes through the real
// router on a real database, with a session of the kind the route wants, so the
// body reaches its handler: the answer is never a 5xx (nor a panic, which the
// router would turn into one), a refusal has the one error shape with a code the
// route may give, and a refusal writes nothing. The seeds run in plain go test.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/council-exam/examd/candidates"
)

// hzFuzzRoute is one route under fuzzing.
type hzFuzzRoute struct {
	method string
	path   func(e *hzEnv) string
	token  func(e *hzEnv) string
	// ok are the statuses of an accepted body; codes the error codes each
	// refusal status may carry.
	ok    []int
	codes map[int][]string
	// tables a refusal must leave as they were (the audit log always).
	tables []string
	// setup, when set, prepares the environment once, before the first input.
	setup func(tb testing.TB, e *hzEnv)
	// reset, when set, puts the route's object back before each input, so that a
	// body accepted once does not shut the route for every later one.
	reset func(t *testing.T, e *hzEnv)
	// check, when set, looks further at every answer.
	check func(t *testing.T, e *hzEnv, body []byte, rec *httptest.ResponseRecorder)
}

// hzBadBody are the codes of a body refused for what it is.
var hzBadBody = map[int][]string{
	http.StatusBadRequest:            {"malformed_json", "validation_failed"},
	http.StatusRequestEntityTooLarge: {"body_too_large"},
}

func hzCodes(extra map[int][]string) map[int][]string {
	out := map[int][]string{}
	for k, v := range hzBadBody {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = append(out[k], v...)
	}
	return out
}

// hzExpand puts the environment's ids into a body: $Q0 … $Q9 are the questions
// of the finished attempt, $RECEIPT its receipt. Seeds name them so, as every
// fuzz worker has a database of its own.
func (e *hzEnv) expand(body []byte) []byte {
	if !bytes.Contains(body, []byte("$")) {
		return body
	}
	pairs := []string{"$RECEIPT", e.receipt}
	for i, q := range e.finishedQs {
		pairs = append(pairs, "$Q"+strconv.Itoa(i), q)
	}
	return []byte(strings.NewReplacer(pairs...).Replace(string(body)))
}

// hzFuzz runs the fuzz target of one route with seeds.
func hzFuzz(f *testing.F, r hzFuzzRoute, seeds ...string) {
	for _, s := range slices.Concat(seeds, hzCommonSeeds) {
		f.Add([]byte(s))
	}
	e := hzMustEnv(f)
	if r.setup != nil {
		r.setup(f, e)
	}
	f.Fuzz(func(t *testing.T, body []byte) { hzFuzzOne(t, e, r, body) })
}

// hzFuzzPair runs one fuzz target over two routes that take the same body, a
// create and an edit: the input's edit flag picks the route.
func hzFuzzPair(f *testing.F, create, edit hzFuzzRoute, seeds ...string) {
	for _, s := range slices.Concat(seeds, hzCommonSeeds) {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	e := hzMustEnv(f)
	for _, r := range []hzFuzzRoute{create, edit} {
		if r.setup != nil {
			r.setup(f, e)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, isEdit bool) {
		if isEdit {
			hzFuzzOne(t, e, edit, body)
		} else {
			hzFuzzOne(t, e, create, body)
		}
	})
}

// hzFuzzOne sends one body to r and checks the answer and the tables.
func hzFuzzOne(t *testing.T, e *hzEnv, r hzFuzzRoute, body []byte) {
	if r.reset != nil {
		r.reset(t, e)
	}
	body = e.expand(body)
	tables := append([]string{"audit_log"}, r.tables...)
	before := e.state(t, tables...)
	req := httptest.NewRequest(r.method, r.path(e), bytes.NewReader(body))
	req.Header.Set("Content-Type", hzJSON)
	if r.token != nil {
		req.AddCookie(&http.Cookie{Name: hzCookie, Value: r.token(e)})
	}
	rec := httptest.NewRecorder()
	e.engine.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s: status %d for body %q: %s", r.method, r.path(e), rec.Code, body, rec.Body)
	}
	if r.check != nil {
		r.check(t, e, body, rec)
	}
	if slices.Contains(r.ok, rec.Code) {
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("status %d with a body that is not JSON: %q", rec.Code, rec.Body)
		}
		return
	}
	code, _ := mustErrorShape(t, rec)
	if !slices.Contains(r.codes[rec.Code], code) {
		t.Fatalf("%s %s: status %d with code %q for body %q: %s", r.method, r.path(e), rec.Code, code, body, rec.Body)
	}
	after := e.state(t, tables...)
	for _, table := range tables {
		if after[table] != before[table] {
			t.Fatalf("%s %s: status %d (%s) for body %q, yet table %s changed", r.method, r.path(e), rec.Code, code, body, table)
		}
	}
}

// hzCommonSeeds go to every target: shapes no route should take.
var hzCommonSeeds = []string{
	``, `null`, `[]`, `""`, `0`, `-0`, `1e999`, `true`, `{}`, `{}{}`, `{} x`, `{"a":1}`, `{"":""}`,
	`{"a":` + strings.Repeat("[", 40), `{"a":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat("}", 41),
	`{"a":1,"a":2}`, "\xef\xbb\xbf{}", "{\"\xff\":1}", `{"a":"\ud800"}`, `{"a":"\u0000"}`,
}

func FuzzCandidateLoginBody(f *testing.F) {
	hzFuzz(f, hzFuzzRoute{
		method: "POST",
		path:   func(*hzEnv) string { return "/api/v1/candidate/login" },
		ok:     []int{http.StatusOK},
		codes:  hzCodes(map[int][]string{http.StatusUnauthorized: {"invalid_credentials"}, http.StatusTooManyRequests: {"too_many_attempts"}}),
		tables: []string{"sessions", "candidates"},
		check: func(t *testing.T, e *hzEnv, body []byte, rec *httptest.ResponseRecorder) {
			// Only the right password lets in; a refusal sets no cookie.
			var req struct {
				NationalID string `json:"national_id"`
				Password   string `json:"password"`
			}
			_ = json.Unmarshal(body, &req)
			if rec.Code == http.StatusOK && req.Password != candidates.DemoPassword {
				t.Fatalf("logged in with password %q: %q", req.Password, body)
			}
			if rec.Code != http.StatusOK && len(rec.Result().Cookies()) != 0 {
				t.Fatalf("status %d set a cookie for %q", rec.Code, body)
			}
		},
	},
		`{"national_id":"`+hzCandidate+`","password":"`+candidates.DemoPassword+`"}`,
		`{"national_id":"۰۴۹۹۳۷۰۸۹۹","password":"`+candidates.DemoPassword+`"}`,
		`{"national_id":" `+hzCandidate+` ","password":"`+candidates.DemoPassword+` "}`,
		`{"national_id":"`+hzCandidate+`","password":"wrong"}`,
		`{"national_id":"`+hzCandidate+`"}`,
		`{"password":"x"}`,
		`{"national_id":"`+hzCandidate+`\u0000","password":"x"}`,
		`{"national_id":"\ufffd","password":"\u0000"}`,
		`{"national_id":`+hzCandidate+`,"password":1}`,
		`{"national_id":["`+hzCandidate+`"],"password":{"a":1}}`,
		`{"national_id":"`+hzCandidate+`","password":"x","password":"`+candidates.DemoPassword+`"}`,
		`{"national_id":"`+strings.Repeat("۹", 5000)+`","password":"x"}`,
		`{"national_id":"`+hzCandidate+`","password":"`+strings.Repeat("p", 20000)+`"}`,
		"{\"national_id\":\"\xff\",\"password\":\"\xc3\"}",
	)
}

func FuzzOfficialLoginBody(f *testing.F) {
	hzFuzz(f, hzFuzzRoute{
		method: "POST",
		path:   func(*hzEnv) string { return "/api/v1/official/login" },
		ok:     []int{http.StatusOK},
		codes:  hzCodes(map[int][]string{http.StatusUnauthorized: {"invalid_credentials"}, http.StatusTooManyRequests: {"too_many_attempts"}}),
		tables: []string{"sessions", "officials"},
		check: func(t *testing.T, e *hzEnv, body []byte, rec *httptest.ResponseRecorder) {
			var req struct {
				Password string `json:"password"`
			}
			_ = json.Unmarshal(body, &req)
			if rec.Code == http.StatusOK && req.Password != hzPassword {
				t.Fatalf("logged in with password %q: %q", req.Password, body)
			}
		},
	},
		`{"username":"hz.admin","password":"`+hzPassword+`"}`,
		`{"username":" HZ.Admin ","password":"`+hzPassword+`"}`,
		`{"username":"hz.reviewer","password":"wrong"}`,
		`{"username":"nobody","password":"`+hzPassword+`"}`,
		`{"username":"hz.admin\u0000","password":"x"}`,
		`{"username":"hz.admin'--","password":"x"}`,
		`{"username":"%","password":"x"}`,
		`{"username":1,"password":true}`,
		`{"username":"`+strings.Repeat("a", 10000)+`","password":"x"}`,
		"{\"username\":\"hz.admin\xff\",\"password\":\"x\"}",
	)
}

// hzQuestionSeeds are question bodies for the create and the edit.
var hzQuestionSeeds = []string{
	`{"section":"councils_law","stem":"پرسش نو؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"}`,
	`{"section":"New_Section","stem":"  پرسش   ديگر؟ ","options":[{"key":"A","text":"يک"},{"key":"b","text":"دو"},{"key":"c","text":"سه"}],"correct":" C "}`,
	`{"section":"councils_law","stem":"<script>window.__pwned=2</script>","options":[{"key":"a","text":"<img src=x onerror=alert(1)>"},{"key":"b","text":"'; DROP TABLE questions; --"}],"correct":"b"}`,
	`{"section":"councils_law","stem":"پرسش؟","options":[{"key":"a","text":"یک"},{"key":"a","text":"دو"}],"correct":"a"}`,
	`{"section":"councils_law","stem":"پرسش؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"یک"}],"correct":"a"}`,
	`{"section":"councils_law","stem":"پرسش؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"g"}`,
	`{"section":"councils_law","stem":"پرسش؟","options":[{"key":"a","text":"یک"}],"correct":"a"}`,
	`{"section":"councils_law","stem":"پرسش؟","options":[{"key":"a","text":"1"},{"key":"b","text":"2"},{"key":"c","text":"3"},{"key":"d","text":"4"},{"key":"e","text":"5"},{"key":"f","text":"6"},{"key":"g","text":"7"}],"correct":"a"}`,
	`{"section":"councils_law","stem":"` + strings.Repeat("س", 2001) + `","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"}`,
	`{"section":"councils_law","stem":"پرسش\u0000؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"}`,
	`{"section":"councils_law","stem":"پرسش؟","options":[{"key":"a","text":"یک\u0000"},{"key":"b","text":"دو"}],"correct":"a"}`,
	`{"section":"councils_law","stem":"پرسش؟","options":[null,{"key":"b"}],"correct":null}`,
	`{"section":["x"],"stem":1,"options":{"a":"b"},"correct":true}`,
	`{"section":"councils_law","stem":"پرسش؟","options":[{"key":"a","text":"یک","key":"b"}],"correct":"a"}`,
	"{\"section\":\"councils_law\",\"stem\":\"\xff\",\"options\":[],\"correct\":\"a\"}",
}

// FuzzQuestionBody fuzzes the body of a new question and of an edit.
func FuzzQuestionBody(f *testing.F) {
	hzFuzzPair(f, hzFuzzRoute{
		method: "POST",
		path:   func(*hzEnv) string { return "/api/v1/official/questions" },
		token:  func(e *hzEnv) string { return e.adminToken },
		ok:     []int{http.StatusCreated},
		codes:  hzBadBody,
		tables: []string{"questions"},
	}, hzFuzzRoute{
		method: "PUT",
		// A question no published exam draws: an edit changes it in place.
		setup:  func(tb testing.TB, e *hzEnv) { e.free = e.mustFreeQuestion(tb) },
		path:   func(e *hzEnv) string { return "/api/v1/official/questions/" + e.free },
		token:  func(e *hzEnv) string { return e.adminToken },
		ok:     []int{http.StatusOK},
		codes:  hzBadBody,
		tables: []string{"questions"},
	}, hzQuestionSeeds...)
}

// mustFreeQuestion makes a question of a section of its own, which no exam
// draws, and returns its id.
func (e *hzEnv) mustFreeQuestion(tb testing.TB) string {
	tb.Helper()
	rec := e.serve(hzReq{method: "POST", path: "/api/v1/official/questions", token: e.adminToken,
		body: `{"section":"hz_free","stem":"پرسش آزاد؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"}`})
	if rec.Code != http.StatusCreated {
		tb.Fatalf("create a free question: %d %s", rec.Code, rec.Body)
	}
	return hzDecode[struct {
		ID string `json:"id"`
	}](tb, rec.Body.Bytes()).ID
}

// hzExamSeeds are exam bodies for the create and the edit.
var hzExamSeeds = []string{
	`{"title":"آزمون","sections":[{"key":"councils_law","title":"قانون","draw":2,"min_percent":30}],"duration_seconds":600,"opens_at":"2030-01-01T08:00:00Z","closes_at":"2030-01-01T12:00:00Z","grace_seconds":5,"shuffle_questions":true,"shuffle_options":true,"points_correct":1,"penalty_wrong":"1/3","pass_percent":50,"max_attempts":1,"objection_window_seconds":3600}`,
	`{"title":"آزمون","sections":[{"key":"councils_law","draw":1}],"duration_seconds":1,"opens_at":"0001-01-01T00:00:00Z","closes_at":"9999-12-31T23:59:59Z","pass_percent":0}`,
	`{"title":"آزمون","sections":[{"key":"councils_law","draw":2}],"duration_seconds":2147483648,"opens_at":"2030-01-01T08:00:00+03:30","closes_at":"2030-01-01T08:00:00+03:30","pass_percent":100.5,"max_attempts":-1,"grace_seconds":-1}`,
	`{"title":"آزمون","sections":[{"key":"councils_law","draw":1e10,"min_percent":1e400}],"duration_seconds":60,"opens_at":"2030-01-01T08:00:00Z","closes_at":"2031-01-01T08:00:00Z","pass_percent":50,"penalty_wrong":"1/0","points_correct":1e308}`,
	`{"title":"آزمون","sections":[{"key":"councils_law","draw":1},{"key":"councils_law","draw":1},{"key":"Bad Key","draw":0}],"duration_seconds":60,"opens_at":"2030-01-01T08:00:00Z","closes_at":"2031-01-01T08:00:00Z","pass_percent":50}`,
	`{"title":"آزمون","sections":[{"key":"councils_law","draw":1}],"duration_seconds":60,"opens_at":"tomorrow","closes_at":"2031-02-30T08:00:00Z","pass_percent":50,"penalty_wrong":-1}`,
	`{"title":"آزمون\u0000","sections":[{"key":"councils_law","draw":1}],"duration_seconds":60,"opens_at":"2030-01-01T08:00:00Z","closes_at":"2031-01-01T08:00:00Z","pass_percent":50}`,
	`{"title":"","sections":null,"duration_seconds":null,"opens_at":null,"closes_at":null,"pass_percent":null,"objection_window_seconds":-1}`,
	`{"title":"آزمون","sections":[{"key":"councils_law","draw":1}],"duration_seconds":60,"opens_at":"2030-01-01T08:00:00Z","closes_at":"2031-01-01T08:00:00Z","pass_percent":50,"penalty_wrong":"9223372036854775807/9223372036854775807"}`,
	`{"title":"آزمون","sections":[{"key":"councils_law","draw":1}],"duration_seconds":60,"opens_at":"2030-01-01T08:00:00Z","closes_at":"2031-01-01T08:00:00Z","pass_percent":50,"penalty_wrong":"-9223372036854775808/-1"}`,
	`{"id":"7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f","status":"published","results_published":true}`,
}

// FuzzExamBody fuzzes the body of a new exam and of an edit of a draft.
func FuzzExamBody(f *testing.F) {
	stillDraft := func(t *testing.T, e *hzEnv, body []byte, rec *httptest.ResponseRecorder) {
		if rec.Code < 300 && !strings.Contains(rec.Body.String(), `"status":"draft"`) {
			t.Fatalf("the exam written is no draft: %s", rec.Body)
		}
	}
	hzFuzzPair(f, hzFuzzRoute{
		method: "POST",
		path:   func(*hzEnv) string { return "/api/v1/official/exams" },
		token:  func(e *hzEnv) string { return e.adminToken },
		ok:     []int{http.StatusCreated},
		codes:  hzBadBody,
		tables: []string{"exams", "exam_sections"},
		check:  stillDraft,
	}, hzFuzzRoute{
		method: "PUT",
		path:   func(e *hzEnv) string { return "/api/v1/official/exams/" + e.draftExam },
		token:  func(e *hzEnv) string { return e.adminToken },
		ok:     []int{http.StatusOK},
		codes:  hzBadBody,
		tables: []string{"exams", "exam_sections"},
		check:  stillDraft,
	}, hzExamSeeds...)
}

func FuzzAccommodationBody(f *testing.F) {
	hzFuzz(f, hzFuzzRoute{
		method: "POST",
		path:   func(e *hzEnv) string { return "/api/v1/official/exams/" + e.openExam + "/accommodations" },
		token:  func(e *hzEnv) string { return e.adminToken },
		ok:     []int{http.StatusCreated},
		codes:  hzBadBody,
		tables: []string{"accommodations"},
	},
		`{"national_id":"`+hzCandidate+`","extra_seconds":600,"reason":"کم‌بینایی"}`,
		`{"national_id":"۰۴۹۹۳۷۰۸۹۹","extra_seconds":86400,"reason":"'; DROP TABLE accommodations; --"}`,
		`{"national_id":"0013542419","extra_seconds":1,"reason":"<script>alert(1)</script>"}`,
		`{"national_id":"1234567891","extra_seconds":60,"reason":"دلیل"}`,
		`{"national_id":"`+hzCandidate+`","extra_seconds":-1,"reason":"دلیل"}`,
		`{"national_id":"`+hzCandidate+`","extra_seconds":86401,"reason":""}`,
		`{"national_id":"`+hzCandidate+`","extra_seconds":1e30,"reason":"دلیل"}`,
		`{"national_id":"`+hzCandidate+`","extra_seconds":9223372036854775808,"reason":"دلیل"}`,
		`{"national_id":"`+hzCandidate+`","extra_seconds":60,"reason":"`+strings.Repeat("د", 501)+`"}`,
		`{"national_id":"`+hzCandidate+`","extra_seconds":60,"reason":"دلیل\u0000"}`,
		`{"national_id":"`+hzCandidate+`\u0000","extra_seconds":60,"reason":"دلیل"}`,
		`{"national_id":`+hzCandidate+`,"extra_seconds":"60","reason":["x"]}`,
	)
}

func FuzzSaveAnswerBody(f *testing.F) {
	hzFuzz(f, hzFuzzRoute{
		method: "PUT",
		path:   func(e *hzEnv) string { return "/api/v1/attempts/" + e.running + "/answers/" + e.runningQs[0] },
		token:  func(e *hzEnv) string { return e.candToken },
		ok:     []int{http.StatusOK},
		codes:  hzBadBody,
		tables: []string{"answers", "attempts"},
	},
		`{"choice":"a","seq":1}`,
		`{"choice":" B ","flagged":true,"seq":2}`,
		`{"choice":null,"flagged":false,"seq":3}`,
		`{"choice":"a","seq":0}`,
		`{"choice":"g","seq":4}`,
		`{"choice":"ab","seq":4}`,
		`{"choice":"","seq":4}`,
		`{"choice":"a"}`,
		`{"choice":"a","seq":-1}`,
		`{"choice":"a","seq":9.9e18}`,
		`{"choice":"a","seq":9223372036854775807}`,
		`{"choice":"a","seq":9223372036854775808}`,
		`{"choice":"a","seq":1.5}`,
		`{"choice":"a","seq":"5"}`,
		`{"choice":1,"flagged":"yes","seq":5}`,
		`{"choice":"a\u0000","seq":5}`,
		`{"choice":"a","seq":5,"choice":"b"}`,
		`{"choice":"a","seq":5,"attempt_id":"7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f","score":100}`,
	)
}

func FuzzObjectionBody(f *testing.F) {
	hzFuzz(f, hzFuzzRoute{
		method: "POST",
		path:   func(e *hzEnv) string { return "/api/v1/attempts/" + e.finished + "/objections" },
		token:  func(e *hzEnv) string { return e.candToken },
		ok:     []int{http.StatusCreated},
		codes:  hzBadBody,
		tables: []string{"objections"},
		// Take back every objection but the environment's, so the next valid
		// body is accepted again.
		reset: func(t *testing.T, e *hzEnv) {
			if _, err := e.db.Exec(`DELETE FROM objections WHERE id <> $1`, e.objection); err != nil {
				t.Fatal(err)
			}
		},
	},
		`{"question_id":"$Q1","text":"گزینهٔ «ب» هم درست است"}`,
		`{"question_id":"$Q2","text":"'; DROP TABLE objections; --"}`,
		`{"question_id":"$Q3","text":"<img src=x onerror=alert(1)>"}`,
		`{"question_id":"$Q0","text":"دوباره"}`,
		`{"question_id":"$Q1","text":""}`,
		`{"question_id":"$Q1","text":"`+strings.Repeat("ا", 2001)+`"}`,
		`{"question_id":"7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f","text":"پرسشی که در آزمون نبود"}`,
		`{"question_id":"x","text":"اعتراض"}`,
		`{"question_id":"$Q1","text":"اعتراض\u0000"}`,
		`{"question_id":1,"text":2}`,
		`{"text":"اعتراض"}`,
	)
}

func FuzzResolveBody(f *testing.F) {
	hzFuzz(f, hzFuzzRoute{
		method: "POST",
		path:   func(e *hzEnv) string { return "/api/v1/official/objections/" + e.objection + "/resolve" },
		token:  func(e *hzEnv) string { return e.adminToken },
		ok:     []int{http.StatusOK},
		codes:  hzBadBody,
		tables: []string{"objections", "question_overrides", "attempts"},
		// The objection is pending again before every body.
		reset: func(t *testing.T, e *hzEnv) {
			if _, err := e.db.Exec(`UPDATE objections SET status = 'pending', resolved_at = NULL, resolved_by = NULL,
				new_correct = NULL, note = NULL WHERE id = $1`, e.objection); err != nil {
				t.Fatal(err)
			}
		},
	},
		`{"decision":"reject","note":"پاسخ درست است"}`,
		`{"decision":"void"}`,
		`{"decision":"rekey","correct":"b"}`,
		`{"decision":"rekey","correct":" C "}`,
		`{"decision":"rekey","correct":"z"}`,
		`{"decision":"rekey"}`,
		`{"decision":"rekey","correct":""}`,
		`{"decision":"accept"}`,
		`{"decision":""}`,
		`{"decision":"reject","note":"'; DROP TABLE objections; --"}`,
		`{"decision":"reject","note":"یادداشت\u0000"}`,
		`{"decision":"rekey","correct":"a\u0000"}`,
		`{"decision":1,"correct":["a"]}`,
		`{"decision":"reject","decision":"void"}`,
	)
}

func FuzzReceiptVerifyBody(f *testing.F) {
	hzFuzz(f, hzFuzzRoute{
		method: "POST",
		path:   func(*hzEnv) string { return "/api/v1/receipts/verify" },
		ok:     []int{http.StatusOK},
		codes:  hzBadBody,
		tables: []string{"attempts", "sessions"},
		// Only the one receipt the server signed verifies.
		check: func(t *testing.T, e *hzEnv, body []byte, rec *httptest.ResponseRecorder) {
			if rec.Code != http.StatusOK {
				return
			}
			var req struct {
				Receipt string `json:"receipt"`
			}
			if err := json.Unmarshal(body, &req); err != nil {
				t.Fatalf("200 for a body that is not JSON: %q", body)
			}
			var got struct {
				Valid   *bool `json:"valid"`
				Payload *struct {
					AttemptID string `json:"attempt_id"`
				} `json:"payload"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Valid == nil {
				t.Fatalf("answer %s has no valid", rec.Body)
			}
			genuine := strings.TrimSpace(req.Receipt) == e.receipt
			if *got.Valid != genuine {
				t.Fatalf("valid = %v for receipt %q (the genuine one is %q)", *got.Valid, req.Receipt, e.receipt)
			}
			if genuine && (got.Payload == nil || got.Payload.AttemptID != e.finished) {
				t.Fatalf("genuine receipt's payload %s, want attempt %s", rec.Body, e.finished)
			}
		},
	},
		`{"receipt":"$RECEIPT"}`,
		`{"receipt":" $RECEIPT\n"}`,
		`{"receipt":"$RECEIPTx"}`,
		`{"receipt":"x$RECEIPT"}`,
		`{"receipt":"$RECEIPT.$RECEIPT"}`,
		`{"receipt":"."}`,
		`{"receipt":"e30.AAAA"}`,
		`{"receipt":"e30"}`,
		`{"receipt":""}`,
		`{"receipt":null}`,
		`{"receipt":1}`,
		`{"receipt":"a\u0000.b"}`,
		`{"receipt":"`+strings.Repeat("A", 60000)+`.B"}`,
	)
}

func FuzzOfficialCreateBody(f *testing.F) {
	hzFuzz(f, hzFuzzRoute{
		method: "POST",
		path:   func(*hzEnv) string { return "/api/v1/official/officials" },
		token:  func(e *hzEnv) string { return e.adminToken },
		ok:     []int{http.StatusCreated},
		codes:  hzCodes(map[int][]string{http.StatusConflict: {"username_taken"}}),
		tables: []string{"officials"},
		check: func(t *testing.T, e *hzEnv, body []byte, rec *httptest.ResponseRecorder) {
			if rec.Code == http.StatusCreated && strings.Contains(rec.Body.String(), "password") {
				t.Fatalf("the answer mentions a password: %s", rec.Body)
			}
		},
	},
		`{"username":"hz.fuzz","display_name":"بازبین","role":"reviewer","password":"`+hzPassword+`"}`,
		`{"username":"HZ.ADMIN","display_name":"دوباره","role":"admin","password":"`+hzPassword+`"}`,
		`{"username":"hz.root","display_name":"ریشه","role":"superuser","password":"`+hzPassword+`"}`,
		`{"username":"a","display_name":"","role":"admin","password":"short"}`,
		`{"username":"hz.x'--","display_name":"<script>alert(1)</script>","role":"reviewer","password":"`+hzPassword+`"}`,
		`{"username":"hz.nul","display_name":"نام\u0000","role":"reviewer","password":"`+hzPassword+`"}`,
		`{"username":"hz.id","role":"admin","password":"`+hzPassword+`","id":"7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f","disabled":true}`,
	)
}
