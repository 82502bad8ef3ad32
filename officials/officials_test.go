package officials_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/officials"
)

const goodPassword = "a long enough secret"

func mustStore(tb testing.TB) (*officials.Store, *sqlx.DB) {
	tb.Helper()
	db := dbtest.New(tb)
	return &officials.Store{DB: db, Sessions: &auth.Sessions{DB: db, Idle: 30 * time.Minute, MaxAge: 12 * time.Hour}}, db
}

func mustCreate(tb testing.TB, s *officials.Store, username, role string) officials.Official {
	tb.Helper()
	o, err := s.Create(context.Background(), audit.System, officials.NewOfficial{Username: username, Role: role, Password: goodPassword})
	if err != nil {
		tb.Fatalf("Create(%s): %v", username, err)
	}
	return o
}

type auditRow struct {
	ActorKind string          `db:"actor_kind"`
	ActorID   string          `db:"actor_id"`
	Action    string          `db:"action"`
	ObjectID  string          `db:"object_id"`
	Details   json.RawMessage `db:"details"`
}

// mustAuditRows returns the log's rows in order.
func mustAuditRows(tb testing.TB, db *sqlx.DB) []auditRow {
	tb.Helper()
	var rows []auditRow
	if err := db.Select(&rows, `SELECT actor_kind, actor_id, action, object_id, details FROM audit_log ORDER BY id`); err != nil {
		tb.Fatal(err)
	}
	return rows
}

func TestCreate(t *testing.T) {
	t.Parallel()
	s, db := mustStore(t)
	ctx := context.Background()
	o, err := s.Create(ctx, audit.System, officials.NewOfficial{Username: "  Sara.Karimi ", DisplayName: "سارا کریمی",
		Role: officials.RoleAdmin, Password: goodPassword})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if o.ID == "" || o.Username != "sara.karimi" || o.DisplayName != "سارا کریمی" || o.Role != "admin" || o.Disabled {
		t.Fatalf("Create = %+v, want enabled admin sara.karimi", o)
	}
	if o.PasswordHash == goodPassword || o.PasswordHash == "" {
		t.Fatalf("password stored as %q, want a hash", o.PasswordHash)
	}
	rows := mustAuditRows(t, db)
	if len(rows) != 1 || rows[0].Action != "official.create" || rows[0].ObjectID != o.ID || rows[0].ActorKind != "system" {
		t.Fatalf("audit rows = %+v, want one official.create for %s by the system", rows, o.ID)
	}
	var details map[string]string
	if err := json.Unmarshal(rows[0].Details, &details); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"username": "sara.karimi", "role": "admin"}; !maps.Equal(details, want) {
		t.Fatalf("audit details = %v, want %v", details, want)
	}

	for _, name := range []string{"sara.karimi", "SARA.KARIMI", "Sara.Karimi"} {
		_, err := s.Create(ctx, audit.System, officials.NewOfficial{Username: name, Role: officials.RoleReviewer, Password: "another good secret"})
		if !errors.Is(err, officials.ErrUsernameTaken) {
			t.Errorf("Create(%q) again: err = %v, want ErrUsernameTaken", name, err)
		}
	}
	if got := len(mustAuditRows(t, db)); got != 1 {
		t.Fatalf("audit rows after refused creates = %d, want 1", got)
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	s, db := mustStore(t)
	tests := []struct {
		name string
		n    officials.NewOfficial
		want map[string]string
	}{
		{"too short", officials.NewOfficial{Username: "rezaei", Role: "admin", Password: "short1234"},
			map[string]string{"password": "too_short"}},
		{"common", officials.NewOfficial{Username: "rezaei", Role: "admin", Password: "Password123"},
			map[string]string{"password": "common_password"}},
		{"contains the username", officials.NewOfficial{Username: "Rezaei", Role: "reviewer", Password: "my-REZAEI-secret"},
			map[string]string{"password": "contains_username"}},
		{"too long", officials.NewOfficial{Username: "rezaei", Role: "admin", Password: strings.Repeat("x", 129)},
			map[string]string{"password": "too_long"}},
		{"bad username and role", officials.NewOfficial{Username: "a b", Role: "root", Password: goodPassword},
			map[string]string{"username": "invalid", "role": "one_of"}},
	}
	for _, tt := range tests {
		_, err := s.Create(context.Background(), audit.System, tt.n)
		var ie *input.Error
		if !errors.As(err, &ie) {
			t.Errorf("%s: err = %v, want *input.Error", tt.name, err)
			continue
		}
		if !maps.Equal(ie.Fields, tt.want) {
			t.Errorf("%s: fields = %v, want %v", tt.name, ie.Fields, tt.want)
		}
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM officials`); err != nil {
		t.Fatal(err)
	}
	if n != 0 || len(mustAuditRows(t, db)) != 0 {
		t.Fatalf("officials = %d, audit rows = %d after refused creates; want 0 and 0", n, len(mustAuditRows(t, db)))
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	s, _ := mustStore(t)
	ctx := context.Background()
	o := mustCreate(t, s, "mohammadi", officials.RoleReviewer)
	off := mustCreate(t, s, "gone.user", officials.RoleAdmin)
	if _, err := s.SetDisabled(ctx, audit.System, off.Username, true); err != nil {
		t.Fatal(err)
	}

	got, err := s.Authenticate(ctx, " MOHAMMADI ", goodPassword)
	if err != nil || got.ID != o.ID || got.Role != "reviewer" {
		t.Fatalf("Authenticate(right) = %+v, %v; want %s", got, err, o.ID)
	}
	for _, tt := range []struct{ name, user, pw string }{
		{"wrong password", "mohammadi", goodPassword + "!"},
		{"unknown user", "nobody.here", goodPassword},
		{"disabled", "gone.user", goodPassword},
		{"empty password", "mohammadi", ""},
	} {
		got, err := s.Authenticate(ctx, tt.user, tt.pw)
		if !errors.Is(err, officials.ErrInvalidCredentials) || got.ID != "" {
			t.Errorf("Authenticate(%s) = %+v, %v; want ErrInvalidCredentials and no official", tt.name, got, err)
		}
	}
}

func TestSetDisabledEndsSessions(t *testing.T) {
	t.Parallel()
	s, db := mustStore(t)
	ctx := context.Background()
	o := mustCreate(t, s, "karimi", officials.RoleAdmin)
	other := mustCreate(t, s, "hosseini", officials.RoleAdmin)
	mustSession := func(id string) string {
		t.Helper()
		tok, err := s.Sessions.Create(ctx, auth.KindOfficial, id, "test", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t1, t2, tOther := mustSession(o.ID), mustSession(o.ID), mustSession(other.ID)
	admin := other.Actor()

	got, err := s.SetDisabled(ctx, admin, "KARIMI", true)
	if err != nil || !got.Disabled || got.ID != o.ID {
		t.Fatalf("SetDisabled = %+v, %v; want karimi disabled", got, err)
	}
	for _, tok := range []string{t1, t2} {
		if _, err := s.Sessions.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("Lookup of a disabled official's session: err = %v, want ErrNoSession", err)
		}
	}
	if sess, err := s.Sessions.Lookup(ctx, tOther); err != nil || sess.SubjectID != other.ID {
		t.Fatalf("Lookup of another official's session = %+v, %v; want it alive", sess, err)
	}
	rows := mustAuditRows(t, db)
	last := rows[len(rows)-1]
	if last.Action != "official.disable" || last.ObjectID != o.ID || last.ActorID != other.ID || last.ActorKind != "official" {
		t.Fatalf("last audit row = %+v, want official.disable of %s by %s", last, o.ID, other.ID)
	}
	var details struct {
		Username      string `json:"username"`
		SessionsEnded int    `json:"sessions_ended"`
	}
	if err := json.Unmarshal(last.Details, &details); err != nil {
		t.Fatal(err)
	}
	if details.Username != "karimi" || details.SessionsEnded != 2 {
		t.Fatalf("disable details = %+v, want karimi with 2 sessions ended", details)
	}

	if _, err := s.SetDisabled(ctx, admin, "karimi", false); err != nil {
		t.Fatal(err)
	}
	rows = mustAuditRows(t, db)
	if last := rows[len(rows)-1]; last.Action != "official.enable" || last.ObjectID != o.ID {
		t.Fatalf("last audit row = %+v, want official.enable of %s", last, o.ID)
	}
	if _, err := s.Sessions.Lookup(ctx, t1); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("Lookup of an ended session after re-enabling: err = %v, want ErrNoSession", err)
	}
	if _, err := s.Authenticate(ctx, "karimi", goodPassword); err != nil {
		t.Fatalf("Authenticate after re-enabling: %v", err)
	}

	before := len(rows)
	if _, err := s.SetDisabled(ctx, admin, "no.such.official", true); !errors.Is(err, officials.ErrNotFound) {
		t.Fatalf("SetDisabled(unknown): err = %v, want ErrNotFound", err)
	}
	if got := len(mustAuditRows(t, db)); got != before {
		t.Fatalf("audit rows after a refused disable = %d, want %d", got, before)
	}
}

func TestRecordLoginAndLookups(t *testing.T) {
	t.Parallel()
	s, db := mustStore(t)
	ctx := context.Background()
	o := mustCreate(t, s, "ahmadi", officials.RoleReviewer)
	if err := s.RecordLogin(ctx, o, "10.0.0.7"); err != nil {
		t.Fatal(err)
	}
	rows := mustAuditRows(t, db)
	last := rows[len(rows)-1]
	if last.Action != "official.login" || last.ActorID != o.ID || last.ObjectID != o.ID || string(last.Details) != `{"ip": "10.0.0.7"}` {
		t.Fatalf("login audit row = %+v (details %s), want official.login by and of %s from 10.0.0.7", last, last.Details, o.ID)
	}
	if got, err := s.ByID(ctx, o.ID); err != nil || got.Username != "ahmadi" {
		t.Fatalf("ByID = %+v, %v", got, err)
	}
	for _, id := range []string{"not-a-uuid", "6f1c2a4e-0000-4000-8000-000000000009"} {
		if _, err := s.ByID(ctx, id); !errors.Is(err, officials.ErrNotFound) {
			t.Errorf("ByID(%q): err = %v, want ErrNotFound", id, err)
		}
	}
	if got, err := s.ByUsername(ctx, "AHMADI"); err != nil || got.ID != o.ID {
		t.Fatalf("ByUsername(AHMADI) = %+v, %v; want %s", got, err, o.ID)
	}
}
