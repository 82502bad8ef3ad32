// Package static holds the browser front end (HTML, CSS and ES modules), embedded
// into the binary so that the server needs no files beside it.
package static

import "embed"

// FS is the embedded front end: pages at its root, styles in css/, modules in js/.
//
//go:embed *.html css js
var FS embed.FS
