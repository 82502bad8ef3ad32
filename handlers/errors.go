package handlers

import (
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"
	"github.com/lib/pq"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/officials"
)

// apiError is an error the handlers raise themselves, already in the shape the
// client receives.
type apiError struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// Errors the handlers raise themselves.
var (
	errUnauthenticated = &apiError{http.StatusUnauthorized, "unauthenticated", "please log in", nil}
	errWrongSession    = &apiError{http.StatusForbidden, "forbidden", "this session may not use this route", nil}
	errAdminOnly       = &apiError{http.StatusForbidden, "forbidden", "only an admin may do this", nil}
	errNotFound        = &apiError{http.StatusNotFound, "not_found", "not found", nil}
	errBodyTooLarge    = &apiError{http.StatusRequestEntityTooLarge, "body_too_large", "the request body is too large", nil}
	errMediaType       = &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json", nil}
	errMalformedJSON   = &apiError{http.StatusBadRequest, "malformed_json", "the body is not valid JSON", nil}
	errCrossOrigin     = &apiError{http.StatusForbidden, "cross_origin_rejected", "cross-origin request refused", nil}
	errTooManyAttempts = &apiError{http.StatusTooManyRequests, "too_many_attempts", "too many failed logins; try again later", nil}
)

// errorTable maps the domain packages' errors to a status and a code: the one place
// that decides what a client sees for each.
var errorTable = []struct {
	err     error
	status  int
	code    string
	message string
}{
	{candidates.ErrAlreadyRegistered, http.StatusConflict, "already_registered", "this national ID is already registered"},
	{candidates.ErrInvalidCredentials, http.StatusUnauthorized, "invalid_credentials", "national ID or password is wrong"},
	{candidates.ErrNotFound, http.StatusNotFound, "not_found", "not found"},
	{auth.ErrNoSession, http.StatusUnauthorized, "unauthenticated", "please log in"},
	{auth.ErrWrongKind, http.StatusForbidden, "forbidden", "this session may not use this route"},
	{officials.ErrInvalidCredentials, http.StatusUnauthorized, "invalid_credentials", "username or password is wrong"},
	{officials.ErrUsernameTaken, http.StatusConflict, "username_taken", "this username is taken"},
	{officials.ErrNotFound, http.StatusNotFound, "not_found", "no such official"},
	{exam.ErrNotFound, http.StatusNotFound, "not_found", "not found"},
	{exam.ErrExamFrozen, http.StatusConflict, "exam_frozen", "the exam is published; its rules can no longer change"},
	{exam.ErrNotPublished, http.StatusConflict, "exam_not_published", "the exam is not published"},
	{exam.ErrExamClosed, http.StatusConflict, "exam_closed", "the exam is closed"},
	{exam.ErrNotEligible, http.StatusForbidden, "not_eligible", "you are not eligible to sit this exam"},
	{exam.ErrExamNotOpen, http.StatusConflict, "exam_not_open", "the exam is not open now"},
	{exam.ErrAttemptsExhausted, http.StatusConflict, "attempts_exhausted", "you have used every attempt of this exam"},
	{exam.ErrTimeOver, http.StatusConflict, "time_over", "the time for this attempt is over"},
	{exam.ErrAttemptFinished, http.StatusConflict, "attempt_finished", "this attempt is already handed in"},
	{exam.ErrResultsNotPublished, http.StatusForbidden, "results_not_published", "results are not published yet"},
	{exam.ErrObjectionWindowClosed, http.StatusConflict, "objection_window_closed", "the objection window is not open"},
	{exam.ErrAlreadyResolved, http.StatusConflict, "already_resolved", "this objection is already decided"},
	{exam.ErrAttemptRunning, http.StatusConflict, "attempt_running", "the attempt is still running"},
}

type errorBody struct {
	Error errorDetail `json:"error"`
	// Errors repeats error.errors at the top level for import clients.
	Errors []exam.LineError `json:"errors,omitempty"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Errors lists the bad lines of a refused import.
	Errors []exam.LineError `json:"errors,omitempty"`
}

// errUnavailable answers while the database cannot be reached (restarting,
// failing over): the client's request was not carried out and may be retried.
var errUnavailable = &apiError{http.StatusServiceUnavailable, "unavailable", "the service is briefly unavailable; try again", nil}

// unavailable reports whether err means the database is out of reach rather
// than a bug: no connection, a connection lost, or a server shutting down or
// starting, or out of connections (SQLSTATE classes 08, 57P and 53).
func unavailable(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		code := string(pqErr.Code)
		// 08: connection exceptions; 57P: shutting down or starting up;
		// 53: out of resources (e.g. too many connections).
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P") || strings.HasPrefix(code, "53")
	}
	return false
}

// writeError sends err as the one JSON error shape and aborts the chain. Errors
// that map to nothing are bugs: logged with the request id, shown as a bare 500.
func writeError(c *gin.Context, err error) {
	if unavailable(err) {
		logger(c).Warn("database unavailable", slog.String("request_id", requestID(c)), slog.Any("err", err))
		c.Header("Retry-After", "2")
		status, body := classify(errUnavailable)
		c.AbortWithStatusJSON(status, body)
		return
	}
	status, body := classify(err)
	if status >= 500 {
		logger(c).Error("internal error", slog.String("request_id", requestID(c)), slog.Any("err", err))
	}
	c.AbortWithStatusJSON(status, body)
}

func classify(err error) (int, errorBody) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status, errorBody{Error: errorDetail{Code: ae.Code, Message: ae.Message, Fields: ae.Fields}}
	}
	var ie *input.Error
	if errors.As(err, &ie) {
		return http.StatusBadRequest, errorBody{Error: errorDetail{Code: "validation_failed", Message: ie.Error(), Fields: ie.Fields}}
	}
	var imp *exam.ImportError
	if errors.As(err, &imp) {
		return http.StatusBadRequest, errorBody{
			Error:  errorDetail{Code: "import_failed", Message: imp.Error(), Errors: imp.Lines},
			Errors: imp.Lines,
		}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return classify(errBodyTooLarge)
	}
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			return row.status, errorBody{Error: errorDetail{Code: row.code, Message: row.message}}
		}
	}
	return http.StatusInternalServerError, errorBody{Error: errorDetail{Code: "internal", Message: "internal error"}}
}
