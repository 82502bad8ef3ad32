package candidates

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/input"
)

// Service registers and authenticates candidates.
type Service struct {
	Store *Store
	// ElectionDate is election day, on which ages are counted.
	ElectionDate time.Time
	// Now is the clock for "a date in the past"; time.Now when nil.
	Now func() time.Time

	validate *input.Validator
}

// NewService returns a Service over store with the election day from configuration.
func NewService(store *Store, electionDate time.Time) *Service {
	s := &Service{Store: store, ElectionDate: electionDate}
	v := input.NewValidator()
	v.Register("persian_name", "not_persian", func(fl validator.FieldLevel) bool {
		return ValidPersianName(fl.Field().String())
	})
	v.Register("mobile", "invalid", func(fl validator.FieldLevel) bool {
		return ValidMobile(fl.Field().String())
	})
	v.Register("not_common", "common_password", func(fl validator.FieldLevel) bool {
		return !auth.CommonPassword(fl.Field().String())
	})
	v.RegisterExplained("national_id", func(v any) string {
		id, _ := v.(string)
		return NationalIDProblem(id)
	})
	v.RegisterExplained("birth_date", func(v any) string {
		d, _ := v.(string)
		_, why := s.parseBirthDate(d)
		return why
	})
	s.validate = v
	return s
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// earliestBirth bounds birth dates from below: nobody registering was born earlier.
var earliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// parseBirthDate reads a birth date YYYY-MM-DD and returns it, or the reason it
// is refused: "not_a_date", "future_date" (today or later), or "invalid" (before
// 1900).
func (s *Service) parseBirthDate(d string) (time.Time, string) {
	b, err := time.Parse(time.DateOnly, d)
	today := s.now().UTC().Truncate(24 * time.Hour)
	switch {
	case err != nil:
		return time.Time{}, "not_a_date"
	case !b.Before(today):
		return time.Time{}, "future_date"
	case b.Before(earliestBirth):
		return time.Time{}, "invalid"
	}
	return b, ""
}

// Normalize rewrites the request's fields into their stored forms: ASCII digits,
// Persian letters, a national mobile number, a lower-case e-mail.
func (r *RegisterRequest) Normalize() {
	r.NationalID = NormalizeDigits(r.NationalID)
	r.FirstName = NormalizeName(r.FirstName)
	r.LastName = NormalizeName(r.LastName)
	r.FatherName = NormalizeName(r.FatherName)
	r.BirthDate = NormalizeDigits(r.BirthDate)
	r.Gender = strings.TrimSpace(r.Gender)
	r.Mobile = NormalizeMobile(r.Mobile)
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	r.Education = strings.TrimSpace(r.Education)
	if r.MilitaryService != nil {
		m := strings.TrimSpace(*r.MilitaryService)
		r.MilitaryService = &m
		if m == "" {
			r.MilitaryService = nil
		}
	}
}

// check validates a normalised request and returns every wrong field at once as
// an *input.Error, with the parsed birth date.
func (s *Service) check(ctx context.Context, r *RegisterRequest) (time.Time, Constituency, error) {
	problems := &input.Error{}
	if err := s.validate.Struct(r); err != nil {
		var ie *input.Error
		if !errors.As(err, &ie) {
			return time.Time{}, Constituency{}, fmt.Errorf("candidates: validate: %w", err)
		}
		problems = ie
	}
	var birth time.Time
	if _, bad := problems.Fields["birth_date"]; !bad {
		birth, _ = s.parseBirthDate(r.BirthDate)
	}
	var c Constituency
	if _, bad := problems.Fields["constituency_id"]; !bad && r.ConstituencyID > 0 {
		var err error
		c, err = s.Store.Constituency(ctx, r.ConstituencyID)
		if errors.Is(err, ErrNotFound) {
			problems.Add("constituency_id", "unknown_constituency")
		} else if err != nil {
			return time.Time{}, c, err
		}
	}
	return birth, c, problems.Err()
}

// Check validates a registration form without storing anything and returns an
// *input.Error naming every wrong field, or nil.
func (s *Service) Check(ctx context.Context, r RegisterRequest) error {
	r.Normalize()
	_, _, err := s.check(ctx, &r)
	return err
}

// Register checks and stores a registration form and decides eligibility. A valid
// form is always stored, eligible or not. It returns an *input.Error naming every
// wrong field, or ErrAlreadyRegistered for a national ID that is taken.
func (s *Service) Register(ctx context.Context, r RegisterRequest) (Registration, error) {
	r.Normalize()
	birth, constituency, err := s.check(ctx, &r)
	if err != nil {
		return Registration{}, err
	}
	// Spare the password hash for an obvious duplicate; the unique index still
	// decides when two registrations race.
	if _, err := s.Store.ByNationalID(ctx, r.NationalID); err == nil {
		return Registration{}, ErrAlreadyRegistered
	} else if !errors.Is(err, ErrNotFound) {
		return Registration{}, err
	}
	policy, err := s.Store.ActivePolicy(ctx)
	if err != nil {
		return Registration{}, err
	}
	policy.ElectionDate = s.ElectionDate
	c := Candidate{
		NationalID:     r.NationalID,
		FirstName:      r.FirstName,
		LastName:       r.LastName,
		FatherName:     r.FatherName,
		BirthDate:      birth,
		Gender:         r.Gender,
		Mobile:         r.Mobile,
		Education:      r.Education,
		ConstituencyID: constituency.ID,
	}
	if r.Gender == "male" {
		// Military service concerns men only; a man who says nothing has none.
		m := "none"
		if r.MilitaryService != nil {
			m = *r.MilitaryService
		}
		c.MilitaryService = &m
	}
	if r.Email != "" {
		c.Email = &r.Email
	}
	applicant := Applicant{BirthDate: birth, Gender: c.Gender, Education: c.Education}
	if c.MilitaryService != nil {
		applicant.MilitaryService = *c.MilitaryService
	}
	c.IneligibilityReasons = policy.Decide(applicant, constituency)
	c.Eligible = len(c.IneligibilityReasons) == 0
	if c.PasswordHash, err = auth.HashPassword(r.Password); err != nil {
		return Registration{}, err
	}
	if err := s.Store.Insert(ctx, &c); err != nil {
		return Registration{}, err
	}
	return Registration{ID: c.ID, NationalID: c.NationalID, Eligible: c.Eligible, IneligibilityReasons: c.IneligibilityReasons}, nil
}

// Authenticate returns the candidate whose national ID and password match. It
// returns ErrInvalidCredentials for an unknown ID and a wrong password alike, and
// takes about as long for both.
func (s *Service) Authenticate(ctx context.Context, nationalID, password string) (Candidate, error) {
	nationalID = NormalizeDigits(nationalID)
	if NationalIDProblem(nationalID) != "" {
		// No such ID can be registered; and PostgreSQL would refuse a NUL or
		// invalid UTF-8 in the query rather than find nothing.
		auth.SpendVerifyTime(password)
		return Candidate{}, ErrInvalidCredentials
	}
	c, err := s.Store.ByNationalID(ctx, nationalID)
	if errors.Is(err, ErrNotFound) {
		auth.SpendVerifyTime(password)
		return Candidate{}, ErrInvalidCredentials
	}
	if err != nil {
		return Candidate{}, err
	}
	ok, err := auth.VerifyPassword(c.PasswordHash, password)
	if err != nil {
		return Candidate{}, fmt.Errorf("candidates: verify password: %w", err)
	}
	if !ok {
		return Candidate{}, ErrInvalidCredentials
	}
	return c, nil
}
