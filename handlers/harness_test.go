package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/handlers"
)

var electionDay = time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)

const (
	maxBody      = 64 << 10
	sessionAge   = 12 * time.Hour
	cookieName   = "examd_session"
	demoEligible = "0499370899" // zahra, eligible
	demoBelow    = "0013542419" // reza, education below Tehran's
	city20000    = 901
)

// server is the real router over real stores on a database with the demo data
// and a city of exactly 20,000 people (id 901). Its requests come from ip.
type server struct {
	h  http.Handler
	db *sqlx.DB
	ip string
}

// mustServer makes a fresh database and a router over it; edit may change the
// dependencies first.
func mustServer(tb testing.TB, edit ...func(*handlers.Deps)) *server {
	tb.Helper()
	return mustRouter(tb, mustDB(tb), edit...)
}

// mustDB returns a fresh database with the demo data and city 901.
func mustDB(tb testing.TB) *sqlx.DB {
	tb.Helper()
	db := dbtest.New(tb)
	ctx := context.Background()
	if err := candidates.SeedDemo(ctx, db, electionDay); err != nil {
		tb.Fatalf("SeedDemo: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO constituencies (id, code, name_fa, name_en, province, kind, population, households, seats)
		VALUES (901, 'test-city-20000', 'شهر آزمون', 'Test city', 'تهران', 'city', 20000, 0, 5)`); err != nil {
		tb.Fatal(err)
	}
	return db
}

// mustRouter returns a router with its own metrics registry over db, for
// requests from 192.0.2.1; edit may change the dependencies first.
func mustRouter(tb testing.TB, db *sqlx.DB, edit ...func(*handlers.Deps)) *server {
	tb.Helper()
	store := &candidates.Store{DB: db}
	d := handlers.Deps{
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		DB:             db,
		Candidates:     candidates.NewService(store, electionDay),
		CandidateStore: store,
		Sessions:       &auth.Sessions{DB: db, Idle: 30 * time.Minute, MaxAge: sessionAge},
		Throttle:       &auth.Throttle{DB: db, MaxAccount: 3, MaxIP: 20, Window: time.Minute},
		SessionMaxAge:  sessionAge,
		MaxBodyBytes:   maxBody,
	}
	for _, e := range edit {
		e(&d)
	}
	h, err := handlers.New(d)
	if err != nil {
		tb.Fatalf("handlers.New: %v", err)
	}
	return &server{h: h, db: db, ip: "192.0.2.1"}
}

// from returns the same router for requests from another address.
func (s *server) from(ip string) *server {
	c := *s
	c.ip = ip
	return &c
}

// do sends one request through the router. hdr holds header name/value pairs; a
// body is sent as application/json unless hdr says otherwise.
func (s *server) do(method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return s.doReq(req)
}

// doReq sends a prepared request, from s.ip.
func (s *server) doReq(req *http.Request) *httptest.ResponseRecorder {
	req.RemoteAddr = s.ip + ":40000"
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func (s *server) mustCount(tb testing.TB) int {
	tb.Helper()
	var n int
	if err := s.db.GetContext(context.Background(), &n, `SELECT count(*) FROM candidates`); err != nil {
		tb.Fatal(err)
	}
	return n
}

func mustStatus(tb testing.TB, rec *httptest.ResponseRecorder, want int) {
	tb.Helper()
	if got := rec.Code; got != want {
		tb.Fatalf("status = %d, want %d; body: %s", got, want, rec.Body.String())
	}
}

// mustBody checks the status and the exact body.
func mustBody(tb testing.TB, rec *httptest.ResponseRecorder, status int, body string) {
	tb.Helper()
	mustStatus(tb, rec, status)
	if got, want := rec.Body.String(), body; got != want {
		tb.Fatalf("body = %s\nwant   %s", got, want)
	}
}

var codeRE = regexp.MustCompile(`^[a-z][a-z_]*$`)

// mustError checks the status, that the body has exactly the error shape
// {"error":{"code","message"[,"fields"]}} and the code, and returns the fields.
func mustError(tb testing.TB, rec *httptest.ResponseRecorder, status int, code string) map[string]string {
	tb.Helper()
	mustStatus(tb, rec, status)
	got, fields := mustErrorShape(tb, rec)
	if got != code {
		tb.Fatalf("error code = %q, want %q: %s", got, code, rec.Body.String())
	}
	return fields
}

// mustErrorShape checks that the body is exactly {"error":{"code","message"
// [,"fields"]}} with a snake_case code and a message, and returns code and fields.
func mustErrorShape(tb testing.TB, rec *httptest.ResponseRecorder) (string, map[string]string) {
	tb.Helper()
	if got, want := rec.Header().Get("Content-Type"), "application/json; charset=utf-8"; got != want {
		tb.Fatalf("Content-Type = %q, want %q", got, want)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &top); err != nil {
		tb.Fatalf("error body is not a JSON object: %v: %s", err, rec.Body.String())
	}
	if got, want := slices.Sorted(maps.Keys(top)), []string{"error"}; !slices.Equal(got, want) {
		tb.Fatalf("error body keys = %q, want %q: %s", got, want, rec.Body.String())
	}
	var detail map[string]json.RawMessage
	if err := json.Unmarshal(top["error"], &detail); err != nil {
		tb.Fatalf("error is not an object: %s", rec.Body.String())
	}
	for k := range detail {
		if k != "code" && k != "message" && k != "fields" {
			tb.Fatalf("error has unexpected key %q: %s", k, rec.Body.String())
		}
	}
	var e struct {
		Code    *string           `json:"code"`
		Message *string           `json:"message"`
		Fields  map[string]string `json:"fields"`
	}
	if err := json.Unmarshal(top["error"], &e); err != nil {
		tb.Fatalf("error detail: %v: %s", err, rec.Body.String())
	}
	if e.Code == nil || !codeRE.MatchString(*e.Code) {
		tb.Fatalf("error code missing or not snake_case: %s", rec.Body.String())
	}
	if e.Message == nil || *e.Message == "" {
		tb.Fatalf("error message missing: %s", rec.Body.String())
	}
	if _, ok := detail["fields"]; ok && len(e.Fields) == 0 {
		tb.Fatalf("error has an empty fields object: %s", rec.Body.String())
	}
	return *e.Code, e.Fields
}

// mustLogin logs in and returns the session cookie.
func (s *server) mustLogin(tb testing.TB, nationalID, password string) *http.Cookie {
	tb.Helper()
	rec := s.do("POST", "/api/v1/candidate/login", fmt.Sprintf(`{"national_id":%q,"password":%q}`, nationalID, password))
	mustStatus(tb, rec, http.StatusOK)
	return mustSessionCookie(tb, rec)
}

func mustSessionCookie(tb testing.TB, rec *httptest.ResponseRecorder) *http.Cookie {
	tb.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == cookieName {
			return c
		}
	}
	tb.Fatalf("no %s cookie in %q", cookieName, rec.Header().Values("Set-Cookie"))
	return nil
}

func withCookie(c *http.Cookie) []string {
	return []string{"Cookie", c.Name + "=" + c.Value}
}

// withCheckDigit completes nine digits into a valid national ID.
func withCheckDigit(nine string) string {
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

// registration is a registration body as a client sends it.
type registration map[string]any

// validBody returns the body of a valid registration of an eligible woman in
// Tehran with national ID id.
func validBody(id string) registration {
	return registration{
		"national_id":     id,
		"first_name":      "مریم",
		"last_name":       "احمدی",
		"father_name":     "علی",
		"birth_date":      "1985-04-12",
		"gender":          "female",
		"mobile":          "09121112233",
		"education":       "bachelor",
		"constituency_id": 1,
		"password":        "a long enough secret",
	}
}

func (r registration) with(kv ...any) registration {
	out := registration{}
	for k, v := range r {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func (r registration) without(keys ...string) registration {
	out := r.with()
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func (r registration) String() string {
	b, err := json.Marshal(map[string]any(r))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// throttleWith replaces the login limits: maxAccount failures per account and
// maxIP per address within a minute.
func throttleWith(d *handlers.Deps, maxAccount, maxIP int) *auth.Throttle {
	return &auth.Throttle{DB: d.DB.(*sqlx.DB), MaxAccount: maxAccount, MaxIP: maxIP, Window: time.Minute}
}
