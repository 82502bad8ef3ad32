package handlers

import (
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/receipts"
)

func (a *api) candidateExams(c *gin.Context) {
	list, err := a.deps.Attempts.CandidateExams(c.Request.Context(), session(c).SubjectID)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// startAttempt starts an attempt (201) or returns the running one (200).
func (a *api) startAttempt(c *gin.Context) {
	v, created, err := a.deps.Attempts.Start(c.Request.Context(), session(c).SubjectID, c.Param("examID"))
	if err != nil {
		writeError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeEncoded(c, status, v.AppendJSON)
}

func (a *api) getAttempt(c *gin.Context) {
	v, err := a.deps.Attempts.Attempt(c.Request.Context(), session(c).SubjectID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	writeEncoded(c, http.StatusOK, v.AppendJSON)
}

// saveAnswer is a candidate's route without requireSession: the session is
// checked by the save's own statement, in the same round trip as the write
// (exam.Store.SaveWithSession). A request without a session cookie is refused at
// once; one whose body is bad is answered for its session first (401/403), as
// requireSession would.
func (a *api) saveAnswer(c *gin.Context) {
	token, err := c.Cookie(sessionCookie)
	if err != nil || token == "" {
		writeError(c, errUnauthenticated)
		return
	}
	var req exam.SaveRequest
	if err := decodeJSON(c, &req); err != nil {
		if _, serr := a.deps.Sessions.Subject(c.Request.Context(), token, auth.KindCandidate); serr != nil {
			err = serr
		}
		writeError(c, err)
		return
	}
	saved, err := a.deps.Attempts.SaveWithSession(c.Request.Context(), token, c.Param("id"), c.Param("questionID"), req)
	if err != nil {
		writeError(c, err)
		return
	}
	writeEncoded(c, http.StatusOK, saved.AppendJSON)
}

// submitResponse is the answer to a submit: the attempt's final state.
type submitResponse struct {
	exam.AttemptView
}

func (a *api) submitAttempt(c *gin.Context) {
	v, err := a.deps.Attempts.Submit(c.Request.Context(), session(c).SubjectID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, submitResponse{v})
}

func (a *api) receiptKey(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"alg": "Ed25519", "public_key": base64.StdEncoding.EncodeToString(a.deps.ReceiptKey)})
}

type verifyRequest struct {
	Receipt string `json:"receipt"`
}

func (a *api) verifyReceipt(c *gin.Context) {
	var req verifyRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.Receipt == "" {
		writeError(c, input.Invalid("receipt", "required"))
		return
	}
	p, err := receipts.Verify(ed25519.PublicKey(a.deps.ReceiptKey), req.Receipt)
	if err != nil {
		c.JSON(http.StatusOK, gin.H{"valid": false})
		return
	}
	c.JSON(http.StatusOK, gin.H{"valid": true, "payload": p})
}

// encodeBufs are the buffers writeEncoded encodes into, reused across requests.
var encodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// writeEncoded writes the JSON that appendJSON makes (the bytes c.JSON would
// write, without its reflection: the hot answers of a sitting — a start, a
// resume, a save) with its Content-Length, so that even a large view goes out
// in one piece rather than chunked.
func writeEncoded(c *gin.Context, status int, appendJSON func([]byte) []byte) {
	bp := encodeBufs.Get().(*[]byte)
	b := appendJSON((*bp)[:0])
	c.Header("Content-Length", strconv.Itoa(len(b)))
	c.Data(status, "application/json; charset=utf-8", b)
	if cap(b) <= 256<<10 {
		*bp = b[:0]
		encodeBufs.Put(bp)
	}
}
