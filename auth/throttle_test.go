package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

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

func TestThrottleAccountLimit(t *testing.T) {
	t.Parallel()
	th := &auth.Throttle{DB: dbtest.New(t), MaxAccount: 3, MaxIP: 10, Window: time.Minute}
	mustAllowed(t, th, "candidate:a", "192.0.2.1")
	for i := 0; i < 2; i++ {
		mustFail(t, th, "candidate:a", "192.0.2.1")
		mustAllowed(t, th, "candidate:a", "192.0.2.1")
	}
	mustFail(t, th, "candidate:a", "192.0.2.1")
	mustBlocked(t, th, "candidate:a", "192.0.2.1")
	// The account is blocked from any address; other accounts are not.
	mustBlocked(t, th, "candidate:a", "198.51.100.7")
	mustAllowed(t, th, "candidate:b", "192.0.2.1")
	mustAllowed(t, th, "official:a", "198.51.100.7")
}

func TestThrottleIPLimit(t *testing.T) {
	t.Parallel()
	th := &auth.Throttle{DB: dbtest.New(t), MaxAccount: 3, MaxIP: 5, Window: time.Minute}
	// Five accounts, one failure each, from one address: no account is at its
	// limit, but the address is.
	for _, acct := range []string{"a", "b", "c", "d"} {
		mustFail(t, th, acct, "192.0.2.9")
	}
	mustAllowed(t, th, "e", "192.0.2.9")
	mustFail(t, th, "e", "192.0.2.9")
	mustBlocked(t, th, "f", "192.0.2.9")
	mustBlocked(t, th, "a", "192.0.2.9")
	// The same accounts from another address are fine.
	mustAllowed(t, th, "a", "198.51.100.7")
	mustAllowed(t, th, "f", "198.51.100.7")
}

func TestThrottleSucceed(t *testing.T) {
	t.Parallel()
	th := &auth.Throttle{DB: dbtest.New(t), MaxAccount: 2, MaxIP: 3, Window: time.Minute}
	ctx := context.Background()
	mustFail(t, th, "a", "192.0.2.1")
	mustFail(t, th, "a", "192.0.2.1")
	mustFail(t, th, "b", "192.0.2.1")
	mustBlocked(t, th, "a", "198.51.100.7") // by the account
	mustBlocked(t, th, "c", "192.0.2.1")    // by the address
	if err := th.Succeed(ctx, "a"); err != nil {
		t.Fatalf("Succeed: %v", err)
	}
	// The account's failures are gone; the address's stay.
	mustAllowed(t, th, "a", "198.51.100.7")
	mustBlocked(t, th, "a", "192.0.2.1")
	mustBlocked(t, th, "c", "192.0.2.1")
}

func TestThrottleWindow(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	th := &auth.Throttle{DB: db, MaxAccount: 2, MaxIP: 100, Window: 10 * time.Minute}
	mustFail(t, th, "a", "192.0.2.1")
	mustFail(t, th, "a", "192.0.2.1")
	// The first failure was 9 minutes ago: the wait ends when it leaves the window.
	if _, err := db.ExecContext(ctx, `UPDATE login_failures SET failed_at = now() - interval '9 minutes'
		WHERE id IN (SELECT min(id) FROM login_failures GROUP BY scope)`); err != nil {
		t.Fatal(err)
	}
	wait := mustWait(t, th, "a", "192.0.2.1")
	if wait < 59*time.Second || wait > 61*time.Second {
		t.Fatalf("Check = %v, want about 60s", wait)
	}
	// Failures older than the window do not count and are purged.
	if _, err := db.ExecContext(ctx, `UPDATE login_failures SET failed_at = now() - interval '11 minutes'`); err != nil {
		t.Fatal(err)
	}
	mustAllowed(t, th, "a", "192.0.2.1")
	n, err := th.Purge(ctx)
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if got, want := n, int64(4); got != want { // two failures, each as account and address
		t.Fatalf("Purge deleted %d rows, want %d", got, want)
	}
}

func TestThrottleOddKeys(t *testing.T) {
	t.Parallel()
	th := &auth.Throttle{DB: dbtest.New(t), MaxAccount: 1, MaxIP: 100, Window: time.Minute}
	ctx := context.Background()
	// Account names come from what clients type: NUL, bytes that are not UTF-8 and
	// megabytes of text must neither fail the query nor escape the limit.
	for _, acct := range []string{"candidate:\x00", "candidate:\xff\xfe", "candidate:" + strings.Repeat("۱", 300_000)} {
		mustAllowed(t, th, acct, "192.0.2.1")
		mustFail(t, th, acct, "192.0.2.1")
		mustBlocked(t, th, acct, "192.0.2.1")
		if err := th.Succeed(ctx, acct); err != nil {
			t.Fatalf("Succeed: %v", err)
		}
		mustAllowed(t, th, acct, "192.0.2.1")
	}
}
