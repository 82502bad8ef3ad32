package main

// Two examd instances on one database, behind nothing but two ports: the login
// limits hold across them, and a candidate whose requests alternate between them
// sits a whole exam with every attempt finished once and scored once while both
// sweepers run. Every top-level name in this file and sessions_e2e_test.go starts
// with "in".

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database/dbtest"
)

const (
	inCookie        = "examd_session"
	inDemoNational  = "0499370899"
	inDemoPassword  = "demo-pass-1400"
	inAdminUser     = "admin"
	inAdminPassword = "Tehran-Council-1400"
	inReviewerUser  = "reviewer"
	inReviewerPass  = "Review-Desk-1400"

	inUnauthenticated = `{"error":{"code":"unauthenticated","message":"please log in"}}`
	inBadCandidate    = `{"error":{"code":"invalid_credentials","message":"national ID or password is wrong"}}`
	inBadOfficial     = `{"error":{"code":"invalid_credentials","message":"username or password is wrong"}}`
	inTooMany         = `{"error":{"code":"too_many_attempts","message":"too many failed logins; try again later"}}`
)

// inInstance is one `examd serve` started by run.
type inInstance struct {
	name     string
	base     string
	out      *lineWriter
	logs     *lineWriter
	done     chan error
	cancel   context.CancelFunc
	stopOnce sync.Once
	stopErr  error
}

// inLaunch starts `examd serve --dev` on a free port over env's (existing,
// migrated) database without waiting for it; await waits. The server stops when
// the test ends, and must stop cleanly.
func inLaunch(t *testing.T, name string, env map[string]string) *inInstance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := &inInstance{name: name, out: &lineWriter{}, logs: &lineWriter{}, done: make(chan error, 1), cancel: cancel}
	go func() {
		in.done <- run(ctx, []string{"serve", "--dev", "--addr", "127.0.0.1:0"}, testEnv(env), in.out, in.logs)
	}()
	t.Cleanup(func() {
		if err := in.stop(); err != nil {
			t.Errorf("instance %s: serve returned: %v", name, err)
		}
	})
	return in
}

// stop cancels the server and returns what run returned (once; later calls
// return the same).
func (in *inInstance) stop() error {
	in.stopOnce.Do(func() {
		in.cancel()
		select {
		case in.stopErr = <-in.done:
		case <-time.After(30 * time.Second):
			in.stopErr = fmt.Errorf("did not stop within 30s")
		}
	})
	return in.stopErr
}

// await waits until the instance prints its URL and answers /readyz.
func (in *inInstance) await(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(in.out.String()); m != nil {
			if resp, err := http.Get(m[1] + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					in.base = m[1]
					return
				}
			}
		}
		select {
		case err := <-in.done:
			in.done <- err
			t.Fatalf("instance %s stopped early: %v\nlogs: %s", in.name, err, in.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("instance %s not ready in time; output: %s logs: %s", in.name, in.out.String(), in.logs.String())
}

// inServe starts `serve` on an existing database (env's DATABASE_URL) and waits
// until it is ready.
func inServe(t *testing.T, name string, env map[string]string) *inInstance {
	t.Helper()
	in := inLaunch(t, name, env)
	in.await(t)
	return in
}

// inPair makes a fresh database, seeds it once with run, and starts two
// instances on it at the same moment (so that they also race at start-up, e.g.
// for the receipt key). extra adds environment variables.
func inPair(t *testing.T, extra map[string]string) ([2]*inInstance, map[string]string) {
	t.Helper()
	env := map[string]string{"DATABASE_URL": dbtest.NewURL(t), "LOG_LEVEL": "info"}
	for k, v := range extra {
		env[k] = v
	}
	if err := run(context.Background(), []string{"seed-demo"}, testEnv(env), io.Discard, io.Discard); err != nil {
		t.Fatalf("seed-demo: %v", err)
	}
	pair := [2]*inInstance{inLaunch(t, "A", env), inLaunch(t, "B", env)}
	pair[0].await(t)
	pair[1].await(t)
	return pair, env
}

// inOpenDB opens the database of env for the test's own checks.
func inOpenDB(t *testing.T, env map[string]string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Connect("postgres", env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// inResp is one answer.
type inResp struct {
	status int
	body   string
	header http.Header
	cookie *http.Cookie // the examd_session cookie it set, if any
}

var inClient = &http.Client{Timeout: 30 * time.Second}

// inSend sends one request with the session token (if any) as the cookie; a body
// goes as JSON.
func inSend(method, url, token, body string) (inResp, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return inResp{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: inCookie, Value: token})
	}
	resp, err := inClient.Do(req)
	if err != nil {
		return inResp{}, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return inResp{}, fmt.Errorf("%s %s: %w", method, url, err)
	}
	out := inResp{status: resp.StatusCode, body: string(b), header: resp.Header}
	for _, c := range resp.Cookies() {
		if c.Name == inCookie {
			out.cookie = c
		}
	}
	return out, nil
}

func inDo(t testing.TB, method, url, token, body string) inResp {
	t.Helper()
	r, err := inSend(method, url, token, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// inMust sends a request and fails the test unless the status is want.
func inMust(t testing.TB, want int, method, url, token, body string) inResp {
	t.Helper()
	r := inDo(t, method, url, token, body)
	if r.status != want {
		t.Fatalf("%s %s = %d %s, want %d", method, url, r.status, inTrim(r.body), want)
	}
	return r
}

func inTrim(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

func inCandidateLogin(nationalID, password string) string {
	b, _ := json.Marshal(map[string]string{"national_id": nationalID, "password": password})
	return string(b)
}

func inOfficialLogin(username, password string) string {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return string(b)
}

// inLogin logs in at base (path is the candidate's or the official's login) with
// an optional planted cookie and returns the new session token.
func inLogin(t testing.TB, base, path, body, planted string) string {
	t.Helper()
	r := inMust(t, 200, "POST", base+path, planted, body)
	if r.cookie == nil || r.cookie.Value == "" {
		t.Fatalf("POST %s set no session cookie: %v", path, r.header.Values("Set-Cookie"))
	}
	return r.cookie.Value
}

func inLoginCandidate(t testing.TB, base, nationalID, password string) string {
	t.Helper()
	return inLogin(t, base, "/api/v1/candidate/login", inCandidateLogin(nationalID, password), "")
}

func inLoginOfficial(t testing.TB, base, username, password string) string {
	t.Helper()
	return inLogin(t, base, "/api/v1/official/login", inOfficialLogin(username, password), "")
}

// inNationalID returns a valid national ID made from n; none is a demo one.
func inNationalID(n int) string {
	nine := fmt.Sprintf("4%08d", n)
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(nine[i]-'0') * (10 - i)
	}
	r := sum % 11
	if r >= 2 {
		r = 11 - r
	}
	return nine + strconv.Itoa(r)
}

const inPassword = "a long enough secret"

// inRegister registers an eligible candidate through base and returns their id.
func inRegister(t testing.TB, base, nationalID string) string {
	t.Helper()
	body := `{"national_id":"` + nationalID + `","first_name":"سارا","last_name":"رضایی","father_name":"محمود",` +
		`"birth_date":"1988-09-23","gender":"female","mobile":"09127654321","education":"master","constituency_id":1,` +
		`"password":"` + inPassword + `"}`
	r := inMust(t, 201, "POST", base+"/api/v1/candidates", "", body)
	var reg struct {
		ID       string `json:"id"`
		Eligible bool   `json:"eligible"`
	}
	if err := json.Unmarshal([]byte(r.body), &reg); err != nil || !reg.Eligible {
		t.Fatalf("register %s = %s, want eligible", nationalID, r.body)
	}
	return reg.ID
}

// inTokenHash is how the server stores a token.
func inTokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// --- login brute force across two instances ---

// inRetryAfter checks a 429 with the exact body and a Retry-After of 1 s to the
// window.
func inRetryAfter(t *testing.T, what string, r inResp, window time.Duration) {
	t.Helper()
	if r.status != 429 || r.body != inTooMany {
		t.Fatalf("%s = %d %s, want 429 %s", what, r.status, r.body, inTooMany)
	}
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > int(window/time.Second) {
		t.Fatalf("%s: Retry-After = %q, want whole seconds in 1..%d", what, r.header.Get("Retry-After"), int(window/time.Second))
	}
	if r.cookie != nil {
		t.Fatalf("%s set a session cookie", what)
	}
}

func TestInstancesLoginLimitPerAccount(t *testing.T) {
	t.Parallel()
	pair, _ := inPair(t, map[string]string{"LOGIN_MAX_FAILURES_ACCOUNT": "5", "LOGIN_MAX_FAILURES_IP": "100", "LOG_LEVEL": "warn"})
	const window = 15 * time.Minute
	accounts := []struct {
		name, path, good, bad, invalidBody string
	}{
		{"known candidate", "/api/v1/candidate/login", inCandidateLogin(inDemoNational, inDemoPassword),
			inCandidateLogin(inDemoNational, "not the password"), inBadCandidate},
		{"unknown candidate", "/api/v1/candidate/login", inCandidateLogin(inNationalID(1), inPassword),
			inCandidateLogin(inNationalID(1), "not the password"), inBadCandidate},
		{"known official", "/api/v1/official/login", inOfficialLogin(inReviewerUser, inReviewerPass),
			inOfficialLogin(inReviewerUser, "not the password"), inBadOfficial},
		{"unknown official", "/api/v1/official/login", inOfficialLogin("nobody.here", "whatever-password"),
			inOfficialLogin("nobody.here", "not the password"), inBadOfficial},
	}
	for _, a := range accounts {
		// Five wrong passwords, alternating A, B, A, B, A: each refused as such.
		for i := 0; i < 5; i++ {
			in := pair[i%2]
			r := inDo(t, "POST", in.base+a.path, "", a.bad)
			if r.status != 401 || r.body != a.invalidBody || r.header.Get("Retry-After") != "" {
				t.Fatalf("%s: wrong password #%d on %s = %d %s (Retry-After %q), want 401 %s", a.name, i+1, in.name, r.status, r.body,
					r.header.Get("Retry-After"), a.invalidBody)
			}
		}
		// The sixth try is refused on either instance, whatever the password.
		inRetryAfter(t, a.name+": 6th try (wrong) on B", inDo(t, "POST", pair[1].base+a.path, "", a.bad), window)
		inRetryAfter(t, a.name+": 7th try (wrong) on A", inDo(t, "POST", pair[0].base+a.path, "", a.bad), window)
		inRetryAfter(t, a.name+": right password on A", inDo(t, "POST", pair[0].base+a.path, "", a.good), window)
		inRetryAfter(t, a.name+": right password on B", inDo(t, "POST", pair[1].base+a.path, "", a.good), window)
	}
	// Other accounts from the same address are not affected.
	inLoginOfficial(t, pair[1].base, inAdminUser, inAdminPassword)
}

func TestInstancesLoginLimitPerIP(t *testing.T) {
	t.Parallel()
	pair, _ := inPair(t, map[string]string{"LOGIN_MAX_FAILURES_ACCOUNT": "5", "LOGIN_MAX_FAILURES_IP": "8", "LOG_LEVEL": "warn"})
	// Eight failures from 127.0.0.1 over seven accounts (none near its own limit),
	// candidates and officials, alternating instances; a success in between does
	// not wash the address's failures away.
	tries := []struct{ path, body, want string }{
		{"/api/v1/candidate/login", inCandidateLogin(inNationalID(11), "wrong password 1"), inBadCandidate},
		{"/api/v1/official/login", inOfficialLogin(inAdminUser, "wrong password 2"), inBadOfficial},
		{"/api/v1/candidate/login", inCandidateLogin(inDemoNational, "wrong password 3"), inBadCandidate},
		{"/api/v1/official/login", inOfficialLogin("nobody.one", "wrong password 4"), inBadOfficial},
		{"/api/v1/candidate/login", inCandidateLogin(inNationalID(12), "wrong password 5"), inBadCandidate},
		{"/api/v1/candidate/login", inCandidateLogin(inNationalID(13), "wrong password 6"), inBadCandidate},
		{"/api/v1/official/login", inOfficialLogin("nobody.two", "wrong password 7"), inBadOfficial},
	}
	for i, tr := range tries {
		in := pair[i%2]
		if r := inDo(t, "POST", in.base+tr.path, "", tr.body); r.status != 401 || r.body != tr.want {
			t.Fatalf("failure #%d on %s = %d %s, want 401 %s", i+1, in.name, r.status, r.body, tr.want)
		}
	}
	inLoginOfficial(t, pair[1].base, inReviewerUser, inReviewerPass) // a success: 7 failures stay
	if r := inDo(t, "POST", pair[0].base+"/api/v1/candidate/login", "", inCandidateLogin(inDemoNational, "wrong password 8")); r.status != 401 {
		t.Fatalf("failure #8 = %d %s, want 401", r.status, r.body)
	}
	// Ninth try from the address: refused on both instances, for accounts that
	// never failed, with the right password too.
	inRetryAfter(t, "right candidate password on B", inDo(t, "POST", pair[1].base+"/api/v1/candidate/login", "",
		inCandidateLogin(inDemoNational, inDemoPassword)), 15*time.Minute)
	inRetryAfter(t, "right admin password on A", inDo(t, "POST", pair[0].base+"/api/v1/official/login", "",
		inOfficialLogin(inAdminUser, inAdminPassword)), 15*time.Minute)
	inRetryAfter(t, "fresh unknown account on B", inDo(t, "POST", pair[1].base+"/api/v1/candidate/login", "",
		inCandidateLogin(inNationalID(14), "wrong password 9")), 15*time.Minute)
}

// TestInstancesLoginLimitConcurrent: the per-account limit must also hold when
// the guesses arrive at the same moment on both instances, not only one after
// the other: of 24 simultaneous wrong passwords at most 5 may be checked (401);
// the rest are 429.
func TestInstancesLoginLimitConcurrent(t *testing.T) {
	t.Parallel()
	pair, _ := inPair(t, map[string]string{"LOGIN_MAX_FAILURES_ACCOUNT": "5", "LOGIN_MAX_FAILURES_IP": "1000", "LOG_LEVEL": "warn"})
	const n = 24
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		errs     []error
	)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r, err := inSend("POST", pair[i%2].base+"/api/v1/candidate/login", "", inCandidateLogin(inDemoNational, fmt.Sprintf("guess number %d", i)))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			statuses[r.status]++
		}(i)
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	if statuses[401] > 5 || statuses[401]+statuses[429] != n {
		t.Fatalf("%d simultaneous wrong passwords over two instances: %v (status → count); want at most 5 checked (401), the rest 429",
			n, statuses)
	}
}

// TestInstancesLoginErrorSameForUnknownAccount: a wrong password and an account
// that does not exist (or cannot log in) get byte-for-byte the same answer, on
// either instance. Timing is not asserted.
func TestInstancesLoginErrorSameForUnknownAccount(t *testing.T) {
	t.Parallel()
	pair, env := inPair(t, map[string]string{"LOG_LEVEL": "warn"})
	if err := run(context.Background(), []string{"official", "create", "--username", "in.gone", "--password", "a long enough secret", "--role", "reviewer"},
		testEnv(env), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"official", "disable", "--username", "in.gone"}, testEnv(env), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		status                     int
		body, ctype, retry, cookie string
	}
	get := func(in *inInstance, path, body string) answer {
		r := inDo(t, "POST", in.base+path, "", body)
		a := answer{status: r.status, body: r.body, ctype: r.header.Get("Content-Type"), retry: r.header.Get("Retry-After")}
		if r.cookie != nil {
			a.cookie = r.cookie.String()
		}
		return a
	}
	groups := []struct {
		name, path string
		want       answer
		bodies     map[string]string
	}{
		{"candidate", "/api/v1/candidate/login", answer{status: 401, body: inBadCandidate, ctype: "application/json; charset=utf-8"}, map[string]string{
			"wrong password":                inCandidateLogin(inDemoNational, "not the password"),
			"unknown national ID":           inCandidateLogin(inNationalID(21), "not the password"),
			"unknown ID in Persian digits":  inCandidateLogin("۴۰۰۰۰۰۰۲۱"+inNationalID(21)[9:], "not the password"),
			"ID failing its check digit":    inCandidateLogin("0499370898", "not the password"),
			"ID of the wrong length":        inCandidateLogin("12345", "not the password"),
			"known ID, right password case": inCandidateLogin(inDemoNational, strings.ToUpper(inDemoPassword)),
		}},
		{"official", "/api/v1/official/login", answer{status: 401, body: inBadOfficial, ctype: "application/json; charset=utf-8"}, map[string]string{
			"wrong password":                    inOfficialLogin(inAdminUser, "not the password"),
			"unknown username":                  inOfficialLogin("nobody.here", "not the password"),
			"disabled official, right password": inOfficialLogin("in.gone", "a long enough secret"),
			"disabled official, wrong password": inOfficialLogin("in.gone", "not the password"),
			"username of a candidate":           inOfficialLogin(inDemoNational, inDemoPassword),
		}},
	}
	for _, g := range groups {
		i := 0
		for name, body := range g.bodies {
			in := pair[i%2]
			i++
			if got := get(in, g.path, body); got != g.want {
				t.Errorf("%s login, %s, on %s = %+v\nwant the same as every other failure: %+v", g.name, name, in.name, got, g.want)
			}
		}
	}
}

// --- a whole exam over two instances ---

// inView is an attempt as the candidate's browser reads it.
type inView struct {
	AttemptID    string     `json:"attempt_id"`
	State        string     `json:"state"`
	ServerNow    time.Time  `json:"server_now"`
	DeadlineAt   time.Time  `json:"deadline_at"`
	GraceSeconds int        `json:"grace_seconds"`
	FinishReason *string    `json:"finish_reason"`
	SubmittedAt  *time.Time `json:"submitted_at"`
	Receipt      *string    `json:"receipt"`
	Questions    []struct {
		ID      string `json:"id"`
		Section string `json:"section"`
		Options []struct {
			Key string `json:"key"`
		} `json:"options"`
	} `json:"questions"`
	Answers map[string]inAnswer `json:"answers"`
}

// inAnswer is one saved answer.
type inAnswer struct {
	Choice  *string `json:"choice" db:"choice"`
	Flagged bool    `json:"flagged" db:"flagged"`
	Seq     int64   `json:"seq" db:"seq"`
}

func (a inAnswer) String() string {
	c := "null"
	if a.Choice != nil {
		c = *a.Choice
	}
	return fmt.Sprintf("{%s flagged=%v seq=%d}", c, a.Flagged, a.Seq)
}

// order is the questions and their options in the order shown.
func (v inView) order() string {
	var sb strings.Builder
	for _, q := range v.Questions {
		sb.WriteString(q.ID + ":")
		for _, o := range q.Options {
			sb.WriteString(o.Key)
		}
		sb.WriteString(" ")
	}
	return sb.String()
}

// inGoroutineT is the test as seen from a goroutine of its own: failures are
// reported on the test (Errorf is safe from any goroutine) and Fatal ends only
// that goroutine.
type inGoroutineT struct {
	testing.TB
	prefix string
}

func (g *inGoroutineT) Helper() {}

func (g *inGoroutineT) Errorf(format string, args ...any) {
	g.TB.Errorf("%s%s (at %s)", g.prefix, fmt.Sprintf(format, args...), inCallers())
}

// inCallers names the test lines that led here, innermost first.
func inCallers() string {
	pc := make([]uintptr, 16)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	var at []string
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.File, "_test.go") && !strings.Contains(f.Function, "inGoroutineT") {
			at = append(at, fmt.Sprintf("%s:%d", f.File[strings.LastIndex(f.File, "/")+1:], f.Line))
		}
		if !more || len(at) == 4 {
			return strings.Join(at, " < ")
		}
	}
}

func (g *inGoroutineT) Fatalf(format string, args ...any) {
	g.Errorf(format, args...)
	runtime.Goexit()
}

func (g *inGoroutineT) Fatal(args ...any) {
	g.Errorf("%s", fmt.Sprint(args...))
	runtime.Goexit()
}

// inSitter is one candidate sitting one attempt: every request goes to the other
// instance than the one before, starting with A.
type inSitter struct {
	t      testing.TB
	pair   [2]*inInstance
	token  string
	n      int
	first  inView
	id     string
	acked  map[string]inAnswer // per question, the acknowledged save with the highest seq
	traces []string
	// offset is the least (local receive time − server_now) seen: local time
	// minus it is a slightly late estimate of the server's clock.
	offset time.Duration
	synced bool
}

func (s *inSitter) next() *inInstance {
	in := s.pair[s.n%2]
	s.n++
	return in
}

func (s *inSitter) do(want int, method, path, body string) inResp {
	s.t.Helper()
	in := s.next()
	s.traces = append(s.traces, method+" "+path+" → "+in.name)
	r := inMust(s.t, want, method, in.base+path, s.token, body)
	got := time.Now()
	var clock struct {
		ServerNow time.Time `json:"server_now"`
	}
	if json.Unmarshal([]byte(r.body), &clock) == nil && !clock.ServerNow.IsZero() {
		if d := got.Sub(clock.ServerNow); !s.synced || d < s.offset {
			s.offset, s.synced = d, true
		}
	}
	return r
}

// sleepUntil sleeps until the server's clock shows at (or a little later).
func (s *inSitter) sleepUntil(at time.Time) {
	if !s.synced {
		s.t.Fatal("no server_now seen yet")
	}
	time.Sleep(time.Until(at.Add(s.offset)))
}

func (s *inSitter) view(r inResp) inView {
	s.t.Helper()
	var v inView
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		s.t.Fatalf("attempt view %s: %v", inTrim(r.body), err)
	}
	return v
}

// start starts the attempt (201).
func (s *inSitter) start(examID string) {
	s.t.Helper()
	s.first = s.view(s.do(201, "POST", "/api/v1/exams/"+examID+"/attempts", ""))
	s.id = s.first.AttemptID
	s.acked = map[string]inAnswer{}
	if len(s.first.Questions) == 0 || len(s.first.Answers) != 0 {
		s.t.Fatalf("started attempt: %d questions, %d answers", len(s.first.Questions), len(s.first.Answers))
	}
}

// save saves choice (an option index, or -1 for none) of question qi with seq
// and, when 200, records it as acknowledged.
func (s *inSitter) save(qi, choice int, flagged bool, seq int64) {
	s.t.Helper()
	q := s.first.Questions[qi]
	var c *string
	if choice >= 0 {
		c = &q.Options[choice].Key
	}
	b, _ := json.Marshal(map[string]any{"choice": c, "flagged": flagged, "seq": seq})
	s.do(200, "PUT", "/api/v1/attempts/"+s.id+"/answers/"+q.ID, string(b))
	if old, ok := s.acked[q.ID]; !ok || seq > old.Seq {
		s.acked[q.ID] = inAnswer{Choice: c, Flagged: flagged, Seq: seq}
	}
}

// check compares a view with what was started and acknowledged.
func (s *inSitter) check(v inView, state string) {
	s.t.Helper()
	if v.AttemptID != s.id || v.State != state {
		s.t.Fatalf("attempt %s state %q, want %s %q", v.AttemptID, v.State, s.id, state)
	}
	if got, want := v.order(), s.first.order(); got != want {
		s.t.Fatalf("questions after %v:\n%s\nwant as started:\n%s", s.traces, got, want)
	}
	if got, want := fmt.Sprint(v.Answers), fmt.Sprint(s.acked); got != want {
		s.t.Fatalf("answers after %v:\n%s\nwant the acknowledged saves:\n%s", s.traces, got, want)
	}
}

func (s *inSitter) get(state string) inView {
	s.t.Helper()
	v := s.view(s.do(200, "GET", "/api/v1/attempts/"+s.id, ""))
	s.check(v, state)
	return v
}

func (s *inSitter) submit() inView {
	s.t.Helper()
	v := s.view(s.do(200, "POST", "/api/v1/attempts/"+s.id+"/submit", ""))
	s.check(v, "submitted")
	if v.Receipt == nil || v.FinishReason == nil || v.SubmittedAt == nil {
		s.t.Fatalf("submit answered no receipt, reason or time: %+v", v)
	}
	return v
}

// inExam creates and publishes an exam over the API: created on one instance,
// published on the other.
func inExam(t *testing.T, pair [2]*inInstance, admin, title string, duration, grace, draw int) string {
	t.Helper()
	now := time.Now().UTC()
	body, _ := json.Marshal(map[string]any{
		"title":             title,
		"sections":          []map[string]any{{"key": "councils_law", "title": "قانون شوراها", "draw": draw, "min_percent": 0}},
		"duration_seconds":  duration,
		"opens_at":          now.Add(-time.Minute).Format(time.RFC3339),
		"closes_at":         now.Add(time.Hour).Format(time.RFC3339),
		"grace_seconds":     grace,
		"shuffle_questions": true,
		"shuffle_options":   true,
		"points_correct":    1,
		"pass_percent":      50,
		"max_attempts":      1,
	})
	r := inMust(t, 201, "POST", pair[0].base+"/api/v1/official/exams", admin, string(body))
	var ex struct{ ID string }
	if err := json.Unmarshal([]byte(r.body), &ex); err != nil {
		t.Fatal(err)
	}
	inMust(t, 200, "POST", pair[1].base+"/api/v1/official/exams/"+ex.ID+"/publish", admin, "")
	return ex.ID
}

var inSweptRE = regexp.MustCompile(`"msg":"finished expired attempts","count":(\d+)`)

// swept is how many attempts this instance's sweeper logged as finished.
func (in *inInstance) swept() int {
	n := 0
	for _, m := range inSweptRE.FindAllStringSubmatch(in.logs.String(), -1) {
		k, _ := strconv.Atoi(m[1])
		n += k
	}
	return n
}

// inWaitFinished polls the database (never the API, which would finish the
// attempt itself) until the attempt is finished.
func inWaitFinished(t testing.TB, db *sqlx.DB, attemptID string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var finished bool
		if err := db.Get(&finished, `SELECT finish_reason IS NOT NULL FROM attempts WHERE id = $1`, attemptID); err != nil {
			t.Fatal(err)
		}
		if finished {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("attempt %s not finished within %s", attemptID, within)
}

func TestInstancesWholeExam(t *testing.T) {
	t.Parallel()
	pair, env := inPair(t, map[string]string{"SWEEP_INTERVAL": "1s"})
	db := inOpenDB(t, env)
	ctx := context.Background()

	// Both instances sign with the one key they raced to create.
	keyA := inMust(t, 200, "GET", pair[0].base+"/api/v1/receipts/key", "", "").body
	if keyB := inMust(t, 200, "GET", pair[1].base+"/api/v1/receipts/key", "", "").body; keyA != keyB {
		t.Fatalf("receipt keys differ: A %s, B %s", keyA, keyB)
	}

	admin := inLoginOfficial(t, pair[0].base, inAdminUser, inAdminPassword)
	// Grace is 2 s so that the save sent 0.25 s into it is taken even when the
	// machine is busy.
	short := inExam(t, pair, admin, "آزمون کوتاه دو نمونه", 4, 2, 3)
	normal := inExam(t, pair, admin, "آزمون عادی دو نمونه", 600, 30, 5)

	// Six candidates, registered and logged in on alternating instances.
	// Kinds: 0 hands the short attempt in; 1 races its timeout from both
	// instances (lazy finishing against both sweepers); 2 leaves it to the
	// sweepers, after one save inside the grace period.
	const (
		kindSubmit = iota
		kindRace
		kindSweep
	)
	const candidates = 6
	type result struct {
		kind          int
		short, normal string
		shortAcked    map[string]inAnswer
		normalAcked   map[string]inAnswer
		shortReceipt  string
		normalReceipt string
	}
	results := make([]*result, candidates)
	tokens := make([]string, candidates)
	for i := range candidates {
		in := pair[i%2]
		nid := inNationalID(100 + i)
		inRegister(t, in.base, nid)
		tokens[i] = inLoginCandidate(t, pair[(i+1)%2].base, nid, inPassword)
		results[i] = &result{kind: i % 3}
	}

	// All candidates at once, each in its own goroutine (not parallel subtests,
	// which -parallel could run in waves and so stretch the short exam's timing).
	var wg sync.WaitGroup
	for i := range candidates {
		wg.Add(1)
		go func(main *testing.T) {
			defer wg.Done()
			t := &inGoroutineT{TB: main, prefix: fmt.Sprintf("candidate %d (kind %d): ", i, i%3)}
			res := results[i]

			// The short exam: start on A, save on B, resume on A, save on B…
			sh := &inSitter{t: t, pair: pair, token: tokens[i]}
			sh.start(short)
			started := sh.first
			sh.save(0, 1, false, 1)
			sh.get("running")
			sh.save(1, 2, true, 2)
			switch res.kind {
			case kindSubmit:
				v := sh.submit() // on A
				if *v.FinishReason != "submitted" {
					t.Fatalf("finish reason %q, want submitted", *v.FinishReason)
				}
				if again := sh.submit(); *again.Receipt != *v.Receipt || !again.SubmittedAt.Equal(*v.SubmittedAt) { // on B
					t.Fatalf("second submit on the other instance changed the receipt or time")
				}
				res.shortReceipt = *v.Receipt
			case kindSweep:
				// A save inside the grace period is still taken.
				sh.sleepUntil(started.DeadlineAt.Add(250 * time.Millisecond))
				sh.save(2, 0, false, 3)
			}
			res.short, res.shortAcked = sh.id, sh.acked

			// The normal exam, alternating throughout and handed in on A.
			nm := &inSitter{t: t, pair: pair, token: tokens[i]}
			nm.start(normal)        // A
			nm.save(0, 0, false, 1) // B
			nm.get("running")       // A
			nm.save(1, 1, false, 2) // B
			nm.get("running")       // A
			nm.get("running")       // B
			nm.save(0, 2, true, 3)  // A: a change of mind
			nm.get("running")       // B
			nm.save(0, 3, false, 1) // A: a late retry of the first save; acknowledged, not applied
			nm.get("running")       // B
			nm.save(2, -1, true, 4) // A: no choice, flagged
			nm.get("running")       // B
			if nm.n%2 != 0 {
				t.Fatalf("the submit would go to B")
			}
			v := nm.submit() // A
			if *v.FinishReason != "submitted" {
				t.Fatalf("finish reason %q, want submitted", *v.FinishReason)
			}
			res.normalReceipt = *v.Receipt
			if r := nm.do(409, "PUT", "/api/v1/attempts/"+nm.id+"/answers/"+nm.first.Questions[3].ID, `{"choice":"a","seq":9}`); !strings.Contains(r.body, `"attempt_finished"`) { // B
				t.Fatalf("save after submit: %s", r.body)
			}
			after := nm.get("submitted") // A
			if *after.Receipt != *v.Receipt {
				t.Fatalf("receipt on resume differs from the submit's")
			}
			res.normal, res.normalAcked = nm.id, nm.acked

			// The short attempt runs out.
			switch res.kind {
			case kindRace:
				// Right after deadline and grace, four requests at once on
				// both instances while both sweepers run.
				sh.sleepUntil(started.DeadlineAt.Add(time.Duration(started.GraceSeconds)*time.Second + 20*time.Millisecond))
				var wg sync.WaitGroup
				answers := make([]inResp, 4)
				errs := make([]error, 4)
				for k := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						method, path := "GET", "/api/v1/attempts/"+sh.id
						if k >= 2 {
							method, path = "POST", path+"/submit"
						}
						answers[k], errs[k] = inSend(method, pair[k%2].base+path, tokens[i], "")
					}()
				}
				wg.Wait()
				var receipt string
				for k := range 4 {
					if errs[k] != nil {
						t.Fatal(errs[k])
					}
					if answers[k].status != 200 {
						t.Fatalf("request %d after the deadline = %d %s", k, answers[k].status, answers[k].body)
					}
					v := sh.view(answers[k])
					sh.check(v, "submitted")
					if v.FinishReason == nil || *v.FinishReason != "timeout" || v.Receipt == nil {
						t.Fatalf("request %d after the deadline: finish reason %v, receipt %v", k, v.FinishReason, v.Receipt)
					}
					if receipt != "" && *v.Receipt != receipt {
						t.Fatalf("two receipts for one attempt: %s and %s", receipt, *v.Receipt)
					}
					receipt = *v.Receipt
				}
				res.shortReceipt = receipt
			case kindSweep:
				inWaitFinished(t, db, sh.id, 20*time.Second)
				v := sh.get("submitted")
				if *v.FinishReason != "timeout" {
					t.Fatalf("finish reason %q, want timeout", *v.FinishReason)
				}
				if r := sh.do(409, "PUT", "/api/v1/attempts/"+sh.id+"/answers/"+sh.first.Questions[0].ID, `{"choice":null,"seq":50}`); !strings.Contains(r.body, `"attempt_finished"`) {
					t.Fatalf("save after the timeout: %s", r.body)
				}
				res.shortReceipt = *v.Receipt
			}
		}(t)
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// Every attempt finished exactly once, as its kind says, and scored.
	type stored struct {
		ID       string     `db:"id"`
		Reason   *string    `db:"finish_reason"`
		Score    *float64   `db:"score"`
		Percent  *float64   `db:"percent"`
		Passed   *bool      `db:"passed"`
		ScoredAt *time.Time `db:"scored_at"`
		Receipt  *string    `db:"receipt"`
		Audits   int        `db:"audits"`
		Action   *string    `db:"action"`
	}
	timeouts := 0
	for i, res := range results {
		for _, a := range []struct {
			exam, id, receipt string
			acked             map[string]inAnswer
			reason            string
		}{
			{"short", res.short, res.shortReceipt, res.shortAcked, map[int]string{kindSubmit: "submitted", kindRace: "timeout", kindSweep: "timeout"}[res.kind]},
			{"normal", res.normal, res.normalReceipt, res.normalAcked, "submitted"},
		} {
			var s stored
			if err := db.GetContext(ctx, &s, `SELECT a.id, a.finish_reason, a.score, a.percent, a.passed, a.scored_at, a.receipt,
					(SELECT count(*) FROM audit_log l WHERE l.object_id = a.id::text AND l.action IN ('attempt.submit', 'attempt.timeout')) AS audits,
					(SELECT min(l.action) FROM audit_log l WHERE l.object_id = a.id::text AND l.action IN ('attempt.submit', 'attempt.timeout')) AS action
				FROM attempts a WHERE a.id = $1`, a.id); err != nil {
				t.Fatal(err)
			}
			wantAction := map[string]string{"submitted": "attempt.submit", "timeout": "attempt.timeout"}[a.reason]
			switch {
			case s.Reason == nil || *s.Reason != a.reason:
				t.Errorf("candidate %d %s attempt %s: finish reason %v, want %s", i, a.exam, a.id, s.Reason, a.reason)
			case s.Audits != 1 || s.Action == nil || *s.Action != wantAction:
				t.Errorf("candidate %d %s attempt %s: %d finishing audit rows (%v), want exactly one %s", i, a.exam, a.id, s.Audits, s.Action, wantAction)
			case s.Score == nil || s.Percent == nil || s.Passed == nil || s.ScoredAt == nil:
				t.Errorf("candidate %d %s attempt %s: not scored: %+v", i, a.exam, a.id, s)
			case s.Receipt == nil || *s.Receipt != a.receipt:
				t.Errorf("candidate %d %s attempt %s: stored receipt differs from the one the candidate got", i, a.exam, a.id)
			}
			if a.reason == "timeout" {
				timeouts++
			}
			var rows []struct {
				Question string `db:"question_id"`
				inAnswer
			}
			if err := db.SelectContext(ctx, &rows, `SELECT question_id, choice, flagged, seq FROM answers WHERE attempt_id = $1`, a.id); err != nil {
				t.Fatal(err)
			}
			got := map[string]inAnswer{}
			for _, r := range rows {
				got[r.Question] = r.inAnswer
			}
			if fmt.Sprint(got) != fmt.Sprint(a.acked) {
				t.Errorf("candidate %d %s attempt %s: stored answers %v, want the acknowledged saves %v", i, a.exam, a.id, got, a.acked)
			}
			// The receipt verifies on either instance.
			body, _ := json.Marshal(map[string]string{"receipt": a.receipt})
			if r := inMust(t, 200, "POST", pair[(i+1)%2].base+"/api/v1/receipts/verify", "", string(body)); !strings.Contains(r.body, `"valid":true`) {
				t.Errorf("receipt of %s does not verify: %s", a.id, r.body)
			}
		}
	}
	var finishing, attempts int
	if err := db.GetContext(ctx, &finishing, `SELECT count(*) FROM audit_log WHERE action IN ('attempt.submit', 'attempt.timeout')`); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &attempts, `SELECT count(*) FROM attempts`); err != nil {
		t.Fatal(err)
	}
	if finishing != 2*candidates || attempts != 2*candidates {
		t.Errorf("%d attempts and %d finishing audit rows, want %d of each", attempts, finishing, 2*candidates)
	}
	res, err := audit.Verify(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid {
		t.Errorf("audit chain: %+v, want valid", res)
	}

	// The sweepers finished the attempts no request touched, and never more
	// than the timeouts there were; no instance logged an error.
	sweptA, sweptB := pair[0].swept(), pair[1].swept()
	t.Logf("sweepers finished %d (A) and %d (B) attempts; %d timeouts in all", sweptA, sweptB, timeouts)
	if untouched := candidates / 3; sweptA+sweptB < untouched || sweptA+sweptB > timeouts {
		t.Errorf("sweepers finished %d+%d attempts, want between %d (untouched) and %d (timeouts)", sweptA, sweptB, untouched, timeouts)
	}
	for _, in := range pair {
		logs := in.logs.String()
		if strings.Contains(logs, `"level":"ERROR"`) {
			t.Errorf("instance %s logged an error:\n%s", in.name, inTrim(logs))
		}
		// Both instances served every kind of attempt request.
		for route, least := range map[string]int{`"method":"GET","route":"/api/v1/attempts/:id"`: candidates,
			`"method":"PUT","route":"/api/v1/attempts/:id/answers/:questionID"`: candidates, `"method":"POST","route":"/api/v1/attempts/:id/submit"`: 1} {
			n := len(regexp.MustCompile(regexp.QuoteMeta(route)+`,"path":"[^"]*","status":200`).FindAllString(logs, -1))
			if n < least {
				t.Errorf("instance %s answered %s with 200 %d times, want at least %d", in.name, route, n, least)
			}
		}
	}

	// Each sweeper alone: with B stopped, A's finishes an attempt nobody
	// touches; with A stopped and a new B on the same database, B's does.
	tiny := inExam(t, pair, admin, "آزمون یک‌ثانیه‌ای", 1, 0, 2)
	for k, who := range []int{0, 1} {
		alone := pair[who]
		other := pair[1-who]
		if err := other.stop(); err != nil {
			t.Fatalf("stop %s: %v", other.name, err)
		}
		if k == 1 {
			// B was stopped in the first round: start a fresh B.
			alone = inServe(t, "B2", env)
			pair[1] = alone
		}
		before := alone.swept()
		v := inMust(t, 201, "POST", alone.base+"/api/v1/exams/"+tiny+"/attempts", tokens[k], "")
		var tv inView
		if err := json.Unmarshal([]byte(v.body), &tv); err != nil {
			t.Fatal(err)
		}
		inWaitFinished(t, db, tv.AttemptID, 10*time.Second)
		for end := time.Now().Add(2 * time.Second); alone.swept() == before && time.Now().Before(end); {
			time.Sleep(20 * time.Millisecond) // the log line follows the commit
		}
		if got := alone.swept() - before; got != 1 {
			t.Fatalf("instance %s alone: its sweeper logged %d finished attempts, want 1\n%s", alone.name, got, alone.logs.String())
		}
	}
	if res, err := audit.Verify(ctx, db); err != nil || !res.Valid {
		t.Fatalf("audit chain at the end: %+v %v", res, err)
	}
}
