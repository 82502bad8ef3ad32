package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/handlers"
)

// hzHeaderCase is one request whose answer must carry the security headers.
type hzHeaderCase struct {
	name, method, path, ctype, body string
	status                          int
	origin                          string
}

// hzHeaderCases are answers of every kind: pages, assets, API successes and
// errors of each sort, not found.
func hzHeaderCases() []hzHeaderCase {
	login := `{"national_id":"` + hzCandidate + `","password":"` + candidates.DemoPassword + `"}`
	return []hzHeaderCase{
		{name: "home page", method: "GET", path: "/", status: 200},
		{name: "registration page", method: "GET", path: "/register", status: 200},
		{name: "exam page", method: "GET", path: "/exam", status: 200},
		{name: "console page", method: "GET", path: "/official", status: 200},
		{name: "stylesheet", method: "GET", path: "/static/css/app.css", status: 200},
		{name: "script", method: "GET", path: "/static/js/api.js", status: 200},
		{name: "missing asset", method: "GET", path: "/static/js/nope.js", status: 404},
		{name: "health", method: "GET", path: "/healthz", status: 200},
		{name: "metrics", method: "GET", path: "/metrics", status: 200},
		{name: "API list", method: "GET", path: "/api/v1/constituencies", status: 200},
		{name: "API login", method: "POST", path: "/api/v1/candidate/login", ctype: hzJSON, body: login, status: 200},
		{name: "API logout", method: "POST", path: "/api/v1/logout", status: 204},
		{name: "API unauthenticated", method: "GET", path: "/api/v1/candidate/me", status: 401},
		{name: "API wrong password", method: "POST", path: "/api/v1/official/login", ctype: hzJSON, body: `{"username":"x","password":"y"}`, status: 401},
		{name: "API malformed", method: "POST", path: "/api/v1/candidate/login", ctype: hzJSON, body: `{`, status: 400},
		{name: "API wrong type", method: "POST", path: "/api/v1/candidate/login", ctype: "text/plain", body: login, status: 415},
		{name: "API too large", method: "POST", path: "/api/v1/candidate/login", ctype: hzJSON, body: strings.Repeat(" ", hzMaxBody+1), status: 413},
		{name: "API cross-origin", method: "POST", path: "/api/v1/logout", origin: "https://evil.example", status: 403},
		{name: "API not found", method: "GET", path: "/api/v1/nope", status: 404},
		{name: "page not found", method: "GET", path: "/nope", status: 404},
		{name: "wrong method", method: "DELETE", path: "/api/v1/constituencies", status: 404},
	}
}

// hzCheckSecurityHeaders checks the headers every answer must carry, whatever
// it is; tls tells whether it came over TLS (HSTS only then).
func hzCheckSecurityHeaders(t *testing.T, what string, h http.Header, overTLS bool) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			directives[name] = strings.TrimSpace(value)
		}
	}
	for name, want := range map[string]string{
		"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
		"base-uri": "'none'", "frame-ancestors": "'none'", "form-action": "'self'",
	} {
		if got := directives[name]; got != want {
			t.Errorf("%s: CSP %s = %q, want %q (CSP %q)", what, name, got, want, csp)
		}
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'", "*", "data:", "http:", "https:"} {
		for _, d := range []string{"default-src", "script-src", "style-src", "object-src", "connect-src"} {
			for _, src := range strings.Fields(directives[d]) {
				if src == bad {
					t.Errorf("%s: CSP %s allows %s (CSP %q)", what, d, bad, csp)
				}
			}
		}
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", what, got)
	}
	switch got := h.Get("Referrer-Policy"); got {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("%s: Referrer-Policy = %q, want one that keeps paths to this origin", what, got)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options = %q, want DENY", what, got)
	}
	hsts := h.Get("Strict-Transport-Security")
	switch {
	case overTLS && !strings.HasPrefix(hsts, "max-age=63072000"):
		t.Errorf("%s over TLS: Strict-Transport-Security = %q, want max-age of two years", what, hsts)
	case !overTLS && hsts != "":
		t.Errorf("%s over plain HTTP: Strict-Transport-Security = %q, want none", what, hsts)
	}
}

// hzServers starts the router (on a database with the demo candidates) behind a
// plain and a TLS server, with Dev as given.
func hzServers(t *testing.T, dev bool) (engine *gin.Engine, plain, secure *httptest.Server) {
	t.Helper()
	engine, _, _, _ = hzNewRouter(t, mustDB(t), func(d *handlers.Deps) { d.Dev = dev })
	plain, secure = httptest.NewServer(engine), httptest.NewTLSServer(engine)
	t.Cleanup(plain.Close)
	t.Cleanup(secure.Close)
	return engine, plain, secure
}

func hzDo(t *testing.T, srv *httptest.Server, c hzHeaderCase) *http.Response {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(context.Background(), c.method, srv.URL+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	if c.origin != "" {
		req.Header.Set("Origin", c.origin)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != c.status {
		t.Fatalf("%s (%s %s) = %d, want %d", c.name, c.method, c.path, res.StatusCode, c.status)
	}
	return res
}

func TestHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	engine, plain, secure := hzServers(t, false)
	for _, c := range hzHeaderCases() {
		hzCheckSecurityHeaders(t, c.name+" over HTTP", hzDo(t, plain, c).Header, false)
		hzCheckSecurityHeaders(t, c.name+" over TLS", hzDo(t, secure, c).Header, true)
	}
	// Every page the router serves, found from its routes.
	pages := 0
	for _, r := range engine.Routes() {
		if r.Method != "GET" || strings.HasPrefix(r.Path, "/api/") || strings.Contains(r.Path, ":") || strings.Contains(r.Path, "*") {
			continue
		}
		pages++
		res := hzDo(t, plain, hzHeaderCase{name: r.Path, method: "GET", path: r.Path, status: 200})
		hzCheckSecurityHeaders(t, "GET "+r.Path, res.Header, false)
	}
	if pages < 10 {
		t.Fatalf("only %d pages found among the routes", pages)
	}
}

// hzSessionCookie logs in through srv and returns the session cookie as the
// server set it.
func hzSessionCookie(t *testing.T, srv *httptest.Server, path, body string) *http.Cookie {
	t.Helper()
	res := hzDo(t, srv, hzHeaderCase{name: "login", method: "POST", path: path, ctype: hzJSON, body: body, status: 200})
	for _, c := range res.Cookies() {
		if c.Name == hzCookie {
			return c
		}
	}
	t.Fatalf("POST %s set no %s cookie: %q", path, hzCookie, res.Header.Values("Set-Cookie"))
	return nil
}

func TestHeadersSessionCookie(t *testing.T) {
	t.Parallel()
	candidate := `{"national_id":"` + hzCandidate + `","password":"` + candidates.DemoPassword + `"}`
	for _, dev := range []bool{false, true} {
		_, plain, secure := hzServers(t, dev)
		for _, srv := range []*httptest.Server{plain, secure} {
			overTLS := srv.TLS != nil
			c := hzSessionCookie(t, srv, "/api/v1/candidate/login", candidate)
			what := func(s string) string {
				return s + map[bool]string{true: " (dev)", false: ""}[dev] + map[bool]string{true: " over TLS", false: " over HTTP"}[overTLS]
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0 || c.Value == "" {
				t.Errorf("%s: cookie %+v, want HttpOnly, SameSite=Lax, Path=/, a Max-Age and a value", what("login"), c)
			}
			if c.Secure == dev {
				t.Errorf("%s: cookie Secure = %v, want %v", what("login"), c.Secure, !dev)
			}
			// Logging out clears it with the same attributes.
			res := hzDo(t, srv, hzHeaderCase{name: "logout", method: "POST", path: "/api/v1/logout", status: 204})
			var cleared *http.Cookie
			for _, rc := range res.Cookies() {
				if rc.Name == hzCookie {
					cleared = rc
				}
			}
			if cleared == nil || cleared.Value != "" || cleared.MaxAge >= 0 || !cleared.HttpOnly || cleared.SameSite != http.SameSiteLaxMode || cleared.Secure == dev {
				t.Errorf("%s: cleared cookie %+v, want empty, expired, HttpOnly, SameSite=Lax, Secure = %v", what("logout"), cleared, !dev)
			}
		}
	}
}

// TestHeadersSecureCookieOverTLS: outside dev mode the session cookie is
// Secure, and over TLS it works.
func TestHeadersSecureCookieOverTLS(t *testing.T) {
	t.Parallel()
	_, _, srv := hzServers(t, false)
	c := hzSessionCookie(t, srv, "/api/v1/candidate/login", `{"national_id":"`+hzCandidate+`","password":"`+candidates.DemoPassword+`"}`)
	if !c.Secure {
		t.Fatalf("cookie %+v is not Secure", c)
	}
	req, err := http.NewRequest("GET", srv.URL+"/api/v1/candidate/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(c)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/candidate/me over TLS with the session = %d, want 200", res.StatusCode)
	}
	hzCheckSecurityHeaders(t, "GET /api/v1/candidate/me over TLS", res.Header, true)
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRequestLogLine: every request logs one JSON line with its id (the one sent
// back), method, route, path, status, size, duration and client IP; a level
// above info keeps them out.
func TestRequestLogLine(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	engine, _, _, _ := hzNewRouter(t, mustDB(t), func(d *handlers.Deps) {
		d.Logger = slog.New(slog.NewJSONHandler(&out, nil))
	})
	srv := httptest.NewServer(engine)
	defer srv.Close()
	res := hzDo(t, srv, hzHeaderCase{name: "API not found", method: "GET", path: "/api/v1/nope", status: 404})
	id := res.Header.Get("X-Request-ID")
	raw := strings.TrimSpace(out.String())
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	type wire struct {
		Time      time.Time `json:"time"`
		Level     string    `json:"level"`
		Msg       string    `json:"msg"`
		RequestID string    `json:"request_id"`
		Method    string    `json:"method"`
		Route     string    `json:"route"`
		Path      string    `json:"path"`
		Status    int       `json:"status"`
		Bytes     int       `json:"bytes"`
		US        *int64    `json:"us"`
		IP        string    `json:"ip"`
	}
	var w wire
	if err := dec.Decode(&w); err != nil || dec.More() {
		t.Fatalf("log = %q: want one JSON line of the request's fields (%v)", raw, err)
	}
	if w.Level != "INFO" || w.Msg != "request" || w.RequestID != id || id == "" || w.Method != "GET" ||
		w.Route != "unmatched" || w.Path != "/api/v1/nope" || w.Status != 404 || w.Bytes <= 0 ||
		w.US == nil || *w.US < 0 || w.IP != "127.0.0.1" || time.Since(w.Time) > time.Minute {
		t.Fatalf("log line = %+v (raw %s), want INFO request %s GET unmatched /api/v1/nope 404 from 127.0.0.1 with size and µs", w, raw, id)
	}

	var quiet syncBuffer
	engine, _, _, _ = hzNewRouter(t, mustDB(t), func(d *handlers.Deps) {
		d.Logger = slog.New(slog.NewJSONHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	srv2 := httptest.NewServer(engine)
	defer srv2.Close()
	hzDo(t, srv2, hzHeaderCase{name: "health", method: "GET", path: "/healthz", status: 200})
	if got := quiet.String(); got != "" {
		t.Fatalf("LOG_LEVEL=warn logged %q for a 200", got)
	}
}
