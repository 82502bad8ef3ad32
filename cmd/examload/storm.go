package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// maxStormConnections bounds the connections the barrier start opens at once:
// each is a file descriptor here and one in examd.
const maxStormConnections = 20_000

// startView is the part of the start answer the flood needs.
type startView struct {
	AttemptID string `json:"attempt_id"`
	State     string `json:"state"`
	Questions []struct {
		ID      string `json:"id"`
		Options []struct {
			Key string `json:"key"`
		} `json:"options"`
	} `json:"questions"`
}

func storm(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("storm", stderr, `examload storm --base URL --tokens FILE --exam ID --attempts FILE [--n N] [--concurrency C] [--rate R]

The start storm: N candidates press "start" on the exam (POST
/api/v1/exams/ID/attempts with their session cookie).

Without --rate, all are released at the same instant: C connections (default N,
one per candidate, as N browsers would have) are opened first (GET /healthz), then
a barrier lets every request go at once; with C < N each connection starts its
share of candidates one after another. Latency is from each request's send.

With --rate R (the open model), start i is due at i/R seconds; at most C starts
(default 1000) are in flight, on a pool of C keep-alive connections, and latency
is measured from the due time, so a server that falls behind is charged for the
wait (no coordinated omission).

Writes the started attempts (id, session, question ids and option keys) to the
attempts file for the flood.`)
	baseFlag := fs.String("base", "", "examd's URL, e.g. http://127.0.0.1:18081")
	tokensPath := fs.String("tokens", "", "tokens file written by prepare")
	examID := fs.String("exam", "", "the exam to start")
	attemptsPath := fs.String("attempts", "", "file to write the started attempts to")
	n := fs.Int("n", 0, "how many candidates start (default: every token)")
	conc := fs.Int("concurrency", 0, "connections (default N together, 1000 with --rate)")
	rate := fs.Float64("rate", 0, "starts per second (open model); 0 releases all at once")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up on one start after this long")
	summaryPath := fs.String("summary", "", "also write the figures to FILE as key=value lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, err := parseBase(*baseFlag)
	if err != nil {
		return fmt.Errorf("storm: %w", err)
	}
	if *examID == "" || *tokensPath == "" {
		return errors.New("storm: --exam and --tokens are required")
	}
	if *rate < 0 || *rate > 100_000 {
		return errors.New("storm: --rate must be 0…100000")
	}
	creds, err := readTokens(*tokensPath)
	if err != nil {
		return fmt.Errorf("storm: %w", err)
	}
	if *n == 0 {
		*n = len(creds)
	}
	if *n < 0 || *n > len(creds) {
		return fmt.Errorf("storm: --n %d: the tokens file has %d candidates", *n, len(creds))
	}
	creds = creds[:*n]
	if *conc == 0 {
		*conc = *n
		if *rate > 0 {
			*conc = min(*n, 1000)
		}
	}
	if *conc < 0 || *conc > maxStormConnections {
		return fmt.Errorf("storm: --concurrency must be 1…%d", maxStormConnections)
	}
	*conc = min(*conc, *n)

	st := &starter{
		base:    base,
		path:    "/api/v1/exams/" + url.PathEscape(*examID) + "/attempts",
		creds:   creds,
		rec:     newRecorder(),
		results: make([]attemptRecord, len(creds)),
		answers: make([]startAnswer, len(creds)),
	}
	check := newClient(newTransport(1, 0), 10*time.Second)
	if err := waitReady(ctx, check, base, 10*time.Second); err != nil {
		return fmt.Errorf("storm: %w", err)
	}

	cpu := readCPU()
	var t0 time.Time
	mode := ""
	if *rate == 0 {
		mode = fmt.Sprintf("released together on %d connections", *conc)
		fmt.Fprintf(stderr, "examload storm: opening %d connections…\n", *conc)
		var failed int64
		t0, failed = st.barrier(ctx, *conc, *timeout)
		if failed > 0 {
			fmt.Fprintf(stderr, "examload storm: warning: %d connections could not be opened beforehand\n", failed)
		}
	} else {
		mode = fmt.Sprintf("open model, %.0f starts/s, ≤ %d in flight", *rate, *conc)
		t0 = st.open(ctx, *rate, *conc, *timeout)
	}
	examloadCores := cpu.cores()
	cpuText := cpuRow(cpu)
	releasedText, releasedCores := "", examloadCores
	if *rate == 0 {
		// Opening the connections happens before the release and takes no
		// cores from the starts; what examload uses after it does.
		releasedText, releasedCores = cpuRow(st.released), st.released.cores()
	}
	st.readAnswers()
	if err := ctx.Err(); err != nil {
		return err
	}

	var attempts []attemptRecord
	for _, a := range st.results {
		if a.AttemptID != "" {
			attempts = append(attempts, a)
		}
	}
	if *attemptsPath != "" {
		if err := writeAttempts(*attemptsPath, attempts); err != nil {
			return fmt.Errorf("storm: %w", err)
		}
	}

	lat := st.rec.summary()
	kinds := st.rec.failureKinds()
	elapsed := st.rec.last.Sub(t0)
	ok := lat.Count
	perSec := 0.0
	if elapsed > 0 {
		perSec = float64(ok) / elapsed.Seconds()
	}
	tab := newTable(stdout, fmt.Sprintf("examload storm — %d candidates, %s", len(creds), mode))
	tab.row("candidates", fmt.Sprint(len(creds)))
	tab.row("started (201)", fmt.Sprint(st.created.Load()))
	tab.row("resumed (200)", fmt.Sprint(st.resumed.Load()))
	tab.failureRows(kinds)
	tab.row("first send → last answer", fmtDuration(elapsed))
	tab.row("starts/s", fmt.Sprintf("%.1f", perSec))
	tab.latencyRows("start", lat)
	if *rate > 0 {
		tab.row("all served", fmt.Sprintf("%v (%d of %d)", ok == int64(len(creds)), ok, len(creds)))
		tab.row("served within 60 s of the first due start", fmt.Sprint(ok == int64(len(creds)) && elapsed <= time.Minute))
	}
	tab.row("examload's own CPU", cpuText)
	if releasedText != "" {
		tab.row("… of it after the release", releasedText)
	}
	if *attemptsPath != "" {
		tab.row("attempts file", fmt.Sprintf("%s (%d attempts)", *attemptsPath, len(attempts)))
	}
	if err := tab.flush(); err != nil {
		return err
	}

	var sum summary
	sum.set("kind", "storm")
	sum.set("mode", map[bool]string{true: "barrier", false: "open"}[*rate == 0])
	sum.set("n", len(creds))
	sum.set("concurrency", *conc)
	sum.set("rate_target", *rate)
	sum.set("ok", ok)
	sum.set("created", st.created.Load())
	sum.set("resumed", st.resumed.Load())
	sum.set("elapsed_s", elapsed.Seconds())
	sum.set("rate", perSec)
	sum.latency("", lat)
	sum.failures(kinds)
	sum.set("examload_cores", examloadCores)
	sum.set("examload_cores_after_release", releasedCores)
	return sum.write(*summaryPath)
}

// startBodyReserve is the body buffer each connection of a released storm gets
// before the release (rawConn.reserveBody): a start's answer with the bench
// exam's 15 questions is about 9 KB.
const startBodyReserve = 16 << 10

// starter runs the starts of one storm.
type starter struct {
	base    string // examd's URL, for each worker's connection
	path    string // /api/v1/exams/ID/attempts
	creds   []credential
	rec     *recorder
	results []attemptRecord
	answers []startAnswer // each start's answer, until readAnswers

	created, resumed atomic.Int64
	released         cpuClock // examload's CPU clock at the barrier's release
}

// barrier opens conc connections (GET /healthz on each, at most 256 being
// opened at a time), then releases every worker at once. It returns the release
// time and how many connections could not be opened beforehand.
//
// The warm-up goes through the worker's rawConn, not net/http: its point is
// that the start after the release finds that very connection open.
func (s *starter) barrier(ctx context.Context, conc int, timeout time.Duration) (time.Time, int64) {
	release := make(chan struct{})
	var ready, done sync.WaitGroup
	var failed atomic.Int64
	opening := make(chan struct{}, 256)
	ready.Add(conc)
	done.Add(conc)
	for w := range conc {
		go func() {
			defer done.Done()
			// One connection per worker, as a browser has.
			conn, err := newRawConn(ctx, s.base, timeout)
			if err != nil {
				failed.Add(1)
				ready.Done()
				return
			}
			defer conn.Close()
			opening <- struct{}{}
			if status, _, err := conn.do(http.MethodGet, "", nil, bodyNever, "/healthz"); err != nil || status != http.StatusOK {
				failed.Add(1)
			}
			<-opening
			conn.reserveBody(startBodyReserve)
			ready.Done()
			select {
			case <-release:
			case <-ctx.Done():
				return
			}
			for i := w; i < len(s.creds); i += conc {
				if ctx.Err() != nil {
					return
				}
				s.startOne(ctx, conn, i, time.Time{})
			}
		}()
	}
	ready.Wait()
	s.released = readCPU()
	t0 := s.released.at
	close(release)
	done.Wait()
	return t0, failed.Load()
}

// open runs the open model: start i is due at t0 + i/rate, and at most conc
// are in flight, each worker on a keep-alive connection of its own (dialled at
// its first start, as a pool of conc connections would).
func (s *starter) open(ctx context.Context, rate float64, conc int, timeout time.Duration) time.Time {
	t0 := time.Now().Add(50 * time.Millisecond)
	var next atomic.Int64
	var done sync.WaitGroup
	done.Add(conc)
	for range conc {
		go func() {
			defer done.Done()
			conn, err := newRawConn(ctx, s.base, timeout)
			if err != nil {
				s.rec.failure("request: "+err.Error(), "", time.Now())
				return
			}
			defer conn.Close()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(s.creds) || ctx.Err() != nil {
					return
				}
				due := t0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
				if wait := time.Until(due); wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						return
					}
				}
				s.startOne(ctx, conn, i, due)
			}
		}()
	}
	done.Wait()
	return t0
}

// startOne starts candidate i's attempt. Its latency runs from due when set
// (the open model), else from the send.
func (s *starter) startOne(ctx context.Context, conn *rawConn, i int, due time.Time) {
	c := s.creds[i]
	sent := time.Now()
	if due.IsZero() {
		due = sent
	}
	status, body, err := conn.do(http.MethodPost, sessionCookie+"="+c.Token, nil, bodyAlways, s.path)
	end := time.Now()
	if err != nil {
		if ctx.Err() == nil {
			s.rec.failure(netFailureKind(err), sampleText(err.Error()), end)
		}
		return
	}
	if status != http.StatusCreated && status != http.StatusOK {
		s.rec.failure(failureKind(status, body), sampleText(string(body)), end)
		return
	}
	// The answer is read after the storm (readAnswers): decoding it here would
	// take CPU from the server under test, which a browser on the candidate's
	// own machine does not.
	// The body is the connection's buffer, taken rather than copied.
	s.answers[i] = startAnswer{status: status, body: conn.takeBody(), latency: end.Sub(due), end: end}
}

// startAnswer is a start's answer kept for readAnswers: its status, its body
// and when it came.
type startAnswer struct {
	status  int
	body    []byte
	latency time.Duration
	end     time.Time
}

// readAnswers decodes the answers the storm kept, records each as a success
// (with its latency as measured) or an unreadable answer, and keeps the
// attempts for the flood.
func (s *starter) readAnswers() {
	for i := range s.answers {
		a := &s.answers[i]
		if a.body == nil {
			continue
		}
		var v startView
		if err := json.Unmarshal(a.body, &v); err != nil || v.AttemptID == "" || len(v.Questions) == 0 {
			s.rec.failure(fmt.Sprintf("%d unreadable answer", a.status), sampleText(string(a.body)), a.end)
			a.body = nil
			continue
		}
		r := attemptRecord{AttemptID: v.AttemptID, Token: s.creds[i].Token, Questions: make([]questionRecord, len(v.Questions))}
		for j, q := range v.Questions {
			keys := make([]string, len(q.Options))
			for k, o := range q.Options {
				keys[k] = o.Key
			}
			r.Questions[j] = questionRecord{ID: q.ID, Options: keys}
		}
		s.results[i] = r
		if a.status == http.StatusCreated {
			s.created.Add(1)
		} else {
			s.resumed.Add(1)
		}
		s.rec.success(a.latency, a.end)
		a.body = nil
	}
}
