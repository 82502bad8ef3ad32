package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/council-exam/examd/auth"
)

// maxCandidates bounds --candidates: the tool makes load, not a census.
const maxCandidates = 1_000_000

// Names of the generated candidates: plain Persian names, as registration wants.
var (
	firstNamesMale   = []string{"علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "حسن", "مجید"}
	firstNamesFemale = []string{"زهرا", "فاطمه", "مریم", "سارا", "نرگس", "لیلا", "مینا", "الهام"}
	lastNames        = []string{"محمدی", "حسینی", "احمدی", "کریمی", "رضایی", "موسوی", "جعفری", "صادقی", "رحیمی", "نوری"}
)

// candidateColumns are the columns prepare fills; the others take their defaults.
var candidateColumns = []string{"id", "national_id", "first_name", "last_name", "father_name", "birth_date",
	"gender", "military_service", "mobile", "education", "constituency_id", "password_hash", "eligible",
	"ineligibility_reasons"}

func prepare(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("prepare", stderr, `examload prepare --db URL --candidates N --tokens FILE [--exam ID] [--login direct|http --base URL]

Inserts N eligible candidates with COPY (one argon2id hash computed once and shared
by all of them) and gives each a session: by default written straight into the
sessions table with COPY (--login direct), or by logging each candidate in through
POST /api/v1/candidate/login (--login http; slow, see below). Writes one line per
candidate to the tokens file: session token, candidate id, national id.

Why direct sessions by default: a login verifies an argon2id hash, which by design
costs tens of milliseconds of CPU and 19 MiB of memory; 10,000 logins would keep
this machine's cores busy for minutes before the measurement starts, and measure
the password hash rather than the exam. The direct sessions are exactly what a
login stores (sha256 of a 256-bit random token, kind candidate, 12 h expiry).`)
	dbURL := fs.String("db", getenv("DATABASE_URL"), "PostgreSQL URL of examd's database (default $DATABASE_URL)")
	n := fs.Int("candidates", 0, "how many candidates to make")
	examID := fs.String("exam", "", "the exam they will sit (checked to be published)")
	tokensPath := fs.String("tokens", "", "file to write the session tokens to")
	password := fs.String("password", "bench-pass-1400", "every candidate's password")
	constituency := fs.Int("constituency", 1, "constituency id of every candidate (1 is Tehran in seed-demo)")
	login := fs.String("login", "direct", "how sessions are made: direct (COPY into sessions) or http (POST /api/v1/candidate/login)")
	base := fs.String("base", "", "examd's URL, for --login http")
	conc := fs.Int("concurrency", 4, "logins in parallel, for --login http")
	ttl := fs.Duration("session-ttl", 12*time.Hour, "lifetime of the direct sessions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *dbURL == "":
		return errors.New("prepare: --db (or DATABASE_URL) is required")
	case *n <= 0 || *n > maxCandidates:
		return fmt.Errorf("prepare: --candidates must be 1…%d", maxCandidates)
	case *tokensPath == "":
		return errors.New("prepare: --tokens FILE is required")
	case *login != "direct" && *login != "http":
		return fmt.Errorf("prepare: --login %q: want direct or http", *login)
	case *conc <= 0 || *conc > 256:
		return errors.New("prepare: --concurrency must be 1…256")
	}
	if *login == "http" {
		b, err := parseBase(*base)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		*base = b
	}

	db, err := sql.Open("postgres", *dbURL)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("prepare: database: %w", err)
	}
	if *examID != "" {
		var status string
		var open bool
		err := db.QueryRowContext(ctx, `SELECT status, opens_at <= now() AND now() < closes_at FROM exams WHERE id::text = $1`, *examID).Scan(&status, &open)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("prepare: no exam %s", *examID)
		}
		if err != nil {
			return fmt.Errorf("prepare: exam: %w", err)
		}
		if status != "published" {
			return fmt.Errorf("prepare: exam %s is %s, not published", *examID, status)
		}
		if !open {
			fmt.Fprintf(stderr, "examload prepare: warning: exam %s is not open now\n", *examID)
		}
	}

	began := time.Now()
	hash, err := auth.HashPassword(*password)
	if err != nil {
		return err
	}
	hashTime := time.Since(began)

	copyStart := time.Now()
	creds, err := insertCandidates(ctx, db, *n, *constituency, hash, *login == "direct", *ttl)
	if err != nil {
		return err
	}
	copyTime := time.Since(copyStart)

	loginTime := time.Duration(0)
	if *login == "http" {
		t := time.Now()
		if err := loginAll(ctx, *base, *password, *conc, creds); err != nil {
			return err
		}
		loginTime = time.Since(t)
	}
	if err := writeTokens(*tokensPath, creds); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}

	tab := newTable(stdout, fmt.Sprintf("examload prepare — %d candidates, sessions by %s", len(creds), *login))
	tab.row("candidates inserted", fmt.Sprint(len(creds)))
	tab.row("password hash (once)", fmtDuration(hashTime))
	if *login == "direct" {
		tab.row("COPY candidates + sessions", fmt.Sprintf("%s (%.0f candidates/s)", fmtDuration(copyTime), float64(len(creds))/copyTime.Seconds()))
	} else {
		tab.row("COPY candidates", fmtDuration(copyTime))
		tab.row("HTTP logins", fmt.Sprintf("%s (%.1f logins/s)", fmtDuration(loginTime), float64(len(creds))/loginTime.Seconds()))
	}
	tab.row("tokens file", *tokensPath)
	return tab.flush()
}

// insertCandidates makes n candidates in one transaction and, with sessions,
// a session for each. National IDs come from consecutive bodies at a random
// start; the few that are taken already are skipped (ON CONFLICT DO NOTHING) and
// made up for in another round.
func insertCandidates(ctx context.Context, db *sql.DB, n, constituency int, hash string, sessions bool, ttl time.Duration) ([]credential, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE examload_candidates (LIKE candidates INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	var creds []credential
	for round := 0; len(creds) < n; round++ {
		if round == 5 {
			return nil, fmt.Errorf("prepare: could not find %d free national IDs in 5 rounds", n)
		}
		start, err := rand.Int(rand.Reader, big.NewInt(nationalIDBodies-int64(n)-10))
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `TRUNCATE examload_candidates`); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
		if err := copyCandidates(ctx, tx, nationalIDs(int(start.Int64()), n-len(creds)), constituency, hash); err != nil {
			return nil, err
		}
		cols := joinColumns(candidateColumns)
		rows, err := tx.QueryContext(ctx, `INSERT INTO candidates (`+cols+`) SELECT `+cols+` FROM examload_candidates
			ON CONFLICT (national_id) DO NOTHING RETURNING id, national_id`)
		if err != nil {
			return nil, fmt.Errorf("prepare: insert candidates: %w", err)
		}
		for rows.Next() {
			var c credential
			if err := rows.Scan(&c.CandidateID, &c.NationalID); err != nil {
				rows.Close()
				return nil, err
			}
			creds = append(creds, c)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("prepare: insert candidates: %w", err)
		}
	}
	if sessions {
		if err := copySessions(ctx, tx, creds, ttl); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("prepare: commit: %w", err)
	}
	return creds, nil
}

func joinColumns(cols []string) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}

func copyCandidates(ctx context.Context, tx *sql.Tx, ids []string, constituency int, hash string) error {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("examload_candidates", candidateColumns...))
	if err != nil {
		return fmt.Errorf("prepare: copy candidates: %w", err)
	}
	defer stmt.Close()
	epoch := time.Date(1966, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, nid := range ids {
		gender, first, military := "female", firstNamesFemale[i%len(firstNamesFemale)], any(nil)
		if i%2 == 0 {
			gender, first, military = "male", firstNamesMale[i%len(firstNamesMale)], "completed"
		}
		// Born 1966–1991: between 30 and 55 on the 2021 election day.
		birth := epoch.AddDate(0, 0, i%9000).Format(time.DateOnly)
		if _, err := stmt.ExecContext(ctx, uuid.NewString(), nid, first, lastNames[i%len(lastNames)],
			firstNamesMale[(i/7)%len(firstNamesMale)], birth, gender, military, mobileNumber(i), "bachelor",
			constituency, hash, true, "{}"); err != nil {
			return fmt.Errorf("prepare: copy candidates: %w", err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("prepare: copy candidates: %w", err)
	}
	return nil
}

// copySessions stores a session for each candidate as a login would: only the
// SHA-256 of a 256-bit random token, kind candidate, expiring ttl from the
// database's now.
func copySessions(ctx context.Context, tx *sql.Tx, creds []credential, ttl time.Duration) error {
	var expires time.Time
	if err := tx.QueryRowContext(ctx, `SELECT now() + make_interval(secs => $1)`, ttl.Seconds()).Scan(&expires); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("sessions", "token_hash", "kind", "subject_id", "expires_at", "user_agent"))
	if err != nil {
		return fmt.Errorf("prepare: copy sessions: %w", err)
	}
	defer stmt.Close()
	for i := range creds {
		var raw [32]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return err
		}
		token := base64.RawURLEncoding.EncodeToString(raw[:])
		sum := sha256.Sum256([]byte(token))
		if _, err := stmt.ExecContext(ctx, sum[:], "candidate", creds[i].CandidateID, expires, "examload"); err != nil {
			return fmt.Errorf("prepare: copy sessions: %w", err)
		}
		creds[i].Token = token
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("prepare: copy sessions: %w", err)
	}
	return nil
}

// loginAll logs every candidate in through the API, conc at a time, and keeps
// the session token from the cookie.
func loginAll(ctx context.Context, base, password string, conc int, creds []credential) error {
	client := newClient(newTransport(conc, 0), 60*time.Second)
	if err := waitReady(ctx, client, base, 10*time.Second); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(creds) || ctx.Err() != nil {
					return
				}
				status, body, res, err := doJSON(ctx, client, http.MethodPost, base+"/api/v1/candidate/login", "",
					map[string]string{"national_id": creds[i].NationalID, "password": password})
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("login of %s: %s: %s", creds[i].NationalID, failureKind(status, body), sampleText(string(body)))
				}
				if err == nil {
					for _, c := range res.Cookies() {
						if c.Name == sessionCookie {
							creds[i].Token = c.Value
						}
					}
					if creds[i].Token == "" {
						err = fmt.Errorf("login of %s: no %s cookie", creds[i].NationalID, sessionCookie)
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					next.Store(int64(len(creds)))
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("prepare: %w", firstErr)
	}
	return ctx.Err()
}
