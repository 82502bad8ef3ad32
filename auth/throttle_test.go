package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/database/dbtest"
)

func mustFail(tb testing.TB, th *auth.Throttle, account, ip string) {
	tb.Helper()
	if err := th.Fail(context.Background(), account, ip); err != nil {
		tb.Fatalf("Fail(%q, %q): %v", account, ip, err)
	}
}

func mustWait(tb testing.TB, th *auth.Throttle, account, ip string) time.Duration {
	tb.Helper()
	wait, err := th.Check(context.Background(), account, ip)
	if err != nil {
		tb.Fatalf("Check(%q, %q): %v", account, ip, err)
	}
	return wait
}

// mustBlocked checks that account from ip must wait, at most one window.
func mustBlocked(tb testing.TB, th *auth.Throttle, account, ip string) {
	tb.Helper()
	wait := mustWait(tb, th, account, ip)
	if wait <= 0 || wait > th.Window {
		tb.Fatalf("Check(%q, %q) = %v, want > 0 and ≤ %v", account, ip, wait, th.Window)
	}
	if wait%time.Second != 0 {
		tb.Fatalf("Check(%q, %q) = %v, want whole seconds (it becomes Retry-After)", account, ip, wait)
	}
}

func mustAllowed(tb testing.TB, th *auth.Throttle, account, ip string) {
	tb.Helper()
	if got := mustWait(tb, th, account, ip); got != 0 {
		tb.Fatalf("Check(%q, %q) = %v, want 0", account, ip, got)
	}
}

func testThrottleAccountLimit(t *testing.T, db *sqlx.DB) {
	th := &auth.Throttle{DB: db, MaxAccount: 3, MaxIP: 10, Window: time.Minute}
	mustAllowed(t, th, "candidate:a", "192.0.2.11")
	for i := 0; i < 2; i++ {
		mustFail(t, th, "candidate:a", "192.0.2.11")
		mustAllowed(t, th, "candidate:a", "192.0.2.11")
	}
	mustFail(t, th, "candidate:a", "192.0.2.11")
	mustBlocked(t, th, "candidate:a", "192.0.2.11")
	// The account is blocked from any address; other accounts are not.
	mustBlocked(t, th, "candidate:a", "198.51.100.11")
	mustAllowed(t, th, "candidate:b", "192.0.2.11")
	mustAllowed(t, th, "official:a", "198.51.100.11")
}

func testThrottleIPLimit(t *testing.T, db *sqlx.DB) {
	th := &auth.Throttle{DB: db, MaxAccount: 3, MaxIP: 5, Window: time.Minute}
	// Five accounts, one failure each, from one address: no account is at its
	// limit, but the address is.
	for _, acct := range []string{"ip:a", "ip:b", "ip:c", "ip:d"} {
		mustFail(t, th, acct, "192.0.2.12")
	}
	mustAllowed(t, th, "ip:e", "192.0.2.12")
	mustFail(t, th, "ip:e", "192.0.2.12")
	mustBlocked(t, th, "ip:f", "192.0.2.12")
	mustBlocked(t, th, "ip:a", "192.0.2.12")
	// The same accounts from another address are fine.
	mustAllowed(t, th, "ip:a", "198.51.100.12")
	mustAllowed(t, th, "ip:f", "198.51.100.12")
}

func testThrottleSucceed(t *testing.T, db *sqlx.DB) {
	th := &auth.Throttle{DB: db, MaxAccount: 2, MaxIP: 3, Window: time.Minute}
	ctx := context.Background()
	mustFail(t, th, "ok:a", "192.0.2.13")
	mustFail(t, th, "ok:a", "192.0.2.13")
	mustFail(t, th, "ok:b", "192.0.2.13")
	mustBlocked(t, th, "ok:a", "198.51.100.13") // by the account
	mustBlocked(t, th, "ok:c", "192.0.2.13")    // by the address
	if err := th.Succeed(ctx, "ok:a"); err != nil {
		t.Fatalf("Succeed: %v", err)
	}
	// The account's failures are gone; the address's stay.
	mustAllowed(t, th, "ok:a", "198.51.100.13")
	mustBlocked(t, th, "ok:a", "192.0.2.13")
	mustBlocked(t, th, "ok:c", "192.0.2.13")
}

func testThrottleWindow(t *testing.T, db *sqlx.DB) {
	ctx := context.Background()
	th := &auth.Throttle{DB: db, MaxAccount: 2, MaxIP: 100, Window: 10 * time.Minute}
	mustFail(t, th, "window:a", "192.0.2.14")
	mustFail(t, th, "window:a", "192.0.2.14")
	// The first failure was 9 minutes ago: the wait ends when it leaves the window.
	if _, err := db.ExecContext(ctx, `UPDATE login_failures SET failed_at = now() - interval '9 minutes'
		WHERE id IN (SELECT min(id) FROM login_failures WHERE key IN ('window:a', '192.0.2.14') GROUP BY scope)`); err != nil {
		t.Fatal(err)
	}
	wait := mustWait(t, th, "window:a", "192.0.2.14")
	if wait < 59*time.Second || wait > 61*time.Second {
		t.Fatalf("Check = %v, want about 60s", wait)
	}
	// Failures older than the window do not count and are purged.
	if _, err := db.ExecContext(ctx, `UPDATE login_failures SET failed_at = now() - interval '11 minutes'
		WHERE key IN ('window:a', '192.0.2.14')`); err != nil {
		t.Fatal(err)
	}
	mustAllowed(t, th, "window:a", "192.0.2.14")
	n, err := th.Purge(ctx)
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if got, want := n, int64(4); got != want { // two failures, each as account and address
		t.Fatalf("Purge deleted %d rows, want %d", got, want)
	}
}

func testThrottleOddKeys(t *testing.T, db *sqlx.DB) {
	th := &auth.Throttle{DB: db, MaxAccount: 1, MaxIP: 100, Window: time.Minute}
	ctx := context.Background()
	// Account names come from what clients type: NUL, bytes that are not UTF-8 and
	// megabytes of text must neither fail the query nor escape the limit.
	for _, acct := range []string{"odd:\x00", "odd:\xff\xfe", "odd:" + strings.Repeat("۱", 300_000)} {
		mustAllowed(t, th, acct, "192.0.2.15")
		mustFail(t, th, acct, "192.0.2.15")
		mustBlocked(t, th, acct, "192.0.2.15")
		if err := th.Succeed(ctx, acct); err != nil {
			t.Fatalf("Succeed: %v", err)
		}
		mustAllowed(t, th, acct, "192.0.2.15")
	}
}

// TestThrottle runs the throttle cases side by side on one database; each uses
// accounts and addresses of its own.
func TestThrottle(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *sqlx.DB)
	}{
		{"account limit", testThrottleAccountLimit},
		{"address limit", testThrottleIPLimit},
		{"success clears the account", testThrottleSucceed},
		{"window", testThrottleWindow},
		{"odd keys", testThrottleOddKeys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, db)
		})
	}
}
