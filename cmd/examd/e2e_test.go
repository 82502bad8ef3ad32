package main

// End-to-end tests: the binary's run function with real configuration, a real
// database and a real listener on port 0.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/migrations"
)

// e2eNationalID is a valid national ID that no demo candidate has.
const e2eNationalID = "0300000006"

const e2eRegistration = `{"national_id":"` + e2eNationalID + `","first_name":"سارا","last_name":"رضایی",` +
	`"father_name":"محمود","birth_date":"1988-09-23","gender":"female","mobile":"+98 912 765 4321",` +
	`"education":"master","constituency_id":1,"password":"a long enough secret"}`

// mustDo sends one request and returns the status and body.
func mustDo(tb testing.TB, client *http.Client, method, url, body string) (int, string) {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	base := mustStartServer(t)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}

	if code, body := mustDo(t, client, "GET", base+"/healthz", ""); code != 200 || body != `{"status":"ok"}` {
		t.Fatalf("healthz = %d %s", code, body)
	}
	code, body := mustDo(t, client, "GET", base+"/api/v1/constituencies", "")
	if code != 200 || !strings.Contains(body, `{"id":1,"name_fa":"تهران","name_en":"Tehran","province":"تهران","kind":"city","population":8693706,"households":0`) {
		t.Fatalf("constituencies = %d %.300s", code, body)
	}

	code, body = mustDo(t, client, "POST", base+"/api/v1/candidates", e2eRegistration)
	created := regexp.MustCompile(`^\{"id":"[0-9a-f-]{36}","national_id":"` + e2eNationalID + `","eligible":true,"ineligibility_reasons":\[\]\}$`)
	if code != http.StatusCreated || !created.MatchString(body) {
		t.Fatalf("register = %d %s", code, body)
	}
	var reg struct{ ID string }
	if err := json.Unmarshal([]byte(body), &reg); err != nil {
		t.Fatal(err)
	}
	if code, body := mustDo(t, client, "POST", base+"/api/v1/candidates", e2eRegistration); code != http.StatusConflict ||
		body != `{"error":{"code":"already_registered","message":"this national ID is already registered"}}` {
		t.Fatalf("second register = %d %s", code, body)
	}

	code, body = mustDo(t, client, "POST", base+"/api/v1/candidate/login", `{"national_id":"`+e2eNationalID+`","password":"a long enough secret"}`)
	if code != http.StatusOK {
		t.Fatalf("login = %d %s", code, body)
	}
	cookies := jar.Cookies(mustURL(t, base))
	if len(cookies) != 1 || cookies[0].Name != "examd_session" {
		t.Fatalf("cookies after login = %v, want one examd_session", cookies)
	}

	code, body = mustDo(t, client, "GET", base+"/api/v1/candidate/me", "")
	if code != http.StatusOK {
		t.Fatalf("me = %d %s", code, body)
	}
	var me struct {
		ID        string   `json:"id"`
		FirstName string   `json:"first_name"`
		Mobile    string   `json:"mobile"`
		Eligible  bool     `json:"eligible"`
		Reasons   []string `json:"ineligibility_reasons"`
	}
	if err := json.Unmarshal([]byte(body), &me); err != nil {
		t.Fatal(err)
	}
	if me.ID != reg.ID || me.FirstName != "سارا" || me.Mobile != "09127654321" || !me.Eligible || me.Reasons == nil || len(me.Reasons) != 0 {
		t.Fatalf("me = %s (registered id %s)", body, reg.ID)
	}
	if !strings.Contains(body, `"national_id":"`+e2eNationalID+`"`) {
		t.Fatalf("me lacks the national ID: %s", body)
	}

	if code, body := mustDo(t, client, "POST", base+"/api/v1/logout", ""); code != http.StatusNoContent || body != "" {
		t.Fatalf("logout = %d %q", code, body)
	}
	if code, body := mustDo(t, client, "GET", base+"/api/v1/candidate/me", ""); code != http.StatusUnauthorized ||
		body != `{"error":{"code":"unauthenticated","message":"please log in"}}` {
		t.Fatalf("me after logout = %d %s", code, body)
	}

	_, metrics := mustDo(t, client, "GET", base+"/metrics", "")
	for _, want := range []string{
		`examd_http_requests_total{method="POST",route="/api/v1/candidates",status="201"} 1`,
		`examd_http_requests_total{method="POST",route="/api/v1/candidates",status="409"} 1`,
		`examd_http_requests_total{method="GET",route="/api/v1/candidate/me",status="401"} 1`,
		`go_sql_max_open_connections{db_name="examd"} 40`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func mustURL(tb testing.TB, base string) *url.URL {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// mustEmptyDatabase creates a database without any migration and returns its URL;
// it is dropped when the test ends.
func mustEmptyDatabase(tb testing.TB) string {
	tb.Helper()
	admin := dbtest.AdminURL(tb)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := "examtest_empty_" + hex.EncodeToString(b[:])
	db, err := sqlx.Connect("postgres", admin)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db, err := sqlx.Connect("postgres", admin)
		if err != nil {
			tb.Logf("drop %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			tb.Logf("drop %s: %v", name, err)
		}
	})
	u, err := dbtest.WithDatabase(admin, name)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// serving is a `serve` started by mustServe.
type serving struct {
	base   string
	cancel context.CancelFunc
	done   chan error
	logs   *lineWriter
}

// mustServe runs `examd serve args…` in the background until the server prints
// its URL and answers /readyz; stop it with stop.
func mustServe(tb testing.TB, getenv func(string) string, args ...string) *serving {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{cancel: cancel, done: make(chan error, 1), logs: &lineWriter{}}
	out := &lineWriter{}
	go func() { s.done <- run(ctx, append([]string{"serve"}, args...), getenv, out, s.logs) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(out.String()); m != nil {
			if resp, err := http.Get(m[1] + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					s.base = m[1]
					return s
				}
			}
		}
		select {
		case err := <-s.done:
			tb.Fatalf("serve stopped early: %v\nlogs: %s", err, s.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tb.Fatalf("server not ready in time; output: %s logs: %s", out.String(), s.logs.String())
	return nil
}

// stop cancels serve's context and returns what run returned.
func (s *serving) stop(tb testing.TB) error {
	tb.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		tb.Fatalf("serve did not return within 30s of cancel")
		return nil
	}
}

func TestServeRefusesStaleSchema(t *testing.T) {
	t.Parallel()
	getenv := testEnv(map[string]string{"DATABASE_URL": mustEmptyDatabase(t), "LOG_LEVEL": "error"})
	ctx := context.Background()

	var out strings.Builder
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, getenv, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "out of date") || !strings.Contains(err.Error(), "--migrate") {
		t.Fatalf("serve on an empty database = %v, want an error saying the schema is out of date", err)
	}
	if strings.Contains(out.String(), "serving on") {
		t.Fatalf("serve printed %q before refusing", out.String())
	}
	if err := run(ctx, []string{"seed-demo"}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "out of date") {
		t.Fatalf("seed-demo on an empty database = %v, want an out-of-date error", err)
	}

	s := mustServe(t, getenv, "--addr", "127.0.0.1:0", "--migrate")
	if code, body := mustDo(t, http.DefaultClient, "GET", s.base+"/api/v1/constituencies", ""); code != 200 || body != "[]" {
		t.Fatalf("constituencies on the migrated, unseeded database = %d %s, want 200 []", code, body)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve after cancel returned %v, want nil", err)
	}
	// Migrated now: serve starts without --migrate.
	s = mustServe(t, getenv, "--addr", "127.0.0.1:0")
	if err := s.stop(t); err != nil {
		t.Fatalf("second serve after cancel returned %v, want nil", err)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want []string // each must appear in the error
	}{
		{"three at once", map[string]string{"EXAMD_ADDR": "nonsense", "SESSION_IDLE_TIMEOUT": "-5m", "ELECTION_DATE": "tomorrow"},
			[]string{"EXAMD_ADDR", "nonsense", "SESSION_IDLE_TIMEOUT", "-5m", "ELECTION_DATE", "tomorrow"}},
		{"bad port", map[string]string{"EXAMD_ADDR": "127.0.0.1:99999"}, []string{"EXAMD_ADDR"}},
		{"dev flag", map[string]string{"EXAMD_DEV": "maybe"}, []string{"EXAMD_DEV", "maybe"}},
		{"zero failures", map[string]string{"LOGIN_MAX_FAILURES_ACCOUNT": "0"}, []string{"LOGIN_MAX_FAILURES_ACCOUNT"}},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL", "loud"}},
		{"database URL", map[string]string{"DATABASE_URL": "nonsense"}, []string{"DATABASE_URL"}},
		{"idle longer than max age", map[string]string{"SESSION_IDLE_TIMEOUT": "2h", "SESSION_MAX_AGE": "1h"},
			[]string{"SESSION_IDLE_TIMEOUT", "SESSION_MAX_AGE"}},
		{"election date format", map[string]string{"ELECTION_DATE": "1400-03-28x"}, []string{"ELECTION_DATE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every command reads the configuration first; none touches a database.
			for _, cmd := range [][]string{{"serve"}, {"migrate", "status"}, {"seed-demo"}} {
				err := run(context.Background(), cmd, testEnv(tt.env), io.Discard, io.Discard)
				if err == nil {
					t.Fatalf("%v with %v = nil, want a configuration error", cmd, tt.env)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Fatalf("%v: error %q does not mention %q", cmd, err, w)
					}
				}
			}
		})
	}
	// The three-at-once error names them one per line.
	err := run(context.Background(), []string{"serve"}, testEnv(tests[0].env), io.Discard, io.Discard)
	if got, want := strings.Count(err.Error(), "\n"), 3; got != want {
		t.Fatalf("error %q has %d lines after the first, want %d", err, got, want)
	}
}

func TestCommandErrors(t *testing.T) {
	t.Parallel()
	env := testEnv(map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?sslmode=disable"})
	var stderr strings.Builder
	if err := run(context.Background(), nil, env, io.Discard, &stderr); err == nil || !strings.Contains(stderr.String(), "usage: examd") {
		t.Fatalf("no command: err %v, stderr %q; want an error and the usage", err, stderr.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, env, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("unknown command = %v, want an error naming it", err)
	}
	var stdout strings.Builder
	if err := run(context.Background(), []string{"help"}, env, &stdout, io.Discard); err != nil || !strings.Contains(stdout.String(), "serve [--addr HOST:PORT]") {
		t.Fatalf("help = %v, %q", err, stdout.String())
	}
	if err := run(context.Background(), []string{"migrate", "sideways"}, env, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "sideways") {
		t.Fatalf("migrate sideways = %v, want an error naming it", err)
	}
	if err := run(context.Background(), []string{"serve", "--addr", "nonsense"}, env, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("serve --addr nonsense = %v, want an --addr error", err)
	}
	if err := run(context.Background(), []string{"serve", "--bogus"}, env, io.Discard, io.Discard); err == nil {
		t.Fatalf("serve --bogus = nil, want a flag error")
	}
}

// migrationFiles lists the embedded migrations, sorted.
func migrationFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		tb.Fatalf("embedded migrations: %v %v", files, err)
	}
	return files
}

var statusLine = regexp.MustCompile(`^(\d{5})  (\S+)\s+(applied \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|pending)$`)

// mustStatusLines runs `migrate status` and checks one line per migration, in
// order, each in state want ("applied" or "pending").
func mustStatusLines(tb testing.TB, getenv func(string) string, want string) {
	tb.Helper()
	var out strings.Builder
	if err := run(context.Background(), []string{"migrate", "status"}, getenv, &out, io.Discard); err != nil {
		tb.Fatalf("migrate status: %v", err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	files := migrationFiles(tb)
	if len(lines) != len(files) {
		tb.Fatalf("migrate status printed %d lines for %d migrations:\n%s", len(lines), len(files), out.String())
	}
	for i, line := range lines {
		m := statusLine.FindStringSubmatch(line)
		if m == nil {
			tb.Fatalf("status line %q is not VERSION  NAME  STATE", line)
		}
		if got, want := m[1], files[i][:5]; got != want {
			tb.Errorf("line %d version %s, want %s", i, got, want)
		}
		if got, want := m[2], files[i]; got != want {
			tb.Errorf("line %d name %s, want %s", i, got, want)
		}
		if !strings.HasPrefix(m[3], want) {
			tb.Errorf("line %q: want %s", line, want)
		}
	}
	if !strings.HasPrefix(lines[0], "00001  00001_candidates.sql") {
		tb.Errorf("first line %q, want 00001  00001_candidates.sql …", lines[0])
	}
}

func TestMigrateStatus(t *testing.T) {
	t.Parallel()
	// A database made by dbtest has every migration applied.
	mustStatusLines(t, testEnv(map[string]string{"DATABASE_URL": dbtest.NewURL(t)}), "applied")

	// An empty one has all pending until migrate up.
	getenv := testEnv(map[string]string{"DATABASE_URL": mustEmptyDatabase(t)})
	mustStatusLines(t, getenv, "pending")
	for i, want := range []int{len(migrationFiles(t)), 0} {
		var out strings.Builder
		if err := run(context.Background(), []string{"migrate", "up"}, getenv, &out, io.Discard); err != nil {
			t.Fatalf("migrate up #%d: %v", i+1, err)
		}
		if got, wantText := out.String(), fmt.Sprintf("migrations applied: %d\n", want); got != wantText {
			t.Fatalf("migrate up #%d printed %q, want %q", i+1, got, wantText)
		}
	}
	mustStatusLines(t, getenv, "applied")
	// migrate without a subcommand means up.
	var out strings.Builder
	if err := run(context.Background(), []string{"migrate"}, getenv, &out, io.Discard); err != nil || out.String() != "migrations applied: 0\n" {
		t.Fatalf("migrate = %v %q", err, out.String())
	}
}

func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	getenv := testEnv(map[string]string{"DATABASE_URL": dbtest.NewURL(t), "LOG_LEVEL": "error"})
	if err := run(context.Background(), []string{"seed-demo"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatalf("seed-demo: %v", err)
	}
	s := mustServe(t, getenv, "--dev", "--addr", "127.0.0.1:0")
	host := strings.TrimPrefix(s.base, "http://")

	// Start a registration and hold it in the handler: with Expect: 100-continue
	// the server says "100 Continue" only once the handler reads the body, so
	// after that line the request is certainly in flight.
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/v1/candidates HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", host, len(e2eRegistration))
	br := bufio.NewReader(conn)
	cont, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("waiting for 100 Continue: %v", err)
	}
	if got, want := cont.StatusCode, http.StatusContinue; got != want {
		t.Fatalf("first answer %d, want %d", got, want)
	}

	// Shut down while the handler waits for the body.
	s.cancel()
	// Once the listener is closed, new connections are refused…
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the server still accepts connections 10s after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-s.done:
		t.Fatalf("serve returned (%v) before the request in flight was answered", err)
	default:
	}
	// …but the request in flight is finished and answered.
	if _, err := io.WriteString(conn, e2eRegistration); err != nil {
		t.Fatalf("sending the body after shutdown began: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer after shutdown began: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"national_id":"`+e2eNationalID+`","eligible":true`) {
		t.Fatalf("answer during shutdown = %d %s", resp.StatusCode, body)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve returned %v after a graceful shutdown, want nil", err)
	}
	// The registration was stored.
	db, err := sqlx.Connect("postgres", getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM candidates WHERE national_id = $1`, e2eNationalID); err != nil || n != 1 {
		t.Fatalf("stored registrations = %d (%v), want 1", n, err)
	}
}
