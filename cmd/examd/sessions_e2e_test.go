package main

// Sessions against a real server started by run: a new token at every login,
// idle and absolute expiry decided by the server, logout and disabling ending
// sessions on the server, one live session per candidate. Helpers are in
// instances_test.go.

import (
	"context"
	"encoding/json"
	"io"
	"regexp"
	"testing"
	"time"
)

// inTokenRE is a session token: 256 random bits, base64url without padding.
var inTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// inMe returns the status and body of GET /api/v1/candidate/me with token.
func inMe(t *testing.T, base, token string) inResp {
	t.Helper()
	return inDo(t, "GET", base+"/api/v1/candidate/me", token, "")
}

func inMustUnauthenticated(t *testing.T, what string, r inResp) {
	t.Helper()
	if r.status != 401 || r.body != inUnauthenticated {
		t.Fatalf("%s = %d %s, want 401 %s", what, r.status, inTrim(r.body), inUnauthenticated)
	}
}

func inNationalIDOf(t *testing.T, r inResp) string {
	t.Helper()
	var me struct {
		NationalID string `json:"national_id"`
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &me) != nil {
		t.Fatalf("me = %d %s", r.status, inTrim(r.body))
	}
	return me.NationalID
}

func TestInSessionsNewTokenAtEveryLogin(t *testing.T) {
	t.Parallel()
	base, env := mustStartServerEnv(t, nil)
	db := inOpenDB(t, env)
	other := inNationalID(300)
	inRegister(t, base, other)

	// A cookie planted before login (made up by an attacker) opens nothing and is
	// not adopted: the login answers with a token of its own.
	const planted = "planted-by-an-attacker-0123456789abcdefghijkl"
	inMustUnauthenticated(t, "me with a planted cookie", inMe(t, base, planted))
	token := inLogin(t, base, "/api/v1/candidate/login", inCandidateLogin(inDemoNational, inDemoPassword), planted)
	if token == planted || !inTokenRE.MatchString(token) {
		t.Fatalf("token after login = %q (planted %q), want a fresh 43-character base64url token", token, planted)
	}
	inMustUnauthenticated(t, "me with the planted cookie after login", inMe(t, base, planted))
	if got := inNationalIDOf(t, inMe(t, base, token)); got != inDemoNational {
		t.Fatalf("me with the new token = %s, want %s", got, inDemoNational)
	}

	// A live session of someone else planted in the victim's browser: the
	// victim's login gets a new token, and the planted one stays the other's.
	attacker := inLoginCandidate(t, base, other, inPassword)
	victim := inLogin(t, base, "/api/v1/candidate/login", inCandidateLogin(inDemoNational, inDemoPassword), attacker)
	if victim == attacker {
		t.Fatalf("login kept the planted session token")
	}
	if got := inNationalIDOf(t, inMe(t, base, attacker)); got != other {
		t.Fatalf("the planted token now opens %s's session, want still %s's", got, other)
	}
	if got := inNationalIDOf(t, inMe(t, base, victim)); got != inDemoNational {
		t.Fatalf("the victim's token opens %s, want %s", got, inDemoNational)
	}

	// Every login, candidate or official, gets a token never seen before.
	seen := map[string]bool{planted: true, token: true, attacker: true, victim: true}
	for i := 0; i < 3; i++ {
		for _, tok := range []string{
			inLoginCandidate(t, base, inDemoNational, inDemoPassword),
			inLoginOfficial(t, base, inAdminUser, inAdminPassword),
		} {
			if seen[tok] || !inTokenRE.MatchString(tok) {
				t.Fatalf("login #%d answered token %q, seen before or malformed", i, tok)
			}
			seen[tok] = true
		}
	}

	// The server keeps only a hash of each token.
	var raw, hashed int
	if err := db.Get(&raw, `SELECT count(*) FROM sessions WHERE token_hash = $1`, []byte(victim)); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&hashed, `SELECT count(*) FROM sessions WHERE token_hash = $1`, inTokenHash(victim)); err != nil {
		t.Fatal(err)
	}
	if raw != 0 || hashed != 1 {
		t.Fatalf("sessions stored under the raw token: %d, under its SHA-256: %d; want 0 and 1", raw, hashed)
	}
}

// TestInSessionsIdleExpiry: with a 2 s idle timeout, a session used right after
// login and then left alone for 3 s is refused by the server, though its cookie
// and its absolute lifetime (1 h) would still allow it.
func TestInSessionsIdleExpiry(t *testing.T) {
	t.Parallel()
	base, env := mustStartServerEnv(t, map[string]string{"SESSION_IDLE_TIMEOUT": "2s", "SESSION_MAX_AGE": "1h"})
	db := inOpenDB(t, env)
	r := inMust(t, 200, "POST", base+"/api/v1/candidate/login", "", inCandidateLogin(inDemoNational, inDemoPassword))
	if r.cookie == nil || r.cookie.MaxAge != 3600 || !r.cookie.HttpOnly {
		t.Fatalf("session cookie = %+v, want HttpOnly with Max-Age 3600", r.cookie)
	}
	token := r.cookie.Value
	inMust(t, 200, "GET", base+"/api/v1/candidate/me", token, "")
	time.Sleep(3 * time.Second)
	inMustUnauthenticated(t, "me after 3 s idle", inMe(t, base, token))
	// Not revoked: it lapsed, and stays lapsed.
	var revoked bool
	if err := db.Get(&revoked, `SELECT revoked_at IS NOT NULL FROM sessions WHERE token_hash = $1`, inTokenHash(token)); err != nil {
		t.Fatal(err)
	}
	if revoked {
		t.Fatalf("the idle session was revoked; want it refused for idleness alone")
	}
	inMustUnauthenticated(t, "me again", inMe(t, base, token))
	// A new login works.
	inMust(t, 200, "GET", base+"/api/v1/candidate/me", inLoginCandidate(t, base, inDemoNational, inDemoPassword), "")
}

// TestInSessionsIdleShortTimeoutKeptAliveByUse: a session in steady use never
// lapses for idleness, even when the idle timeout is shorter than the interval at
// which the server notes a use; left alone past the timeout, it lapses.
func TestInSessionsIdleShortTimeoutKeptAliveByUse(t *testing.T) {
	t.Parallel()
	base, _ := mustStartServerEnv(t, map[string]string{"SESSION_IDLE_TIMEOUT": "2s", "SESSION_MAX_AGE": "1h"})
	token := inLoginCandidate(t, base, inDemoNational, inDemoPassword)
	start := time.Now()
	for time.Since(start) < 4*time.Second {
		if r := inMe(t, base, token); r.status != 200 {
			t.Fatalf("session in use every 0.5 s refused %.1f s after login (idle timeout 2 s): %d %s",
				time.Since(start).Seconds(), r.status, r.body)
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	inMustUnauthenticated(t, "me after 3 s idle", inMe(t, base, token))
}

// TestInSessionsIdleWindowMovesWithUse: use refreshes the idle window (the server
// notes a use at most once a minute, so the clock is moved in the database).
func TestInSessionsIdleWindowMovesWithUse(t *testing.T) {
	t.Parallel()
	base, env := mustStartServerEnv(t, map[string]string{"SESSION_IDLE_TIMEOUT": "90s", "SESSION_MAX_AGE": "1h"})
	db := inOpenDB(t, env)
	token := inLoginCandidate(t, base, inDemoNational, inDemoPassword)
	age := func(seconds int) {
		t.Helper()
		if _, err := db.Exec(`UPDATE sessions SET last_seen_at = now() - make_interval(secs => $2) WHERE token_hash = $1`, inTokenHash(token), seconds); err != nil {
			t.Fatal(err)
		}
	}
	age(80) // idle 80 s of 90: still live, and this use is noted
	inMust(t, 200, "GET", base+"/api/v1/candidate/me", token, "")
	var idle float64
	if err := db.Get(&idle, `SELECT extract(epoch FROM now() - last_seen_at) FROM sessions WHERE token_hash = $1`, inTokenHash(token)); err != nil {
		t.Fatal(err)
	}
	if idle > 5 {
		t.Fatalf("last use %.1f s ago after a request, want it noted now", idle)
	}
	age(91)
	inMustUnauthenticated(t, "me after 91 s idle", inMe(t, base, token))
}

// TestInSessionsAbsoluteExpiry: a session used all the time still ends when its
// maximum age is reached. Its last use is also kept fresh in the database, so
// that idleness cannot be what ends it.
func TestInSessionsAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	base, env := mustStartServerEnv(t, map[string]string{"SESSION_IDLE_TIMEOUT": "3s", "SESSION_MAX_AGE": "3s"})
	db := inOpenDB(t, env)
	before := time.Now()
	r := inMust(t, 200, "POST", base+"/api/v1/candidate/login", "", inCandidateLogin(inDemoNational, inDemoPassword))
	after := time.Now()
	if r.cookie == nil || r.cookie.MaxAge != 3 {
		t.Fatalf("session cookie = %+v, want Max-Age 3", r.cookie)
	}
	token := r.cookie.Value
	var lifetime float64
	if err := db.Get(&lifetime, `SELECT extract(epoch FROM expires_at - created_at) FROM sessions WHERE token_hash = $1`, inTokenHash(token)); err != nil {
		t.Fatal(err)
	}
	if lifetime < 2.9 || lifetime > 3.1 {
		t.Fatalf("stored lifetime %.3f s, want 3", lifetime)
	}
	// The session was made between before and after; a request sent s after
	// `after` finds it at least s old, and one answered r after `before` at most
	// r old.
	for {
		if _, err := db.Exec(`UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1`, inTokenHash(token)); err != nil {
			t.Fatal(err)
		}
		sent := time.Now()
		r := inMe(t, base, token)
		answered := time.Now()
		switch {
		case r.status == 200 && sent.Sub(after) > 3300*time.Millisecond:
			t.Fatalf("session still open %.1f s after login, want it ended at 3 s", sent.Sub(after).Seconds())
		case r.status == 200:
		case answered.Sub(before) < 2900*time.Millisecond:
			t.Fatalf("session ended %.1f s after login (%d %s), want it to last 3 s", answered.Sub(before).Seconds(), r.status, r.body)
		default:
			inMustUnauthenticated(t, "me after the session's maximum age", r)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func TestInSessionsLogoutEndsSessionOnServer(t *testing.T) {
	t.Parallel()
	base, env := mustStartServerEnv(t, nil)
	db := inOpenDB(t, env)
	for _, s := range []struct {
		who, login, me string
	}{
		{"candidate", inCandidateLogin(inDemoNational, inDemoPassword), "/api/v1/candidate/me"},
		{"official", inOfficialLogin(inAdminUser, inAdminPassword), "/api/v1/official/me"},
	} {
		path := "/api/v1/" + s.who + "/login"
		token := inLogin(t, base, path, s.login, "")
		inMust(t, 200, "GET", base+s.me, token, "")
		r := inMust(t, 204, "POST", base+"/api/v1/logout", token, "")
		if r.cookie == nil || r.cookie.Value != "" || r.cookie.MaxAge >= 0 {
			t.Fatalf("%s logout cookie = %+v, want it cleared", s.who, r.cookie)
		}
		// The old cookie, replayed (as a copy kept by an attacker would be), is dead.
		if r := inDo(t, "GET", base+s.me, token, ""); r.status != 401 || r.body != inUnauthenticated {
			t.Fatalf("%s: %s with the cookie after logout = %d %s, want 401", s.who, s.me, r.status, r.body)
		}
		var revoked bool
		if err := db.Get(&revoked, `SELECT revoked_at IS NOT NULL FROM sessions WHERE token_hash = $1`, inTokenHash(token)); err != nil {
			t.Fatal(err)
		}
		if !revoked {
			t.Fatalf("%s: session not revoked in the database after logout", s.who)
		}
		// Logging out again, or without a session, is fine and changes nothing.
		inMust(t, 204, "POST", base+"/api/v1/logout", token, "")
		inMust(t, 204, "POST", base+"/api/v1/logout", "", "")
	}
	// Logging out one session leaves the official's other sessions alone.
	first := inLoginOfficial(t, base, inAdminUser, inAdminPassword)
	second := inLoginOfficial(t, base, inAdminUser, inAdminPassword)
	inMust(t, 204, "POST", base+"/api/v1/logout", first, "")
	inMust(t, 200, "GET", base+"/api/v1/official/me", second, "")
}

func TestInSessionsDisablingOfficialEndsSessions(t *testing.T) {
	t.Parallel()
	base, env := mustStartServerEnv(t, nil)
	db := inOpenDB(t, env)
	admin := inLoginOfficial(t, base, inAdminUser, inAdminPassword)
	const password = "reviewer's long secret"
	for _, u := range []string{"in.rev", "in.cli"} {
		b, _ := json.Marshal(map[string]string{"username": u, "password": password, "role": "reviewer", "display_name": u})
		inMust(t, 201, "POST", base+"/api/v1/official/officials", admin, string(b))
	}
	t1 := inLoginOfficial(t, base, "in.rev", password)
	t2 := inLoginOfficial(t, base, "in.rev", password)
	for _, tok := range []string{t1, t2} {
		inMust(t, 200, "GET", base+"/api/v1/official/me", tok, "")
	}

	inMust(t, 200, "POST", base+"/api/v1/official/officials/in.rev/disable", admin, "")
	for _, tok := range []string{t1, t2} {
		if r := inDo(t, "GET", base+"/api/v1/official/audit", tok, ""); r.status != 401 || r.body != inUnauthenticated {
			t.Fatalf("disabled official's session = %d %s, want 401", r.status, r.body)
		}
	}
	var ended int
	if err := db.Get(&ended, `SELECT (details->>'sessions_ended')::int FROM audit_log WHERE action = 'official.disable' ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if ended != 2 {
		t.Fatalf("official.disable audited sessions_ended = %d, want 2", ended)
	}
	// Enabling again does not bring the ended sessions back.
	inMust(t, 200, "POST", base+"/api/v1/official/officials/in.rev/enable", admin, "")
	for _, tok := range []string{t1, t2} {
		inMustUnauthenticated(t, "old session after re-enabling", inDo(t, "GET", base+"/api/v1/official/me", tok, ""))
	}
	inMust(t, 200, "GET", base+"/api/v1/official/me", inLoginOfficial(t, base, "in.rev", password), "")

	// The command line does the same.
	t3 := inLoginOfficial(t, base, "in.cli", password)
	if err := run(context.Background(), []string{"official", "disable", "--username", "in.cli"}, testEnv(env), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	inMustUnauthenticated(t, "session after `official disable`", inDo(t, "GET", base+"/api/v1/official/me", t3, ""))
	// The admin's own session is untouched.
	inMust(t, 200, "GET", base+"/api/v1/official/me", admin, "")
}

func TestInSessionsNewCandidateLoginEndsOlder(t *testing.T) {
	t.Parallel()
	base, env := mustStartServerEnv(t, nil)
	db := inOpenDB(t, env)
	var candidateID string
	if err := db.Get(&candidateID, `SELECT id FROM candidates WHERE national_id = $1`, inDemoNational); err != nil {
		t.Fatal(err)
	}
	first := inLoginCandidate(t, base, inDemoNational, inDemoPassword)
	inMust(t, 200, "GET", base+"/api/v1/candidate/me", first, "")
	second := inLoginCandidate(t, base, inDemoNational, inDemoPassword)
	inMustUnauthenticated(t, "the older session after a new login", inMe(t, base, first))
	inMust(t, 200, "GET", base+"/api/v1/candidate/me", second, "")
	third := inLoginCandidate(t, base, inDemoNational, inDemoPassword)
	inMustUnauthenticated(t, "the second session after a third login", inMe(t, base, second))
	inMust(t, 200, "GET", base+"/api/v1/candidate/me", third, "")

	var rows []struct {
		ActorID string `db:"actor_id"`
		Ended   int    `db:"ended"`
		IP      string `db:"ip"`
	}
	if err := db.Select(&rows, `SELECT actor_id, (details->>'sessions_ended')::int AS ended, details->>'ip' AS ip
		FROM audit_log WHERE action = 'candidate.login' AND object_id = $1 ORDER BY id`, candidateID); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Ended != 0 || rows[1].Ended != 1 || rows[2].Ended != 1 {
		t.Fatalf("candidate.login audit rows = %+v, want three with sessions_ended 0, 1, 1", rows)
	}
	for _, r := range rows {
		if r.ActorID != candidateID || r.IP != "127.0.0.1" {
			t.Fatalf("candidate.login audit row %+v, want actor %s from 127.0.0.1", r, candidateID)
		}
	}
	var live int
	if err := db.Get(&live, `SELECT count(*) FROM sessions WHERE kind = 'candidate' AND subject_id = $1 AND revoked_at IS NULL`, candidateID); err != nil {
		t.Fatal(err)
	}
	if live != 1 {
		t.Fatalf("live candidate sessions = %d, want 1", live)
	}
}
