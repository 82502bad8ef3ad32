package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/database/dbtest"
)

func mustCreate(tb testing.TB, s *auth.Sessions, kind auth.Kind, subject string) string {
	tb.Helper()
	token, err := s.Create(context.Background(), kind, subject, "test-agent", "192.0.2.1")
	if err != nil {
		tb.Fatalf("Create: %v", err)
	}
	return token
}

func mustLookup(tb testing.TB, s *auth.Sessions, token string) auth.Session {
	tb.Helper()
	sess, err := s.Lookup(context.Background(), token)
	if err != nil {
		tb.Fatalf("Lookup: %v", err)
	}
	return sess
}

func mustNoSession(tb testing.TB, s *auth.Sessions, token string) {
	tb.Helper()
	if _, err := s.Lookup(context.Background(), token); !errors.Is(err, auth.ErrNoSession) {
		tb.Fatalf("Lookup = %v, want ErrNoSession", err)
	}
}

func testSessionsCreateLookupRevoke(t *testing.T, db *sqlx.DB) {
	s := &auth.Sessions{DB: db, Idle: 30 * time.Minute, MaxAge: 12 * time.Hour}
	ctx := context.Background()

	token := mustCreate(t, s, auth.KindCandidate, "cand-1")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token %q is not base64url: %v", token, err)
	}
	if got, want := len(raw), 32; got != want {
		t.Fatalf("token has %d random bytes, want %d", got, want)
	}
	sess := mustLookup(t, s, token)
	if got, want := sess.Kind, auth.KindCandidate; got != want {
		t.Errorf("Kind = %q, want %q", got, want)
	}
	if got, want := sess.SubjectID, "cand-1"; got != want {
		t.Errorf("SubjectID = %q, want %q", got, want)
	}
	if d := sess.ExpiresAt.Sub(sess.CreatedAt); d < 12*time.Hour-time.Second || d > 12*time.Hour+time.Second {
		t.Errorf("ExpiresAt - CreatedAt = %v, want 12h", d)
	}

	// Only a SHA-256 of the token is stored.
	var hashed, plain int
	if err := db.GetContext(ctx, &hashed, `SELECT count(*) FROM sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &plain, `SELECT count(*) FROM sessions WHERE position(convert_to($1, 'UTF8') IN token_hash) > 0 OR user_agent = $1 OR ip = $1`, token); err != nil {
		t.Fatal(err)
	}
	if hashed != 1 || plain != 0 {
		t.Fatalf("sessions stored under sha256(token): %d, holding the raw token: %d; want 1 and 0", hashed, plain)
	}

	// A second login gets a different token; both live.
	token2 := mustCreate(t, s, auth.KindCandidate, "cand-1")
	if token2 == token {
		t.Fatalf("two logins got the same token")
	}
	mustLookup(t, s, token2)

	if err := s.Revoke(ctx, token); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	mustNoSession(t, s, token)
	mustLookup(t, s, token2)
	if err := s.Revoke(ctx, token); err != nil {
		t.Fatalf("second Revoke: %v", err)
	}
	if err := s.Revoke(ctx, "never-issued"); err != nil {
		t.Fatalf("Revoke(unknown): %v", err)
	}
	mustNoSession(t, s, "")
	mustNoSession(t, s, "never-issued")
	mustNoSession(t, s, token+"x")
}

func testSessionsIdleExpiry(t *testing.T, db *sqlx.DB) {
	s := &auth.Sessions{DB: db, Idle: time.Second, MaxAge: time.Hour}
	token := mustCreate(t, s, auth.KindCandidate, "cand-idle")
	mustLookup(t, s, token)
	time.Sleep(1500 * time.Millisecond)
	mustNoSession(t, s, token)
}

func testSessionsAbsoluteExpiry(t *testing.T, db *sqlx.DB) {
	s := &auth.Sessions{DB: db, Idle: time.Hour, MaxAge: time.Second}
	token := mustCreate(t, s, auth.KindOfficial, "admin")
	if got, want := mustLookup(t, s, token).Kind, auth.KindOfficial; got != want {
		t.Fatalf("Kind = %q, want %q", got, want)
	}
	time.Sleep(1500 * time.Millisecond)
	mustNoSession(t, s, token)
}

func testSessionsLookupTouchesLastSeen(t *testing.T, db *sqlx.DB) {
	ctx := context.Background()
	s := &auth.Sessions{DB: db, Idle: 5 * time.Minute, MaxAge: time.Hour}
	token := mustCreate(t, s, auth.KindCandidate, "cand-touch")
	// Pretend the session was last used four minutes ago: still live, and the
	// lookup must note the use so that it stays live for another five minutes.
	if _, err := db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = now() - interval '4 minutes' WHERE subject_id = 'cand-touch'`); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, s, token)
	var age float64
	if err := db.GetContext(ctx, &age, `SELECT extract(epoch FROM now() - last_seen_at) FROM sessions WHERE subject_id = 'cand-touch'`); err != nil {
		t.Fatal(err)
	}
	if age > 5 {
		t.Fatalf("last_seen_at is %.0fs old after a lookup, want it refreshed", age)
	}
	// Six minutes without use: gone.
	if _, err := db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = now() - interval '6 minutes' WHERE subject_id = 'cand-touch'`); err != nil {
		t.Fatal(err)
	}
	mustNoSession(t, s, token)
}

// mustLive counts the live sessions of the subjects.
func mustLive(tb testing.TB, db *sqlx.DB, subjects ...string) int {
	tb.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND subject_id = ANY($1)`,
		pq.StringArray(subjects)); err != nil {
		tb.Fatal(err)
	}
	return n
}

func testSessionsRevokeAll(t *testing.T, db *sqlx.DB) {
	ctx := context.Background()
	s := &auth.Sessions{DB: db, Idle: 30 * time.Minute, MaxAge: time.Hour}
	a1 := mustCreate(t, s, auth.KindCandidate, "subject-a")
	a2 := mustCreate(t, s, auth.KindCandidate, "subject-a")
	b := mustCreate(t, s, auth.KindCandidate, "subject-b")
	officialA := mustCreate(t, s, auth.KindOfficial, "subject-a")

	n, err := s.RevokeAll(ctx, db, auth.KindCandidate, "subject-a")
	if err != nil {
		t.Fatalf("RevokeAll: %v", err)
	}
	if got, want := n, int64(2); got != want {
		t.Fatalf("RevokeAll ended %d sessions, want %d", got, want)
	}
	mustNoSession(t, s, a1)
	mustNoSession(t, s, a2)
	mustLookup(t, s, b)
	mustLookup(t, s, officialA) // another kind with the same subject is someone else
	if got, want := mustLive(t, db, "subject-a", "subject-b"), 2; got != want {
		t.Fatalf("live sessions = %d, want %d", got, want)
	}
	n, err = s.RevokeAll(ctx, db, auth.KindCandidate, "subject-a")
	if err != nil {
		t.Fatalf("second RevokeAll: %v", err)
	}
	if got, want := n, int64(0); got != want {
		t.Fatalf("second RevokeAll ended %d sessions, want %d", got, want)
	}
}

func testSessionsOddUserAgent(t *testing.T, db *sqlx.DB) {
	ctx := context.Background()
	s := &auth.Sessions{DB: db, Idle: 30 * time.Minute, MaxAge: time.Hour}
	tests := []struct {
		name, ua string
	}{
		{"long ASCII", strings.Repeat("a", 2000)},
		// Cutting at 512 bytes must not split a character: PostgreSQL refuses
		// invalid UTF-8.
		{"long, multi-byte at the cut", strings.Repeat("a", 511) + "é" + strings.Repeat("b", 10)},
		{"long Persian", strings.Repeat("مرورگر ", 200)},
		// An HTTP header may carry bytes that are not UTF-8 at all.
		{"not UTF-8", "Mozilla/5.0 \xff\xfe"},
		{"NUL", "a\x00b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := s.Create(ctx, auth.KindCandidate, "cand-ua", tt.ua, "192.0.2.1")
			if err != nil {
				t.Fatalf("Create with user agent %q…: %v", tt.ua[:min(len(tt.ua), 20)], err)
			}
			mustLookup(t, s, token)
		})
	}
	var longest int
	if err := db.GetContext(ctx, &longest, `SELECT max(octet_length(user_agent)) FROM sessions`); err != nil {
		t.Fatal(err)
	}
	if longest > 512 {
		t.Fatalf("a stored user agent has %d bytes, want at most 512", longest)
	}
}

func testSessionsPurge(t *testing.T, db *sqlx.DB) {
	ctx := context.Background()
	s := &auth.Sessions{DB: db, Idle: 30 * time.Minute, MaxAge: time.Hour}
	live := mustCreate(t, s, auth.KindCandidate, "purge-live")
	old := mustCreate(t, s, auth.KindCandidate, "purge-old")
	if err := s.Revoke(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE sessions SET revoked_at = now() - interval '2 days' WHERE subject_id = 'purge-old'`); err != nil {
		t.Fatal(err)
	}
	n, err := s.Purge(ctx)
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if got, want := n, int64(1); got != want {
		t.Fatalf("Purge deleted %d, want %d", got, want)
	}
	mustLookup(t, s, live)
}

// TestSessions runs the session cases side by side on one database; each uses
// subjects of its own.
func TestSessions(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *sqlx.DB)
	}{
		{"create, lookup, revoke", testSessionsCreateLookupRevoke},
		{"idle expiry", testSessionsIdleExpiry},
		{"absolute expiry", testSessionsAbsoluteExpiry},
		{"lookup touches last use", testSessionsLookupTouchesLastSeen},
		{"revoke all", testSessionsRevokeAll},
		{"odd user agent", testSessionsOddUserAgent},
		{"purge", testSessionsPurge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, db)
		})
	}
}
