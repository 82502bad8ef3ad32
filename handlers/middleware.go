package handlers

import (
	"encoding/binary"
	"encoding/hex"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/council-exam/examd/input"
)

const (
	ctxRequestID = "request_id"
	ctxLogger    = "logger"
)

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// validRequestID accepts a caller's id only when it is short and plain.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// withRequestID gives each request an id (the caller's X-Request-ID when sane),
// echoes it back and logs one line per request.
func withRequestID(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !validRequestID(id) {
			// An id only has to be unique, not secret: math/rand's (no
			// system call), not crypto/rand's.
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], rand.Uint64())
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Set(ctxLogger, log)
		c.Header("X-Request-ID", id)
		start := time.Now()
		c.Next()
		logRequest(log, c, id, start)
	}
}

// logRequest writes a request's log line. It is a function of its own so that
// its record (1.4 KB) is not in the frame that stays on the stack while the
// request is handled: moved out (with Start's unbatched path), examd's goroutine
// stacks at a 10,000 start storm's midpoint fell from 185 to 128–143 MB, and
// every new stack page is a page fault.
//
//go:noinline
func logRequest(log *slog.Logger, c *gin.Context, id string, start time.Time) {
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	ctx := c.Request.Context()
	h := log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	// The record is made here rather than by log.LogAttrs, which would look
	// up its caller's program counter on every request; and the duration is
	// whole microseconds, which slog writes as a plain integer (a float goes
	// through json.Marshal). Both were a third of a request line's cost in
	// the answer flood's profile.
	r := slog.NewRecord(time.Now(), level, "request", 0)
	r.AddAttrs(
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", routeLabel(c)),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Int("bytes", c.Writer.Size()),
		slog.Int64("us", time.Since(start).Microseconds()),
		slog.String("ip", c.ClientIP()),
	)
	_ = h.Handle(ctx, r) // a failing log has nowhere to report to
}

// routeLabel is the route's pattern, for logs and metrics ("unmatched" when none).
func routeLabel(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// httpMetrics counts requests and observes their latency by route and status.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examd_http_requests_total",
			Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "examd_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func (m *httpMetrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		// By position, not by a Labels map: no map per request.
		method, route, status := c.Request.Method, routeLabel(c), strconv.Itoa(c.Writer.Status())
		m.requests.WithLabelValues(method, route, status).Inc()
		m.latency.WithLabelValues(method, route, status).Observe(time.Since(start).Seconds())
	}
}

// contentSecurityPolicy allows only the server's own scripts and styles: no inline
// code, no plugins, no framing, no <base> tricks.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// secureHeaders sets the security headers on every response. The values are
// set by their canonical keys, shared by every response (nothing changes a
// header's slice in place): no per-response canonicalising and no allocations.
func secureHeaders() gin.HandlerFunc {
	fixed := []struct {
		key string
		val []string
	}{
		{"Content-Security-Policy", []string{contentSecurityPolicy}},
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Referrer-Policy", []string{"same-origin"}},
		{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
		{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=()"}},
	}
	for _, f := range fixed {
		if f.key != http.CanonicalHeaderKey(f.key) {
			panic("handlers: security header " + f.key + " is not in canonical form")
		}
	}
	hsts := []string{"max-age=63072000; includeSubDomains"}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		for _, f := range fixed {
			h[f.key] = f.val
		}
		if c.Request.TLS != nil {
			h["Strict-Transport-Security"] = hsts
		}
		c.Next()
	}
}

// crossOriginGuard refuses state-changing requests that a browser marks as coming
// from another origin (Go's http.CrossOriginProtection: Sec-Fetch-Site, Origin).
func crossOriginGuard() gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			writeError(c, errCrossOrigin)
			return
		}
		c.Next()
	}
}

// limitBody caps request bodies at max bytes, or at perRoute[route] for the routes
// named there: an announced larger body is refused at once, a longer one is cut
// off while it is read.
func limitBody(def int64, perRoute map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		max := def
		if n, ok := perRoute[c.FullPath()]; ok {
			max = n
		}
		if c.Request.ContentLength > max {
			writeError(c, errBodyTooLarge)
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// plainURL refuses a path or a query that holds NUL or bytes that are not UTF-8:
// no resource has such a name, and PostgreSQL refuses such text as a parameter
// (it would surface as a 500). A path is then not found (404); a query parameter
// is named in a 400 ("invalid_text").
func plainURL() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !plainText(c.Request.URL.Path) {
			writeError(c, errNotFound)
			return
		}
		problems := &input.Error{}
		for k, vs := range c.Request.URL.Query() {
			for _, v := range vs {
				if !plainText(k) || !plainText(v) {
					problems.Add(strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", ""), "\uFFFD"), "invalid_text")
				}
			}
		}
		if err := problems.Err(); err != nil {
			writeError(c, err)
			return
		}
		c.Next()
	}
}

// plainText reports whether s is UTF-8 without NUL, as a PostgreSQL text value must be.
func plainText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// recoverJSON turns a panic into the bare 500 JSON error, logged with the request id.
func recoverJSON() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, recovered any) {
		logger(c).Error("panic", slog.String("request_id", requestID(c)), slog.Any("panic", recovered))
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: errorDetail{Code: "internal", Message: "internal error"}})
	})
}
