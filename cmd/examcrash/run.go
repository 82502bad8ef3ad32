package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	_ "github.com/lib/pq"
)

const doc = `usage: examcrash --admin-url URL [flags]

The crash and fault test of examd (what make crashtest runs, through
scripts/crashtest.sh). On a fresh database crash_<random> of the server at
--admin-url it publishes a long exam, makes --candidates candidates who start
it, and puts them under a load of answer saves: --workers workers, each owning
some attempts, send PUT /api/v1/attempts/ID/answers/Q with a seq that grows by
one, retry a save that got no answer, a 5xx or a timeout with the SAME seq, and
log every save that got a 200. Now and then a worker hands an attempt in.

  phase 1  examd is killed with SIGKILL at random moments under the load
           (--kills times, at least 10) and started again on the same port;
  phase 2  PostgreSQL itself is stopped in fast mode for --outage, and later
           restarted in fast mode in one command; examd must report not-ready
           (/readyz 503) while it is down and ready again by itself, without a
           restart, and the clients' retries must get through.

After each phase every acknowledged save must be in the database with its seq
and content (or a later save of the same question), and no attempt may be in an
impossible state. Prints the counts; exits non-zero on any loss.

Phase 2 needs to be able to restart the server: a Debian cluster
(pg_ctlcluster, as root) or a cluster of this machine through pg_ctl, as its
owner or root. When it cannot, phase 2 is skipped with a message — except with
--pg-restart require, the default under CI=true, where that is a failure.`

// options are the flags of a run.
type options struct {
	adminURL     string
	examdBin     string
	examloadBin  string
	kills        int
	candidates   int
	workers      int
	outage       time.Duration
	pgRestart    string
	workDir      string
	keep         bool
	timeout      time.Duration
	saveTimeout  time.Duration
	ackThreshold int64
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("examcrash", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, doc)
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	var o options
	defaultRestart := "auto"
	if getenv("CI") == "true" {
		defaultRestart = "require"
	}
	fs.StringVar(&o.adminURL, "admin-url", getenv("CRASH_ADMIN_URL"), "admin URL of the PostgreSQL server (database postgres); default $CRASH_ADMIN_URL")
	fs.StringVar(&o.examdBin, "examd", "bin/examd", "the examd binary")
	fs.StringVar(&o.examloadBin, "examload", "bin/examload", "the examload binary")
	fs.IntVar(&o.kills, "kills", 12, "how often examd is killed in phase 1 (at least 10)")
	fs.IntVar(&o.candidates, "candidates", 200, "candidates (attempts) under load")
	fs.IntVar(&o.workers, "workers", 32, "workers sending saves, one save in flight each")
	fs.DurationVar(&o.outage, "outage", 3*time.Second, "how long PostgreSQL stays down in phase 2")
	fs.StringVar(&o.pgRestart, "pg-restart", defaultRestart, "phase 2: auto (skip with a message when the server cannot be restarted), require, or skip")
	fs.StringVar(&o.workDir, "work", "", "folder for logs and the ack log (default: a new temporary folder, removed on success)")
	fs.BoolVar(&o.keep, "keep", false, "keep the database and the work folder")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	fs.DurationVar(&o.saveTimeout, "save-timeout", 5*time.Second, "a save without an answer after this long is sent again")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	switch {
	case o.adminURL == "":
		return errors.New("--admin-url (or CRASH_ADMIN_URL) is required")
	case o.kills < 10:
		return errors.New("--kills must be at least 10")
	case o.candidates < o.workers || o.workers < 1:
		return errors.New("--candidates must be at least --workers, and --workers at least 1")
	case o.pgRestart != "auto" && o.pgRestart != "require" && o.pgRestart != "skip":
		return fmt.Errorf("--pg-restart %q: want auto, require or skip", o.pgRestart)
	case o.outage < 2*time.Second:
		return errors.New("--outage must be at least 2s")
	}
	if getenv("CI") == "true" && o.pgRestart == "skip" {
		return errors.New("--pg-restart skip is not allowed under CI=true: CI never passes by skipping")
	}
	o.ackThreshold = 20
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	t := &test{o: o, out: stdout, began: time.Now()}
	err := t.run(ctx)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("interrupted or out of time (--timeout %s): %w", o.timeout, err)
	}
	t.cleanup(err != nil)
	return err
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// test is one run of the crash test.
type test struct {
	o     options
	out   io.Writer
	began time.Time

	work     string
	admin    *sql.DB
	dbName   string
	dbURL    string
	db       *sql.DB
	env      []string
	examd    *examd
	base     string
	probe    *http.Client // /readyz, one fresh connection each time
	load     *load
	pg       *pgControl // nil when PostgreSQL cannot be restarted (pgWhyNot says why)
	pgWhyNot string
	pgDown   bool // we stopped PostgreSQL and have not started it again
	examID   string
	logFrom  int64 // where the current phase's part of examd's log begins
	problems []string
	rows     []summaryRow
}

// summaryRow is a line of the final table.
type summaryRow struct {
	phase, faults            string
	acked, found, lost, retr int
	submits                  int
}

func (t *test) say(format string, args ...any) {
	fmt.Fprintf(t.out, "[%5.1fs] %s\n", time.Since(t.began).Seconds(), fmt.Sprintf(format, args...))
}

func (t *test) problem(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	t.problems = append(t.problems, p)
	fmt.Fprintf(t.out, "PROBLEM: %s\n", p)
}

func (t *test) run(ctx context.Context) error {
	if err := t.setup(ctx); err != nil {
		return err
	}
	if err := t.phase1(ctx); err != nil {
		return err
	}
	skipped, err := t.phase2(ctx)
	if err != nil {
		return err
	}
	if out, err := runTool(ctx, t.env, filepath.Join(t.work, "tools.log"), t.o.examdBin, "audit", "verify"); err != nil {
		t.problem("examd audit verify: %v: %s", err, strings.TrimSpace(out))
	} else {
		t.say("%s", strings.TrimSpace(out))
	}
	t.summary(skipped)
	if len(t.problems) > 0 {
		return fmt.Errorf("%d problem(s); the work folder %s keeps examd's log, the ack log and the tools' output", len(t.problems), t.work)
	}
	return nil
}

// setup makes the database, the exam, the candidates and their attempts, and
// starts examd.
func (t *test) setup(ctx context.Context) error {
	var err error
	if t.o.workDir != "" {
		t.work = t.o.workDir
		err = os.MkdirAll(t.work, 0o755)
	} else {
		t.work, err = os.MkdirTemp("", "examcrash.")
	}
	if err != nil {
		return err
	}
	t.say("work folder %s", t.work)

	if t.admin, err = sql.Open("postgres", t.o.adminURL); err != nil {
		return err
	}
	t.admin.SetMaxOpenConns(2)
	if err := t.admin.PingContext(ctx); err != nil {
		return fmt.Errorf("PostgreSQL at %s: %w", redact(t.o.adminURL), err)
	}
	var fsync, syncCommit, version string
	_ = t.admin.QueryRowContext(ctx, `SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit')`).Scan(&version, &fsync, &syncCommit)
	// Whether phase 2 can run is known now: fail before the long part when it
	// must run and cannot.
	if t.o.pgRestart != "skip" {
		t.pg, t.pgWhyNot = detectPG(ctx, t.admin, t.o.adminURL)
		if t.pg == nil && t.o.pgRestart == "require" {
			return fmt.Errorf("phase 2 cannot run: this process cannot restart PostgreSQL: %s", t.pgWhyNot)
		}
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	t.dbName = "crash_" + hex.EncodeToString(suffix)
	if _, err := t.admin.ExecContext(ctx, `CREATE DATABASE `+t.dbName); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	// A 200 must mean "on disk" as in production, whatever the server's own
	// default (the private development cluster commits asynchronously).
	if _, err := t.admin.ExecContext(ctx, `ALTER DATABASE `+t.dbName+` SET synchronous_commit = on`); err != nil {
		return fmt.Errorf("alter database: %w", err)
	}
	if t.dbURL, err = withDatabase(t.o.adminURL, t.dbName); err != nil {
		return err
	}
	t.say("database %s on PostgreSQL %s at %s (server fsync=%s, synchronous_commit=%s; on for this database)",
		t.dbName, version, redact(t.o.adminURL), fsync, syncCommit)
	if t.db, err = sql.Open("postgres", t.dbURL); err != nil {
		return err
	}
	t.db.SetMaxOpenConns(4)

	t.env = childEnv(map[string]string{
		"DATABASE_URL":      t.dbURL,
		"LOG_LEVEL":         "warn",
		"DB_MAX_OPEN_CONNS": "20",
		"DB_MAX_IDLE_CONNS": "20",
		"EXAMD_DEV":         "true",
	})
	tools := filepath.Join(t.work, "tools.log")
	for _, cmd := range [][]string{{"migrate", "up"}, {"seed-demo"}} {
		if _, err := runTool(ctx, t.env, tools, t.o.examdBin, cmd...); err != nil {
			return err
		}
	}

	addr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	t.base = "http://" + addr
	t.probe = &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil,
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}}
	t.examd = &examd{bin: t.o.examdBin, addr: addr, env: t.env,
		logPath: filepath.Join(t.work, "examd.log"), outPath: filepath.Join(t.work, "examd.out")}
	if err := t.examd.start(); err != nil {
		return err
	}
	if err := t.examd.waitReady(ctx, t.probe, 30*time.Second); err != nil {
		return err
	}
	t.say("examd serves on %s (pid %d)", t.base, t.examd.pid())

	out, err := runTool(ctx, t.env, tools, t.o.examloadBin, "exam", "--base", t.base, "--duration", "3h", "--per-section", "5",
		"--title", "Crash test "+t.dbName)
	if err != nil {
		return err
	}
	fields := strings.Fields(out)
	if len(fields) == 0 {
		return errors.New("examload exam printed no exam id")
	}
	t.examID = fields[len(fields)-1]
	tokens, attemptsFile := filepath.Join(t.work, "tokens.tsv"), filepath.Join(t.work, "attempts.jsonl")
	if _, err := runTool(ctx, t.env, tools, t.o.examloadBin, "prepare", "--db", t.dbURL, "--candidates", fmt.Sprint(t.o.candidates),
		"--tokens", tokens, "--exam", t.examID); err != nil {
		return err
	}
	if _, err := runTool(ctx, t.env, tools, t.o.examloadBin, "storm", "--base", t.base, "--tokens", tokens, "--exam", t.examID,
		"--attempts", attemptsFile, "--summary", filepath.Join(t.work, "storm.kv")); err != nil {
		return err
	}
	records, err := readAttempts(attemptsFile)
	if err != nil {
		return err
	}
	if len(records) != t.o.candidates {
		return fmt.Errorf("the start storm started %d attempts of %d", len(records), t.o.candidates)
	}
	t.say("exam %s (3 h, 15 questions) published; %d candidates started it", t.examID, len(records))

	ackLog, err := os.Create(filepath.Join(t.work, "acks.tsv"))
	if err != nil {
		return err
	}
	tr := &http.Transport{Proxy: nil, MaxIdleConns: t.o.workers, MaxIdleConnsPerHost: t.o.workers,
		DialContext: (&net.Dialer{Timeout: 2 * time.Second, Control: loopbackOnly}).DialContext, IdleConnTimeout: 30 * time.Second}
	t.load = newLoad(t.base, &http.Client{Transport: tr, Timeout: t.o.saveTimeout}, records, t.o.workers, ackLog)
	return nil
}

// waitAcks waits until n more saves than since were acknowledged.
func (t *test) waitAcks(ctx context.Context, since, n int64, within time.Duration) error {
	deadline := time.Now().Add(within)
	for t.load.acked.Load() < since+n {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d saves acknowledged within %s (want %d)", t.load.acked.Load()-since, within, n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// phase1 kills examd with SIGKILL under the load and starts it again, kills times.
func (t *test) phase1(ctx context.Context) error {
	t.say("phase 1: %d × kill -9 examd under %d workers saving answers", t.o.kills, t.o.workers)
	run := t.load.begin(ctx, 1, time.Duration(t.o.kills)*2*time.Second)
	inFlightAtKills := 0
	var downtime time.Duration
	for k := 1; k <= t.o.kills; k++ {
		// A random moment, and only once the load flows again.
		since := t.load.acked.Load()
		wait := time.Duration(700+mrand.IntN(1800)) * time.Millisecond
		select {
		case <-ctx.Done():
			t.load.end(run, time.Second)
			return ctx.Err()
		case <-time.After(wait):
		}
		if err := t.waitAcks(ctx, since, t.o.ackThreshold, 30*time.Second); err != nil {
			t.load.end(run, time.Second)
			return fmt.Errorf("phase 1, before kill %d: %w", k, err)
		}
		pid, inFlight, acked := t.examd.pid(), t.load.inFlight.Load(), t.load.acked.Load()
		killed := time.Now()
		if err := t.examd.kill9(); err != nil {
			t.load.end(run, time.Second)
			return fmt.Errorf("kill %d: %w", k, err)
		}
		inFlightAtKills += int(inFlight)
		// Sometimes examd is back at once, sometimes clients knock on a closed port for a while.
		sleep(ctx, time.Duration(mrand.IntN(400))*time.Millisecond)
		if err := t.examd.start(); err != nil {
			t.load.end(run, time.Second)
			return err
		}
		if err := t.examd.waitReady(ctx, t.probe, 30*time.Second); err != nil {
			t.load.end(run, time.Second)
			return fmt.Errorf("restart after kill %d: %w", k, err)
		}
		down := time.Since(killed)
		downtime += down
		t.say("kill %2d/%d: SIGKILL to examd pid %d after %.1f s with %d requests in flight (%d saves acknowledged so far); pid %d ready %.2f s later",
			k, t.o.kills, pid, wait.Seconds(), inFlight, acked, t.examd.pid(), down.Seconds())
	}
	if err := t.waitAcks(ctx, t.load.acked.Load(), t.o.ackThreshold, 30*time.Second); err != nil {
		t.problem("phase 1 after the last restart: %v", err)
	}
	t.load.end(run, 20*time.Second)
	t.say("phase 1 load stopped; %d kills, %d requests in flight at the kills, examd down %.1f s in all", t.o.kills, inFlightAtKills, downtime.Seconds())
	if inFlightAtKills == 0 {
		t.problem("phase 1: no request was in flight at any kill: the kills were not under load")
	}
	return t.verify(ctx, 1, fmt.Sprintf("%d kill -9, %d restarts", t.o.kills, t.o.kills))
}

// readyzWatch polls /readyz every 100 ms and keeps what it saw.
type readyzWatch struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	seen []readyzSample
}

type readyzSample struct {
	at     time.Time
	status int
}

func (t *test) watchReadyz(ctx context.Context) *readyzWatch {
	w := &readyzWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			status := readyz(ctx, t.probe, t.base)
			w.mu.Lock()
			w.seen = append(w.seen, readyzSample{time.Now(), status})
			w.mu.Unlock()
			select {
			case <-w.stop:
				return
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return w
}

func (w *readyzWatch) end() {
	close(w.stop)
	<-w.done
}

// count counts the samples taken in [from, to) by status.
func (w *readyzWatch) count(from, to time.Time) map[int]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := map[int]int{}
	for _, s := range w.seen {
		if !s.at.Before(from) && s.at.Before(to) {
			n[s.status]++
		}
	}
	return n
}

// phase2 stops and restarts PostgreSQL under the load. It tells whether it
// was skipped.
func (t *test) phase2(ctx context.Context) (bool, error) {
	if t.o.pgRestart == "skip" {
		t.say("phase 2 SKIPPED (--pg-restart skip): PostgreSQL is not restarted")
		return true, nil
	}
	if t.pg == nil {
		t.say("phase 2 SKIPPED: this process cannot restart the PostgreSQL server at %s: %s. "+
			"Run as root or as the cluster's owner, or use a private cluster (CRASH_PRIVATE_PG=1 scripts/crashtest.sh); under CI=true this is a failure.",
			redact(t.o.adminURL), t.pgWhyNot)
		return true, nil
	}
	pg := t.pg
	t.say("phase 2: PostgreSQL (%s) stopped in fast mode for %s, later restarted in fast mode, under the load; examd is not restarted", pg.desc, t.o.outage)
	pid, starts := t.examd.pid(), t.examd.starts
	watch := t.watchReadyz(ctx)
	phaseStart := t.load.acked.Load()
	run := t.load.begin(ctx, 2, 12*time.Second)
	fail := func(err error) (bool, error) {
		t.load.end(run, time.Second)
		watch.end()
		return false, err
	}
	sleep(ctx, time.Duration(1500+mrand.IntN(1500))*time.Millisecond)
	if err := t.waitAcks(ctx, phaseStart, t.o.ackThreshold, 30*time.Second); err != nil {
		return fail(fmt.Errorf("phase 2 before the outage: %w", err))
	}

	// The outage: fast shutdown, down for a while, start.
	inFlight, acked := t.load.inFlight.Load(), t.load.acked.Load()
	t0 := time.Now()
	t.pgDown = true // from here on, cleanup starts it again whatever happens
	if err := pg.stop(ctx); err != nil {
		return fail(fmt.Errorf("stop PostgreSQL: %w", err))
	}
	stopped := time.Now()
	t.say("PostgreSQL stopped (fast shutdown) in %.2f s with %d requests in flight (%d saves acknowledged so far)", stopped.Sub(t0).Seconds(), inFlight, acked)
	// A 200 can still be on its way for a commit just before the shutdown;
	// after that, none may come while the server is down.
	sleep(ctx, time.Second)
	ackedDown := t.load.acked.Load()
	sleep(ctx, t.o.outage-time.Second)
	ackedUp := t.load.acked.Load()
	startAt := time.Now()
	if err := pg.start(ctx); err != nil {
		return fail(fmt.Errorf("start PostgreSQL: %w", err))
	}
	t.pgDown = false
	started := time.Now()
	during := watch.count(stopped, startAt)
	t.say("PostgreSQL started again in %.2f s; /readyz while it was down: %s", started.Sub(startAt).Seconds(), statusText(during))
	if during[http.StatusServiceUnavailable] == 0 {
		t.problem("phase 2: /readyz never answered 503 while PostgreSQL was down (%s)", statusText(during))
	}
	if during[http.StatusOK] > 0 {
		t.problem("phase 2: /readyz answered 200 %d times while PostgreSQL was down", during[http.StatusOK])
	}
	t.say("saves acknowledged during the stop command and the second after it (commits before the shutdown): %d; later while PostgreSQL was down: %d",
		ackedDown-acked, ackedUp-ackedDown)
	if n := ackedUp - ackedDown; n > 0 {
		t.problem("phase 2: %d saves acknowledged while PostgreSQL was down", n)
	}
	if err := t.waitReadyOnly(ctx, started, "the outage"); err != nil {
		return fail(err)
	}
	since := t.load.acked.Load()
	if err := t.waitAcks(ctx, since, t.o.ackThreshold, 30*time.Second); err != nil {
		return fail(fmt.Errorf("phase 2 after the outage: %w", err))
	}
	t.say("clients' saves acknowledged again %.2f s after PostgreSQL was back", time.Since(started).Seconds())

	// The bounce: restart -m fast in one command.
	sleep(ctx, time.Duration(1500+mrand.IntN(1500))*time.Millisecond)
	inFlight, acked = t.load.inFlight.Load(), t.load.acked.Load()
	t0 = time.Now()
	if err := pg.restart(ctx); err != nil {
		t.pgDown = !pg.running(ctx)
		return fail(fmt.Errorf("restart PostgreSQL: %w", err))
	}
	restarted := time.Now()
	t.say("PostgreSQL restarted (restart -m fast) in %.2f s with %d requests in flight (%d saves acknowledged so far)", restarted.Sub(t0).Seconds(), inFlight, acked)
	if err := t.waitReadyOnly(ctx, restarted, "the fast restart"); err != nil {
		return fail(err)
	}
	if err := t.waitAcks(ctx, t.load.acked.Load(), t.o.ackThreshold, 30*time.Second); err != nil {
		return fail(fmt.Errorf("phase 2 after the fast restart: %w", err))
	}
	t.say("clients' saves acknowledged again %.2f s after the restart", time.Since(restarted).Seconds())
	sleep(ctx, time.Second)
	t.load.end(run, 20*time.Second)
	watch.end()

	if !t.examd.alive() || t.examd.pid() != pid || t.examd.starts != starts {
		t.problem("phase 2: examd did not survive the PostgreSQL restarts by itself (pid %d → %d, alive %t): %v", pid, t.examd.pid(), t.examd.alive(), t.examd.err)
	} else {
		t.say("examd pid %d served throughout phase 2 without a restart", pid)
	}
	return false, t.verify(ctx, 2, "1 fast stop + start, 1 restart -m fast")
}

// waitReadyOnly waits for /readyz 200 after PostgreSQL is back, and fails when
// examd had to be restarted for it.
func (t *test) waitReadyOnly(ctx context.Context, since time.Time, what string) error {
	deadline := since.Add(30 * time.Second)
	for readyz(ctx, t.probe, t.base) != http.StatusOK {
		if !t.examd.alive() {
			return fmt.Errorf("examd exited after %s: %v; last log lines:\n%s", what, t.examd.err, tailFile(t.examd.logPath, 15))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("examd's /readyz did not answer 200 within 30 s after %s", what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.say("/readyz 200 again %.2f s after %s, same examd process", time.Since(since).Seconds(), what)
	return nil
}

func statusText(n map[int]int) string {
	if len(n) == 0 {
		return "no samples"
	}
	var parts []string
	for _, s := range []int{http.StatusServiceUnavailable, http.StatusOK, 0} {
		if n[s] > 0 {
			name := fmt.Sprint(s)
			if s == 0 {
				name = "no answer"
			}
			parts = append(parts, fmt.Sprintf("%s ×%d", name, n[s]))
		}
	}
	for s, c := range n {
		if s != http.StatusServiceUnavailable && s != http.StatusOK && s != 0 {
			parts = append(parts, fmt.Sprintf("%d ×%d", s, c))
		}
	}
	return strings.Join(parts, ", ")
}

// verify checks every acknowledged save so far and the attempts' states, and
// adds the phase's row to the summary.
func (t *test) verify(ctx context.Context, phase int, faults string) error {
	l := t.load
	ids := make([]string, len(l.attempts))
	for i, a := range l.attempts {
		ids[i] = a.rec.AttemptID
	}
	rows, err := loadRows(ctx, t.db, ids)
	if err != nil {
		return err
	}
	l.mu.Lock()
	all := checkAcks(l.acks, rows, l.sent, l.afterSub)
	var mine []save
	for _, a := range l.acks {
		if a.Phase == phase {
			mine = append(mine, a)
		}
	}
	this := checkAcks(mine, rows, l.sent, nil)
	submits := 0
	for _, s := range l.submits {
		if s.Phase == phase {
			submits++
		}
	}
	allSubmits := append([]ackedSubmit(nil), l.submits...)
	failures := append([]string(nil), l.failures...)
	l.failures = nil
	retries, abandoned, fivexx := l.retries[phase], l.abandoned[phase], l.status5xx[phase]
	l.mu.Unlock()

	t.say("phase %d check: %d saves acknowledged in this phase, %d found, %d lost; all phases so far: %d acknowledged, %d found, %d lost; "+
		"%d (attempt, question) pairs, %d of them hold a later save that was committed but not acknowledged; %d requests retried (%s); %d saves given up at the end",
		phase, this.Acknowledged, this.Found, this.Lost, all.Acknowledged, all.Found, all.Lost, all.Pairs, all.NewerUnacked,
		retries, l.errorSummary(phase), abandoned)
	for _, s := range all.Samples {
		t.say("  %s", s)
	}
	if all.Lost > 0 {
		t.problem("phase %d: %d acknowledged saves lost", phase, all.Lost)
	}
	if all.Foreign > 0 {
		t.problem("phase %d: %d stored answers that the load never sent", phase, all.Foreign)
	}
	if all.AfterSubmitStored > 0 {
		t.problem("phase %d: %d saves stored after their attempt's acknowledged submit", phase, all.AfterSubmitStored)
	}
	if phase == 1 && fivexx > 0 {
		// examd dies with SIGKILL; a live examd has no reason to answer 5xx.
		t.problem("phase 1: %d answers with a 5xx status (%s)", fivexx, l.errorSummary(phase))
	}
	if this.Acknowledged == 0 {
		t.problem("phase %d: no save was acknowledged", phase)
	}
	for _, f := range failures {
		t.problem("%s", f)
	}
	broken, err := impossibleStates(ctx, t.db, t.examID)
	if err != nil {
		return err
	}
	for _, b := range broken {
		t.problem("phase %d: impossible state: %s", phase, b)
	}
	bad, err := unfinishedSubmits(ctx, t.db, allSubmits)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		t.problem("phase %d: %d acknowledged submits not finished as submitted, e.g. %s", phase, len(bad), bad[0])
	}
	var running, finished int
	if err := t.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE finish_reason IS NULL), count(*) FILTER (WHERE finish_reason IS NOT NULL)
		FROM attempts WHERE exam_id = $1`, t.examID).Scan(&running, &finished); err != nil {
		return err
	}
	logTo := t.examd.logSize()
	logged, panics := logSummary(t.examd.logPath, t.logFrom, logTo)
	t.logFrom = logTo
	if len(logged) == 0 {
		t.say("phase %d: examd logged no warning or error", phase)
	} else {
		t.say("phase %d: what examd logged at WARN or ERROR (count, message):", phase)
		for i, line := range logged {
			if i == 8 {
				t.say("  … and %d more kinds (examd.log in the work folder, kept on failure or with --keep / CRASH_KEEP=1)", len(logged)-8)
				break
			}
			t.say("  %s", line)
		}
	}
	if panics > 0 {
		t.problem("phase %d: examd's log tells of a panic in %d lines (%s)", phase, panics, t.examd.logPath)
	}
	t.say("phase %d attempts: %d running, %d finished (%d submits acknowledged so far); impossible states: %d", phase, running, finished, len(allSubmits), len(broken))
	t.rows = append(t.rows, summaryRow{phase: map[int]string{1: "1  examd kill -9", 2: "2  PostgreSQL restart"}[phase], faults: faults,
		acked: this.Acknowledged, found: this.Found, lost: this.Lost, retr: retries, submits: submits})
	return nil
}

func (t *test) summary(phase2Skipped bool) {
	fmt.Fprintln(t.out)
	fmt.Fprintln(t.out, "crash test summary")
	tw := tabwriter.NewWriter(t.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tfaults\tsaves acknowledged\tfound\tlost\tsubmits acknowledged\trequests retried\t")
	var acked, found, lost, submits, retr int
	for _, r := range t.rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t\n", r.phase, r.faults, r.acked, r.found, r.lost, r.submits, r.retr)
		acked, found, lost, submits, retr = acked+r.acked, found+r.found, lost+r.lost, submits+r.submits, retr+r.retr
	}
	if phase2Skipped {
		fmt.Fprintln(tw, "2  PostgreSQL restart\tSKIPPED\t-\t-\t-\t-\t-\t")
	}
	fmt.Fprintf(tw, "all\t\t%d\t%d\t%d\t%d\t%d\t\n", acked, found, lost, submits, retr)
	_ = tw.Flush()
	if len(t.problems) == 0 {
		fmt.Fprintf(t.out, "OK: every acknowledged save found, no impossible state (%.0f s)\n", time.Since(t.began).Seconds())
	} else {
		fmt.Fprintf(t.out, "FAILED: %d problem(s):\n", len(t.problems))
		for _, p := range t.problems {
			fmt.Fprintf(t.out, "  - %s\n", p)
		}
	}
}

// cleanup stops examd, starts PostgreSQL again if the test left it down, drops
// the database and removes the work folder (kept on failure or with --keep).
func (t *test) cleanup(failed bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if t.examd != nil {
		t.examd.stop(10 * time.Second)
	}
	if t.pgDown && t.pg != nil {
		t.say("starting PostgreSQL again, which the test had stopped")
		if err := t.pg.start(ctx); err != nil {
			fmt.Fprintf(t.out, "examcrash: could not start PostgreSQL again: %v\n", err)
		}
	}
	if t.db != nil {
		t.db.Close()
	}
	if t.admin != nil {
		if t.dbName != "" && !t.o.keep {
			// The pool may hold connections the restarts broke: try a few times.
			var err error
			for range 5 {
				if _, err = t.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+t.dbName+` WITH (FORCE)`); err == nil {
					break
				}
				time.Sleep(500 * time.Millisecond)
			}
			if err != nil {
				fmt.Fprintf(t.out, "examcrash: could not drop database %s: %v\n", t.dbName, err)
			}
		} else if t.dbName != "" {
			t.say("database %s kept (--keep)", t.dbName)
		}
		t.admin.Close()
	}
	if t.work != "" {
		if failed || t.o.keep || t.o.workDir != "" {
			t.say("work folder kept: %s", t.work)
		} else {
			os.RemoveAll(t.work)
		}
	}
}

// withDatabase returns the connection string conn with its database replaced.
func withDatabase(conn, name string) (string, error) {
	if strings.Contains(conn, "://") {
		u, err := url.Parse(conn)
		if err != nil {
			return "", fmt.Errorf("admin URL: %w", err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	var kept []string
	for _, f := range strings.Fields(conn) {
		if !strings.HasPrefix(f, "dbname=") {
			kept = append(kept, f)
		}
	}
	return strings.Join(append(kept, "dbname="+name), " "), nil
}

// redact hides a password in a connection URL.
func redact(conn string) string {
	if u, err := url.Parse(conn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "***")
			return u.String()
		}
	}
	return conn
}

// childEnv is this process's environment with set overriding.
func childEnv(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			env = append(env, kv)
		}
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// loopbackOnly refuses, at dial time, any address that is not a loopback one:
// the load never leaves this machine.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("dial %s: only loopback addresses may be loaded", address)
	}
	return nil
}
