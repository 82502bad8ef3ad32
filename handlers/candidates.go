package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/input"
)

func listConstituencies(store CandidateStore) gin.HandlerFunc {
	return func(c *gin.Context) {
		list, err := store.Constituencies(c.Request.Context())
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, list)
	}
}

func (a *api) registerCandidate(c *gin.Context) {
	var req candidates.RegisterRequest
	if err := decodeJSON(c, &req); err != nil {
		// Report wrongly typed fields together with every other wrong field.
		var typeErrs *input.Error
		if errors.As(err, &typeErrs) {
			var rest *input.Error
			if cerr := a.deps.Candidates.Check(c.Request.Context(), req); errors.As(cerr, &rest) {
				for f, why := range rest.Fields {
					typeErrs.Add(f, why)
				}
			} else if cerr != nil {
				err = cerr
			}
		}
		writeError(c, err)
		return
	}
	reg, err := a.deps.Candidates.Register(c.Request.Context(), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, reg)
}

type loginRequest struct {
	NationalID string `json:"national_id"`
	Password   string `json:"password"`
}

func (a *api) loginCandidate(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	req.NationalID = candidates.NormalizeDigits(req.NationalID)
	if err := requireCredentials("national_id", req.NationalID, req.Password); err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	var cand candidates.Candidate
	if !a.checkLogin(c, "candidate:"+req.NationalID, func() (err error) {
		cand, err = a.deps.Candidates.Authenticate(ctx, req.NationalID, req.Password)
		return err
	}) {
		return
	}
	// One live session per candidate: this login ends the others, audited in the
	// same transaction.
	token, err := a.deps.Sessions.CreateExclusive(ctx, auth.KindCandidate, cand.ID, c.Request.UserAgent(), c.ClientIP(),
		func(tx *sqlx.Tx, ended int64) error {
			return audit.Append(ctx, tx, audit.Actor{Kind: "candidate", ID: cand.ID, Name: cand.NationalID}, audit.Entry{
				Action: "candidate.login", ObjectType: "candidate", ObjectID: cand.ID,
				Details: map[string]any{"ip": c.ClientIP(), "sessions_ended": ended},
			})
		})
	if err != nil {
		writeError(c, err)
		return
	}
	a.setSessionCookie(c, token)
	a.writeCandidate(c, cand)
}

// requireCredentials refuses a login body without an account name or a password.
func requireCredentials(accountField, account, password string) error {
	problems := &input.Error{}
	if account == "" {
		problems.Add(accountField, "required")
	}
	if password == "" {
		problems.Add("password", "required")
	}
	return problems.Err()
}

// checkLogin runs what every login shares: the throttle (429 with Retry-After
// while account or the client's address has too many recent failures; the
// attempt counts before the password is checked, so concurrent guesses cannot
// slip past the limit), the password check, and clearing the account's failures
// on success. It writes the error and returns false when the login may not go on.
func (a *api) checkLogin(c *gin.Context, account string, authenticate func() error) bool {
	ctx := c.Request.Context()
	ticket, wait, err := a.deps.Throttle.Attempt(ctx, account, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return false
	}
	if wait > 0 {
		c.Header("Retry-After", strconv.Itoa(int(wait/time.Second)))
		writeError(c, errTooManyAttempts)
		return false
	}
	if err := authenticate(); err != nil {
		// A wrong password stays recorded as a failure.
		writeError(c, err)
		return false
	}
	if err := a.deps.Throttle.Pass(ctx, account, ticket); err != nil {
		writeError(c, err)
		return false
	}
	return true
}

func (a *api) logout(c *gin.Context) {
	if token, err := c.Cookie(sessionCookie); err == nil && token != "" {
		if err := a.deps.Sessions.Revoke(c.Request.Context(), token); err != nil {
			writeError(c, err)
			return
		}
	}
	a.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

// candidateView is what a candidate sees of their own record.
type candidateView struct {
	ID                   string                  `json:"id"`
	NationalID           string                  `json:"national_id"`
	FirstName            string                  `json:"first_name"`
	LastName             string                  `json:"last_name"`
	FatherName           string                  `json:"father_name"`
	BirthDate            string                  `json:"birth_date"`
	Gender               string                  `json:"gender"`
	MilitaryService      *string                 `json:"military_service"`
	Mobile               string                  `json:"mobile"`
	Email                *string                 `json:"email"`
	Education            string                  `json:"education"`
	ConstituencyID       int                     `json:"constituency_id"`
	Constituency         candidates.Constituency `json:"constituency"`
	Eligible             bool                    `json:"eligible"`
	IneligibilityReasons []string                `json:"ineligibility_reasons"`
	RegisteredAt         time.Time               `json:"registered_at"`
}

func (a *api) writeCandidate(c *gin.Context, cand candidates.Candidate) {
	con, err := a.deps.CandidateStore.Constituency(c.Request.Context(), cand.ConstituencyID)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, candidateView{
		ID:                   cand.ID,
		NationalID:           cand.NationalID,
		FirstName:            cand.FirstName,
		LastName:             cand.LastName,
		FatherName:           cand.FatherName,
		BirthDate:            cand.BirthDate.Format(time.DateOnly),
		Gender:               cand.Gender,
		MilitaryService:      cand.MilitaryService,
		Mobile:               cand.Mobile,
		Email:                cand.Email,
		Education:            cand.Education,
		ConstituencyID:       cand.ConstituencyID,
		Constituency:         con,
		Eligible:             cand.Eligible,
		IneligibilityReasons: cand.IneligibilityReasons,
		RegisteredAt:         cand.RegisteredAt.UTC(),
	})
}

func (a *api) candidateMe(c *gin.Context) {
	cand, err := a.deps.CandidateStore.ByID(c.Request.Context(), session(c).SubjectID)
	if err != nil {
		writeError(c, err)
		return
	}
	a.writeCandidate(c, cand)
}
