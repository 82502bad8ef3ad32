package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/council-exam/examd/database/dbtest"
)

// mustStartExamd builds examd, seeds dbURL and serves it on a free loopback
// port; it returns the base URL. The server is stopped when the test ends.
func mustStartExamd(t *testing.T, dbURL string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build examd: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "examd")
	build := exec.Command(goBin, "build", "-o", bin, "github.com/council-exam/examd/cmd/examd")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build examd: %v\n%s", err, out)
	}
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "LOG_LEVEL=warn")
	seed := exec.Command(bin, "seed-demo")
	seed.Env = env
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("examd seed-demo: %v\n%s", err, out)
	}
	serve := exec.Command(bin, "serve", "--dev", "--addr", "127.0.0.1:0")
	serve.Env = env
	var logs bytes.Buffer
	serve.Stderr = &logs
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatalf("examd serve: %v", err)
	}
	t.Cleanup(func() {
		serve.Process.Signal(syscall.SIGTERM)
		serve.Wait()
		if t.Failed() {
			t.Logf("examd's log:\n%s", logs.String())
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "examd: serving on "); ok {
				urls <- u
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("examd did not say where it serves; log:\n%s", logs.String())
		return ""
	}
}

// mustRun runs examload with args and returns its stdout.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, args, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatalf("examload %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	t.Logf("examload %s\n%s", args[0], stdout.String())
	return stdout.String()
}

// mustSummary reads a --summary file into a map.
func mustSummary(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		kv[k] = v
	}
	return kv
}

// TestPrepareStormFlood runs the whole tool against a real examd: an exam, 20
// candidates by COPY and 3 by HTTP login, the start storm, a second storm that
// resumes, and a two-second flood whose acknowledged saves must all be stored.
func TestPrepareStormFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs examd")
	}
	dbURL := dbtest.NewURL(t)
	base := mustStartExamd(t, dbURL)
	dir := t.TempDir()
	tokens, attempts := filepath.Join(dir, "tokens.tsv"), filepath.Join(dir, "attempts.jsonl")
	acks := filepath.Join(dir, "acks.tsv")

	examID := strings.TrimSpace(mustRun(t, "exam", "--base", base, "--duration", "10m"))
	mustRun(t, "prepare", "--db", dbURL, "--candidates", "20", "--exam", examID, "--tokens", tokens)
	creds, err := readTokens(tokens)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(creds), 20; got != want {
		t.Fatalf("%d tokens, want %d", got, want)
	}

	// Three more logged in through the API, as a browser would.
	httpTokens := filepath.Join(dir, "http-tokens.tsv")
	mustRun(t, "prepare", "--db", dbURL, "--candidates", "3", "--login", "http", "--base", base, "--tokens", httpTokens)
	if c, err := readTokens(httpTokens); err != nil || len(c) != 3 || c[0].Token == "" {
		t.Fatalf("http logins: %v, %+v", err, c)
	}

	stormSum := filepath.Join(dir, "storm.kv")
	mustRun(t, "storm", "--base", base, "--tokens", tokens, "--exam", examID, "--attempts", attempts, "--summary", stormSum)
	s := mustSummary(t, stormSum)
	if s["created"] != "20" || s["errors"] != "0" {
		t.Fatalf("storm: created %s, errors %s (%s); want 20 and 0", s["created"], s["errors"], s["errors_detail"])
	}
	if c, err := strconv.ParseFloat(s["examload_cores_after_release"], 64); err != nil || c < 0 {
		t.Errorf("storm: examload_cores_after_release = %q, want a figure", s["examload_cores_after_release"])
	}
	recs, err := readAttempts(attempts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs), 20; got != want {
		t.Fatalf("%d attempts, want %d", got, want)
	}
	if got, want := len(recs[0].Questions), 15; got != want {
		t.Fatalf("an attempt has %d questions, want %d", got, want)
	}

	// Pressing start again resumes the running attempts, at a fixed rate.
	mustRun(t, "storm", "--base", base, "--tokens", tokens, "--exam", examID, "--rate", "50", "--summary", stormSum)
	if s := mustSummary(t, stormSum); s["resumed"] != "20" || s["errors"] != "0" {
		t.Fatalf("second storm: resumed %s, errors %s (%s); want 20 and 0", s["resumed"], s["errors"], s["errors_detail"])
	}

	floodSum := filepath.Join(dir, "flood.kv")
	mustRun(t, "flood", "--base", base, "--attempts", attempts, "--duration", "2s", "--concurrency", "4",
		"--ack-log", acks, "--summary", floodSum, "--quiet")
	f := mustSummary(t, floodSum)
	if f["errors"] != "0" || f["ok"] == "0" || f["ok"] != f["sent"] {
		t.Fatalf("flood: ok %s of %s sent, errors %s (%s)", f["ok"], f["sent"], f["errors"], f["errors_detail"])
	}
	closedHist, openHist := filepath.Join(dir, "closed.hist"), filepath.Join(dir, "open.hist")
	// The closed flood again, now keeping its histogram (the run above keeps the ack log).
	mustRun(t, "flood", "--base", base, "--attempts", attempts, "--duration", "1s", "--concurrency", "4",
		"--summary", floodSum, "--histogram", closedHist, "--quiet")
	closedOK := mustSummary(t, floodSum)["ok"]
	mustRun(t, "flood", "--base", base, "--attempts", attempts, "--duration", "1s", "--rate", "100", "--concurrency", "8",
		"--summary", floodSum, "--histogram", openHist, "--quiet")
	o := mustSummary(t, floodSum)
	if o["errors"] != "0" || o["ok"] == "0" {
		t.Fatalf("open-model flood: ok %s, errors %s (%s)", o["ok"], o["errors"], o["errors_detail"])
	}
	// The two runs' histograms merge into one with every latency of both.
	latSum := filepath.Join(dir, "latency.kv")
	mustRun(t, "latency", "--summary", latSum, closedHist, openHist)
	l := mustSummary(t, latSum)
	nClosed, _ := strconv.Atoi(closedOK)
	nOpen, _ := strconv.Atoi(o["ok"])
	if l["count"] != strconv.Itoa(nClosed+nOpen) || l["histograms"] != "2" {
		t.Fatalf("merged latencies: count %s of %s histograms, want %d + %d of 2", l["count"], l["histograms"], nClosed, nOpen)
	}

	// Every save of the closed flood that was acknowledged is in the database:
	// for each (attempt, question) the stored seq is at least the highest
	// acknowledged one (the open flood wrote later, higher seqs over some).
	want := map[[2]string]int64{}
	b, err := os.ReadFile(acks)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		seq, err := strconv.ParseInt(p[2], 10, 64)
		if err != nil || len(p) != 4 {
			t.Fatalf("ack log line %q", line)
		}
		k := [2]string{p[0], p[1]}
		want[k] = max(want[k], seq)
	}
	if got, min := len(want), 20; got < min {
		t.Fatalf("the ack log covers %d (attempt, question) pairs, want at least %d", got, min)
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for k, seq := range want {
		var stored int64
		if err := db.QueryRow(`SELECT seq FROM answers WHERE attempt_id = $1 AND question_id = $2`, k[0], k[1]).Scan(&stored); err != nil {
			t.Fatalf("acknowledged save %v seq %d: %v", k, seq, err)
		}
		if stored < seq {
			t.Fatalf("answer %v: stored seq %d below the acknowledged %d", k, stored, seq)
		}
	}
}
