// Package officials keeps the accounts of election officials: admins, who write,
// and reviewers, who read everything and write nothing.
package officials

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/input"
)

// Roles.
const (
	RoleAdmin    = "admin"
	RoleReviewer = "reviewer"
)

// ErrUsernameTaken is returned by Create for a username already in use (any case).
var ErrUsernameTaken = errors.New("officials: username taken")

// ErrNotFound is returned when no official matches.
var ErrNotFound = errors.New("officials: not found")

// ErrInvalidCredentials is returned by Authenticate for an unknown username, a
// wrong password and a disabled account alike.
var ErrInvalidCredentials = errors.New("officials: invalid credentials")

// Official is an election official's account.
type Official struct {
	ID           string    `db:"id" json:"id"`
	Username     string    `db:"username" json:"username"`
	DisplayName  string    `db:"display_name" json:"display_name"`
	Role         string    `db:"role" json:"role"`
	PasswordHash string    `db:"password_hash" json:"-"`
	Disabled     bool      `db:"disabled" json:"disabled"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

// Actor returns the official as the audit log names them.
func (o Official) Actor() audit.Actor {
	return audit.Actor{Kind: "official", ID: o.ID, Name: o.Username}
}

// NewOfficial is an account to create.
type NewOfficial struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Password    string `json:"password"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

// MinPasswordLength is the shortest password an official may have.
const MinPasswordLength = 10

// check returns an *input.Error naming what is wrong with n, or nil.
func (n *NewOfficial) check() error {
	problems := &input.Error{}
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if n.DisplayName == "" {
		n.DisplayName = n.Username
	}
	if !usernameRE.MatchString(n.Username) {
		problems.Add("username", "invalid")
	}
	if n.Role != RoleAdmin && n.Role != RoleReviewer {
		problems.Add("role", "one_of")
	}
	if len([]rune(n.DisplayName)) > 100 {
		problems.Add("display_name", "too_long")
	}
	switch pw := n.Password; {
	case len([]rune(pw)) < MinPasswordLength:
		problems.Add("password", "too_short")
	case len([]rune(pw)) > 128:
		problems.Add("password", "too_long")
	case auth.CommonPassword(pw):
		problems.Add("password", "common_password")
	case n.Username != "" && strings.Contains(strings.ToLower(pw), n.Username):
		problems.Add("password", "contains_username")
	}
	return problems.Err()
}

// Store keeps officials in PostgreSQL.
type Store struct {
	DB       *sqlx.DB
	Sessions *auth.Sessions
}

const columns = `id, username, display_name, role, password_hash, disabled, created_at`

// Create adds an official, audited as done by actor. It returns an *input.Error
// for a bad username, role or a weak password, and ErrUsernameTaken.
func (s *Store) Create(ctx context.Context, actor audit.Actor, n NewOfficial) (Official, error) {
	if err := n.check(); err != nil {
		return Official{}, err
	}
	hash, err := auth.HashPassword(n.Password)
	if err != nil {
		return Official{}, err
	}
	var o Official
	err = database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO officials (username, display_name, role, password_hash)
			VALUES ($1, $2, $3, $4) RETURNING ` + columns
		if err := database.Check(tx.GetContext(ctx, &o, q, n.Username, n.DisplayName, n.Role, hash)); err != nil {
			if errors.Is(err, database.ErrConflict) {
				return ErrUsernameTaken
			}
			return fmt.Errorf("officials: create: %w", err)
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "official.create", ObjectType: "official", ObjectID: o.ID,
			Details: map[string]string{"username": o.Username, "role": o.Role}})
	})
	return o, err
}

// ByID returns the official with id, or ErrNotFound.
func (s *Store) ByID(ctx context.Context, id string) (Official, error) {
	if !database.IsUUID(id) {
		return Official{}, ErrNotFound
	}
	return s.one(ctx, `SELECT `+columns+` FROM officials WHERE id = $1`, id)
}

// ByUsername returns the official with username (any case), or ErrNotFound.
func (s *Store) ByUsername(ctx context.Context, username string) (Official, error) {
	return s.one(ctx, `SELECT `+columns+` FROM officials WHERE lower(username) = lower($1)`, strings.TrimSpace(username))
}

func (s *Store) one(ctx context.Context, q string, arg any) (Official, error) {
	var o Official
	err := database.Check(s.DB.GetContext(ctx, &o, q, arg))
	if errors.Is(err, database.ErrNotFound) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("officials: get: %w", err)
	}
	return o, nil
}

// List returns every official, by username.
func (s *Store) List(ctx context.Context) ([]Official, error) {
	out := []Official{}
	if err := s.DB.SelectContext(ctx, &out, `SELECT `+columns+` FROM officials ORDER BY username`); err != nil {
		return nil, fmt.Errorf("officials: list: %w", err)
	}
	return out, nil
}

// Authenticate returns the enabled official whose username and password match.
// It returns ErrInvalidCredentials otherwise, taking about as long either way.
func (s *Store) Authenticate(ctx context.Context, username, password string) (Official, error) {
	o, err := s.ByUsername(ctx, username)
	if errors.Is(err, ErrNotFound) {
		auth.SpendVerifyTime(password)
		return Official{}, ErrInvalidCredentials
	}
	if err != nil {
		return Official{}, err
	}
	ok, err := auth.VerifyPassword(o.PasswordHash, password)
	if err != nil {
		return Official{}, fmt.Errorf("officials: verify password: %w", err)
	}
	if !ok || o.Disabled {
		return Official{}, ErrInvalidCredentials
	}
	return o, nil
}

// RecordLogin writes the login to the audit log.
func (s *Store) RecordLogin(ctx context.Context, o Official, ip string) error {
	return database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		return audit.Append(ctx, tx, o.Actor(), audit.Entry{Action: "official.login", ObjectType: "official", ObjectID: o.ID,
			Details: map[string]string{"ip": ip}})
	})
}

// SetDisabled disables or enables the official with username; disabling ends all
// their sessions in the same transaction. It returns ErrNotFound.
func (s *Store) SetDisabled(ctx context.Context, actor audit.Actor, username string, disabled bool) (Official, error) {
	var o Official
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		const q = `UPDATE officials SET disabled = $2 WHERE lower(username) = lower($1) RETURNING ` + columns
		if err := database.Check(tx.GetContext(ctx, &o, q, strings.TrimSpace(username), disabled)); err != nil {
			if errors.Is(err, database.ErrNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("officials: disable: %w", err)
		}
		var ended int64
		if disabled {
			var err error
			if ended, err = s.Sessions.RevokeAll(ctx, tx, auth.KindOfficial, o.ID); err != nil {
				return err
			}
		}
		action := "official.enable"
		if disabled {
			action = "official.disable"
		}
		return audit.Append(ctx, tx, actor, audit.Entry{Action: action, ObjectType: "official", ObjectID: o.ID,
			Details: map[string]any{"username": o.Username, "sessions_ended": ended}})
	})
	return o, err
}
