package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"
)

// examd runs `examd serve` on one fixed loopback port, again and again: the
// test kills it with SIGKILL and starts it anew on the same address.
type examd struct {
	bin     string
	addr    string   // 127.0.0.1:PORT
	env     []string // the whole environment of the child
	logPath string   // its stderr (JSON log), appended across restarts
	outPath string   // its stdout

	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
	err    error         // cmd.Wait's result, once exited is closed
	starts int
}

// freeLoopbackAddr returns a loopback address with a port nothing listens on now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start starts examd serve; it returns at once (see waitReady).
func (e *examd) start() error {
	logf, err := os.OpenFile(e.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	outf, err := os.OpenFile(e.outPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		logf.Close()
		return err
	}
	fmt.Fprintf(logf, `{"examcrash":"start %d"}`+"\n", e.starts+1)
	cmd := exec.Command(e.bin, "serve", "--dev", "--addr", e.addr)
	cmd.Env = e.env
	cmd.Stdout, cmd.Stderr = outf, logf
	// examd must not outlive this driver, whatever happens to it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		outf.Close()
		return fmt.Errorf("start examd: %w", err)
	}
	e.starts++
	e.cmd, e.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) {
		e.err = cmd.Wait()
		logf.Close()
		outf.Close()
		close(exited)
	}(e.exited)
	return nil
}

// pid is the running process's id, or 0.
func (e *examd) pid() int {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0
	}
	return e.cmd.Process.Pid
}

// alive tells whether the process started last still runs.
func (e *examd) alive() bool {
	if e.cmd == nil {
		return false
	}
	select {
	case <-e.exited:
		return false
	default:
		return true
	}
}

// kill9 sends SIGKILL and waits until the process is gone.
func (e *examd) kill9() error {
	if !e.alive() {
		return fmt.Errorf("examd (pid %d) had already exited: %v", e.pid(), e.err)
	}
	if err := e.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	select {
	case <-e.exited:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("examd (pid %d) did not die within 10 s of SIGKILL", e.pid())
	}
}

// stop ends examd gently (SIGTERM), then with SIGKILL after grace.
func (e *examd) stop(grace time.Duration) {
	if !e.alive() {
		return
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(grace):
		_ = e.cmd.Process.Signal(syscall.SIGKILL)
		<-e.exited
	}
}

// readyz asks GET /readyz once and returns its status (0 when no answer).
func readyz(ctx context.Context, client *http.Client, base string) int {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return 0
	}
	res, err := client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// waitReady polls /readyz until it answers 200, the process exits or within
// passes.
func (e *examd) waitReady(ctx context.Context, client *http.Client, within time.Duration) error {
	base := "http://" + e.addr
	deadline := time.Now().Add(within)
	for {
		if readyz(ctx, client, base) == http.StatusOK {
			return nil
		}
		if !e.alive() {
			return fmt.Errorf("examd exited while starting: %v; last log lines:\n%s", e.err, tailFile(e.logPath, 15))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("examd was not ready on %s within %s; last log lines:\n%s", base, within, tailFile(e.logPath, 15))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tailFile returns the last n lines of a file, for error messages.
func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runTool runs one of the built programs to its end with env, and returns its
// stdout; its stderr goes to logPath.
func runTool(ctx context.Context, env []string, logPath, prog string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return "", err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "$ %s %s\n", prog, strings.Join(args, " "))
	var out strings.Builder
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = env
	cmd.Stdout = io.MultiWriter(&out, logf)
	cmd.Stderr = logf
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) || ctx.Err() != nil {
			return out.String(), fmt.Errorf("%s %s: %w (see %s)", prog, args[0], err, logPath)
		}
		return out.String(), fmt.Errorf("%s: %w", prog, err)
	}
	return out.String(), nil
}

var (
	uuidText = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	addrText = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+:\d+`)
)

// logSize is the size of examd's log now, to split it by phase.
func (e *examd) logSize() int64 {
	st, err := os.Stat(e.logPath)
	if err != nil {
		return 0
	}
	return st.Size()
}

// logSummary counts what examd logged at WARN or ERROR in bytes [from, to) of
// its log, by message (ids and addresses replaced), most frequent first, and
// counts the lines that tell of a panic.
func logSummary(path string, from, to int64) (lines []string, panics int) {
	f, err := os.Open(path)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer f.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(io.NewSectionReader(f, from, to-from))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.Contains(line, []byte("panic")) {
			panics++
		}
		var rec struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Err   any    `json:"err"`
		}
		if json.Unmarshal(line, &rec) != nil || (rec.Level != "WARN" && rec.Level != "ERROR") {
			continue
		}
		key := rec.Level + " " + rec.Msg
		if rec.Err != nil {
			key += ": " + fmt.Sprint(rec.Err)
		}
		key = addrText.ReplaceAllString(uuidText.ReplaceAllString(key, "<id>"), "<addr>")
		if len(key) > 160 {
			key = key[:160] + "…"
		}
		counts[key]++
	}
	for k, n := range counts {
		lines = append(lines, fmt.Sprintf("%6d  %s", n, k))
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i] > lines[j] })
	return lines, panics
}
