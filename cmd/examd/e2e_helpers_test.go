package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/council-exam/examd/database/dbtest"
)

// lineWriter collects what run prints, safe for the server goroutine and the test.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

// testEnv returns a getenv over a fixed map.
func testEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// mustStartServer makes a fresh database, migrates and seeds it with run, starts
// `examd serve --dev` on a free port with run, waits for /readyz and returns the
// base URL. The server stops (gracefully) when the test ends.
func mustStartServer(tb testing.TB) string {
	tb.Helper()
	base, _ := mustStartServerEnv(tb, nil)
	return base
}

// mustStartServerEnv is mustStartServer with extra environment variables; it also
// returns the environment, whose DATABASE_URL names the test's database.
func mustStartServerEnv(tb testing.TB, extra map[string]string) (string, map[string]string) {
	tb.Helper()
	env := map[string]string{"DATABASE_URL": dbtest.NewURL(tb), "LOG_LEVEL": "warn"}
	for k, v := range extra {
		env[k] = v
	}
	getenv := testEnv(env)
	ctx := context.Background()
	if err := run(ctx, []string{"seed-demo"}, getenv, io.Discard, io.Discard); err != nil {
		tb.Fatalf("seed-demo: %v", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	out, logs := &lineWriter{}, &lineWriter{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--dev", "--addr", "127.0.0.1:0"}, getenv, out, logs) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("serve returned: %v", err)
			}
		case <-time.After(30 * time.Second):
			tb.Error("serve did not stop within 30s")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(out.String()); m != nil {
			base := m[1]
			if resp, err := http.Get(base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return base, env
				}
			}
		}
		select {
		case err := <-done:
			tb.Fatalf("serve stopped early: %v\nlogs: %s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tb.Fatalf("server not ready in time; output: %s logs: %s", out.String(), logs.String())
	return "", nil
}
