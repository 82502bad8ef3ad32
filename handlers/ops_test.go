package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/council-exam/examd/handlers"
)

type downPinger struct{}

func (downPinger) PingContext(context.Context) error { return errors.New("connection refused") }

func testHealth(t *testing.T, s *server) {
	mustBody(t, s.do("GET", "/healthz", ""), http.StatusOK, `{"status":"ok"}`)
	mustBody(t, s.do("GET", "/readyz", ""), http.StatusOK, `{"status":"ready"}`)

	down := mustRouter(t, s.db, func(d *handlers.Deps) { d.DB = downPinger{} })
	mustBody(t, down.do("GET", "/healthz", ""), http.StatusOK, `{"status":"ok"}`)
	rec := down.do("GET", "/readyz", "")
	mustError(t, rec, http.StatusServiceUnavailable, "not_ready")
	mustBody(t, rec, http.StatusServiceUnavailable, `{"error":{"code":"not_ready","message":"the database does not answer"}}`)
}

func testMetrics(t *testing.T, s *server) {
	s = mustRouter(t, s.db) // fresh counters
	s.do("GET", "/healthz", "")
	s.do("GET", "/healthz", "")
	s.do("GET", "/no/such/page", "")
	s.do("POST", "/api/v1/candidates", `{}`)
	rec := s.do("GET", "/metrics", "")
	mustStatus(t, rec, http.StatusOK)
	if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
		t.Fatalf("Content-Type = %q, want Prometheus text", got)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`examd_http_requests_total{method="GET",route="/healthz",status="200"} 2`,
		`examd_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`examd_http_requests_total{method="POST",route="/api/v1/candidates",status="400"} 1`,
		`examd_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 2`,
		`examd_http_request_duration_seconds_count{method="POST",route="/api/v1/candidates",status="400"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A path with parameters is counted by its route, never by the raw path.
	if strings.Contains(body, "/no/such/page") {
		t.Errorf("metrics name a raw path")
	}
}

func testSecurityHeaders(t *testing.T, s *server) {
	for _, path := range []string{"/", "/register", "/healthz", "/api/v1/constituencies", "/api/v1/candidate/me", "/nope", "/static/css/app.css"} {
		t.Run(path, func(t *testing.T) {
			h := s.do("GET", path, "").Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
				if strings.Contains(csp, bad) {
					t.Errorf("CSP %q allows %q", csp, bad)
				}
			}
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "same-origin",
				"X-Frame-Options":        "DENY",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if got := h.Get("Strict-Transport-Security"); got != "" {
				t.Errorf("Strict-Transport-Security = %q over plain HTTP", got)
			}
		})
	}
}

func testCrossOriginRefused(t *testing.T, s *server) {
	before := s.mustCount(t)
	const refused = `{"error":{"code":"cross_origin_rejected","message":"cross-origin request refused"}}`
	id := withCheckDigit("600000801")
	body := validBody(id).String()
	tests := []struct {
		name, method, path string
		hdr                []string
	}{
		{"register, Sec-Fetch-Site cross-site", "POST", "/api/v1/candidates", []string{"Sec-Fetch-Site", "cross-site"}},
		{"register, Sec-Fetch-Site same-site", "POST", "/api/v1/candidates", []string{"Sec-Fetch-Site", "same-site"}},
		{"register, foreign Origin", "POST", "/api/v1/candidates", []string{"Origin", "https://evil.example"}},
		{"login, cross-site", "POST", "/api/v1/candidate/login", []string{"Sec-Fetch-Site", "cross-site"}},
		{"logout, cross-site", "POST", "/api/v1/logout", []string{"Sec-Fetch-Site", "cross-site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.do(tt.method, tt.path, body, tt.hdr...)
			mustError(t, rec, http.StatusForbidden, "cross_origin_rejected")
			mustBody(t, rec, http.StatusForbidden, refused)
		})
	}
	if got, want := s.mustCount(t), before; got != want {
		t.Fatalf("a cross-origin registration was stored: %d candidates, want %d", got, want)
	}
	// Safe methods pass cross-site; same-origin requests and requests from
	// clients that send neither header (curl, other services) pass too.
	mustStatus(t, s.do("GET", "/api/v1/constituencies", "", "Sec-Fetch-Site", "cross-site"), http.StatusOK)
	mustStatus(t, s.do("POST", "/api/v1/candidates", body, "Sec-Fetch-Site", "same-origin"), http.StatusCreated)
	mustStatus(t, s.do("POST", "/api/v1/candidates", validBody(withCheckDigit("600000802")).String(),
		"Origin", "http://example.com"), http.StatusCreated) // httptest's Host is example.com
	mustStatus(t, s.do("POST", "/api/v1/candidates", validBody(withCheckDigit("600000803")).String()), http.StatusCreated)
}

var hexID = regexp.MustCompile(`^[0-9a-f]{16}$`)

func testRequestID(t *testing.T, s *server) {
	if got, want := s.do("GET", "/healthz", "", "X-Request-ID", "abc-123_XYZ").Header().Get("X-Request-ID"), "abc-123_XYZ"; got != want {
		t.Fatalf("X-Request-ID = %q, want the caller's %q", got, want)
	}
	for _, bad := range []string{"", "has space", "<script>", strings.Repeat("a", 65)} {
		got := s.do("GET", "/healthz", "", "X-Request-ID", bad).Header().Get("X-Request-ID")
		if !hexID.MatchString(got) {
			t.Fatalf("for caller id %q: X-Request-ID = %q, want 16 fresh hex digits", bad, got)
		}
	}
}

func testNotFound(t *testing.T, s *server) {
	for _, path := range []string{"/nope", "/api/v1/nope", "/api/v2/candidates"} {
		mustBody(t, s.do("GET", path, ""), http.StatusNotFound, `{"error":{"code":"not_found","message":"not found"}}`)
	}
	// A route exists only for its method.
	mustBody(t, s.do("DELETE", "/api/v1/candidates", ""), http.StatusNotFound, `{"error":{"code":"not_found","message":"not found"}}`)
}

func testPagesServed(t *testing.T, s *server) {
	for _, path := range []string{"/", "/register", "/login", "/home"} {
		rec := s.do("GET", path, "")
		mustStatus(t, rec, http.StatusOK)
		if got, want := rec.Header().Get("Content-Type"), "text/html; charset=utf-8"; got != want {
			t.Fatalf("%s: Content-Type = %q, want %q", path, got, want)
		}
		body := rec.Body.String()
		if !strings.Contains(body, `lang="fa"`) || !strings.Contains(body, `dir="rtl"`) {
			t.Errorf("%s is not a Persian right-to-left page", path)
		}
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]|\sstyle="|\son[a-z]+="`).MatchString(body) {
			t.Errorf("%s has inline script or style, which the CSP forbids", path)
		}
	}
}

// TestOperations runs the operational cases in order on one database.
func TestOperations(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *server)
	}{
		{"health", testHealth},
		{"metrics", testMetrics},
		{"security headers", testSecurityHeaders},
		{"request id", testRequestID},
		{"not found", testNotFound},
		{"pages", testPagesServed},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) })
	}
}
