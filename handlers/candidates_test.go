package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/handlers"
)

var uuidRE = regexp.MustCompile(`"id":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"`)

// mustRegistered checks a 201 answer byte for byte, with the random id replaced.
func mustRegistered(tb testing.TB, rec *httptest.ResponseRecorder, nationalID string, reasons ...string) {
	tb.Helper()
	mustStatus(tb, rec, http.StatusCreated)
	got := rec.Body.String()
	if n := len(uuidRE.FindAllString(got, -1)); n != 1 {
		tb.Fatalf("201 body has %d UUID ids, want 1: %s", n, got)
	}
	got = uuidRE.ReplaceAllString(got, `"id":"ID"`)
	list := "[]"
	if len(reasons) > 0 {
		list = `["` + strings.Join(reasons, `","`) + `"]`
	}
	want := `{"id":"ID","national_id":"` + nationalID + `","eligible":` + strconv.FormatBool(len(reasons) == 0) +
		`,"ineligibility_reasons":` + list + `}`
	if got != want {
		tb.Fatalf("201 body = %s\nwant       %s", got, want)
	}
}

func testRegister(t *testing.T, s *server) {
	tests := []struct {
		name    string
		body    registration
		reasons []string
	}{
		{"eligible", validBody(withCheckDigit("600000001")), nil},
		{"ineligible: a man without service and a diploma in Tehran",
			validBody(withCheckDigit("600000002")).with("gender", "male", "military_service", "none", "education", "diploma"),
			[]string{"education_below_required", "military_service_required"}},
		{"exactly 25 on election day", validBody(withCheckDigit("600000003")).with("birth_date", "1996-06-18"), nil},
		{"one day short of 25", validBody(withCheckDigit("600000004")).with("birth_date", "1996-06-19"), []string{"under_age"}},
		{"village of exactly 200 households, literacy",
			validBody(withCheckDigit("600000005")).with("constituency_id", 102, "education", "literacy"), nil},
		{"village of 310 households, literacy",
			validBody(withCheckDigit("600000006")).with("constituency_id", 103, "education", "literacy"),
			[]string{"education_below_required"}},
		{"city of exactly 20,000, associate",
			validBody(withCheckDigit("600000007")).with("constituency_id", city20000, "education", "associate"), nil},
		{"Firuzkuh (17,453 people), associate",
			validBody(withCheckDigit("600000008")).with("constituency_id", 18, "education", "associate"), nil},
		// Read-only properties in the body are ignored.
		{"ineligible form claiming eligibility",
			validBody(withCheckDigit("600000009")).with("education", "diploma", "eligible", true, "id", "00000000-0000-0000-0000-000000000000",
				"ineligibility_reasons", []string{}),
			[]string{"education_below_required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.mustCount(t)
			rec := s.do("POST", "/api/v1/candidates", tt.body.String())
			mustRegistered(t, rec, tt.body["national_id"].(string), tt.reasons...)
			if strings.Contains(rec.Body.String(), "00000000-0000-0000-0000-000000000000") {
				t.Fatalf("the client's id was taken: %s", rec.Body.String())
			}
			if got, want := s.mustCount(t), before+1; got != want {
				t.Fatalf("candidates = %d, want %d", got, want)
			}
		})
	}
}

func testRegisterNormalisesPersianInput(t *testing.T, s *server) {
	body := validBody("۰۵۰۰۰۰۰۰۰۱").with( // 0500000001 in Persian digits
		"first_name", "علي", "last_name", "كريمي", "mobile", "+98 ۹۱۲ ۳۴۵ ۶۷۸۹", "birth_date", "۱۹۸۵-۰۴-۱۲")
	mustRegistered(t, s.do("POST", "/api/v1/candidates", body.String()), "0500000001")
	cookie := s.mustLogin(t, "۰۵۰۰۰۰۰۰۰۱", "a long enough secret")
	rec := s.do("GET", "/api/v1/candidate/me", "", withCookie(cookie)...)
	mustStatus(t, rec, http.StatusOK)
	var me map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"national_id": "0500000001", "first_name": "علی", "last_name": "کریمی",
		"mobile": "09123456789", "birth_date": "1985-04-12",
	} {
		if got := me[k]; got != want {
			t.Errorf("me.%s = %v, want %v", k, got, want)
		}
	}
}

func testRegisterDuplicate(t *testing.T, s *server) {
	id := withCheckDigit("600000101")
	mustRegistered(t, s.do("POST", "/api/v1/candidates", validBody(id).String()), id)
	before := s.mustCount(t)
	const conflict = `{"error":{"code":"already_registered","message":"this national ID is already registered"}}`
	// Again, with other details, and with the ID in Persian digits.
	persian := strings.Map(func(r rune) rune { return '۰' + (r - '0') }, id)
	for _, body := range []registration{validBody(id), validBody(persian).with("first_name", "سارا")} {
		rec := s.do("POST", "/api/v1/candidates", body.String())
		mustError(t, rec, http.StatusConflict, "already_registered")
		mustBody(t, rec, http.StatusConflict, conflict)
	}
	// A demo candidate too.
	mustBody(t, s.do("POST", "/api/v1/candidates", validBody(demoEligible).String()), http.StatusConflict, conflict)
	if got, want := s.mustCount(t), before; got != want {
		t.Fatalf("candidates = %d, want %d", got, want)
	}
}

func testRegisterConcurrentDuplicate(t *testing.T, s *server) {
	id := withCheckDigit("600000201")
	body := validBody(id).String()
	before := s.mustCount(t)
	const n = 20
	codes := make([]int, n)
	bodies := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rec := s.do("POST", "/api/v1/candidates", body)
			codes[i], bodies[i] = rec.Code, rec.Body.String()
		}()
	}
	close(start)
	wg.Wait()
	created, conflicts := 0, 0
	for i, code := range codes {
		switch code {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			conflicts++
		default:
			t.Errorf("request %d: status %d: %s", i, code, bodies[i])
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Fatalf("%d × 201 and %d × 409, want 1 and %d", created, conflicts, n-1)
	}
	if got, want := s.mustCount(t), before+1; got != want {
		t.Fatalf("candidates = %d, want %d", got, want)
	}
}

func testRegisterBadBodies(t *testing.T, s *server) {
	before := s.mustCount(t)
	id := withCheckDigit("600000301")
	valid := validBody(id)
	tests := []struct {
		name   string
		body   string
		fields map[string]string
	}{
		{"empty object", `{}`, map[string]string{
			"national_id": "required", "first_name": "required", "last_name": "required", "father_name": "required",
			"birth_date": "required", "gender": "required", "mobile": "required", "education": "required",
			"constituency_id": "required", "password": "required",
		}},
		{"null", `null`, map[string]string{
			"national_id": "required", "first_name": "required", "last_name": "required", "father_name": "required",
			"birth_date": "required", "gender": "required", "mobile": "required", "education": "required",
			"constituency_id": "required", "password": "required",
		}},
		{"missing mobile and password", valid.without("mobile", "password").String(),
			map[string]string{"mobile": "required", "password": "required"}},
		{"bad check digit", valid.with("national_id", "1234567890").String(), map[string]string{"national_id": "checksum"}},
		{"repeated digits", valid.with("national_id", "1111111111").String(), map[string]string{"national_id": "repeated_digits"}},
		{"short national ID", valid.with("national_id", "12345").String(), map[string]string{"national_id": "invalid"}},
		{"landline", valid.with("mobile", "02112345678").String(), map[string]string{"mobile": "invalid"}},
		{"short mobile", valid.with("mobile", "0912123").String(), map[string]string{"mobile": "invalid"}},
		{"Latin first name", valid.with("first_name", "Maryam").String(), map[string]string{"first_name": "not_persian"}},
		{"RTL override in the last name", valid.with("last_name", "احمدی\u202e").String(), map[string]string{"last_name": "not_persian"}},
		{"future birth date", valid.with("birth_date", "2999-01-01").String(), map[string]string{"birth_date": "future_date"}},
		{"impossible birth date", valid.with("birth_date", "1990-02-30").String(), map[string]string{"birth_date": "not_a_date"}},
		{"common password", valid.with("password", "password123").String(), map[string]string{"password": "common_password"}},
		{"short password", valid.with("password", "abc").String(), map[string]string{"password": "too_short"}},
		{"unknown constituency", valid.with("constituency_id", 4242).String(), map[string]string{"constituency_id": "unknown_constituency"}},
		{"constituency beyond int4", valid.with("constituency_id", 3000000000).String(), map[string]string{"constituency_id": "unknown_constituency"}},
		{"negative constituency", valid.with("constituency_id", -1).String(), map[string]string{"constituency_id": "too_small"}},
		{"gender", valid.with("gender", "other").String(), map[string]string{"gender": "one_of"}},
		{"military service", valid.with("military_service", "maybe").String(), map[string]string{"military_service": "one_of"}},
		{"education", valid.with("education", "phd").String(), map[string]string{"education": "one_of"}},
		{"email", valid.with("email", "not-an-email").String(), map[string]string{"email": "invalid"}},
		{"constituency as a string", valid.with("constituency_id", "x").String(), map[string]string{"constituency_id": "wrong_type"}},
		{"constituency as a numeric string", valid.with("constituency_id", "1").String(), map[string]string{"constituency_id": "wrong_type"}},
		{"constituency as a fraction", valid.with("constituency_id", 1.5).String(), map[string]string{"constituency_id": "wrong_type"}},
		{"constituency too large for any integer", strings.Replace(valid.String(), `"constituency_id":1`, `"constituency_id":1e400`, 1),
			map[string]string{"constituency_id": "wrong_type"}},
		{"gender as a number", valid.with("gender", 1).String(), map[string]string{"gender": "wrong_type"}},
		{"names as an array", valid.with("first_name", []string{"مریم"}).String(), map[string]string{"first_name": "wrong_type"}},
		{"several at once", valid.with("national_id", "1234567890", "mobile", "123", "first_name", "Ali",
			"birth_date", "2999-01-01", "password", "12345678", "constituency_id", 4242).String(),
			map[string]string{"national_id": "checksum", "mobile": "invalid", "first_name": "not_persian",
				"birth_date": "future_date", "password": "common_password", "constituency_id": "unknown_constituency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.do("POST", "/api/v1/candidates", tt.body)
			if got, want := mustError(t, rec, http.StatusBadRequest, "validation_failed"), tt.fields; !maps.Equal(got, want) {
				t.Fatalf("fields = %v, want %v", got, want)
			}
		})
	}
	// One body compared byte for byte.
	mustBody(t, s.do("POST", "/api/v1/candidates", valid.with("mobile", "021").String()), http.StatusBadRequest,
		`{"error":{"code":"validation_failed","message":"invalid input: mobile: invalid","fields":{"mobile":"invalid"}}}`)
	if got, want := s.mustCount(t), before; got != want {
		t.Fatalf("candidates = %d after refused bodies, want %d", got, want)
	}
}

func testRegisterUndecodableBodies(t *testing.T, s *server) {
	before := s.mustCount(t)
	valid := validBody(withCheckDigit("600000401")).String()
	tests := []struct {
		name, body, contentType string
		status                  int
		code                    string
	}{
		{"truncated JSON", valid[:40], "application/json", 400, "malformed_json"},
		{"empty body", "", "application/json", 400, "malformed_json"},
		{"not JSON", "national_id=0499370899", "application/json", 400, "malformed_json"},
		{"two objects", valid + " " + valid, "application/json", 400, "malformed_json"},
		{"trailing garbage", valid + "x", "application/json", 400, "malformed_json"},
		{"an array", `[` + valid + `]`, "application/json", 400, "malformed_json"},
		{"a string", `"hello"`, "application/json", 400, "malformed_json"},
		{"text/plain", valid, "text/plain", 415, "unsupported_media_type"},
		{"form", "national_id=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
		{"no content type", valid, "", 415, "unsupported_media_type"},
		{"json-ish type", valid, "application/jsonx", 415, "unsupported_media_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/candidates", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			mustError(t, s.doReq(req), tt.status, tt.code)
		})
	}
	// Trailing white space and a charset parameter are fine.
	id := withCheckDigit("600000402")
	req := httptest.NewRequest("POST", "/api/v1/candidates", strings.NewReader(validBody(id).String()+"\n\t "))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	mustRegistered(t, s.doReq(req), id)
	if got, want := s.mustCount(t), before+1; got != want {
		t.Fatalf("candidates = %d, want %d", got, want)
	}
}

func testRegisterBodyTooLarge(t *testing.T, s *server) {
	before := s.mustCount(t)
	big := validBody(withCheckDigit("600000501")).with("password", strings.Repeat("x", maxBody)).String()
	const tooLarge = `{"error":{"code":"body_too_large","message":"the request body is too large"}}`

	// Announced with Content-Length: refused before reading.
	req := httptest.NewRequest("POST", "/api/v1/candidates", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	mustBody(t, s.doReq(req), http.StatusRequestEntityTooLarge, tooLarge)

	// Length unknown (chunked): cut off while reading.
	req = httptest.NewRequest("POST", "/api/v1/candidates", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	mustBody(t, s.doReq(req), http.StatusRequestEntityTooLarge, tooLarge)

	// Valid JSON followed by more than the cap of white space.
	req = httptest.NewRequest("POST", "/api/v1/candidates", strings.NewReader(`{}`+strings.Repeat(" ", maxBody)))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	mustBody(t, s.doReq(req), http.StatusRequestEntityTooLarge, tooLarge)

	// Just under the cap is read (and refused for its content only).
	pad := maxBody - len(validBody("x").with("password", "").String()) - 20
	req = httptest.NewRequest("POST", "/api/v1/candidates",
		strings.NewReader(validBody("1234567890").with("password", strings.Repeat("y", pad)).String()))
	req.Header.Set("Content-Type", "application/json")
	fields := mustError(t, s.doReq(req), http.StatusBadRequest, "validation_failed")
	if got, want := fields, map[string]string{"national_id": "checksum", "password": "too_long"}; !maps.Equal(got, want) {
		t.Fatalf("fields = %v, want %v", got, want)
	}
	if got, want := s.mustCount(t), before; got != want {
		t.Fatalf("candidates = %d, want %d", got, want)
	}
}

func testListConstituencies(t *testing.T, s *server) {
	rec := s.do("GET", "/api/v1/constituencies", "")
	mustStatus(t, rec, http.StatusOK)
	var list []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if got, want := len(list), 28; got != want {
		t.Fatalf("constituencies = %d, want %d", got, want)
	}
	first, err := json.Marshal(list[0])
	if err != nil {
		t.Fatal(err)
	}
	// encoding/json sorts map keys.
	if got, want := string(first), `{"households":0,"id":1,"kind":"city","name_en":"Tehran","name_fa":"تهران","population":8693706,"province":"تهران","seats":21}`; got != want {
		t.Fatalf("first constituency = %s, want %s", got, want)
	}
	for _, c := range list {
		if c["id"] == float64(102) && (c["households"] != float64(200) || c["kind"] != "village") {
			t.Fatalf("constituency 102 = %v, want a village of 200 households", c)
		}
	}
}

func testLoginMeLogout(t *testing.T, s *server) {
	rec := s.do("POST", "/api/v1/candidate/login", `{"national_id":"`+demoEligible+`","password":"`+candidates.DemoPassword+`"}`)
	mustStatus(t, rec, http.StatusOK)
	cookie := mustSessionCookie(t, rec)
	if !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
		t.Fatalf("cookie HttpOnly=%v Secure=%v SameSite=%v Path=%q, want true true Lax /", cookie.HttpOnly, cookie.Secure, cookie.SameSite, cookie.Path)
	}
	if got, want := cookie.MaxAge, int(sessionAge/time.Second); got != want {
		t.Fatalf("cookie MaxAge = %d, want %d", got, want)
	}
	if len(cookie.Value) != 43 {
		t.Fatalf("cookie value %q is not a 256-bit base64url token", cookie.Value)
	}
	loginBody := rec.Body.String()

	me := s.do("GET", "/api/v1/candidate/me", "", withCookie(cookie)...)
	mustStatus(t, me, http.StatusOK)
	if got, want := me.Body.String(), loginBody; got != want {
		t.Fatalf("me = %s\nlogin answered %s", got, want)
	}
	var view map[string]any
	if err := json.Unmarshal(me.Body.Bytes(), &view); err != nil {
		t.Fatal(err)
	}
	id, _ := view["id"].(string)
	if len(id) != 36 {
		t.Fatalf("id = %v, want a UUID", view["id"])
	}
	registeredAt, _ := view["registered_at"].(string)
	if ts, err := time.Parse(time.RFC3339Nano, registeredAt); err != nil || ts.Location() != time.UTC || time.Since(ts) > time.Hour {
		t.Fatalf("registered_at = %q, want a recent RFC 3339 UTC time", registeredAt)
	}
	delete(view, "id")
	delete(view, "registered_at")
	got, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"birth_date":"1980-03-15","constituency":{"households":0,"id":1,"kind":"city","name_en":"Tehran","name_fa":"تهران","population":8693706,"province":"تهران","seats":21},` +
		`"constituency_id":1,"education":"master","eligible":true,"email":null,"father_name":"حسن","first_name":"زهرا","gender":"female",` +
		`"ineligibility_reasons":[],"last_name":"محمدی","military_service":null,"mobile":"09121234567","national_id":"0499370899"}`
	if string(got) != want {
		t.Fatalf("me = %s\nwant %s", got, want)
	}
	if strings.Contains(me.Body.String(), "argon2") || strings.Contains(me.Body.String(), "password") {
		t.Fatalf("me leaks the password hash: %s", me.Body.String())
	}

	const unauthenticated = `{"error":{"code":"unauthenticated","message":"please log in"}}`
	mustBody(t, s.do("GET", "/api/v1/candidate/me", ""), http.StatusUnauthorized, unauthenticated)
	mustBody(t, s.do("GET", "/api/v1/candidate/me", "", "Cookie", cookieName+"=forged"), http.StatusUnauthorized, unauthenticated)

	out := s.do("POST", "/api/v1/logout", "", withCookie(cookie)...)
	mustBody(t, out, http.StatusNoContent, "")
	cleared := mustSessionCookie(t, out)
	if cleared.Value != "" || cleared.MaxAge >= 0 || !cleared.HttpOnly {
		t.Fatalf("logout cookie = %+v, want an empty, expired, HttpOnly cookie", cleared)
	}
	mustBody(t, s.do("GET", "/api/v1/candidate/me", "", withCookie(cookie)...), http.StatusUnauthorized, unauthenticated)
	// Logging out without a session is fine.
	mustBody(t, s.do("POST", "/api/v1/logout", ""), http.StatusNoContent, "")
}

func testLoginIneligibleCandidateSeesReasons(t *testing.T, s *server) {
	cookie := s.mustLogin(t, "۰۰۱۳۵۴۲۴۱۹", candidates.DemoPassword) // Persian digits
	rec := s.do("GET", "/api/v1/candidate/me", "", withCookie(cookie)...)
	mustStatus(t, rec, http.StatusOK)
	var me struct {
		NationalID      string   `json:"national_id"`
		Eligible        bool     `json:"eligible"`
		Reasons         []string `json:"ineligibility_reasons"`
		MilitaryService *string  `json:"military_service"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil {
		t.Fatal(err)
	}
	if me.NationalID != demoBelow || me.Eligible || strings.Join(me.Reasons, ",") != "education_below_required" ||
		me.MilitaryService == nil || *me.MilitaryService != "completed" {
		t.Fatalf("me = %s", rec.Body.String())
	}
}

// testLoginNewTokenEndsOldSession logs in twice through a dev-mode router: no
// Secure flag, a new token at each login, and only the newest session lives.
func testLoginNewTokenEndsOldSession(t *testing.T, s *server) {
	dev := mustRouter(t, s.db, func(d *handlers.Deps) { d.Dev = true }).from(s.ip)
	first := dev.mustLogin(t, demoEligible, candidates.DemoPassword)
	if first.Secure || !first.HttpOnly || first.SameSite != http.SameSiteLaxMode {
		t.Fatalf("dev cookie Secure=%v HttpOnly=%v SameSite=%v, want false true Lax", first.Secure, first.HttpOnly, first.SameSite)
	}
	second := dev.mustLogin(t, demoEligible, candidates.DemoPassword)
	if second.Value == first.Value {
		t.Fatalf("two logins got the same token")
	}
	mustStatus(t, dev.do("GET", "/api/v1/candidate/me", "", withCookie(second)...), http.StatusOK)
	mustError(t, dev.do("GET", "/api/v1/candidate/me", "", withCookie(first)...), http.StatusUnauthorized, "unauthenticated")
}

func testLoginFailuresLookAlike(t *testing.T, s *server) {
	const invalid = `{"error":{"code":"invalid_credentials","message":"national ID or password is wrong"}}`
	wrong := s.do("POST", "/api/v1/candidate/login", `{"national_id":"`+demoEligible+`","password":"not the password"}`)
	unknown := s.do("POST", "/api/v1/candidate/login", `{"national_id":"`+withCheckDigit("600000601")+`","password":"not the password"}`)
	mustBody(t, wrong, http.StatusUnauthorized, invalid)
	mustBody(t, unknown, http.StatusUnauthorized, invalid)
	if wrong.Body.String() != unknown.Body.String() {
		t.Fatalf("wrong password and unknown ID answer differently:\n%s\n%s", wrong.Body.String(), unknown.Body.String())
	}
	for _, rec := range []*httptest.ResponseRecorder{wrong, unknown} {
		if len(rec.Result().Cookies()) != 0 {
			t.Fatalf("a failed login set a cookie: %q", rec.Header().Values("Set-Cookie"))
		}
	}
	mustError(t, s.do("POST", "/api/v1/candidate/login", `{}`), http.StatusBadRequest, "validation_failed")
	mustBody(t, s.do("POST", "/api/v1/candidate/login", `{"national_id":" ","password":""}`), http.StatusBadRequest,
		`{"error":{"code":"validation_failed","message":"invalid input: national_id: required, password: required","fields":{"national_id":"required","password":"required"}}}`)
	mustError(t, s.do("POST", "/api/v1/candidate/login", `{"national_id":`), http.StatusBadRequest, "malformed_json")
	mustError(t, s.do("POST", "/api/v1/candidate/login", `{"national_id":1}`), http.StatusBadRequest, "validation_failed")
}

func testLoginOddNationalIDs(t *testing.T, s *server) {
	// Whatever a client types as its national ID, the answer is the one 401,
	// never a 5xx; a NUL character, which no field may hold, is a 400 naming it.
	for _, id := range []string{"abc", strings.Repeat("۹", 5000), "\ufffd\ufffd", "04993708990"} {
		body, _ := json.Marshal(map[string]string{"national_id": id, "password": "whatever it is"})
		rec := s.do("POST", "/api/v1/candidate/login", string(body))
		mustBody(t, rec, http.StatusUnauthorized, `{"error":{"code":"invalid_credentials","message":"national ID or password is wrong"}}`)
	}
	for _, id := range []string{"\u0000", "0499370899\u0000"} {
		body, _ := json.Marshal(map[string]string{"national_id": id, "password": "whatever it is"})
		rec := s.do("POST", "/api/v1/candidate/login", string(body))
		mustBody(t, rec, http.StatusBadRequest, `{"error":{"code":"validation_failed","message":"invalid input: national_id: invalid_character","fields":{"national_id":"invalid_character"}}}`)
	}
}

func testLoginOddUserAgent(t *testing.T, s *server) {
	// A header may carry bytes that are not UTF-8; the session is still made.
	for _, ua := range []string{"Mozilla/5.0 \xff", strings.Repeat("a", 511) + "é"} {
		rec := s.do("POST", "/api/v1/candidate/login", `{"national_id":"`+demoEligible+`","password":"`+candidates.DemoPassword+`"}`, "User-Agent", ua)
		mustStatus(t, rec, http.StatusOK)
	}
}

// testOfficialSessionOnCandidateRoute: a session of the other kind is refused.
func testOfficialSessionOnCandidateRoute(t *testing.T, s *server) {
	sessions := &auth.Sessions{DB: s.db, Idle: time.Hour, MaxAge: time.Hour}
	var id string
	if err := s.db.Get(&id, `SELECT id FROM candidates WHERE national_id = $1`, demoEligible); err != nil {
		t.Fatal(err)
	}
	// An official whose id happens to equal a candidate's still is no candidate.
	token, err := sessions.Create(context.Background(), auth.KindOfficial, id, "test", s.ip)
	if err != nil {
		t.Fatal(err)
	}
	mustBody(t, s.do("GET", "/api/v1/candidate/me", "", "Cookie", cookieName+"="+token), http.StatusForbidden,
		`{"error":{"code":"forbidden","message":"this session may not use this route"}}`)
}

// testLoginRateLimit: three failures per account within a minute, then 429.
func testLoginRateLimit(t *testing.T, s *server) {
	wrong := `{"national_id":"` + demoBelow + `","password":"not the password"}`
	right := `{"national_id":"` + demoBelow + `","password":"` + candidates.DemoPassword + `"}`
	for i := 0; i < 3; i++ {
		mustError(t, s.do("POST", "/api/v1/candidate/login", wrong), http.StatusUnauthorized, "invalid_credentials")
	}
	const limited = `{"error":{"code":"too_many_attempts","message":"too many failed logins; try again later"}}`
	for _, body := range []string{wrong, right} {
		rec := s.do("POST", "/api/v1/candidate/login", body)
		mustBody(t, rec, http.StatusTooManyRequests, limited)
		retry, err := strconv.Atoi(rec.Header().Get("Retry-After"))
		if err != nil || retry <= 0 || retry > 60 {
			t.Fatalf("Retry-After = %q, want a whole number of seconds in 1..60", rec.Header().Get("Retry-After"))
		}
		if len(rec.Result().Cookies()) != 0 {
			t.Fatalf("a refused login set a cookie")
		}
	}
	// The account is limited from any address, and in Persian digits too.
	mustError(t, s.from("198.51.100.20").do("POST", "/api/v1/candidate/login", `{"national_id":"۰۰۱۳۵۴۲۴۱۹","password":"`+candidates.DemoPassword+`"}`),
		http.StatusTooManyRequests, "too_many_attempts")
	// Another account from the same address is not limited.
	s.mustLogin(t, demoEligible, candidates.DemoPassword)
}

// testLoginRateLimitPerAddress: three failures from one address on different
// accounts, then even the right password of another account is refused there.
func testLoginRateLimitPerAddress(t *testing.T, s *server) {
	s = mustRouter(t, s.db, func(d *handlers.Deps) { d.Throttle = throttleWith(d, 10, 3) }).from(s.ip)
	for _, id := range []string{withCheckDigit("600000701"), withCheckDigit("600000702"), withCheckDigit("600000703")} {
		mustError(t, s.do("POST", "/api/v1/candidate/login", `{"national_id":"`+id+`","password":"guess guess"}`),
			http.StatusUnauthorized, "invalid_credentials")
	}
	rec := s.do("POST", "/api/v1/candidate/login", `{"national_id":"`+demoEligible+`","password":"`+candidates.DemoPassword+`"}`)
	mustError(t, rec, http.StatusTooManyRequests, "too_many_attempts")
	if n, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || n <= 0 || n > 60 {
		t.Fatalf("Retry-After = %q, want a whole number of seconds in 1..60", rec.Header().Get("Retry-After"))
	}
	// No proxy is trusted: a forged X-Forwarded-For does not make a new address.
	for _, h := range []string{"X-Forwarded-For", "X-Real-IP"} {
		mustError(t, s.do("POST", "/api/v1/candidate/login", `{"national_id":"`+demoEligible+`","password":"`+candidates.DemoPassword+`"}`,
			h, "203.0.113.9"), http.StatusTooManyRequests, "too_many_attempts")
	}
	// Another address is not limited.
	s.from("198.51.100.7").mustLogin(t, demoEligible, candidates.DemoPassword)
}

// testLoginSuccessClearsAccountFailures: a successful login forgets the account's
// failures.
func testLoginSuccessClearsAccountFailures(t *testing.T, s *server) {
	wrong := `{"national_id":"` + demoEligible + `","password":"not the password"}`
	for i := 0; i < 2; i++ {
		mustStatus(t, s.do("POST", "/api/v1/candidate/login", wrong), http.StatusUnauthorized)
	}
	s.mustLogin(t, demoEligible, candidates.DemoPassword)
	// Two more failures do not reach the limit of three: the earlier ones are forgotten.
	for i := 0; i < 2; i++ {
		mustStatus(t, s.do("POST", "/api/v1/candidate/login", wrong), http.StatusUnauthorized)
	}
	s.mustLogin(t, demoEligible, candidates.DemoPassword)
}

// TestRegistration runs the registration cases in order on one database.
func TestRegistration(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *server)
	}{
		{"eligibility", testRegister},
		{"Persian input", testRegisterNormalisesPersianInput},
		{"duplicate", testRegisterDuplicate},
		{"concurrent duplicate", testRegisterConcurrentDuplicate},
		{"bad bodies", testRegisterBadBodies},
		{"undecodable bodies", testRegisterUndecodableBodies},
		{"body too large", testRegisterBodyTooLarge},
		{"cross-origin", testCrossOriginRefused},
		{"constituencies", testListConstituencies},
	} {
		if !t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) }) {
			return
		}
	}
}

// TestSession runs the login, me and logout cases in order on one database,
// each from its own address so that failures in one do not limit another.
func TestSession(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	for i, tc := range []struct {
		name string
		fn   func(*testing.T, *server)
	}{
		{"login, me, logout", testLoginMeLogout},
		{"ineligible candidate", testLoginIneligibleCandidateSeesReasons},
		{"new token ends the old session", testLoginNewTokenEndsOldSession},
		{"failures look alike", testLoginFailuresLookAlike},
		{"odd national IDs", testLoginOddNationalIDs},
		{"odd user agent", testLoginOddUserAgent},
		{"official session on a candidate route", testOfficialSessionOnCandidateRoute},
		{"rate limit per account", testLoginRateLimit},
		{"rate limit per address", testLoginRateLimitPerAddress},
		{"success clears the account", testLoginSuccessClearsAccountFailures},
	} {
		ip := fmt.Sprintf("192.0.2.%d", 10+i)
		if !t.Run(tc.name, func(t *testing.T) { tc.fn(t, s.from(ip)) }) {
			return
		}
	}
}

// TestRegisterWrongTypeWithOtherFields: a value of the wrong JSON type must not
// hide the other wrong fields of the form (issue 2: "400 validation_failed with
// every wrong field in fields at once"). Today decodeJSON returns at the first
// *json.UnmarshalTypeError, so only that one field is reported.
func TestRegisterWrongTypeWithOtherFields(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	body := validBody(withCheckDigit("600000901")).with("constituency_id", "x", "mobile", "021", "first_name", "Maryam").String()
	fields := mustError(t, s.do("POST", "/api/v1/candidates", body), http.StatusBadRequest, "validation_failed")
	want := map[string]string{"constituency_id": "wrong_type", "mobile": "invalid", "first_name": "not_persian"}
	if !maps.Equal(fields, want) {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
}
