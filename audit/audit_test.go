package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/database/dbtest"
)

var tester = audit.Actor{Kind: "official", ID: "3f1c2a4e-0000-4000-8000-000000000001", Name: "tester"}

// mustAppend writes n rows, each in its own transaction, as the tests' actor.
func mustAppend(tb testing.TB, db *sqlx.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := database.WithTx(ctx, db, func(tx *sqlx.Tx) error {
			return audit.Append(ctx, tx, tester, audit.Entry{Action: "test.append", ObjectType: "thing",
				ObjectID: fmt.Sprint(i), Details: map[string]any{"i": i, "note": "یادداشت"}})
		})
		if err != nil {
			tb.Fatalf("Append %d: %v", i, err)
		}
	}
}

func mustVerify(tb testing.TB, db *sqlx.DB) audit.Result {
	tb.Helper()
	res, err := audit.Verify(context.Background(), db)
	if err != nil {
		tb.Fatalf("Verify: %v", err)
	}
	return res
}

func mustExec(tb testing.TB, db *sqlx.DB, q string, args ...any) {
	tb.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

func badID(r audit.Result) string {
	if r.FirstBadID == nil {
		return "<nil>"
	}
	return fmt.Sprint(*r.FirstBadID)
}

func TestEmptyChainIsValid(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	res := mustVerify(t, db)
	if !res.Valid || res.Rows != 0 || res.FirstBadID != nil {
		t.Fatalf("Verify on an empty log = %+v (first bad %s), want valid with 0 rows", res, badID(res))
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	const goroutines, perG = 50, 10
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*perG)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perG; i++ {
				err := database.WithTx(ctx, db, func(tx *sqlx.Tx) error {
					return audit.Append(ctx, tx, tester, audit.Entry{Action: "test.concurrent", ObjectType: "goroutine",
						ObjectID: fmt.Sprint(g), Details: map[string]int{"g": g, "i": i}})
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Append: %v", err)
	}

	res := mustVerify(t, db)
	if !res.Valid || res.Rows != goroutines*perG || res.FirstBadID != nil {
		t.Fatalf("Verify = valid %v, rows %d, first bad %s; want valid, %d rows", res.Valid, res.Rows, badID(res), goroutines*perG)
	}

	// Follow the links from the genesis row: every row is reached once, and ids
	// grow strictly along the chain (no forks, no reordering).
	var rows []struct {
		ID       int64  `db:"id"`
		PrevHash []byte `db:"prev_hash"`
		Hash     []byte `db:"hash"`
	}
	if err := db.Select(&rows, `SELECT id, prev_hash, hash FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	next := map[string]int{} // prev_hash → index of the row that links to it
	for i, r := range rows {
		if j, dup := next[string(r.PrevHash)]; dup {
			t.Fatalf("fork: rows %d and %d share prev_hash", rows[j].ID, r.ID)
		}
		next[string(r.PrevHash)] = i
	}
	link := make([]byte, 32)
	var lastID int64
	seen := 0
	for {
		i, ok := next[string(link)]
		if !ok {
			break
		}
		if rows[i].ID <= lastID {
			t.Fatalf("row %d follows row %d in the chain: ids must grow", rows[i].ID, lastID)
		}
		lastID, link = rows[i].ID, rows[i].Hash
		seen++
	}
	if got, want := seen, goroutines*perG; got != want {
		t.Fatalf("rows reached along the chain = %d, want %d", got, want)
	}
	var head struct {
		LastID   int64  `db:"last_id"`
		LastHash []byte `db:"last_hash"`
	}
	if err := db.Get(&head, `SELECT last_id, last_hash FROM audit_head WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if head.LastID != lastID || !bytes.Equal(head.LastHash, link) {
		t.Fatalf("head = (%d, %x), want the chain's end (%d, %x)", head.LastID, head.LastHash, lastID, link)
	}
}

func TestAuditLogRefusesChangesWhileTriggersOn(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	mustAppend(t, db, 3)
	for _, q := range []string{
		`UPDATE audit_log SET details = '{"i": 99}' WHERE id = 2`,
		`DELETE FROM audit_log WHERE id = 2`,
		`TRUNCATE audit_log`,
	} {
		_, err := db.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "audit_log is append-only") {
			t.Errorf("%s: err = %v, want audit_log is append-only", q, err)
		}
	}
	if res := mustVerify(t, db); !res.Valid || res.Rows != 3 {
		t.Fatalf("Verify after refused changes = %+v, want valid with 3 rows", res)
	}
}

func TestVerifyNamesFirstBadRow(t *testing.T) {
	t.Parallel()
	const rows = 8
	tests := []struct {
		name   string
		tamper []string
		want   int64
	}{
		{"edit one row's details", []string{`UPDATE audit_log SET details = '{"i": 99}' WHERE id = 4`}, 4},
		{"edit a row and recompute its own hash", []string{
			`UPDATE audit_log SET actor_name = 'someone else' WHERE id = 3`,
			`UPDATE audit_log SET hash = audit_hash(id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash) WHERE id = 3`,
		}, 4},
		{"delete a middle row", []string{`DELETE FROM audit_log WHERE id = 5`}, 6},
		{"swap two rows' ids", []string{
			`UPDATE audit_log SET id = -1 WHERE id = 3`,
			`UPDATE audit_log SET id = 3 WHERE id = 6`,
			`UPDATE audit_log SET id = 6 WHERE id = -1`,
		}, 3},
		{"delete the last row", []string{`DELETE FROM audit_log WHERE id = 8`}, 8},
		{"delete the first row", []string{`DELETE FROM audit_log WHERE id = 1`}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := dbtest.New(t)
			mustAppend(t, db, rows)
			if res := mustVerify(t, db); !res.Valid || res.Rows != rows || res.FirstBadID != nil {
				t.Fatalf("Verify before tampering = %+v, want valid with %d rows", res, rows)
			}
			mustExec(t, db, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
			for _, q := range tt.tamper {
				mustExec(t, db, q)
			}
			res := mustVerify(t, db)
			if res.Valid || res.FirstBadID == nil || *res.FirstBadID != tt.want {
				t.Fatalf("Verify after tampering = valid %v, first bad %s; want invalid, first bad %d", res.Valid, badID(res), tt.want)
			}
		})
	}
}

func TestListFiltersAndPages(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	mustAppend(t, db, 5)
	err := database.WithTx(ctx, db, func(tx *sqlx.Tx) error {
		return audit.Append(ctx, tx, audit.System, audit.Entry{Action: "exam.publish", ObjectType: "exam", ObjectID: "e1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	log := &audit.Log{DB: db}

	items, total, err := log.List(ctx, audit.Filter{Action: "test", Page: 1, PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	if total != 5 || len(items) != 2 || items[0].ID != 5 || items[1].ID != 4 {
		t.Fatalf("List(action=test, page 1 of 2) = total %d, %d items %+v; want 5 total, ids 5 and 4", total, len(items), items)
	}
	items, total, err = log.List(ctx, audit.Filter{ObjectType: "exam", Page: 1, PerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(items) != 1 || items[0].Action != "exam.publish" || items[0].ActorKind != "system" || string(items[0].Details) != "{}" {
		t.Fatalf("List(object_type=exam) = total %d, %+v; want the one exam.publish row by the system with {} details", total, items)
	}
	items, total, err = log.List(ctx, audit.Filter{ActorID: tester.Name, ObjectID: "3", Page: 1, PerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(items) != 1 || items[0].ID != 4 || items[0].ObjectID != "3" {
		t.Fatalf("List(actor=tester, object 3) = total %d, %+v; want row 4", total, items)
	}
}

// TestAppendManyChainsLikeAppend: batches written by AppendMany, interleaved with
// single Appends to the same candidates' chain from other goroutines, keep every
// chain whole; the rows carry what each event said; a chain 0 batch and an empty
// batch are refused or write nothing; an edit of a batch's row is found.
func TestAppendManyChainsLikeAppend(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	candidate := audit.Actor{Kind: "candidate", ID: "3f1c2a4e-0000-4000-8000-0000000000c1", Name: "0499370899"}
	const batches, perBatch, singles = 12, 7, 30
	var wg sync.WaitGroup
	errs := make(chan error, batches+singles)
	for b := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			events := make([]audit.Event, perBatch)
			for i := range events {
				events[i] = audit.Event{Actor: candidate, Entry: audit.Entry{Action: "attempt.start", ObjectType: "attempt",
					ObjectID: fmt.Sprintf("b%d-%d", b, i), Details: map[string]any{"b": b, "i": i, "note": "آغاز"}}}
			}
			errs <- database.WithTx(ctx, db, func(tx *sqlx.Tx) error {
				return audit.AppendMany(ctx, tx, 1+b%2, events) // chains 1 and 2 only: batches contend
			})
		}()
	}
	for i := range singles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- database.WithTx(ctx, db, func(tx *sqlx.Tx) error {
				return audit.Append(ctx, tx, candidate, audit.Entry{Action: "candidate.login", ObjectType: "candidate",
					ObjectID: fmt.Sprint(i)})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	err := database.WithTx(ctx, db, func(tx *sqlx.Tx) error { return audit.AppendMany(ctx, tx, 3, nil) })
	if err != nil {
		t.Fatalf("AppendMany of no events: %v", err)
	}
	err = database.WithTx(ctx, db, func(tx *sqlx.Tx) error {
		return audit.AppendMany(ctx, tx, 0, []audit.Event{{Actor: tester, Entry: audit.Entry{Action: "x", ObjectType: "exam", ObjectID: "1"}}})
	})
	if err == nil {
		t.Fatal("AppendMany to the officials' chain 0: no error")
	}

	res := mustVerify(t, db)
	if got, want := res.Rows, int64(batches*perBatch+singles); !res.Valid || got != want {
		t.Fatalf("Verify = valid %v, rows %d, first bad %s; want valid, %d rows", res.Valid, res.Rows, badID(res), want)
	}
	// A batch's rows are consecutive on its chain and say what each event said.
	var rows []struct {
		Chain    int    `db:"chain"`
		ObjectID string `db:"object_id"`
		Actor    string `db:"actor_name"`
		Note     string `db:"note"`
	}
	if err := db.Select(&rows, `SELECT chain, object_id, actor_name, details->>'note' AS note FROM audit_log
		WHERE action = 'attempt.start' ORDER BY chain, id`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != batches*perBatch {
		t.Fatalf("%d attempt.start rows, want %d", len(rows), batches*perBatch)
	}
	for k := 0; k < len(rows); k += perBatch {
		var b int
		if _, err := fmt.Sscanf(rows[k].ObjectID, "b%d-0", &b); err != nil {
			t.Fatalf("row %d of chain %d is %q, want the first of a batch", k, rows[k].Chain, rows[k].ObjectID)
		}
		for i := range perBatch {
			r := rows[k+i]
			if want := fmt.Sprintf("b%d-%d", b, i); r.ObjectID != want || r.Chain != 1+b%2 || r.Actor != candidate.Name || r.Note != "آغاز" {
				t.Fatalf("row %d = %+v, want object %s on chain %d by %s with note آغاز", k+i, r, want, 1+b%2, candidate.Name)
			}
		}
	}

	var victim int64
	if err := db.Get(&victim, `SELECT id FROM audit_log WHERE object_id = 'b5-3'`); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
	mustExec(t, db, `UPDATE audit_log SET details = '{"b": 5, "i": 3}' WHERE id = $1`, victim)
	if res := mustVerify(t, db); res.Valid || res.FirstBadID == nil || *res.FirstBadID != victim {
		t.Fatalf("Verify after editing row %d = valid %v, first bad %s; want that row", victim, res.Valid, badID(res))
	}
}
