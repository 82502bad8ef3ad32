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
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/officials"
)

// CandidateService registers and authenticates candidates.
type CandidateService interface {
	Register(ctx context.Context, r candidates.RegisterRequest) (candidates.Registration, error)
	Check(ctx context.Context, r candidates.RegisterRequest) error
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
	CreateExclusive(ctx context.Context, kind auth.Kind, subject, userAgent, ip string, also func(tx *sqlx.Tx, ended int64) error) (string, error)
	Lookup(ctx context.Context, token string) (auth.Session, error)
	Subject(ctx context.Context, token string, kind auth.Kind) (string, error)
	Revoke(ctx context.Context, token string) error
}

// LoginThrottle limits failed logins per account and per address.
type LoginThrottle interface {
	Attempt(ctx context.Context, account, ip string) (auth.Ticket, time.Duration, error)
	Pass(ctx context.Context, account string, t auth.Ticket) error
}

// OfficialStore keeps officials' accounts.
type OfficialStore interface {
	Authenticate(ctx context.Context, username, password string) (officials.Official, error)
	RecordLogin(ctx context.Context, o officials.Official, ip string) error
	ByID(ctx context.Context, id string) (officials.Official, error)
	List(ctx context.Context) ([]officials.Official, error)
	Create(ctx context.Context, actor audit.Actor, n officials.NewOfficial) (officials.Official, error)
	SetDisabled(ctx context.Context, actor audit.Actor, username string, disabled bool) (officials.Official, error)
}

// ExamStore keeps the question bank and the exams.
type ExamStore interface {
	CreateQuestion(ctx context.Context, actor audit.Actor, r exam.QuestionRequest) (exam.Question, error)
	UpdateQuestion(ctx context.Context, actor audit.Actor, id string, r exam.QuestionRequest) (exam.Question, error)
	RetireQuestion(ctx context.Context, actor audit.Actor, id string) (exam.Question, error)
	ImportQuestions(ctx context.Context, actor audit.Actor, items []exam.ImportItem, prior error) (int, error)
	Question(ctx context.Context, id string) (exam.Question, error)
	ListQuestions(ctx context.Context, f exam.QuestionFilter) ([]exam.Question, int, error)
	SectionCounts(ctx context.Context) (map[string]int, error)

	CreateExam(ctx context.Context, actor audit.Actor, r exam.ExamRequest) (exam.Exam, error)
	UpdateExam(ctx context.Context, actor audit.Actor, id string, r exam.ExamRequest) (exam.Exam, error)
	PublishExam(ctx context.Context, actor audit.Actor, id string) (exam.Exam, error)
	CloseExam(ctx context.Context, actor audit.Actor, id string) (exam.Exam, error)
	Exam(ctx context.Context, id string) (exam.Exam, error)
	Exams(ctx context.Context) ([]exam.Exam, error)
	Grant(ctx context.Context, actor audit.Actor, examID string, r exam.AccommodationRequest) (exam.Accommodation, error)
	Accommodations(ctx context.Context, examID string) ([]exam.Accommodation, error)
}

// AttemptStore runs candidates' attempts.
type AttemptStore interface {
	CandidateExams(ctx context.Context, candidateID string) ([]exam.CandidateExam, error)
	Start(ctx context.Context, candidateID, examID string) (exam.AttemptView, bool, error)
	Attempt(ctx context.Context, candidateID, attemptID string) (exam.AttemptView, error)
	Save(ctx context.Context, candidateID, attemptID, questionID string, r exam.SaveRequest) (exam.Saved, error)
	SaveWithSession(ctx context.Context, token, attemptID, questionID string, r exam.SaveRequest) (exam.Saved, error)
	Submit(ctx context.Context, candidateID, attemptID string) (exam.AttemptView, error)
	Result(ctx context.Context, candidateID, attemptID string) (exam.Result, error)
	Object(ctx context.Context, candidateID, attemptID string, r exam.ObjectionRequest) (exam.Objection, error)
	AttemptObjections(ctx context.Context, candidateID, attemptID string) (exam.ObjectionWindow, []exam.Objection, error)
}

// ReviewStore is the officials' view of scores: results, statistics, objections.
type ReviewStore interface {
	Results(ctx context.Context, f exam.ResultsFilter) ([]exam.ResultRow, int, error)
	EachResult(ctx context.Context, f exam.ResultsFilter, fn func(exam.ResultRow) error) error
	Statistics(ctx context.Context, examID string) (exam.Stats, error)
	Items(ctx context.Context, examID string) ([]exam.Item, error)
	AttemptDetail(ctx context.Context, examID, attemptID string) (exam.AttemptDetail, error)
	PublishResults(ctx context.Context, actor audit.Actor, examID string) (exam.Exam, error)
	Rescore(ctx context.Context, actor audit.Actor, examID string) (exam.Rescored, error)
	Objections(ctx context.Context, f exam.ObjectionFilter) ([]exam.Objection, error)
	Resolve(ctx context.Context, actor audit.Actor, objectionID string, r exam.ResolveRequest) (exam.Resolution, error)
}

// AuditLog reads and verifies the audit log.
type AuditLog interface {
	List(ctx context.Context, f audit.Filter) ([]audit.Record, int, error)
	Verify(ctx context.Context) (audit.Result, error)
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
	Officials      OfficialStore
	Exams          ExamStore
	Attempts       AttemptStore
	Review         ReviewStore
	// ReceiptKey is the public key that verifies receipts.
	ReceiptKey []byte
	Audit      AuditLog
	Registry   *prometheus.Registry

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

// importRoute takes whole question files, so its body cap is larger.
const (
	importRoute    = "/api/v1/official/questions/import"
	maxImportBytes = 8 << 20
)

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
		secureHeaders(), limitBody(d.MaxBodyBytes, map[string]int64{importRoute: maxImportBytes}), crossOriginGuard(), plainURL())
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
	v1.GET("/receipts/key", a.receiptKey)
	v1.POST("/receipts/verify", a.verifyReceipt)

	// Candidate: a candidate's session.
	cand := v1.Group("", a.requireSession(auth.KindCandidate))
	cand.GET("/candidate/me", a.candidateMe)
	cand.GET("/candidate/exams", a.candidateExams)
	cand.POST("/exams/:examID/attempts", a.startAttempt)
	cand.GET("/attempts/:id", a.getAttempt)
	// The hot path: the save's own statement checks the session (see saveAnswer).
	v1.PUT("/attempts/:id/answers/:questionID", a.saveAnswer)
	cand.POST("/attempts/:id/submit", a.submitAttempt)
	cand.GET("/attempts/:id/result", a.attemptResult)
	cand.POST("/attempts/:id/objections", a.objectToQuestion)
	cand.GET("/attempts/:id/objections", a.listOwnObjections)

	// Official: any official's session; reviewers and admins read.
	v1.POST("/official/login", a.loginOfficial)
	off := v1.Group("/official", a.requireSession(auth.KindOfficial), a.loadOfficial)
	off.GET("/me", officialMe)
	off.GET("/officials", a.listOfficials)
	off.GET("/sections", a.sectionCounts)
	off.GET("/questions", a.listQuestions)
	off.GET("/questions/:id", a.getQuestion)
	off.GET("/exams", a.listExams)
	off.GET("/exams/:id", a.getExam)
	off.GET("/exams/:id/accommodations", a.listAccommodations)
	off.GET("/exams/:id/results", a.examResults)
	off.GET("/exams/:id/results.csv", a.exportCSV)
	off.GET("/exams/:id/results.xlsx", a.exportXLSX)
	off.GET("/exams/:id/results/:attemptID", a.attemptDetail)
	off.GET("/exams/:id/stats", a.examStats)
	off.GET("/exams/:id/items", a.examItems)
	off.GET("/objections", a.listObjections)
	off.GET("/audit", a.listAudit)
	off.GET("/audit/verify", a.verifyAudit)

	// Admin: only admins write.
	adm := off.Group("", requireAdmin)
	adm.POST("/officials", a.createOfficial)
	adm.POST("/officials/:username/disable", a.setOfficialDisabled(true))
	adm.POST("/officials/:username/enable", a.setOfficialDisabled(false))
	adm.POST("/questions", a.createQuestion)
	adm.POST("/questions/import", a.importQuestions)
	adm.PUT("/questions/:id", a.updateQuestion)
	adm.POST("/questions/:id/retire", a.retireQuestion)
	adm.POST("/exams", a.createExam)
	adm.PUT("/exams/:id", a.updateExam)
	adm.POST("/exams/:id/publish", a.publishExam)
	adm.POST("/exams/:id/close", a.closeExam)
	adm.POST("/exams/:id/accommodations", a.grantAccommodation)
	adm.POST("/exams/:id/publish-results", a.publishResults)
	adm.POST("/exams/:id/rescore", a.rescoreExam)
	adm.POST("/objections/:id/resolve", a.resolveObjection)

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
			c.JSON(http.StatusServiceUnavailable, errorBody{Error: errorDetail{Code: "not_ready", Message: "the database does not answer"}})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
}
