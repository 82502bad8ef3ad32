package candidates_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/candidates"
	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/input"
)

var electionDay = time.Date(2021, 6, 18, 0, 0, 0, 0, time.UTC)

// Constituencies at the edges of the education tiers, added beside the demo ones.
const (
	city20000    = 901
	city20001    = 902
	village200   = 903
	village201   = 904
	tehran       = 1
	demoVillage2 = 102 // exactly 200 households in the demo data
)

// withCheckDigit completes nine digits into a valid national ID.
func withCheckDigit(nine string) string {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(nine[i]-'0') * (10 - i)
	}
	r := sum % 11
	if r >= 2 {
		r = 11 - r
	}
	return fmt.Sprintf("%s%d", nine, r)
}

// nationalID returns the n-th valid national ID of a series no other test uses.
func nationalID(series, n int) string {
	return withCheckDigit(fmt.Sprintf("%03d%06d", 500+series, n))
}

// mustDB returns a fresh database with the demo data and the edge constituencies.
func mustDB(tb testing.TB) *sqlx.DB {
	tb.Helper()
	db := dbtest.New(tb)
	ctx := context.Background()
	if err := candidates.SeedDemo(ctx, db, electionDay); err != nil {
		tb.Fatalf("SeedDemo: %v", err)
	}
	const q = `INSERT INTO constituencies (id, code, name_fa, name_en, province, kind, population, households, seats) VALUES
		(901, 'test-city-20000', 'شهر آزمون الف', 'Test city 20000', 'تهران', 'city', 20000, 0, 5),
		(902, 'test-city-20001', 'شهر آزمون ب', 'Test city 20001', 'تهران', 'city', 20001, 0, 5),
		(903, 'test-village-200', 'روستای آزمون الف', 'Test village 200', 'تهران', 'village', 700, 200, 3),
		(904, 'test-village-201', 'روستای آزمون ب', 'Test village 201', 'تهران', 'village', 704, 201, 3)`
	if _, err := db.ExecContext(ctx, q); err != nil {
		tb.Fatalf("insert edge constituencies: %v", err)
	}
	return db
}

// mustService returns a service whose clock reads 2021-05-01.
func mustService(tb testing.TB, db *sqlx.DB) *candidates.Service {
	tb.Helper()
	s := candidates.NewService(&candidates.Store{DB: db}, electionDay)
	s.Now = func() time.Time { return time.Date(2021, 5, 1, 10, 0, 0, 0, time.UTC) }
	return s
}

func mustCount(tb testing.TB, db *sqlx.DB) int {
	tb.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM candidates`); err != nil {
		tb.Fatal(err)
	}
	return n
}

func strp(s string) *string { return &s }

// form returns a valid registration of an eligible woman in Tehran.
func form(id string) candidates.RegisterRequest {
	return candidates.RegisterRequest{
		NationalID:     id,
		FirstName:      "مریم",
		LastName:       "احمدی",
		FatherName:     "علی",
		BirthDate:      "1985-04-12",
		Gender:         "female",
		Mobile:         "09121112233",
		Education:      "bachelor",
		ConstituencyID: tehran,
		Password:       "a long enough secret",
	}
}

func testRegisterEligibilityEdges(t *testing.T, db *sqlx.DB) {
	svc := mustService(t, db)
	ctx := context.Background()
	tests := []struct {
		name string
		edit func(r *candidates.RegisterRequest)
		want []string
	}{
		{"exactly 25 on election day", func(r *candidates.RegisterRequest) { r.BirthDate = "1996-06-18" }, []string{}},
		{"one day short of 25", func(r *candidates.RegisterRequest) { r.BirthDate = "1996-06-19" }, []string{"under_age"}},
		{"village of 200 households, literacy", func(r *candidates.RegisterRequest) {
			r.ConstituencyID, r.Education = village200, "literacy"
		}, []string{}},
		{"demo village of 200 households, literacy", func(r *candidates.RegisterRequest) {
			r.ConstituencyID, r.Education = demoVillage2, "literacy"
		}, []string{}},
		{"village of 201 households, literacy", func(r *candidates.RegisterRequest) {
			r.ConstituencyID, r.Education = village201, "literacy"
		}, []string{"education_below_required"}},
		{"village of 201 households, diploma", func(r *candidates.RegisterRequest) {
			r.ConstituencyID, r.Education = village201, "diploma"
		}, []string{}},
		{"city of 20,000, associate", func(r *candidates.RegisterRequest) {
			r.ConstituencyID, r.Education = city20000, "associate"
		}, []string{}},
		{"city of 20,001, associate", func(r *candidates.RegisterRequest) {
			r.ConstituencyID, r.Education = city20001, "associate"
		}, []string{"education_below_required"}},
		{"city of 20,001, bachelor", func(r *candidates.RegisterRequest) {
			r.ConstituencyID, r.Education = city20001, "bachelor"
		}, []string{}},
		{"man without military service", func(r *candidates.RegisterRequest) {
			r.Gender, r.MilitaryService = "male", strp("none")
		}, []string{"military_service_required"}},
		{"man saying nothing of military service", func(r *candidates.RegisterRequest) {
			r.Gender, r.MilitaryService = "male", nil
		}, []string{"military_service_required"}},
		{"man with completed service", func(r *candidates.RegisterRequest) {
			r.Gender, r.MilitaryService = "male", strp("completed")
		}, []string{}},
		{"man with an exemption", func(r *candidates.RegisterRequest) {
			r.Gender, r.MilitaryService = "male", strp("exempt")
		}, []string{}},
		{"woman saying none", func(r *candidates.RegisterRequest) {
			r.Gender, r.MilitaryService = "female", strp("none")
		}, []string{}},
		{"several reasons in order", func(r *candidates.RegisterRequest) {
			r.BirthDate, r.Gender, r.MilitaryService, r.Education = "2000-01-01", "male", strp("none"), "diploma"
		}, []string{"under_age", "education_below_required", "military_service_required"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := form(nationalID(1, i))
			tt.edit(&req)
			reg, err := svc.Register(ctx, req)
			if err != nil {
				t.Fatalf("Register: %v", err)
			}
			if got, want := reg.NationalID, req.NationalID; got != want {
				t.Errorf("NationalID = %q, want %q", got, want)
			}
			if got, want := reg.Eligible, len(tt.want) == 0; got != want {
				t.Errorf("Eligible = %v, want %v", got, want)
			}
			if got, want := reg.IneligibilityReasons, tt.want; got == nil || !slices.Equal(got, want) {
				t.Fatalf("IneligibilityReasons = %#v, want %#v", got, want)
			}
			stored, err := svc.Store.ByNationalID(ctx, req.NationalID)
			if err != nil {
				t.Fatalf("ByNationalID: %v", err)
			}
			if got, want := stored.ID, reg.ID; got != want {
				t.Errorf("stored ID = %q, want %q", got, want)
			}
			if got, want := stored.Eligible, reg.Eligible; got != want {
				t.Errorf("stored Eligible = %v, want %v", got, want)
			}
			if got, want := stored.IneligibilityReasons, tt.want; !slices.Equal(got, want) {
				t.Errorf("stored IneligibilityReasons = %q, want %q", got, want)
			}
			var wantService *string
			if req.Gender == "male" {
				wantService = strp("none")
				if req.MilitaryService != nil {
					wantService = req.MilitaryService
				}
			}
			if got, want := fmt.Sprint(deref(stored.MilitaryService)), fmt.Sprint(deref(wantService)); got != want {
				t.Errorf("stored MilitaryService = %s, want %s", got, want)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func testRegisterStoresNormalisedForm(t *testing.T, db *sqlx.DB) {
	svc := mustService(t, db)
	ctx := context.Background()
	id := nationalID(2, 1)
	req := form(strings.Map(func(r rune) rune { // the ID in Persian digits
		return '۰' + (r - '0')
	}, id))
	req.FirstName = "  علي  "
	req.LastName = "كريمي"
	req.FatherName = "مصطفى"
	req.Mobile = "+98 912 345-6789"
	req.Email = " Maryam@Example.IR "
	req.BirthDate = "۱۹۸۵-۰۴-۱۲"
	reg, err := svc.Register(ctx, req)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if got, want := reg.NationalID, id; got != want {
		t.Fatalf("NationalID = %q, want %q", got, want)
	}
	c, err := svc.Store.ByNationalID(ctx, id)
	if err != nil {
		t.Fatalf("ByNationalID(%q): %v", id, err)
	}
	checks := []struct{ field, got, want string }{
		{"national_id", c.NationalID, id},
		{"first_name", c.FirstName, "علی"},
		{"last_name", c.LastName, "کریمی"},
		{"father_name", c.FatherName, "مصطفی"},
		{"mobile", c.Mobile, "09123456789"},
		{"email", deref(c.Email), "maryam@example.ir"},
		{"birth_date", c.BirthDate.Format(time.DateOnly), "1985-04-12"},
		{"gender", c.Gender, "female"},
		{"military_service", deref(c.MilitaryService), "<nil>"},
		{"education", c.Education, "bachelor"},
		{"constituency_id", fmt.Sprint(c.ConstituencyID), "1"},
		{"id", c.ID, reg.ID},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("stored %s = %q, want %q", ch.field, ch.got, ch.want)
		}
	}
	if strings.Contains(c.PasswordHash, req.Password) || !strings.HasPrefix(c.PasswordHash, "$argon2id$") {
		t.Errorf("stored password hash %q is not an argon2id hash", c.PasswordHash)
	}
	if c.RegisteredAt.IsZero() {
		t.Errorf("RegisteredAt is zero")
	}
	// The candidate is found under the Arabic spelling's national ID too, and by id.
	byID, err := svc.Store.ByID(ctx, reg.ID)
	if err != nil {
		t.Fatalf("ByID: %v", err)
	}
	if got, want := byID.NationalID, id; got != want {
		t.Errorf("ByID national ID = %q, want %q", got, want)
	}
	if _, err := svc.Store.ByID(ctx, "not-a-uuid"); !errors.Is(err, candidates.ErrNotFound) {
		t.Errorf("ByID(not-a-uuid) = %v, want ErrNotFound", err)
	}
	if _, err := svc.Store.ByID(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, candidates.ErrNotFound) {
		t.Errorf("ByID(zero uuid) = %v, want ErrNotFound", err)
	}
	if _, err := svc.Store.ByNationalID(ctx, nationalID(2, 2)); !errors.Is(err, candidates.ErrNotFound) {
		t.Errorf("ByNationalID(unknown) = %v, want ErrNotFound", err)
	}
}

func testRegisterDuplicate(t *testing.T, db *sqlx.DB) {
	svc := mustService(t, db)
	ctx := context.Background()
	id := nationalID(3, 1)
	if _, err := svc.Register(ctx, form(id)); err != nil {
		t.Fatalf("first Register: %v", err)
	}
	before := mustCount(t, db)
	// The same person again, even with the ID in Persian digits and other details.
	again := form(toPersian(id))
	again.FirstName = "سارا"
	if _, err := svc.Register(ctx, again); !errors.Is(err, candidates.ErrAlreadyRegistered) {
		t.Fatalf("second Register = %v, want ErrAlreadyRegistered", err)
	}
	// The unique index, not only the check before hashing, refuses a duplicate.
	c, err := svc.Store.ByNationalID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c.ID = ""
	if err := svc.Store.Insert(ctx, &c); !errors.Is(err, candidates.ErrAlreadyRegistered) {
		t.Fatalf("Store.Insert of a duplicate = %v, want ErrAlreadyRegistered", err)
	}
	if got, want := mustCount(t, db), before; got != want {
		t.Fatalf("candidates after duplicates = %d, want %d", got, want)
	}
	// The demo candidates are registered too.
	if _, err := svc.Register(ctx, form("0499370899")); !errors.Is(err, candidates.ErrAlreadyRegistered) {
		t.Fatalf("Register(demo ID) = %v, want ErrAlreadyRegistered", err)
	}
}

func toPersian(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '۰' + (r - '0')
		}
		return r
	}, s)
}

func testRegisterConcurrentDuplicate(t *testing.T, db *sqlx.DB) {
	svc := mustService(t, db)
	ctx := context.Background()
	id := nationalID(4, 1)
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = svc.Register(ctx, form(id))
		}()
	}
	close(start)
	wg.Wait()
	ok, dup := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, candidates.ErrAlreadyRegistered):
			dup++
		default:
			t.Errorf("Register: unexpected error %v", err)
		}
	}
	if ok != 1 || dup != n-1 {
		t.Fatalf("%d successes and %d ErrAlreadyRegistered, want 1 and %d", ok, dup, n-1)
	}
	var rows int
	if err := db.GetContext(ctx, &rows, `SELECT count(*) FROM candidates WHERE national_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if got, want := rows, 1; got != want {
		t.Fatalf("rows for %s = %d, want %d", id, got, want)
	}
}

func mustInputError(tb testing.TB, err error) map[string]string {
	tb.Helper()
	var ie *input.Error
	if !errors.As(err, &ie) {
		tb.Fatalf("error = %v (%T), want *input.Error", err, err)
	}
	return ie.Fields
}

func testRegisterInvalid(t *testing.T, db *sqlx.DB) {
	svc := mustService(t, db)
	ctx := context.Background()
	before := mustCount(t, db)
	tests := []struct {
		name string
		req  candidates.RegisterRequest
		want map[string]string
	}{
		{"everything wrong at once", candidates.RegisterRequest{
			NationalID:      "1234567890",
			FirstName:       "Ali",
			LastName:        "",
			FatherName:      "علی2",
			BirthDate:       "2030-01-01",
			Gender:          "other",
			MilitaryService: strp("maybe"),
			Mobile:          "02112345678",
			Email:           "not-an-email",
			Education:       "phd",
			ConstituencyID:  0,
			Password:        "Password123",
		}, map[string]string{
			"national_id":      "checksum",
			"first_name":       "not_persian",
			"last_name":        "required",
			"father_name":      "not_persian",
			"birth_date":       "future_date",
			"gender":           "one_of",
			"military_service": "one_of",
			"mobile":           "invalid",
			"email":            "invalid",
			"education":        "one_of",
			"constituency_id":  "required",
			"password":         "common_password",
		}},
		{"empty form", candidates.RegisterRequest{}, map[string]string{
			"national_id":     "required",
			"first_name":      "required",
			"last_name":       "required",
			"father_name":     "required",
			"birth_date":      "required",
			"gender":          "required",
			"mobile":          "required",
			"education":       "required",
			"constituency_id": "required",
			"password":        "required",
		}},
		{"spaces only", candidates.RegisterRequest{
			NationalID: "  ", FirstName: " ", LastName: "\u200c", FatherName: "\t", BirthDate: " ",
			Gender: " ", Mobile: " - ", Education: " ", ConstituencyID: tehran, Password: "a long enough secret",
		}, map[string]string{
			"national_id": "required",
			"first_name":  "required",
			"last_name":   "required",
			"father_name": "required",
			"birth_date":  "required",
			"gender":      "required",
			"mobile":      "required",
			"education":   "required",
		}},
		{"repeated digits", with(func(r *candidates.RegisterRequest) { r.NationalID = "۱۱۱۱۱۱۱۱۱۱" }),
			map[string]string{"national_id": "repeated_digits"}},
		{"short national ID", with(func(r *candidates.RegisterRequest) { r.NationalID = "049937089" }),
			map[string]string{"national_id": "invalid"}},
		{"RTL override in a name", with(func(r *candidates.RegisterRequest) { r.LastName = "احمدی\u202e" }),
			map[string]string{"last_name": "not_persian"}},
		{"zero-width space in a name", with(func(r *candidates.RegisterRequest) { r.FirstName = "مر\u200bیم" }),
			map[string]string{"first_name": "not_persian"}},
		{"name too long", with(func(r *candidates.RegisterRequest) { r.FatherName = strings.Repeat("ب", 51) }),
			map[string]string{"father_name": "too_long"}},
		{"not a date", with(func(r *candidates.RegisterRequest) { r.BirthDate = "1990-02-30" }),
			map[string]string{"birth_date": "not_a_date"}},
		{"Persian calendar date", with(func(r *candidates.RegisterRequest) { r.BirthDate = "1369/01/01" }),
			map[string]string{"birth_date": "not_a_date"}},
		{"born today", with(func(r *candidates.RegisterRequest) { r.BirthDate = "2021-05-01" }),
			map[string]string{"birth_date": "future_date"}},
		{"born before 1900", with(func(r *candidates.RegisterRequest) { r.BirthDate = "1899-12-31" }),
			map[string]string{"birth_date": "invalid"}},
		{"landline with +98", with(func(r *candidates.RegisterRequest) { r.Mobile = "+982112345678" }),
			map[string]string{"mobile": "invalid"}},
		{"short password", with(func(r *candidates.RegisterRequest) { r.Password = "short12" }),
			map[string]string{"password": "too_short"}},
		{"long password", with(func(r *candidates.RegisterRequest) { r.Password = strings.Repeat("x", 129) }),
			map[string]string{"password": "too_long"}},
		{"common password in capitals", with(func(r *candidates.RegisterRequest) { r.Password = "PASSWORD123" }),
			map[string]string{"password": "common_password"}},
		{"negative constituency", with(func(r *candidates.RegisterRequest) { r.ConstituencyID = -3 }),
			map[string]string{"constituency_id": "too_small"}},
		{"unknown constituency", with(func(r *candidates.RegisterRequest) { r.ConstituencyID = 99999 }),
			map[string]string{"constituency_id": "unknown_constituency"}},
		{"constituency beyond the integer column", with(func(r *candidates.RegisterRequest) { r.ConstituencyID = 3_000_000_000 }),
			map[string]string{"constituency_id": "unknown_constituency"}},
		{"unknown constituency and a bad mobile", with(func(r *candidates.RegisterRequest) {
			r.ConstituencyID, r.Mobile = 99999, "0912"
		}), map[string]string{"constituency_id": "unknown_constituency", "mobile": "invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Register(ctx, tt.req)
			if got, want := mustInputError(t, err), tt.want; !maps.Equal(got, want) {
				t.Fatalf("fields = %v, want %v", got, want)
			}
		})
	}
	if got, want := mustCount(t, db), before; got != want {
		t.Fatalf("candidates after invalid forms = %d, want %d (nothing stored)", got, want)
	}
}

// with returns a valid form changed by edit; its national ID is not registered.
func with(edit func(r *candidates.RegisterRequest)) candidates.RegisterRequest {
	r := form(nationalID(5, 1))
	edit(&r)
	return r
}

func testAuthenticate(t *testing.T, db *sqlx.DB) {
	svc := mustService(t, db)
	ctx := context.Background()
	id := nationalID(6, 1)
	reg, err := svc.Register(ctx, form(id))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id, password string
		wantErr            error
	}{
		{"right password", id, "a long enough secret", nil},
		{"right password, Persian digits", toPersian(id), "a long enough secret", nil},
		{"wrong password", id, "a long enough secreT", candidates.ErrInvalidCredentials},
		{"empty password", id, "", candidates.ErrInvalidCredentials},
		{"unknown ID", nationalID(6, 2), "a long enough secret", candidates.ErrInvalidCredentials},
		{"garbage ID", "x", "a long enough secret", candidates.ErrInvalidCredentials},
		{"NUL in the ID", id + "\x00", "a long enough secret", candidates.ErrInvalidCredentials},
		{"not UTF-8", "\xff\xfe", "a long enough secret", candidates.ErrInvalidCredentials},
		{"eleven digits", id + "0", "a long enough secret", candidates.ErrInvalidCredentials},
		{"demo candidate", "0499370899", candidates.DemoPassword, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := svc.Authenticate(ctx, tt.id, tt.password)
			if tt.wantErr != nil {
				if err != tt.wantErr { // the same error value for both kinds of failure
					t.Fatalf("Authenticate = %v, want %v", err, tt.wantErr)
				}
				if c.ID != "" {
					t.Fatalf("Authenticate returned candidate %q with an error", c.ID)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if got, want := c.NationalID, candidates.NormalizeDigits(tt.id); got != want {
				t.Fatalf("NationalID = %q, want %q", got, want)
			}
		})
	}
	c, err := svc.Authenticate(ctx, id, "a long enough secret")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ID, reg.ID; got != want {
		t.Fatalf("ID = %q, want %q", got, want)
	}
}

func testSeedDemoIdempotent(t *testing.T, db *sqlx.DB) {
	ctx := context.Background()
	before := mustCount(t, db)
	if err := candidates.SeedDemo(ctx, db, electionDay); err != nil {
		t.Fatalf("second SeedDemo: %v", err)
	}
	if got, want := mustCount(t, db), before; got != want {
		t.Fatalf("candidates after a second seed = %d, want %d", got, want)
	}
	store := &candidates.Store{DB: db}
	list, err := store.Constituencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(list), 27+4; got != want {
		t.Fatalf("constituencies = %d, want %d", got, want)
	}
	tests := []struct {
		id                     int
		kind                   string
		population, households int
	}{
		{1, "city", 8693706, 0},
		{18, "city", 17453, 0},
		{102, "village", 690, 200},
		{103, "village", 1050, 310},
	}
	for _, tt := range tests {
		c, err := store.Constituency(ctx, tt.id)
		if err != nil {
			t.Fatalf("Constituency(%d): %v", tt.id, err)
		}
		if c.Kind != tt.kind || c.Population != tt.population || c.Households != tt.households {
			t.Errorf("Constituency(%d) = %s %d/%d, want %s %d/%d", tt.id, c.Kind, c.Population, c.Households, tt.kind, tt.population, tt.households)
		}
	}
	if got, want := list[0].Seats, 21; got != want {
		t.Errorf("Tehran seats = %d, want %d", got, want)
	}
	p, err := store.ActivePolicy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.MinAge, 25; got != want {
		t.Errorf("MinAge = %d, want %d", got, want)
	}
	if got, want := len(p.Tiers), 4; got != want {
		t.Errorf("tiers = %d, want %d", got, want)
	}
	demo := []struct {
		id       string
		eligible bool
		reasons  []string
	}{
		{"0499370899", true, []string{}},
		{"0013542419", false, []string{"education_below_required"}},
	}
	for _, d := range demo {
		c, err := store.ByNationalID(ctx, d.id)
		if err != nil {
			t.Fatalf("demo candidate %s: %v", d.id, err)
		}
		if c.Eligible != d.eligible || !slices.Equal(c.IneligibilityReasons, d.reasons) {
			t.Errorf("demo candidate %s: eligible %v %q, want %v %q", d.id, c.Eligible, c.IneligibilityReasons, d.eligible, d.reasons)
		}
	}
}

func TestActivePolicyMissing(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	store := &candidates.Store{DB: db}
	if _, err := store.ActivePolicy(context.Background()); !errors.Is(err, candidates.ErrNoPolicy) {
		t.Fatalf("ActivePolicy on an empty database = %v, want ErrNoPolicy", err)
	}
	if _, err := store.Constituency(context.Background(), 1); !errors.Is(err, candidates.ErrNotFound) {
		t.Fatalf("Constituency on an empty database = %v, want ErrNotFound", err)
	}
}

// TestService runs the registration cases in order on one database; each uses
// national IDs of its own.
func TestService(t *testing.T) {
	t.Parallel()
	db := mustDB(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *sqlx.DB)
	}{
		{"eligibility edges", testRegisterEligibilityEdges},
		{"normalised form", testRegisterStoresNormalisedForm},
		{"duplicate", testRegisterDuplicate},
		{"concurrent duplicate", testRegisterConcurrentDuplicate},
		{"invalid forms", testRegisterInvalid},
		{"authenticate", testAuthenticate},
		{"seed again", testSeedDemoIdempotent},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, db) })
	}
}
