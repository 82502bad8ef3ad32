package exam_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	neturl "net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/exam"
)

// TestBatchedStarts: starts that arrive together share batches, and each rule of
// a single start still holds — one attempt per candidate however many times
// they press start at once, every attempt audited once on a chain that
// verifies, the deadline with the accommodation from the database, and the
// refusals (not eligible, exam closed, no attempts left) from the full path.
func TestBatchedStarts(t *testing.T) {
	env := attMustEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env.s.BatchStarts(ctx, 2, 16)
	x := env.attExam(t, func(r *exam.ExamRequest) { r.MaxAttempts = 2 })

	const n = 40
	ids, nids := make([]string, n), make([]string, n)
	for i := range n {
		ids[i], nids[i] = env.attCandidate(t)
	}
	env.attMustGrant(t, x.ID, nids[3], 600)

	// Every candidate presses start three times at once.
	type got struct {
		v       exam.AttemptView
		created bool
		err     error
	}
	results := make([][]got, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range n {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, created, err := env.s.Start(context.Background(), ids[i], x.ID)
				mu.Lock()
				results[i] = append(results[i], got{v, created, err})
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	for i, rs := range results {
		created, attempt := 0, ""
		for _, r := range rs {
			if r.err != nil {
				t.Fatalf("candidate %d: Start: %v", i, r.err)
			}
			if r.created {
				created++
			}
			if attempt == "" {
				attempt = r.v.AttemptID
			}
			if r.v.AttemptID != attempt {
				t.Errorf("candidate %d: three starts gave attempts %s and %s", i, attempt, r.v.AttemptID)
			}
			if len(r.v.Questions) != 5 {
				t.Errorf("candidate %d: %d questions shown, want 5", i, len(r.v.Questions))
			}
		}
		if created != 1 {
			t.Errorf("candidate %d: %d of 3 starts say created, want 1", i, created)
		}
		if c := attCount(t, env.db, `SELECT count(*) FROM attempts WHERE exam_id = $1 AND candidate_id = $2`, x.ID, ids[i]); c != 1 {
			t.Errorf("candidate %d: %d attempts stored, want 1", i, c)
		}
		if c := attMustAuditCount(t, env.db, "attempt.start", attempt); c != 1 {
			t.Errorf("candidate %d: %d attempt.start rows, want 1", i, c)
		}
		// The shown draw is the stored one.
		stored := attMustAllowed(t, env, attempt)
		for _, q := range rs[0].v.Questions {
			if len(stored[q.ID]) != len(q.Options) {
				t.Errorf("candidate %d: question %s shown with %d options, %d stored", i, q.ID, len(q.Options), len(stored[q.ID]))
			}
		}
	}
	// The accommodation is in the deadline.
	row := attMustRow(t, env.db, results[3][0].v.AttemptID)
	if got, want := row.DeadlineAt.Sub(row.StartedAt), time.Hour+10*time.Minute; got != want || row.ExtraSeconds != 600 {
		t.Errorf("deadline - start = %v (extra %d), want %v (extra 600)", got, row.ExtraSeconds, want)
	}
	if res, err := audit.Verify(context.Background(), env.db); err != nil || !res.Valid {
		t.Fatalf("audit.Verify after batched starts = %+v, %v", res, err)
	}

	// Refusals come from the full path, unchanged.
	if _, _, err := env.s.Start(context.Background(), env.ineligible, x.ID); !errors.Is(err, exam.ErrNotEligible) {
		t.Errorf("ineligible: err = %v, want ErrNotEligible", err)
	}
	// A second attempt after a submit is made by the full path (number 2); a
	// third is refused.
	if _, err := env.s.Submit(context.Background(), ids[0], results[0][0].v.AttemptID); err != nil {
		t.Fatal(err)
	}
	v2, created, err := env.s.Start(context.Background(), ids[0], x.ID)
	if err != nil || !created || v2.AttemptID == results[0][0].v.AttemptID {
		t.Fatalf("second attempt: %v created=%v same=%v", err, created, v2.AttemptID == results[0][0].v.AttemptID)
	}
	if _, err := env.s.Submit(context.Background(), ids[0], v2.AttemptID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.s.Start(context.Background(), ids[0], x.ID); !errors.Is(err, exam.ErrAttemptsExhausted) {
		t.Errorf("third attempt: err = %v, want ErrAttemptsExhausted", err)
	}
	// A closed exam starts nothing, batched or not.
	if _, err := env.s.CloseExam(context.Background(), audit.System, x.ID); err != nil {
		t.Fatal(err)
	}
	late, _ := env.attCandidate(t)
	if _, _, err := env.s.Start(context.Background(), late, x.ID); !errors.Is(err, exam.ErrExamNotOpen) {
		t.Errorf("closed exam: err = %v, want ErrExamNotOpen", err)
	}
}

// attMustAllowed reads the options a save may name for each question of an attempt.
func attMustAllowed(tb testing.TB, env *attEnv, attemptID string) map[string][]string {
	tb.Helper()
	var rows []struct {
		Q string `db:"q"`
		N int    `db:"n"`
	}
	if err := env.db.Select(&rows, `SELECT k AS q, jsonb_array_length(allowed -> k) AS n
		FROM attempts, jsonb_object_keys(allowed) k WHERE id = $1`, attemptID); err != nil {
		tb.Fatalf("read allowed: %v", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Q] = make([]string, r.N)
	}
	return out
}

// TestStartBatchDoubleClick: a batch that holds two starts of each candidate
// makes one attempt per candidate, for the first of the two, and what it shows
// is the draw stored — whatever order the database's plan inserts the rows in.
// It runs under the planner's own choice and with hash joins forced, where the
// rows come out of the join in the hash table's order rather than the batch's.
func TestStartBatchDoubleClick(t *testing.T) {
	for _, hashOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("hash joins only=%v", hashOnly), func(t *testing.T) {
			url := dbtest.NewURL(t)
			if hashOnly {
				url = withSettings(t, url, "enable_nestloop", "off", "enable_mergejoin", "off")
			}
			db, err := database.Open(context.Background(), url, database.PoolConfig{MaxOpen: 10})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			var nestloop string
			if err := db.Get(&nestloop, `SHOW enable_nestloop`); err != nil || (nestloop == "off") != hashOnly {
				t.Fatalf("enable_nestloop = %q (%v); the settings did not reach the session", nestloop, err)
			}
			env := attMustEnvOn(t, db)
			x := env.attExam(t, nil)
			const n = 30
			var batch []string
			for range n {
				id, _ := env.attCandidate(t)
				batch = append(batch, id, id)
			}
			if _, err := db.Exec(`ANALYZE`); err != nil {
				t.Fatal(err)
			}
			made, ids, shown, err := env.s.StartBatchOnce(context.Background(), x.ID, batch)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(batch); i += 2 {
				if !made[i] || made[i+1] {
					t.Errorf("candidate %d: made = %v, %v; want the first start only", i/2, made[i], made[i+1])
					continue
				}
				var stored string
				if err := db.Get(&stored, `SELECT questions::text FROM attempts WHERE id = $1`, ids[i]); err != nil {
					t.Fatal(err)
				}
				var a, b any
				if err := json.Unmarshal([]byte(stored), &a); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(shown[i], &b); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(a, b) {
					t.Errorf("candidate %d: shown draw %s, stored %s", i/2, shown[i], stored)
				}
			}
		})
	}
}

// withSettings adds PostgreSQL settings (name, value pairs) to a connection
// string, URL or key=value: lib/pq sends parameters it does not know as
// settings for the session.
func withSettings(tb testing.TB, conn string, kv ...string) string {
	tb.Helper()
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		u, err := neturl.Parse(conn)
		if err != nil {
			tb.Fatal(err)
		}
		q := u.Query()
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	for i := 0; i+1 < len(kv); i += 2 {
		conn += " " + kv[i] + "=" + kv[i+1]
	}
	return conn
}
