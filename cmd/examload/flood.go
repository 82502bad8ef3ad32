package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// maxFloodWorkers bounds --concurrency of the flood.
const maxFloodWorkers = 5000

func flood(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("flood", stderr, `examload flood --base URL --attempts FILE [--duration 30s] [--concurrency C] [--rate R] [--ack-log FILE]

The answer flood: running attempts save answers (PUT
/api/v1/attempts/ID/answers/QUESTION with {choice, flagged:false, seq}).

Closed model (default): C workers, each owning every C-th attempt, send the next
save as soon as the previous one is answered, as fast as the server allows.
Open model (--rate R): save i is due at i/R seconds, at most C are in flight, and
latency runs from the due time (no coordinated omission).

Each attempt cycles through its questions and choices; seq starts at --seq-base
(default: now in microseconds, so a later run always writes over an earlier one)
and grows by one with every save of the attempt. Only 200s count as saves.
--tokens is not needed: the attempts file carries each attempt's session.`)
	baseFlag := fs.String("base", "", "examd's URL, e.g. http://127.0.0.1:18081")
	attemptsPath := fs.String("attempts", "", "attempts file written by storm")
	_ = fs.String("tokens", "", "accepted and ignored: the attempts file carries the sessions")
	duration := fs.Duration("duration", 30*time.Second, "how long to send saves")
	conc := fs.Int("concurrency", 64, "workers (closed model) or saves in flight at most (open model)")
	rate := fs.Float64("rate", 0, "saves per second in total (open model); 0 is the closed model")
	ackPath := fs.String("ack-log", "", "write every acknowledged save to FILE: attempt, question, seq, choice")
	seqBase := fs.Int64("seq-base", 0, "first seq (default: now in microseconds)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up on one save after this long")
	summaryPath := fs.String("summary", "", "also write the figures to FILE as key=value lines")
	histPath := fs.String("histogram", "", "also write the latency histogram to FILE, for examload latency to merge")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, err := parseBase(*baseFlag)
	if err != nil {
		return fmt.Errorf("flood: %w", err)
	}
	switch {
	case *attemptsPath == "":
		return errors.New("flood: --attempts FILE is required")
	case *duration <= 0 || *duration > time.Hour:
		return errors.New("flood: --duration must be positive and at most 1h")
	case *conc <= 0 || *conc > maxFloodWorkers:
		return fmt.Errorf("flood: --concurrency must be 1…%d", maxFloodWorkers)
	case *rate < 0 || *rate > 200_000:
		return errors.New("flood: --rate must be 0…200000")
	}
	records, err := readAttempts(*attemptsPath)
	if err != nil {
		return fmt.Errorf("flood: %w", err)
	}
	if *seqBase == 0 {
		*seqBase = time.Now().UnixMicro()
	}
	workers := *conc
	if *rate == 0 && workers > len(records) {
		// A browser has one save in flight; so does each attempt here.
		workers = len(records)
	}

	f := &flooder{base: base, timeout: *timeout, rec: newRecorder(), seqBase: *seqBase}
	f.attempts = make([]*floodAttempt, len(records))
	for i, r := range records {
		f.attempts[i] = &floodAttempt{
			rec:    r,
			prefix: "/api/v1/attempts/" + url.PathEscape(r.AttemptID) + "/answers/",
			cookie: sessionCookie + "=" + r.Token,
		}
	}
	if *ackPath != "" {
		file, err := os.Create(*ackPath)
		if err != nil {
			return fmt.Errorf("flood: %w", err)
		}
		defer file.Close()
		f.ack = bufio.NewWriterSize(file, 1<<16)
		fmt.Fprintln(f.ack, "# attempt_id\tquestion_id\tseq\tchoice (acknowledged saves, in the order their 200s arrived)")
	}

	// net/http only for the one readiness check; the saves go through rawConn.
	tr := newTransport(1, 1)
	defer tr.CloseIdleConnections()
	if err := waitReady(ctx, newClient(tr, *timeout), base, 10*time.Second); err != nil {
		return fmt.Errorf("flood: %w", err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopProgress := make(chan struct{})
	var progressDone sync.WaitGroup
	t0 := time.Now().Add(20 * time.Millisecond)
	if !*quiet {
		progressDone.Add(1)
		go func() {
			defer progressDone.Done()
			f.progress(stderr, t0, stopProgress)
		}()
	}
	cpu := readCPU()
	var mode string
	if *rate == 0 {
		mode = fmt.Sprintf("closed model, %d workers", workers)
		f.closed(runCtx, workers, t0, t0.Add(*duration))
	} else {
		mode = fmt.Sprintf("open model, %.0f saves/s, ≤ %d in flight", *rate, workers)
		f.open(runCtx, workers, *rate, t0, t0.Add(*duration))
	}
	examloadCores := cpu.cores()
	cpuText := cpuRow(cpu)
	close(stopProgress)
	progressDone.Wait()
	if f.ack != nil {
		if err := f.ack.Flush(); err != nil {
			return fmt.Errorf("flood: ack log: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	lat := f.rec.summary()
	kinds := f.rec.failureKinds()
	elapsed := f.rec.last.Sub(t0)
	perSec := 0.0
	if elapsed > 0 {
		perSec = float64(lat.Count) / elapsed.Seconds()
	}
	tab := newTable(stdout, fmt.Sprintf("examload flood — %d attempts, %s, %s", len(records), mode, *duration))
	tab.row("attempts", fmt.Sprint(len(records)))
	tab.row("saves sent", fmt.Sprint(f.sent.Load()))
	tab.row("saves acknowledged (200)", fmt.Sprint(lat.Count))
	tab.failureRows(kinds)
	tab.row("first send → last answer", fmtDuration(elapsed))
	tab.row("saves/s (acknowledged)", fmt.Sprintf("%.1f", perSec))
	tab.latencyRows("save", lat)
	if *rate > 0 {
		tab.row("most behind schedule", fmtDuration(time.Duration(f.maxLag.Load())))
	}
	tab.row("examload's own CPU", cpuText)
	if *ackPath != "" {
		tab.row("ack log", *ackPath)
	}
	if err := tab.flush(); err != nil {
		return err
	}

	var sum summary
	sum.set("kind", "flood")
	sum.set("mode", map[bool]string{true: "closed", false: "open"}[*rate == 0])
	sum.set("attempts", len(records))
	sum.set("concurrency", workers)
	sum.set("rate_target", *rate)
	sum.set("duration_s", duration.Seconds())
	sum.set("sent", f.sent.Load())
	sum.set("ok", lat.Count)
	sum.set("elapsed_s", elapsed.Seconds())
	sum.set("rate", perSec)
	sum.latency("", lat)
	sum.failures(kinds)
	sum.set("examload_cores", examloadCores)
	if *histPath != "" {
		if err := f.rec.writeHistogram(*histPath); err != nil {
			return fmt.Errorf("flood: %w", err)
		}
	}
	return sum.write(*summaryPath)
}

// floodAttempt is one running attempt and how many saves it has been sent.
type floodAttempt struct {
	rec    attemptRecord
	prefix string // /api/v1/attempts/ID/answers/
	cookie string
	saves  atomic.Int64
}

// flooder runs the saves of one flood.
type flooder struct {
	base     string        // examd's URL, for each worker's connection
	timeout  time.Duration // for one save
	attempts []*floodAttempt
	seqBase  int64
	rec      *recorder
	sent     atomic.Int64
	maxLag   atomic.Int64

	ackMu sync.Mutex
	ack   *bufio.Writer
}

// closed runs the closed model until stop: worker w saves to attempts w, w+C, …
// in turn, one save at a time, on a keep-alive connection of its own.
func (f *flooder) closed(ctx context.Context, workers int, t0, stop time.Time) {
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := range workers {
		go func() {
			defer wg.Done()
			conn, err := newRawConn(ctx, f.base, f.timeout)
			if err != nil {
				f.rec.failure("request: "+err.Error(), "", time.Now())
				return
			}
			defer conn.Close()
			time.Sleep(time.Until(t0))
			buf := make([]byte, 0, 96)
			for i := w; ; i += workers {
				if i >= len(f.attempts) {
					i = w
				}
				if ctx.Err() != nil || !time.Now().Before(stop) {
					return
				}
				buf = f.saveOne(ctx, conn, f.attempts[i], time.Time{}, buf)
			}
		}()
	}
	wg.Wait()
}

// open runs the open model: save i is due at t0 + i/rate until stop, to
// attempt i mod len, with at most workers in flight, each worker on a
// keep-alive connection of its own.
func (f *flooder) open(ctx context.Context, workers int, rate float64, t0, stop time.Time) {
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			conn, err := newRawConn(ctx, f.base, f.timeout)
			if err != nil {
				f.rec.failure("request: "+err.Error(), "", time.Now())
				return
			}
			defer conn.Close()
			buf := make([]byte, 0, 96)
			for {
				i := next.Add(1) - 1
				due := t0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
				if !due.Before(stop) || ctx.Err() != nil {
					return
				}
				if wait := time.Until(due); wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						return
					}
				} else if lag := int64(-wait); lag > f.maxLag.Load() {
					f.maxLag.Store(lag) // racy maximum; a report figure only
				}
				buf = f.saveOne(ctx, conn, f.attempts[int(i%int64(len(f.attempts)))], due, buf)
			}
		}()
	}
	wg.Wait()
}

// saveOne sends the attempt's next save: the next question in turn, the next
// choice of it, seq one above the attempt's last. Latency runs from due when
// set (the open model), else from the send. It returns buf for reuse.
func (f *flooder) saveOne(ctx context.Context, conn *rawConn, a *floodAttempt, due time.Time, buf []byte) []byte {
	k := a.saves.Add(1) - 1
	qs := a.rec.Questions
	q := qs[k%int64(len(qs))]
	choice := q.Options[(k/int64(len(qs)))%int64(len(q.Options))]
	seq := f.seqBase + k

	buf = append(buf[:0], `{"choice":"`...)
	buf = append(buf, choice...)
	buf = append(buf, `","flagged":false,"seq":`...)
	buf = strconv.AppendInt(buf, seq, 10)
	buf = append(buf, '}')

	sent := time.Now()
	if due.IsZero() {
		due = sent
	}
	f.sent.Add(1)
	// The question id goes in as a second part of the path, so that no string
	// is built for it.
	status, body, err := conn.do(http.MethodPut, a.cookie, buf, bodyUnlessOK, a.prefix, url.PathEscape(q.ID))
	end := time.Now()
	switch {
	case err != nil:
		if ctx.Err() == nil {
			f.rec.failure(netFailureKind(err), sampleText(err.Error()), end)
		}
	case status != http.StatusOK:
		// As much of an error body as was read before: its code comes first.
		body = body[:min(len(body), 4096)]
		f.rec.failure(failureKind(status, body), sampleText(string(body)), end)
	default:
		f.rec.success(end.Sub(due), end)
		if f.ack != nil {
			f.ackMu.Lock()
			fmt.Fprintf(f.ack, "%s\t%s\t%d\t%s\n", a.rec.AttemptID, q.ID, seq, choice)
			f.ackMu.Unlock()
		}
	}
	return buf
}

// progress prints the saves acknowledged so far every five seconds.
func (f *flooder) progress(w io.Writer, t0 time.Time, stop <-chan struct{}) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	var lastOK int64
	last := t0
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			ok := f.rec.summaryCount()
			fmt.Fprintf(w, "examload flood: %4.0fs  %8d saves  %8.1f/s  %d errors\n",
				now.Sub(t0).Seconds(), ok, float64(ok-lastOK)/now.Sub(last).Seconds(), f.rec.failed())
			lastOK, last = ok, now
		}
	}
}
