package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// attemptRecord is a line of the attempts file that `examload storm` writes.
type attemptRecord struct {
	AttemptID string `json:"attempt_id"`
	Token     string `json:"token"`
	Questions []struct {
		ID      string   `json:"id"`
		Options []string `json:"options"`
	} `json:"questions"`
}

func readAttempts(path string) ([]attemptRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []attemptRecord
	dec := json.NewDecoder(bufio.NewReader(f))
	for {
		var a attemptRecord
		if err := dec.Decode(&a); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if a.AttemptID == "" || a.Token == "" || len(a.Questions) == 0 {
			return nil, fmt.Errorf("%s: a record without attempt, token or questions", path)
		}
		out = append(out, a)
	}
	return out, nil
}

// save is one answer save as the load sends it.
type save struct {
	Attempt  string
	Question string
	Seq      int64
	Choice   *string // nil clears the answer
	Flagged  bool
	Phase    int
}

func (s save) choiceText() string {
	if s.Choice == nil {
		return "-"
	}
	return *s.Choice
}

// loadAttempt is an attempt one worker owns: at most one save of it is in
// flight, as in a browser, and its seq grows by one with every save.
type loadAttempt struct {
	rec       attemptRecord
	prefix    string // …/api/v1/attempts/ID/
	cookie    string
	seq       int64
	submitted bool
}

// ackedSubmit is a submit that got a 200.
type ackedSubmit struct {
	Attempt string
	Phase   int
}

// load is the answer-save load: workers, each owning every Nth attempt, send
// saves one after another and retry a save that got no answer, a 5xx or a
// timeout with the same seq until it is acknowledged.
type load struct {
	base     string
	client   *http.Client
	attempts []*loadAttempt
	workers  int
	ackFile  *bufio.Writer

	inFlight atomic.Int64
	acked    atomic.Int64

	mu         sync.Mutex
	acks       []save           // every save that got a 200, in order of arrival
	sent       map[saveKey]save // every save sent, by (attempt, question, seq)
	afterSub   []save           // saves sent after an acknowledged submit (must be refused)
	submits    []ackedSubmit    // submits that got a 200
	failures   []string         // answers the test does not allow
	retries    map[int]int      // phase → requests sent again
	abandoned  map[int]int      // phase → saves given up at the end of a phase
	status5xx  map[int]int      // phase → answers with a 5xx status
	errorKinds map[string]int   // "phase N: 500 internal" → count
}

type saveKey struct {
	attempt, question string
	seq               int64
}

func newLoad(base string, client *http.Client, records []attemptRecord, workers int, ackLog io.Writer) *load {
	l := &load{base: base, client: client, workers: workers, ackFile: bufio.NewWriterSize(ackLog, 1<<16),
		sent: map[saveKey]save{}, retries: map[int]int{}, abandoned: map[int]int{}, status5xx: map[int]int{},
		errorKinds: map[string]int{}}
	fmt.Fprintln(l.ackFile, "# phase\tattempt_id\tquestion_id\tseq\tchoice\tflagged (every acknowledged save, in the order its 200 arrived)")
	for _, r := range records {
		l.attempts = append(l.attempts, &loadAttempt{rec: r,
			prefix: base + "/api/v1/attempts/" + url.PathEscape(r.AttemptID) + "/",
			cookie: "examd_session=" + r.Token})
	}
	return l
}

// phaseRun is the load during one phase.
type phaseRun struct {
	phase   int
	stop    chan struct{} // closed: finish the save in hand, then return
	abandon chan struct{} // closed: stop retrying, too
	wg      sync.WaitGroup
}

// begin starts the workers for a phase. Each worker submits one of its
// attempts at a random moment within submitWithin (when it still has two
// running), so that submits race with the faults too.
func (l *load) begin(ctx context.Context, phase int, submitWithin time.Duration) *phaseRun {
	r := &phaseRun{phase: phase, stop: make(chan struct{}), abandon: make(chan struct{})}
	for w := range l.workers {
		var mine []*loadAttempt
		for i := w; i < len(l.attempts); i += l.workers {
			mine = append(mine, l.attempts[i])
		}
		submitAt := time.Now().Add(time.Duration(rand.Int64N(int64(submitWithin))))
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			l.worker(ctx, r, mine, submitAt)
		}()
	}
	return r
}

// end stops the phase: every worker finishes (retries) the save in hand for up
// to drain, then gives it up.
func (l *load) end(r *phaseRun, drain time.Duration) {
	close(r.stop)
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drain):
		close(r.abandon)
		<-done
	}
	l.mu.Lock()
	_ = l.ackFile.Flush()
	l.mu.Unlock()
}

func (l *load) worker(ctx context.Context, r *phaseRun, mine []*loadAttempt, submitAt time.Time) {
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	next := rng.IntN(len(mine) + 1)
	submitted := false
	for {
		select {
		case <-r.stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		if !submitted && time.Now().After(submitAt) {
			submitted = true
			if l.submitOne(ctx, r, mine) {
				continue
			}
		}
		var a *loadAttempt
		for range mine {
			c := mine[next%len(mine)]
			next++
			if !c.submitted {
				a = c
				break
			}
		}
		if a == nil {
			return
		}
		q := a.rec.Questions[rng.IntN(len(a.rec.Questions))]
		s := save{Attempt: a.rec.AttemptID, Question: q.ID, Seq: a.seq + 1, Flagged: rng.IntN(4) == 0, Phase: r.phase}
		if rng.IntN(20) != 0 { // now and then the answer is cleared
			c := q.Options[rng.IntN(len(q.Options))]
			s.Choice = &c
		}
		a.seq = s.Seq
		l.mu.Lock()
		l.sent[saveKey{s.Attempt, s.Question, s.Seq}] = s
		l.mu.Unlock()
		status, code, ok := l.saveOnce(ctx, r, a, s)
		switch {
		case !ok:
			l.mu.Lock()
			l.abandoned[r.phase]++
			l.mu.Unlock()
		case status == http.StatusOK:
			l.ack(s)
		default:
			l.fail("phase %d: save %s/%s seq %d refused: %d %s", r.phase, s.Attempt, s.Question, s.Seq, status, code)
		}
	}
}

// saveOnce sends one save until it gets an answer that is not a 5xx; ok is
// false when the phase gave up on it.
func (l *load) saveOnce(ctx context.Context, r *phaseRun, a *loadAttempt, s save) (int, string, bool) {
	body, _ := json.Marshal(map[string]any{"choice": s.Choice, "flagged": s.Flagged, "seq": s.Seq})
	return l.do(ctx, r, http.MethodPut, a.prefix+"answers/"+url.PathEscape(s.Question), a.cookie, body)
}

// submitOne hands in one of the worker's running attempts (when two or more
// run), then checks that a further save to it is refused. It tells whether it
// submitted one.
func (l *load) submitOne(ctx context.Context, r *phaseRun, mine []*loadAttempt) bool {
	var running []*loadAttempt
	for _, a := range mine {
		if !a.submitted {
			running = append(running, a)
		}
	}
	if len(running) < 2 {
		return false
	}
	a := running[rand.IntN(len(running))]
	status, code, ok := l.do(ctx, r, http.MethodPost, a.prefix+"submit", a.cookie, nil)
	if !ok {
		// The phase gave up: the attempt may or may not be handed in, so no
		// more saves go to it.
		a.submitted = true
		return true
	}
	if status != http.StatusOK {
		l.fail("phase %d: submit of %s refused: %d %s", r.phase, a.rec.AttemptID, status, code)
		return false
	}
	a.submitted = true
	l.mu.Lock()
	l.submits = append(l.submits, ackedSubmit{Attempt: a.rec.AttemptID, Phase: r.phase})
	l.mu.Unlock()

	q := a.rec.Questions[0]
	c := q.Options[0]
	s := save{Attempt: a.rec.AttemptID, Question: q.ID, Seq: a.seq + 1, Choice: &c, Phase: r.phase}
	a.seq = s.Seq
	l.mu.Lock()
	l.afterSub = append(l.afterSub, s)
	l.mu.Unlock()
	status, code, ok = l.saveOnce(ctx, r, a, s)
	if ok && (status != http.StatusConflict || code != "attempt_finished") {
		l.fail("phase %d: a save to %s after its acknowledged submit got %d %s, want 409 attempt_finished", r.phase, a.rec.AttemptID, status, code)
	}
	return true
}

// do sends a request until it gets an answer below 500: the same body each
// time, as a browser retries a save. ok is false when the phase gave up.
func (l *load) do(ctx context.Context, r *phaseRun, method, target, cookie string, body []byte) (status int, code string, ok bool) {
	backoff := 50 * time.Millisecond
	for {
		status, code, err := l.request(ctx, method, target, cookie, body)
		if err == nil && status < 500 {
			return status, code, true
		}
		kind := fmt.Sprintf("%d %s", status, code)
		if err != nil {
			kind = netKind(err)
		}
		l.mu.Lock()
		l.retries[r.phase]++
		if err == nil {
			l.status5xx[r.phase]++
		}
		l.errorKinds[fmt.Sprintf("phase %d: %s", r.phase, kind)]++
		l.mu.Unlock()
		select {
		case <-r.abandon:
			return 0, "", false
		case <-ctx.Done():
			return 0, "", false
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Second)
	}
}

func (l *load) request(ctx context.Context, method, target, cookie string, body []byte) (int, string, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cookie", cookie)
	l.inFlight.Add(1)
	defer l.inFlight.Add(-1)
	res, err := l.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		// The status line came but the body broke off: no answer.
		return 0, "", err
	}
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return res.StatusCode, e.Error.Code, nil
}

func (l *load) ack(s save) {
	l.acked.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acks = append(l.acks, s)
	fmt.Fprintf(l.ackFile, "%d\t%s\t%s\t%d\t%s\t%t\n", s.Phase, s.Attempt, s.Question, s.Seq, s.choiceText(), s.Flagged)
}

func (l *load) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, fmt.Sprintf(format, args...))
}

// errorSummary lists the kinds of failed requests of a phase, most frequent first.
func (l *load) errorSummary(phase int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	prefix := fmt.Sprintf("phase %d: ", phase)
	type kv struct {
		k string
		n int
	}
	var kinds []kv
	for k, n := range l.errorKinds {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			kinds = append(kinds, kv{k[len(prefix):], n})
		}
	}
	sort.Slice(kinds, func(i, j int) bool {
		return kinds[i].n > kinds[j].n || kinds[i].n == kinds[j].n && kinds[i].k < kinds[j].k
	})
	if len(kinds) == 0 {
		return "none"
	}
	s := ""
	for i, k := range kinds {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s ×%d", k.k, k.n)
	}
	return s
}

// netKind names a request that got no answer.
func netKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "network error"
}
