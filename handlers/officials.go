package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/officials"
)

const ctxOfficial = "official"

// loadOfficial puts the session's official in the context; an official disabled
// or removed since login is treated as logged out.
func (a *api) loadOfficial(c *gin.Context) {
	o, err := a.deps.Officials.ByID(c.Request.Context(), session(c).SubjectID)
	if err == officials.ErrNotFound || (err == nil && o.Disabled) {
		writeError(c, errUnauthenticated)
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.Set(ctxOfficial, o)
	c.Next()
}

func official(c *gin.Context) officials.Official {
	v, _ := c.Get(ctxOfficial)
	o, _ := v.(officials.Official)
	return o
}

// requireAdmin refuses every official but an admin: reviewers read, admins write.
func requireAdmin(c *gin.Context) {
	if official(c).Role != officials.RoleAdmin {
		writeError(c, errAdminOnly)
		return
	}
	c.Next()
}

type officialLoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (a *api) loginOfficial(c *gin.Context) {
	var req officialLoginRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	req.Username = strings.ToLower(strings.TrimSpace(req.Username))
	if err := requireCredentials("username", req.Username, req.Password); err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	var o officials.Official
	if !a.checkLogin(c, "official:"+req.Username, func() (err error) {
		o, err = a.deps.Officials.Authenticate(ctx, req.Username, req.Password)
		return err
	}) {
		return
	}
	token, err := a.deps.Sessions.Create(ctx, auth.KindOfficial, o.ID, c.Request.UserAgent(), c.ClientIP())
	if err != nil {
		writeError(c, err)
		return
	}
	if err := a.deps.Officials.RecordLogin(ctx, o, c.ClientIP()); err != nil {
		writeError(c, err)
		return
	}
	a.setSessionCookie(c, token)
	c.JSON(http.StatusOK, o)
}

func officialMe(c *gin.Context) {
	c.JSON(http.StatusOK, official(c))
}

func (a *api) listOfficials(c *gin.Context) {
	list, err := a.deps.Officials.List(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

func (a *api) createOfficial(c *gin.Context) {
	var req officials.NewOfficial
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	o, err := a.deps.Officials.Create(c.Request.Context(), official(c).Actor(), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, o)
}

func (a *api) setOfficialDisabled(disabled bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		me := official(c)
		if disabled && strings.EqualFold(strings.TrimSpace(c.Param("username")), me.Username) {
			writeError(c, input.Invalid("username", "cannot_disable_self"))
			return
		}
		o, err := a.deps.Officials.SetDisabled(c.Request.Context(), me.Actor(), c.Param("username"), disabled)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, o)
	}
}

// paging reads page and per_page (default 1 and 50, at most 200).
func paging(c *gin.Context) (page, perPage int, err error) {
	problems := &input.Error{}
	page, perPage = 1, 50
	if v := c.Query("page"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 1_000_000 {
			problems.Add("page", "out_of_range")
		} else {
			page = n
		}
	}
	if v := c.Query("per_page"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 200 {
			problems.Add("per_page", "out_of_range")
		} else {
			perPage = n
		}
	}
	return page, perPage, problems.Err()
}

func (a *api) listAudit(c *gin.Context) {
	page, perPage, err := paging(c)
	if err != nil {
		writeError(c, err)
		return
	}
	items, total, err := a.deps.Audit.List(c.Request.Context(), audit.Filter{
		Action:     c.Query("action"),
		ActorID:    c.Query("actor"),
		ObjectType: c.Query("object_type"),
		ObjectID:   c.Query("object_id"),
		Page:       page,
		PerPage:    perPage,
	})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "page": page, "per_page": perPage, "items": items})
}

func (a *api) verifyAudit(c *gin.Context) {
	res, err := a.deps.Audit.Verify(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
