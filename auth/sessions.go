package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/batch"
	"github.com/council-exam/examd/database"
)

// Kind tells candidate sessions from official ones; a session of one kind never
// opens a route of the other.
type Kind string

// Session kinds.
const (
	KindCandidate Kind = "candidate"
	KindOfficial  Kind = "official"
)

// ErrNoSession is returned by Sessions.Lookup for an unknown, revoked, idle or
// expired token.
var ErrNoSession = errors.New("auth: no valid session")

// ErrWrongKind is returned by Sessions.Subject for a live session of the other
// kind (an official's session on a candidate's route, or the reverse).
var ErrWrongKind = errors.New("auth: session of another kind")

// Session is a live login.
type Session struct {
	Kind      Kind      `db:"kind"`
	SubjectID string    `db:"subject_id"`
	CreatedAt time.Time `db:"created_at"`
	ExpiresAt time.Time `db:"expires_at"`
}

// Sessions keeps sessions in PostgreSQL so that any server instance can check
// them. Only a SHA-256 of each token is stored.
type Sessions struct {
	DB *sqlx.DB
	// Idle ends a session not used for this long; MaxAge ends it this long after
	// login whatever its use.
	Idle, MaxAge time.Duration

	batcher *batch.Runner[[]byte, lookup]
	stmtMu  sync.Mutex
	stmt    *sqlx.Stmt
}

// touchEvery bounds how often a session's last use is written: once a minute at
// most (or every half idle timeout, when that is shorter), so that a busy
// candidate's requests do not each write the session row.
const touchEvery = time.Minute

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Create starts a session for subject and returns its token: 256 random bits,
// base64url-encoded. A new token is made at every login.
func (s *Sessions) Create(ctx context.Context, kind Kind, subject, userAgent, ip string) (string, error) {
	return s.insert(ctx, s.DB, kind, subject, userAgent, ip)
}

func (s *Sessions) insert(ctx context.Context, db sqlx.ExecerContext, kind Kind, subject, userAgent, ip string) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("auth: session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	const q = `INSERT INTO sessions (token_hash, kind, subject_id, expires_at, user_agent, ip)
		VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6)`
	if _, err := db.ExecContext(ctx, q, hashToken(token), kind, subject, s.MaxAge.Seconds(),
		storableText(userAgent, 512), storableText(ip, 64)); err != nil {
		return "", fmt.Errorf("auth: create session: %w", err)
	}
	return token, nil
}

// storableText makes client-supplied header text storable in a PostgreSQL text
// column, which refuses NUL and invalid UTF-8 (a header may carry both), and cuts
// it to at most max bytes without splitting a character.
func storableText(s string, max int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// CreateExclusive starts a session for subject and, in the same transaction, ends
// every other session of theirs; then it calls also (when not nil) in that
// transaction with the number of sessions ended, e.g. to audit the login.
func (s *Sessions) CreateExclusive(ctx context.Context, kind Kind, subject, userAgent, ip string,
	also func(tx *sqlx.Tx, ended int64) error) (string, error) {
	var token string
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		ended, err := s.RevokeAll(ctx, tx, kind, subject)
		if err != nil {
			return err
		}
		if token, err = s.insert(ctx, tx, kind, subject, userAgent, ip); err != nil {
			return err
		}
		if also != nil {
			return also(tx, ended)
		}
		return nil
	})
	return token, err
}

// Lookup returns the live session for token, refreshing its last use. It returns
// ErrNoSession when the token is unknown, revoked, idle too long or past MaxAge.
// With StartBatching, lookups that arrive together share one query.
func (s *Sessions) Lookup(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	var found lookup
	var err error
	if s.batcher != nil {
		found, err = s.batcher.Do(ctx, hashToken(token))
	} else {
		var all []lookup
		if all, err = s.lookupBatch(ctx, [][]byte{hashToken(token)}); err == nil {
			found = all[0]
		}
	}
	if err != nil {
		return Session{}, err
	}
	if !found.ok {
		return Session{}, ErrNoSession
	}
	return found.session, nil
}

// Subject returns who a live session of kind belongs to: ErrNoSession as Lookup,
// or ErrWrongKind for a session of the other kind.
func (s *Sessions) Subject(ctx context.Context, token string, kind Kind) (string, error) {
	sess, err := s.Lookup(ctx, token)
	if err != nil {
		return "", err
	}
	if sess.Kind != kind {
		return "", ErrWrongKind
	}
	return sess.SubjectID, nil
}

// lookup is the answer to one token of a batch.
type lookup struct {
	session Session
	ok      bool
}

// StartBatching makes Lookup go through workers goroutines, each answering up to
// max lookups that arrive together with one query, until ctx ends.
func (s *Sessions) StartBatching(ctx context.Context, workers, max int) {
	s.batcher = batch.Start(ctx, workers, max, s.lookupBatch)
}

// LiveCTE returns two WITH items of one statement: "live", the live sessions
// (token_hash, kind, subject_id, created_at, expires_at, last_seen_at) whose
// token_hash matches match (e.g. "= ANY($1::bytea[])"), and "touched", which notes
// their use at most once every touch seconds. idle and touch are SQL expressions
// in seconds (parameters, usually: see Window). Lookup and any statement that
// checks a session in its own round trip (the answer save) share this text, so
// they apply one rule.
func LiveCTE(match, idle, touch string) string {
	return `live AS (
			SELECT token_hash, kind, subject_id, created_at, expires_at, last_seen_at
			FROM sessions
			WHERE token_hash ` + match + ` AND revoked_at IS NULL AND expires_at > now()
			  AND last_seen_at > now() - make_interval(secs => ` + idle + `)
		), touched AS (
			UPDATE sessions SET last_seen_at = now()
			FROM live
			WHERE sessions.token_hash = live.token_hash
			  AND live.last_seen_at < now() - make_interval(secs => ` + touch + `)
		)`
}

// Window returns, in seconds, the idle timeout and how often a session's use is
// written: the idle and touch arguments of LiveCTE.
func (s *Sessions) Window() (idle, touch float64) {
	// A session must be noted well before it could lapse, or one in steady use
	// would end for idleness when Idle is shorter than touchEvery.
	return s.Idle.Seconds(), min(touchEvery, s.Idle/2).Seconds()
}

// TokenHash is what the sessions table keeps of a token.
func TokenHash(token string) []byte { return hashToken(token) }

// lookupBatch reads the live sessions of many token hashes in one round trip and,
// at most once a minute per session, notes their use.
func (s *Sessions) lookupBatch(ctx context.Context, hashes [][]byte) ([]lookup, error) {
	q := `WITH ` + LiveCTE("= ANY($1::bytea[])", "$2", "$3") + `
		SELECT token_hash, kind, subject_id, created_at, expires_at FROM live`
	idle, touch := s.Window()
	stmt, err := s.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		TokenHash []byte `db:"token_hash"`
		Session
	}
	if err := stmt.SelectContext(ctx, &rows, pq.ByteaArray(hashes), idle, touch); err != nil {
		return nil, fmt.Errorf("auth: lookup session: %w", err)
	}
	byHash := make(map[string]Session, len(rows))
	for _, r := range rows {
		byHash[string(r.TokenHash)] = r.Session
	}
	out := make([]lookup, len(hashes))
	for i, h := range hashes {
		out[i].session, out[i].ok = byHash[string(h)]
	}
	return out, nil
}

// prepare returns the lookup statement, prepared once per Sessions value.
func (s *Sessions) prepare(ctx context.Context, q string) (*sqlx.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if s.stmt != nil {
		return s.stmt, nil
	}
	st, err := s.DB.PreparexContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("auth: prepare lookup: %w", err)
	}
	s.stmt = st
	return st, nil
}

// Revoke ends the session of token; an unknown token is not an error.
func (s *Sessions) Revoke(ctx context.Context, token string) error {
	const q = `UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`
	if _, err := s.DB.ExecContext(ctx, q, hashToken(token)); err != nil {
		return fmt.Errorf("auth: revoke session: %w", err)
	}
	return nil
}

// RevokeAll ends every live session of subject and returns how many it ended.
func (s *Sessions) RevokeAll(ctx context.Context, q sqlx.ExecerContext, kind Kind, subject string) (int64, error) {
	const stmt = `UPDATE sessions SET revoked_at = now()
		WHERE kind = $1 AND subject_id = $2 AND revoked_at IS NULL`
	res, err := q.ExecContext(ctx, stmt, kind, subject)
	if err != nil {
		return 0, fmt.Errorf("auth: revoke sessions: %w", err)
	}
	return res.RowsAffected()
}

// Purge deletes sessions that ended more than a day ago.
func (s *Sessions) Purge(ctx context.Context) (int64, error) {
	const q = `DELETE FROM sessions
		WHERE expires_at < now() - interval '1 day'
		   OR revoked_at < now() - interval '1 day'
		   OR last_seen_at < now() - make_interval(secs => $1) - interval '1 day'`
	res, err := s.DB.ExecContext(ctx, q, s.Idle.Seconds())
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	return res.RowsAffected()
}
