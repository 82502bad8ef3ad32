// Package migrations holds the numbered SQL migrations, embedded for goose.
package migrations

import "embed"

// FS holds every migration file (NNNNN_name.sql) at its root.
//
//go:embed *.sql
var FS embed.FS
