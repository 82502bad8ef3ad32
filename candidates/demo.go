package candidates

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/database"
)

// seatsFor returns the council seats of a city by population under the councils'
// law (five up to 50,000 people … fifteen above two million; Tehran has 21), and
// of a village (three up to 1,500 people, five above).
func seatsFor(kind string, population int) int {
	if kind == "village" {
		if population <= 1500 {
			return 3
		}
		return 5
	}
	switch {
	case population > 5_000_000:
		return 21
	case population > 2_000_000:
		return 15
	case population > 1_000_000:
		return 13
	case population > 500_000:
		return 11
	case population > 200_000:
		return 9
	case population > 50_000:
		return 7
	default:
		return 5
	}
}

// demoConstituencies are constituencies of Tehran province. City populations are
// rounded figures of the 2016 (1395) census; village household counts are
// illustrative demo figures, including one village of exactly 200 households.
var demoConstituencies = []Constituency{
	{ID: 1, NameFa: "تهران", NameEn: "Tehran", Kind: "city", Population: 8693706},
	{ID: 2, NameFa: "اسلامشهر", NameEn: "Eslamshahr", Kind: "city", Population: 448129},
	{ID: 3, NameFa: "شهر قدس", NameEn: "Qods", Kind: "city", Population: 309605},
	{ID: 4, NameFa: "شهریار", NameEn: "Shahriar", Kind: "city", Population: 309607},
	{ID: 5, NameFa: "ملارد", NameEn: "Malard", Kind: "city", Population: 281027},
	{ID: 6, NameFa: "گلستان", NameEn: "Golestan", Kind: "city", Population: 259480},
	{ID: 7, NameFa: "پاکدشت", NameEn: "Pakdasht", Kind: "city", Population: 236319},
	{ID: 8, NameFa: "قرچک", NameEn: "Qarchak", Kind: "city", Population: 231075},
	{ID: 9, NameFa: "ورامین", NameEn: "Varamin", Kind: "city", Population: 225628},
	{ID: 10, NameFa: "نسیم‌شهر", NameEn: "Nasimshahr", Kind: "city", Population: 200393},
	{ID: 11, NameFa: "اندیشه", NameEn: "Andisheh", Kind: "city", Population: 116062},
	{ID: 12, NameFa: "رباط‌کریم", NameEn: "Robat Karim", Kind: "city", Population: 105393},
	{ID: 13, NameFa: "بومهن", NameEn: "Bumehen", Kind: "city", Population: 81565},
	{ID: 14, NameFa: "پردیس", NameEn: "Pardis", Kind: "city", Population: 73363},
	{ID: 15, NameFa: "باقرشهر", NameEn: "Baqershahr", Kind: "city", Population: 65388},
	{ID: 16, NameFa: "دماوند", NameEn: "Damavand", Kind: "city", Population: 48380},
	{ID: 17, NameFa: "رودهن", NameEn: "Rudehen", Kind: "city", Population: 29083},
	{ID: 18, NameFa: "فیروزکوه", NameEn: "Firuzkuh", Kind: "city", Population: 17453},
	{ID: 19, NameFa: "لواسان", NameEn: "Lavasan", Kind: "city", Population: 17015},
	{ID: 20, NameFa: "آبسرد", NameEn: "Absard", Kind: "city", Population: 10000},
	{ID: 21, NameFa: "ارجمند", NameEn: "Arjomand", Kind: "city", Population: 1913},
	{ID: 101, NameFa: "روستای آهار", NameEn: "Ahar (village)", Kind: "village", Population: 520, Households: 150},
	{ID: 102, NameFa: "روستای کند علیا", NameEn: "Kond-e Olya (village)", Kind: "village", Population: 690, Households: 200},
	{ID: 103, NameFa: "روستای رودک", NameEn: "Rudak (village)", Kind: "village", Population: 1050, Households: 310},
	{ID: 104, NameFa: "روستای امامزاده داوود", NameEn: "Emamzadeh Davud (village)", Kind: "village", Population: 1480, Households: 450},
	{ID: 105, NameFa: "روستای جابان", NameEn: "Jaban (village)", Kind: "village", Population: 820, Households: 240},
	{ID: 106, NameFa: "روستای گرمابدر", NameEn: "Garmabdar (village)", Kind: "village", Population: 260, Households: 80},
}

func intp(n int) *int { return &n }

// demoPolicy is the policy of the 1400 (2021) council elections: 25 years of age
// on election day; literacy for a village of up to 200 households, a diploma above;
// an associate degree for a city of up to 20,000 people, a bachelor's above; men
// need completed military service or a permanent exemption.
var demoPolicy = Policy{
	Name:             "انتخابات شوراهای اسلامی ۱۴۰۰ — 1400 council elections",
	MinAge:           25,
	MilitaryRequired: true,
	Tiers: []Tier{
		{Kind: "village", MaxMeasure: intp(200), MinEducation: "literacy"},
		{Kind: "village", MaxMeasure: nil, MinEducation: "diploma"},
		{Kind: "city", MaxMeasure: intp(20000), MinEducation: "associate"},
		{Kind: "city", MaxMeasure: nil, MinEducation: "bachelor"},
	},
}

// DemoPassword is the password of the demo candidates.
const DemoPassword = "demo-pass-1400"

func strp(s string) *string { return &s }

// demoCandidates are two demo logins: one eligible and one whose education is
// below what Tehran requires.
var demoCandidates = []Candidate{
	{NationalID: "0499370899", FirstName: "زهرا", LastName: "محمدی", FatherName: "حسن",
		BirthDate: time.Date(1980, 3, 15, 0, 0, 0, 0, time.UTC), Gender: "female", Mobile: "09121234567",
		Education: "master", ConstituencyID: 1},
	{NationalID: "0013542419", FirstName: "رضا", LastName: "کریمی", FatherName: "محمود",
		BirthDate: time.Date(1975, 8, 1, 0, 0, 0, 0, time.UTC), Gender: "male", MilitaryService: strp("completed"),
		Mobile: "09351234567", Education: "diploma", ConstituencyID: 1},
}

// SeedDemo stores the demo constituencies of Tehran province, the 1400 eligibility
// policy (made the active one) and the demo candidates. Running it again changes
// nothing that is already there.
func SeedDemo(ctx context.Context, db *sqlx.DB, electionDate time.Time) error {
	err := database.WithTx(ctx, db, func(tx *sqlx.Tx) error {
		const cq = `INSERT INTO constituencies (id, code, name_fa, name_en, province, kind, population, households, seats)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name_fa = EXCLUDED.name_fa,
				name_en = EXCLUDED.name_en, province = EXCLUDED.province, kind = EXCLUDED.kind,
				population = EXCLUDED.population, households = EXCLUDED.households, seats = EXCLUDED.seats`
		for _, c := range demoConstituencies {
			code := fmt.Sprintf("thr-%s-%d", c.Kind, c.ID)
			if _, err := tx.ExecContext(ctx, cq, c.ID, code, c.NameFa, c.NameEn, "تهران", c.Kind,
				c.Population, c.Households, seatsFor(c.Kind, c.Population)); err != nil {
				return fmt.Errorf("candidates: seed constituency %d: %w", c.ID, err)
			}
		}
		// Only one policy may be active; the demo one takes over.
		if _, err := tx.ExecContext(ctx, `UPDATE eligibility_policies SET active = false WHERE active AND id <> 1`); err != nil {
			return fmt.Errorf("candidates: seed policy: %w", err)
		}
		const pq = `INSERT INTO eligibility_policies (id, name, min_age, max_age, military_required, active)
			VALUES (1, $1, $2, $3, $4, true)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, min_age = EXCLUDED.min_age,
				max_age = EXCLUDED.max_age, military_required = EXCLUDED.military_required, active = true`
		p := demoPolicy
		if _, err := tx.ExecContext(ctx, pq, p.Name, p.MinAge, p.MaxAge, p.MilitaryRequired); err != nil {
			return fmt.Errorf("candidates: seed policy: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM education_tiers WHERE policy_id = 1`); err != nil {
			return fmt.Errorf("candidates: seed tiers: %w", err)
		}
		for _, t := range p.Tiers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO education_tiers (policy_id, kind, max_measure, min_education) VALUES (1, $1, $2, $3)`,
				t.Kind, t.MaxMeasure, t.MinEducation); err != nil {
				return fmt.Errorf("candidates: seed tiers: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	store := &Store{DB: db}
	policy := demoPolicy
	policy.ElectionDate = electionDate
	for _, c := range demoCandidates {
		if _, err := store.ByNationalID(ctx, c.NationalID); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		constituency, err := store.Constituency(ctx, c.ConstituencyID)
		if err != nil {
			return err
		}
		a := Applicant{BirthDate: c.BirthDate, Gender: c.Gender, Education: c.Education}
		if c.MilitaryService != nil {
			a.MilitaryService = *c.MilitaryService
		}
		c.IneligibilityReasons = policy.Decide(a, constituency)
		c.Eligible = len(c.IneligibilityReasons) == 0
		if c.PasswordHash, err = auth.HashPassword(DemoPassword); err != nil {
			return err
		}
		if err := store.Insert(ctx, &c); err != nil && !errors.Is(err, ErrAlreadyRegistered) {
			return err
		}
	}
	return nil
}
