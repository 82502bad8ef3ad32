package handlers

import (
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/static"
)

// pageFiles maps page paths to their HTML files in static.FS.
var pageFiles = map[string]string{
	"/":         "index.html",
	"/register": "register.html",
	"/login":    "login.html",
	"/home":     "home.html",
	"/exam":     "exam.html",
	"/verify":   "verify.html",
	"/result":   "result.html",
	// The officials' console.
	"/official/login": "official-login.html",
	"/official":       "official.html",
}

// pages serves the HTML pages and, under /static/, the embedded assets.
func pages(r *gin.Engine) {
	for path, file := range pageFiles {
		body, err := fs.ReadFile(static.FS, file)
		if err != nil {
			panic("handlers: embedded page missing: " + file) // a build defect, caught by every test
		}
		r.GET(path, func(c *gin.Context) {
			c.Header("Cache-Control", "no-cache")
			c.Data(http.StatusOK, "text/html; charset=utf-8", body)
		})
	}
	files := http.StripPrefix("/static/", http.FileServer(http.FS(static.FS)))
	r.GET("/static/*filepath", func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		files.ServeHTTP(c.Writer, c.Request)
	})
}
