package handlers_test

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/handlers"
	"github.com/council-exam/examd/officials"
	"github.com/council-exam/examd/receipts"
)

// wired is the router's dependencies as `examd serve` wires them, with the
// concrete stores a test reaches into.
type wired struct {
	deps       handlers.Deps
	exams      *exam.Store
	officials  *officials.Store
	candidates *candidates.Store
	sessions   *auth.Sessions
	key        ed25519.PrivateKey
}

// mustWire wires every store over db the way cmd/examd's serve does (receipt key
// kept in the database, frozen-exam cache), with login limits of maxAccount and
// maxIP failures per 15 minutes, dev cookies and a 1 MiB body cap. A test changes
// what it needs in deps before handlers.New.
func mustWire(tb testing.TB, db *sqlx.DB, electionDay time.Time, maxAccount, maxIP int) wired {
	tb.Helper()
	key, err := receipts.LoadKey(context.Background(), db, "", "")
	if err != nil {
		tb.Fatalf("receipts.LoadKey: %v", err)
	}
	w := wired{
		candidates: &candidates.Store{DB: db},
		sessions:   &auth.Sessions{DB: db, Idle: 30 * time.Minute, MaxAge: 12 * time.Hour},
		key:        key,
	}
	w.exams = &exam.Store{DB: db, Receipts: receipts.NewSigner(key), Cache: &exam.Cache{}, Sessions: w.sessions}
	w.officials = &officials.Store{DB: db, Sessions: w.sessions}
	w.deps = handlers.Deps{
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		DB:             db,
		Candidates:     candidates.NewService(w.candidates, electionDay),
		CandidateStore: w.candidates,
		Sessions:       w.sessions,
		Throttle:       &auth.Throttle{DB: db, MaxAccount: maxAccount, MaxIP: maxIP, Window: 15 * time.Minute},
		Officials:      w.officials,
		Exams:          w.exams,
		Attempts:       w.exams,
		Review:         w.exams,
		ReceiptKey:     key.Public().(ed25519.PublicKey),
		Audit:          &audit.Log{DB: db},
		Registry:       prometheus.NewRegistry(),
		Dev:            true,
		SessionMaxAge:  12 * time.Hour,
		MaxBodyBytes:   1 << 20,
	}
	return w
}
