package candidates

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/database"
)

// Store keeps constituencies, the eligibility policy and candidates in PostgreSQL.
type Store struct {
	DB *sqlx.DB
}

const constituencyColumns = `id, name_fa, name_en, province, kind, population, households, seats`

// Constituencies returns every constituency ordered by id.
func (s *Store) Constituencies(ctx context.Context) ([]Constituency, error) {
	out := []Constituency{}
	if err := s.DB.SelectContext(ctx, &out, `SELECT `+constituencyColumns+` FROM constituencies ORDER BY id`); err != nil {
		return nil, fmt.Errorf("candidates: list constituencies: %w", err)
	}
	return out, nil
}

// Constituency returns one constituency, or ErrNotFound.
func (s *Store) Constituency(ctx context.Context, id int) (Constituency, error) {
	var c Constituency
	// The column is a PostgreSQL integer: an id beyond its range names nothing, and
	// PostgreSQL would refuse the query rather than find no row.
	if id < math.MinInt32 || id > math.MaxInt32 {
		return c, ErrNotFound
	}
	err := database.Check(s.DB.GetContext(ctx, &c, `SELECT `+constituencyColumns+` FROM constituencies WHERE id = $1`, id))
	if errors.Is(err, database.ErrNotFound) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("candidates: get constituency: %w", err)
	}
	return c, nil
}

// ErrNoPolicy is returned by ActivePolicy when no eligibility policy is active.
var ErrNoPolicy = errors.New("candidates: no active eligibility policy")

// ActivePolicy loads the active eligibility policy and its education tiers; the
// caller sets the election date. It returns ErrNoPolicy when none is active.
func (s *Store) ActivePolicy(ctx context.Context) (Policy, error) {
	var p struct {
		ID int `db:"id"`
		Policy
	}
	const q = `SELECT id, name, min_age, max_age, military_required FROM eligibility_policies WHERE active`
	err := database.Check(s.DB.GetContext(ctx, &p, q))
	if errors.Is(err, database.ErrNotFound) {
		return Policy{}, ErrNoPolicy
	}
	if err != nil {
		return Policy{}, fmt.Errorf("candidates: load policy: %w", err)
	}
	const tq = `SELECT kind, max_measure, min_education FROM education_tiers WHERE policy_id = $1 ORDER BY kind, max_measure NULLS LAST`
	if err := s.DB.SelectContext(ctx, &p.Tiers, tq, p.ID); err != nil {
		return Policy{}, fmt.Errorf("candidates: load education tiers: %w", err)
	}
	return p.Policy, nil
}

const candidateColumns = `id, national_id, first_name, last_name, father_name, birth_date, gender,
	military_service, mobile, email, education, constituency_id, password_hash, eligible,
	ineligibility_reasons, registered_at`

// candidateRow adds the array column that sqlx cannot scan into []string directly.
type candidateRow struct {
	Candidate
	Reasons pq.StringArray `db:"ineligibility_reasons"`
}

func (r candidateRow) candidate() Candidate {
	c := r.Candidate
	c.IneligibilityReasons = []string(r.Reasons)
	if c.IneligibilityReasons == nil {
		c.IneligibilityReasons = []string{}
	}
	return c
}

// Insert stores a new candidate and returns its id and registration time. It
// returns ErrAlreadyRegistered when the national ID is taken, also when two
// registrations race.
func (s *Store) Insert(ctx context.Context, c *Candidate) error {
	const q = `INSERT INTO candidates (national_id, first_name, last_name, father_name, birth_date,
			gender, military_service, mobile, email, education, constituency_id, password_hash,
			eligible, ineligibility_reasons)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		RETURNING id, registered_at`
	err := database.Check(s.DB.QueryRowxContext(ctx, q, c.NationalID, c.FirstName, c.LastName, c.FatherName,
		c.BirthDate, c.Gender, c.MilitaryService, c.Mobile, c.Email, c.Education, c.ConstituencyID,
		c.PasswordHash, c.Eligible, pq.StringArray(append([]string{}, c.IneligibilityReasons...))).Scan(&c.ID, &c.RegisteredAt))
	if errors.Is(err, database.ErrConflict) {
		return ErrAlreadyRegistered
	}
	if err != nil {
		return fmt.Errorf("candidates: insert: %w", err)
	}
	return nil
}

// ByID returns the candidate with id, or ErrNotFound.
func (s *Store) ByID(ctx context.Context, id string) (Candidate, error) {
	if !database.IsUUID(id) {
		return Candidate{}, ErrNotFound
	}
	return s.getOne(ctx, `SELECT `+candidateColumns+` FROM candidates WHERE id = $1`, id)
}

// ByNationalID returns the candidate with the (normalised) national ID, or ErrNotFound.
func (s *Store) ByNationalID(ctx context.Context, nationalID string) (Candidate, error) {
	return s.getOne(ctx, `SELECT `+candidateColumns+` FROM candidates WHERE national_id = $1`, nationalID)
}

func (s *Store) getOne(ctx context.Context, q string, arg any) (Candidate, error) {
	var r candidateRow
	err := database.Check(s.DB.GetContext(ctx, &r, q, arg))
	if errors.Is(err, database.ErrNotFound) {
		return Candidate{}, ErrNotFound
	}
	if err != nil {
		return Candidate{}, fmt.Errorf("candidates: get: %w", err)
	}
	return r.candidate(), nil
}
