package auth

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Throttle limits failed logins per account and per client address. The failures
// live in PostgreSQL, so the limits hold across server instances.
type Throttle struct {
	DB *sqlx.DB
	// MaxAccount and MaxIP failures within Window block further tries.
	MaxAccount, MaxIP int
	Window            time.Duration
}

// Check returns how long the caller must wait before trying account from ip again;
// zero means it may try now.
func (t *Throttle) Check(ctx context.Context, account, ip string) (time.Duration, error) {
	return t.wait(ctx, throttleKey(account), throttleKey(ip), 0)
}

// wait counts the recent failures of account and of ip and returns how long to
// wait when either count exceeds its limit by more than slack (0: the limit is
// reached; 1: it is passed, when the count includes the attempt being made).
func (t *Throttle) wait(ctx context.Context, account, ip string, slack int) (time.Duration, error) {
	const q = `SELECT scope, count(*) AS n,
			extract(epoch FROM min(failed_at) + make_interval(secs => $3) - now()) AS wait
		FROM login_failures
		WHERE ((scope = 'account' AND key = $1) OR (scope = 'ip' AND key = $2))
		  AND failed_at > now() - make_interval(secs => $3)
		GROUP BY scope`
	var rows []struct {
		Scope string  `db:"scope"`
		N     int     `db:"n"`
		Wait  float64 `db:"wait"`
	}
	if err := t.DB.SelectContext(ctx, &rows, q, account, ip, t.Window.Seconds()); err != nil {
		return 0, fmt.Errorf("auth: check login throttle: %w", err)
	}
	var wait float64
	for _, r := range rows {
		limit := t.MaxAccount
		if r.Scope == "ip" {
			limit = t.MaxIP
		}
		if r.N >= limit+slack {
			wait = math.Max(wait, math.Max(r.Wait, 1))
		}
	}
	return time.Duration(math.Ceil(wait)) * time.Second, nil
}

// Fail records a failed login for account from ip.
func (t *Throttle) Fail(ctx context.Context, account, ip string) error {
	const q = `INSERT INTO login_failures (scope, key) VALUES ('account', $1), ('ip', $2)`
	if _, err := t.DB.ExecContext(ctx, q, throttleKey(account), throttleKey(ip)); err != nil {
		return fmt.Errorf("auth: record login failure: %w", err)
	}
	return nil
}

// Succeed forgets the failures of account after a successful login; the address's
// failures stay, so one good account cannot launder guesses at others.
func (t *Throttle) Succeed(ctx context.Context, account string) error {
	const q = `DELETE FROM login_failures WHERE scope = 'account' AND key = $1`
	if _, err := t.DB.ExecContext(ctx, q, throttleKey(account)); err != nil {
		return fmt.Errorf("auth: clear login failures: %w", err)
	}
	return nil
}

// Ticket is a login attempt recorded by Attempt: its rows in login_failures.
type Ticket struct {
	ids []int64
}

// Attempt records a login attempt as a failure before the password is checked,
// then counts: concurrent guesses (on any instance) thus count against each
// other, and at most MaxAccount of them within Window get to check a password.
// Over the limit it takes its own rows back and returns how long to wait. A login
// that succeeds calls Pass; a wrong password leaves the failure recorded.
func (t *Throttle) Attempt(ctx context.Context, account, ip string) (Ticket, time.Duration, error) {
	account, ip = throttleKey(account), throttleKey(ip)
	var tk Ticket
	const ins = `INSERT INTO login_failures (scope, key) VALUES ('account', $1), ('ip', $2) RETURNING id`
	if err := t.DB.SelectContext(ctx, &tk.ids, ins, account, ip); err != nil {
		return tk, 0, fmt.Errorf("auth: record login attempt: %w", err)
	}
	// A new statement: its snapshot sees every attempt committed so far,
	// this one's included.
	wait, err := t.wait(ctx, account, ip, 1)
	if err != nil {
		return tk, 0, err
	}
	if wait == 0 {
		return tk, 0, nil
	}
	if _, err := t.DB.ExecContext(ctx, `DELETE FROM login_failures WHERE id = ANY($1)`, pq.Int64Array(tk.ids)); err != nil {
		return tk, 0, fmt.Errorf("auth: take back login attempt: %w", err)
	}
	return Ticket{}, wait, nil
}

// Pass forgets account's failures after a successful login, and this attempt's
// own row for the address; the address's other failures stay, so one good
// account cannot launder guesses at others.
func (t *Throttle) Pass(ctx context.Context, account string, tk Ticket) error {
	const q = `DELETE FROM login_failures WHERE (scope = 'account' AND key = $1) OR id = ANY($2)`
	if _, err := t.DB.ExecContext(ctx, q, throttleKey(account), pq.Int64Array(tk.ids)); err != nil {
		return fmt.Errorf("auth: clear login failures: %w", err)
	}
	return nil
}

// throttleKey makes a client-supplied account name or address storable and
// indexable: valid UTF-8 without NUL, at most 256 bytes.
func throttleKey(s string) string { return storableText(s, 256) }

// Purge deletes failures older than the window.
func (t *Throttle) Purge(ctx context.Context) (int64, error) {
	const q = `DELETE FROM login_failures WHERE failed_at < now() - make_interval(secs => $1)`
	res, err := t.DB.ExecContext(ctx, q, t.Window.Seconds())
	if err != nil {
		return 0, fmt.Errorf("auth: purge login failures: %w", err)
	}
	return res.RowsAffected()
}
