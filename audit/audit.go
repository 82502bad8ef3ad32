// Package audit keeps the append-only, hash-chained log of every official action
// and every attempt's lifecycle. A row is written in the same transaction as the
// action it records; writers serialise on their chain's head so no chain forks.
//
// Officials' actions form chain 0. Candidates' events (attempts, logins,
// objections) are spread over chains 1–Chains by their object, so a start storm
// does not queue behind one lock; each chain is verified on its own.
package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Actor is who did something: an official, a candidate or the system itself.
type Actor struct {
	Kind string // "official", "candidate" or "system"
	ID   string
	Name string
}

// System is the actor for what the server does by itself (sweeper, seeding, CLI).
var System = Actor{Kind: "system", ID: "examd", Name: "examd"}

// Entry is one thing that happened to one object.
type Entry struct {
	Action     string // e.g. "exam.publish"
	ObjectType string // e.g. "exam"
	ObjectID   string
	Details    any // marshalled to JSON; nil becomes {}
}

// Chains is the number of chains candidates' events are spread over.
const Chains = 16

// ChainOf returns the chain an entry about objectType/objectID goes to: chain 0
// for officials' objects, 1–Chains for a candidate's attempt, login or objection.
func ChainOf(objectType, objectID string) int {
	switch objectType {
	case "attempt", "candidate", "objection":
		h := fnv.New32a()
		h.Write([]byte(objectID))
		return 1 + int(h.Sum32()%Chains)
	}
	return 0
}

// Append writes one row for e by actor in tx, chained to the previous row of its
// chain. It takes that chain head's row lock, held until tx ends; a transaction
// that appends to several chains must do so in ascending chain order.
func Append(ctx context.Context, tx *sqlx.Tx, actor Actor, e Entry) error {
	chain := ChainOf(e.ObjectType, e.ObjectID)
	details := []byte("{}")
	if e.Details != nil {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return fmt.Errorf("audit: details: %w", err)
		}
		details = b
	}
	// One statement: lock the chain head, take the id and time after the lock (so
	// ids grow along the chain), write the row hashed onto the head's hash, and
	// move the head.
	const q = `WITH head AS (
			SELECT id, last_hash FROM audit_head WHERE id = $9 FOR UPDATE
		), v AS (
			SELECT head.last_hash AS prev, nextval('audit_log_id_seq') AS id,
				date_trunc('microseconds', clock_timestamp()) AS at
			FROM head
		), ins AS (
			INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash, chain, hash)
			SELECT v.id, v.at, $1, $2, $3, $4, $5, $6, $7::jsonb, v.prev, $8,
				audit_hash_chained($8, v.id, v.at, $1, $2, $3, $4, $5, $6, $7::jsonb, v.prev)
			FROM v
			RETURNING id, hash
		)
		UPDATE audit_head SET last_id = ins.id, last_hash = ins.hash FROM ins WHERE audit_head.id = $9`
	res, err := tx.ExecContext(ctx, q, actor.Kind, actor.ID, actor.Name, e.Action, e.ObjectType, e.ObjectID,
		string(details), chain, chain+1)
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("audit: append: chain %d has no head", chain)
	}
	return nil
}

// Event is one entry with its actor, for AppendMany.
type Event struct {
	Actor Actor
	Entry Entry
}

var nextChain atomic.Uint32

// NextChain names a candidates' chain (1–Chains) in turn, for a batch of events
// written together with AppendMany: concurrent batches then mostly hold
// different chain heads.
func NextChain() int { return 1 + int(nextChain.Add(1)%Chains) }

// AppendMany writes events in tx as consecutive rows of candidates' chain
// (1–Chains), each linked to the one before as Append links one, with one
// statement and one hold of that chain's head (until tx ends). It is for a
// batch of candidates' events (a start storm's attempts): each row then sits
// on the batch's chain rather than on ChainOf its object; every chain verifies
// on its own either way. A transaction that appends to several chains must do
// so in ascending chain order.
func AppendMany(ctx context.Context, tx *sqlx.Tx, chain int, events []Event) error {
	if chain < 1 || chain > Chains {
		return fmt.Errorf("audit: append many: chain %d is not a candidates' chain", chain)
	}
	n := len(events)
	kinds, ids, names, actions := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	types, objects, details := make([]string, n), make([]string, n), make([]string, n)
	for i, ev := range events {
		d := []byte("{}")
		if ev.Entry.Details != nil {
			b, err := json.Marshal(ev.Entry.Details)
			if err != nil {
				return fmt.Errorf("audit: details: %w", err)
			}
			d = b
		}
		kinds[i], ids[i], names[i] = ev.Actor.Kind, ev.Actor.ID, ev.Actor.Name
		actions[i], types[i], objects[i], details[i] = ev.Entry.Action, ev.Entry.ObjectType, ev.Entry.ObjectID, string(d)
	}
	var written int
	err := tx.GetContext(ctx, &written, `SELECT audit_append_many($1, $2, $3, $4, $5, $6, $7, $8::jsonb[])`, chain,
		pq.StringArray(kinds), pq.StringArray(ids), pq.StringArray(names), pq.StringArray(actions),
		pq.StringArray(types), pq.StringArray(objects), pq.StringArray(details))
	if err != nil {
		return fmt.Errorf("audit: append many: %w", err)
	}
	if written != n {
		return fmt.Errorf("audit: append many: wrote %d of %d", written, n)
	}
	return nil
}

// Result is the outcome of walking the chain.
type Result struct {
	Valid      bool   `json:"valid"`
	Rows       int64  `json:"rows"`
	FirstBadID *int64 `json:"first_bad_id,omitempty"`
}

// Verify walks every chain in id order and reports the first row (the lowest id
// over all chains) whose hash does not match its content, whose link does not
// match the row before it in its chain, or — when rows were cut from the end of
// a chain — the last id that chain's head remembers.
func Verify(ctx context.Context, db *sqlx.DB) (Result, error) {
	const q = `SELECT id, chain, prev_hash, hash,
			audit_hash_chained(chain, id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash) AS computed
		FROM audit_log ORDER BY chain, id`
	// One snapshot for the rows and the heads, so a writer committing meanwhile
	// cannot make an intact chain look cut.
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return Result{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryxContext(ctx, q)
	if err != nil {
		return Result{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	type tail struct {
		id   int64
		hash []byte
		bad  bool
	}
	tails := map[int]*tail{}
	res := Result{Valid: true}
	markBad := func(id int64) {
		if res.FirstBadID == nil || id < *res.FirstBadID {
			res.Valid = false
			res.FirstBadID = &id
		}
	}
	for rows.Next() {
		var r struct {
			ID       int64  `db:"id"`
			Chain    int    `db:"chain"`
			PrevHash []byte `db:"prev_hash"`
			Hash     []byte `db:"hash"`
			Computed []byte `db:"computed"`
		}
		if err := rows.StructScan(&r); err != nil {
			return Result{}, fmt.Errorf("audit: verify: %w", err)
		}
		res.Rows++
		t, ok := tails[r.Chain]
		if !ok {
			t = &tail{hash: make([]byte, 32)}
			tails[r.Chain] = t
		}
		if !t.bad && (!bytes.Equal(r.PrevHash, t.hash) || !bytes.Equal(r.Hash, r.Computed)) {
			t.bad = true
			markBad(r.ID)
		}
		t.id, t.hash = r.ID, r.Hash
	}
	if err := rows.Err(); err != nil {
		return Result{}, fmt.Errorf("audit: verify: %w", err)
	}
	var heads []struct {
		ID       int    `db:"id"`
		LastID   int64  `db:"last_id"`
		LastHash []byte `db:"last_hash"`
	}
	if err := tx.SelectContext(ctx, &heads, `SELECT id, last_id, last_hash FROM audit_head ORDER BY id`); err != nil {
		return Result{}, fmt.Errorf("audit: verify heads: %w", err)
	}
	for _, h := range heads {
		t, ok := tails[h.ID-1]
		if !ok {
			t = &tail{hash: make([]byte, 32)}
		}
		if !t.bad && (h.LastID != t.id || !bytes.Equal(h.LastHash, t.hash)) {
			markBad(h.LastID)
		}
	}
	return res, nil
}

// Record is one row of the log as officials read it.
type Record struct {
	ID         int64           `db:"id" json:"id"`
	At         time.Time       `db:"at" json:"at"`
	ActorKind  string          `db:"actor_kind" json:"actor_kind"`
	ActorID    string          `db:"actor_id" json:"actor_id"`
	ActorName  string          `db:"actor_name" json:"actor_name"`
	Action     string          `db:"action" json:"action"`
	ObjectType string          `db:"object_type" json:"object_type"`
	ObjectID   string          `db:"object_id" json:"object_id"`
	Details    json.RawMessage `db:"details" json:"details"`
	Hash       []byte          `db:"hash" json:"hash"`
}

// Filter narrows List; empty fields match everything.
type Filter struct {
	Action     string
	ActorID    string
	ObjectType string
	ObjectID   string
	Page       int
	PerPage    int
}

// List returns one page of the log, newest first, and the number of rows matching.
func List(ctx context.Context, db *sqlx.DB, f Filter) ([]Record, int, error) {
	const where = `WHERE ($1 = '' OR action = $1 OR action LIKE $1 || '.%')
		AND ($2 = '' OR actor_id = $2 OR actor_name = $2)
		AND ($3 = '' OR object_type = $3)
		AND ($4 = '' OR object_id = $4)`
	var total int
	if err := db.GetContext(ctx, &total, `SELECT count(*) FROM audit_log `+where, f.Action, f.ActorID, f.ObjectType, f.ObjectID); err != nil {
		return nil, 0, fmt.Errorf("audit: count: %w", err)
	}
	out := []Record{}
	q := `SELECT id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, hash
		FROM audit_log ` + where + ` ORDER BY id DESC LIMIT $5 OFFSET $6`
	if err := db.SelectContext(ctx, &out, q, f.Action, f.ActorID, f.ObjectType, f.ObjectID, f.PerPage, (f.Page-1)*f.PerPage); err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	return out, total, nil
}

// Log reads the audit log of one database.
type Log struct {
	DB *sqlx.DB
}

// Verify walks the chain (see the package function Verify).
func (l *Log) Verify(ctx context.Context) (Result, error) { return Verify(ctx, l.DB) }

// List returns one page of the log (see the package function List).
func (l *Log) List(ctx context.Context, f Filter) ([]Record, int, error) { return List(ctx, l.DB, f) }
