// Package dbtest gives each test a fresh, migrated PostgreSQL database of its own,
// created in the server named by TEST_DATABASE_URL and dropped when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the driver

	"github.com/council-exam/examd/database"
)

// AdminURL returns TEST_DATABASE_URL. Without it the test is skipped, except under
// CI=true where it fails: CI never passes by skipping.
func AdminURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("TEST_DATABASE_URL is not set; CI must run database tests (use make test)")
		}
		tb.Skip("TEST_DATABASE_URL is not set; run make test")
	}
	return u
}

// NewURL creates an empty database with every migration applied and returns its
// connection URL. The database is dropped at the end of the test.
func NewURL(tb testing.TB) string {
	tb.Helper()
	admin := AdminURL(tb)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := "examtest_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adminDB, err := sqlx.ConnectContext(ctx, "postgres", admin)
	if err != nil {
		tb.Fatalf("dbtest: connect to TEST_DATABASE_URL: %v", err)
	}
	defer adminDB.Close()
	if _, err := adminDB.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		tb.Fatalf("dbtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sqlx.Connect("postgres", admin)
		if err != nil {
			tb.Logf("dbtest: drop %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			tb.Logf("dbtest: drop %s: %v", name, err)
		}
	})
	dbURL, err := WithDatabase(admin, name)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := database.Open(ctx, dbURL, database.PoolConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := database.Migrate(ctx, db); err != nil {
		tb.Fatal(err)
	}
	return dbURL
}

// New returns a pool on a fresh migrated database (see NewURL), closed at cleanup.
func New(tb testing.TB) *sqlx.DB {
	tb.Helper()
	db, err := database.Open(context.Background(), NewURL(tb), database.PoolConfig{MaxOpen: 20})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// WithDatabase returns conn (a libpq URL or key=value string) pointing at dbname.
func WithDatabase(conn, dbname string) (string, error) {
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		u, err := url.Parse(conn)
		if err != nil {
			return "", fmt.Errorf("dbtest: parse TEST_DATABASE_URL: %w", err)
		}
		u.Path = "/" + dbname
		return u.String(), nil
	}
	var parts []string
	for _, f := range strings.Fields(conn) {
		if !strings.HasPrefix(f, "dbname=") {
			parts = append(parts, f)
		}
	}
	return strings.Join(append(parts, "dbname="+dbname), " "), nil
}
