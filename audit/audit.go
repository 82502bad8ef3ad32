// Package audit keeps the append-only, hash-chained log of every official action
// and every attempt's lifecycle. A row is written in the same transaction as the
// action it records; writers serialise on the chain head so the chain never forks.
package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
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

// Append writes one row for e by actor in tx, chained to the previous row. It
// takes the chain head's row lock, which is held until tx ends.
func Append(ctx context.Context, tx *sqlx.Tx, actor Actor, e Entry) error {
	details := []byte("{}")
	if e.Details != nil {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return fmt.Errorf("audit: details: %w", err)
		}
		details = b
	}
	var prev []byte
	if err := tx.GetContext(ctx, &prev, `SELECT last_hash FROM audit_head WHERE id = 1 FOR UPDATE`); err != nil {
		return fmt.Errorf("audit: lock chain head: %w", err)
	}
	// The id and time are taken after the head lock, so ids grow along the chain.
	const ins = `INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash, hash)
		SELECT v.id, v.at, $1, $2, $3, $4, $5, $6, $7::jsonb, $8,
			audit_hash(v.id, v.at, $1, $2, $3, $4, $5, $6, $7::jsonb, $8)
		FROM (SELECT nextval('audit_log_id_seq') AS id, date_trunc('microseconds', clock_timestamp()) AS at) v
		RETURNING id, hash`
	var row struct {
		ID   int64  `db:"id"`
		Hash []byte `db:"hash"`
	}
	if err := tx.QueryRowxContext(ctx, ins, actor.Kind, actor.ID, actor.Name, e.Action, e.ObjectType, e.ObjectID,
		string(details), prev).StructScan(&row); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1`, row.ID, row.Hash); err != nil {
		return fmt.Errorf("audit: move chain head: %w", err)
	}
	return nil
}

// Result is the outcome of walking the chain.
type Result struct {
	Valid      bool   `json:"valid"`
	Rows       int64  `json:"rows"`
	FirstBadID *int64 `json:"first_bad_id,omitempty"`
}

// Verify walks the whole chain in id order and reports the first row whose hash
// does not match its content, whose link does not match the row before it, or —
// when rows were cut from the end — the last id the chain head remembers.
func Verify(ctx context.Context, db *sqlx.DB) (Result, error) {
	const q = `SELECT id, prev_hash, hash,
			audit_hash(id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, prev_hash) AS computed
		FROM audit_log ORDER BY id`
	// One snapshot for the rows and the head, so a writer committing meanwhile
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
	res := Result{Valid: true}
	expectPrev := make([]byte, 32)
	var lastID int64
	for rows.Next() {
		var r struct {
			ID       int64  `db:"id"`
			PrevHash []byte `db:"prev_hash"`
			Hash     []byte `db:"hash"`
			Computed []byte `db:"computed"`
		}
		if err := rows.StructScan(&r); err != nil {
			return Result{}, fmt.Errorf("audit: verify: %w", err)
		}
		res.Rows++
		if res.Valid && (!bytes.Equal(r.PrevHash, expectPrev) || !bytes.Equal(r.Hash, r.Computed)) {
			res.Valid = false
			id := r.ID
			res.FirstBadID = &id
		}
		expectPrev = r.Hash
		lastID = r.ID
	}
	if err := rows.Err(); err != nil {
		return Result{}, fmt.Errorf("audit: verify: %w", err)
	}
	if res.Valid {
		var head struct {
			LastID   int64  `db:"last_id"`
			LastHash []byte `db:"last_hash"`
		}
		if err := tx.GetContext(ctx, &head, `SELECT last_id, last_hash FROM audit_head WHERE id = 1`); err != nil {
			return Result{}, fmt.Errorf("audit: verify head: %w", err)
		}
		if head.LastID != lastID || !bytes.Equal(head.LastHash, expectPrev) {
			res.Valid = false
			id := head.LastID
			res.FirstBadID = &id
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
