// Package handlers is the HTTP face of the platform: every route in one place
// (this file), the middleware around them, JSON in and out, and the one table that
// maps domain errors to status codes (errors.go).
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
)

// CandidateService registers and authenticates candidates.
type CandidateService interface {
	Register(ctx context.Context, r candidates.RegisterRequest) (candidates.Registration, error)
	Authenticate(ctx context.Context, nationalID, password string) (candidates.Candidate, error)
}

// CandidateStore reads constituencies and candidates.
type CandidateStore interface {
	Constituencies(ctx context.Context) ([]candidates.Constituency, error)
	Constituency(ctx context.Context, id int) (candidates.Constituency, error)
	ByID(ctx context.Context, id string) (candidates.Candidate, error)
}

// SessionStore keeps login sessions.
type SessionStore interface {
	Create(ctx context.Context, kind auth.Kind, subject, userAgent, ip string) (string, error)
	Lookup(ctx context.Context, token string) (auth.Session, error)
	Revoke(ctx context.Context, token string) error
}

// LoginThrottle limits failed logins per account and per address.
type LoginThrottle interface {
	Check(ctx context.Context, account, ip string) (time.Duration, error)
	Fail(ctx context.Context, account, ip string) error
	Succeed(ctx context.Context, account string) error
}

// Pinger tells whether the database answers.
type Pinger interface {
	PingContext(ctx context.Context) error
}

// Deps is everything the routes use, passed in explicitly.
type Deps struct {
	Logger         *slog.Logger
	DB             Pinger
	Candidates     CandidateService
	CandidateStore CandidateStore
	Sessions       SessionStore
	Throttle       LoginThrottle
	Registry       *prometheus.Registry

	// Dev allows session cookies over plain HTTP.
	Dev bool
	// SessionMaxAge is the cookie's lifetime (the server enforces its own expiry).
	SessionMaxAge time.Duration
	// MaxBodyBytes caps request bodies.
	MaxBodyBytes int64
	// TrustedProxies are the proxies whose X-Forwarded-For is believed; none by default.
	TrustedProxies []string
}

type api struct {
	deps Deps
}

var ginMode sync.Once

// New returns the router with every route of the service.
func New(d Deps) (http.Handler, error) {
	ginMode.Do(func() { gin.SetMode(gin.ReleaseMode) })
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	a := &api{deps: d}

	r := gin.New()
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	r.Use(withRequestID(d.Logger), newHTTPMetrics(d.Registry).middleware(), recoverJSON(),
		secureHeaders(), limitBody(d.MaxBodyBytes), crossOriginGuard())
	r.NoRoute(func(c *gin.Context) { writeError(c, errNotFound) })

	// Operations.
	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(d.DB))
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{})))

	// Pages and their assets.
	pages(r)

	v1 := r.Group("/api/v1")

	// Public: anyone.
	v1.GET("/constituencies", listConstituencies(d.CandidateStore))
	v1.POST("/candidates", a.registerCandidate)
	v1.POST("/candidate/login", a.loginCandidate)
	v1.POST("/logout", a.logout)

	// Candidate: a candidate's session.
	cand := v1.Group("", a.requireSession(auth.KindCandidate))
	cand.GET("/candidate/me", a.candidateMe)

	return r, nil
}

func healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func readyz(db Pinger) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			logger(c).Warn("not ready", slog.Any("err", err))
			c.JSON(http.StatusServiceUnavailable, errorBody{errorDetail{"not_ready", "the database does not answer", nil}})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
}
