// Package database opens the PostgreSQL connection pool, applies the embedded
// migrations and maps driver errors to the few errors the stores act on.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"github.com/council-exam/examd/migrations"
)

// ErrNotFound is returned by Check for sql.ErrNoRows.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned by Check for a unique violation (SQLSTATE 23505).
var ErrConflict = errors.New("conflict")

// PoolConfig sizes the connection pool.
type PoolConfig struct {
	MaxOpen     int
	MaxIdle     int
	MaxLifetime time.Duration
}

// Open connects to url (libpq URL or key=value form), sizes the pool and pings the
// server. It returns the driver's error when the server does not answer.
func Open(ctx context.Context, url string, pool PoolConfig) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	if pool.MaxOpen > 0 {
		db.SetMaxOpenConns(pool.MaxOpen)
	}
	if pool.MaxIdle > 0 {
		db.SetMaxIdleConns(pool.MaxIdle)
	}
	if pool.MaxLifetime > 0 {
		db.SetConnMaxLifetime(pool.MaxLifetime)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database: ping: %w", err)
	}
	return db, nil
}

// Check maps sql.ErrNoRows to ErrNotFound and a unique violation to ErrConflict,
// wrapping the original error; other errors pass through unchanged.
func Check(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// WithTx runs fn in a transaction, committing when fn returns nil and rolling back
// otherwise. It returns fn's error or the commit's.
func WithTx(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("database: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("database: commit: %w", err)
	}
	return nil
}

func provider(db *sqlx.DB) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB, migrations.FS)
	if err != nil {
		return nil, fmt.Errorf("database: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns the versions it applied.
func Migrate(ctx context.Context, db *sqlx.DB) ([]int64, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("database: migrate up: %w", err)
	}
	versions := make([]int64, 0, len(results))
	for _, r := range results {
		versions = append(versions, r.Source.Version)
	}
	return versions, nil
}

// MigrationStatus is one migration and whether it has been applied.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Status lists every embedded migration with its state.
func Status(ctx context.Context, db *sqlx.DB) ([]MigrationStatus, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("database: migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// HasPending reports whether some embedded migration has not been applied.
func HasPending(ctx context.Context, db *sqlx.DB) (bool, error) {
	p, err := provider(db)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("database: pending migrations: %w", err)
	}
	return pending, nil
}

// IsUUID reports whether s is a UUID in the one form PostgreSQL and the API use:
// 36 characters, hex digits and hyphens (not urn:uuid: or braces, which Go's
// uuid package would also take).
func IsUUID(s string) bool {
	return len(s) == 36 && uuid.Validate(s) == nil
}
