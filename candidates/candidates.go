// Package candidates registers applicants to the council elections: it checks and
// normalises their form (national ID, mobile, Persian names), decides eligibility
// from the policy stored in the database, and keeps them in PostgreSQL.
package candidates

import (
	"errors"
	"time"
)

// ErrAlreadyRegistered is returned by Register for a national ID that is taken.
var ErrAlreadyRegistered = errors.New("candidates: national ID already registered")

// ErrNotFound is returned when no candidate or constituency matches.
var ErrNotFound = errors.New("candidates: not found")

// ErrInvalidCredentials is returned by Authenticate for an unknown national ID and
// for a wrong password alike.
var ErrInvalidCredentials = errors.New("candidates: invalid credentials")

// Constituency is an electoral district: a city (measured by population) or a
// village (measured by households).
type Constituency struct {
	ID         int    `db:"id" json:"id"`
	NameFa     string `db:"name_fa" json:"name_fa"`
	NameEn     string `db:"name_en" json:"name_en"`
	Province   string `db:"province" json:"province"`
	Kind       string `db:"kind" json:"kind"`
	Population int    `db:"population" json:"population"`
	Households int    `db:"households" json:"households"`
	Seats      int    `db:"seats" json:"seats"`
}

// Candidate is a registered applicant. PasswordHash never leaves the server.
type Candidate struct {
	ID                   string    `db:"id"`
	NationalID           string    `db:"national_id"`
	FirstName            string    `db:"first_name"`
	LastName             string    `db:"last_name"`
	FatherName           string    `db:"father_name"`
	BirthDate            time.Time `db:"birth_date"`
	Gender               string    `db:"gender"`
	MilitaryService      *string   `db:"military_service"`
	Mobile               string    `db:"mobile"`
	Email                *string   `db:"email"`
	Education            string    `db:"education"`
	ConstituencyID       int       `db:"constituency_id"`
	PasswordHash         string    `db:"password_hash"`
	Eligible             bool      `db:"eligible"`
	IneligibilityReasons []string  `db:"-"`
	RegisteredAt         time.Time `db:"registered_at"`
}

// RegisterRequest is the registration form as a client sends it. Its fields are
// normalised (digits, Arabic letters, mobile prefixes) before they are checked.
type RegisterRequest struct {
	NationalID      string  `json:"national_id" validate:"required,national_id"`
	FirstName       string  `json:"first_name" validate:"required,max=50,persian_name"`
	LastName        string  `json:"last_name" validate:"required,max=50,persian_name"`
	FatherName      string  `json:"father_name" validate:"required,max=50,persian_name"`
	BirthDate       string  `json:"birth_date" validate:"required,birth_date"`
	Gender          string  `json:"gender" validate:"required,oneof=male female"`
	MilitaryService *string `json:"military_service" validate:"omitempty,oneof=completed exempt none"`
	Mobile          string  `json:"mobile" validate:"required,mobile"`
	Email           string  `json:"email" validate:"omitempty,max=254,email"`
	Education       string  `json:"education" validate:"required,oneof=literacy diploma associate bachelor master doctorate"`
	ConstituencyID  int     `json:"constituency_id" validate:"required,gt=0"`
	Password        string  `json:"password" validate:"required,min=8,max=128,not_common"`
}

// Registration is the outcome of a registration: the new candidate's id and the
// eligibility decision with machine-readable reasons.
type Registration struct {
	ID                   string   `json:"id"`
	NationalID           string   `json:"national_id"`
	Eligible             bool     `json:"eligible"`
	IneligibilityReasons []string `json:"ineligibility_reasons"`
}
