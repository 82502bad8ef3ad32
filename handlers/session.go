package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/auth"
)

// sessionCookie is the name of the session cookie for candidates and officials.
const sessionCookie = "examd_session"

const ctxSession = "session"

// setSessionCookie hands the browser its session token: HttpOnly, SameSite=Lax, and
// Secure unless the server runs in dev mode over plain HTTP.
func (a *api) setSessionCookie(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   int(a.deps.SessionMaxAge.Seconds()),
		HttpOnly: true,
		Secure:   !a.deps.Dev,
		SameSite: http.SameSiteLaxMode,
	})
}

func (a *api) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   !a.deps.Dev,
		SameSite: http.SameSiteLaxMode,
	})
}

// requireSession lets a request through only with a live session of kind; a
// session of the other kind is refused with 403.
func (a *api) requireSession(kind auth.Kind) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, err := c.Cookie(sessionCookie)
		if err != nil || token == "" {
			writeError(c, errUnauthenticated)
			return
		}
		sess, err := a.deps.Sessions.Lookup(c.Request.Context(), token)
		if err != nil {
			writeError(c, err)
			return
		}
		if sess.Kind != kind {
			writeError(c, errWrongSession)
			return
		}
		c.Set(ctxSession, sess)
		c.Next()
	}
}

// session returns the session that requireSession checked.
func session(c *gin.Context) auth.Session {
	s, _ := c.Get(ctxSession)
	sess, _ := s.(auth.Session)
	return sess
}
