package candidates

import (
	"slices"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAgeOn(t *testing.T) {
	tests := []struct {
		name       string
		birth, day time.Time
		want       int
	}{
		{"birthday on the day", date(1996, 6, 18), date(2021, 6, 18), 25},
		{"birthday tomorrow", date(1996, 6, 19), date(2021, 6, 18), 24},
		{"birthday yesterday", date(1996, 6, 17), date(2021, 6, 18), 25},
		{"birthday next month", date(1996, 7, 1), date(2021, 6, 18), 24},
		{"birthday last month", date(1996, 5, 31), date(2021, 6, 18), 25},
		{"born that day", date(2021, 6, 18), date(2021, 6, 18), 0},
		{"29 Feb, 28 Feb of a common year", date(2000, 2, 29), date(2021, 2, 28), 20},
		{"29 Feb, 1 Mar of a common year", date(2000, 2, 29), date(2021, 3, 1), 21},
		{"29 Feb, 29 Feb of a leap year", date(2000, 2, 29), date(2024, 2, 29), 24},
		{"29 Feb, 28 Feb of a leap year", date(2000, 2, 29), date(2024, 2, 28), 23},
		{"31 Dec, 1 Jan", date(1995, 12, 31), date(2021, 1, 1), 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := AgeOn(tt.birth, tt.day), tt.want; got != want {
				t.Fatalf("AgeOn(%s, %s) = %d, want %d", tt.birth.Format(time.DateOnly), tt.day.Format(time.DateOnly), got, want)
			}
		})
	}
}

func TestEducationRank(t *testing.T) {
	for i, level := range []string{"literacy", "diploma", "associate", "bachelor", "master", "doctorate"} {
		if got, want := EducationRank(level), i; got != want {
			t.Errorf("EducationRank(%q) = %d, want %d", level, got, want)
		}
	}
	for _, level := range []string{"", "phd", "Bachelor"} {
		if got, want := EducationRank(level), -1; got != want {
			t.Errorf("EducationRank(%q) = %d, want %d", level, got, want)
		}
	}
}

// testPolicy is the 1400 policy with election day 2021-06-18 (28 Khordad 1400).
func testPolicy() Policy {
	p := demoPolicy
	p.ElectionDate = date(2021, 6, 18)
	return p
}

func city(pop int) Constituency { return Constituency{ID: 1, Kind: "city", Population: pop} }
func village(households int) Constituency {
	return Constituency{ID: 2, Kind: "village", Population: 3 * households, Households: households}
}

func TestRequiredEducation(t *testing.T) {
	p := testPolicy()
	tests := []struct {
		c    Constituency
		want string
	}{
		{village(0), "literacy"},
		{village(200), "literacy"},
		{village(201), "diploma"},
		{village(5000), "diploma"},
		{city(1), "associate"},
		{city(20000), "associate"},
		{city(20001), "bachelor"},
		{city(8693706), "bachelor"},
		// A village is measured by households, not population.
		{Constituency{Kind: "village", Population: 100000, Households: 150}, "literacy"},
		// A city is measured by population, not households.
		{Constituency{Kind: "city", Population: 15000, Households: 90000}, "associate"},
	}
	for _, tt := range tests {
		got, ok := p.RequiredEducation(tt.c)
		if !ok {
			t.Fatalf("RequiredEducation(%+v): no tier applies", tt.c)
		}
		if want := tt.want; got != want {
			t.Errorf("RequiredEducation(%s pop %d households %d) = %q, want %q", tt.c.Kind, tt.c.Population, tt.c.Households, got, want)
		}
	}
	// Tier order must not matter: the tightest bound that fits wins.
	rev := p
	rev.Tiers = slices.Clone(p.Tiers)
	slices.Reverse(rev.Tiers)
	if got, _ := rev.RequiredEducation(city(20000)); got != "associate" {
		t.Errorf("reversed tiers: RequiredEducation(city 20000) = %q, want associate", got)
	}
	if got, _ := rev.RequiredEducation(village(200)); got != "literacy" {
		t.Errorf("reversed tiers: RequiredEducation(village 200) = %q, want literacy", got)
	}
	if _, ok := (Policy{}).RequiredEducation(city(10)); ok {
		t.Errorf("a policy without tiers reports a required education")
	}
}

func TestDecide(t *testing.T) {
	exactly25 := date(1996, 6, 18)
	oneDayShort := date(1996, 6, 19)
	old := date(1970, 1, 1)
	tests := []struct {
		name string
		a    Applicant
		c    Constituency
		want []string
	}{
		{"exactly 25 on election day", Applicant{exactly25, "female", "", "bachelor"}, city(8693706), []string{}},
		{"one day short of 25", Applicant{oneDayShort, "female", "", "bachelor"}, city(8693706), []string{ReasonUnderAge}},
		{"29 Feb birth, 25 on election day", Applicant{date(1996, 2, 29), "female", "", "bachelor"}, city(30000), []string{}},
		{"village 200 households, literacy", Applicant{old, "female", "", "literacy"}, village(200), []string{}},
		{"village 201 households, literacy", Applicant{old, "female", "", "literacy"}, village(201), []string{ReasonEducation}},
		{"village 201 households, diploma", Applicant{old, "female", "", "diploma"}, village(201), []string{}},
		{"city 20,000, associate", Applicant{old, "female", "", "associate"}, city(20000), []string{}},
		{"city 20,000, diploma", Applicant{old, "female", "", "diploma"}, city(20000), []string{ReasonEducation}},
		{"city 20,001, associate", Applicant{old, "female", "", "associate"}, city(20001), []string{ReasonEducation}},
		{"city 20,001, bachelor", Applicant{old, "female", "", "bachelor"}, city(20001), []string{}},
		{"city 20,001, doctorate", Applicant{old, "female", "", "doctorate"}, city(20001), []string{}},
		{"man without service", Applicant{old, "male", "none", "master"}, city(20001), []string{ReasonMilitaryService}},
		{"man saying nothing", Applicant{old, "male", "", "master"}, city(20001), []string{ReasonMilitaryService}},
		{"man with completed service", Applicant{old, "male", "completed", "master"}, city(20001), []string{}},
		{"man with exemption", Applicant{old, "male", "exempt", "master"}, city(20001), []string{}},
		{"woman never needs service", Applicant{old, "female", "none", "master"}, city(20001), []string{}},
		{"every reason, in order", Applicant{oneDayShort, "male", "none", "literacy"}, city(8693706),
			[]string{ReasonUnderAge, ReasonEducation, ReasonMilitaryService}},
		{"age and service", Applicant{oneDayShort, "male", "", "master"}, village(10),
			[]string{ReasonUnderAge, ReasonMilitaryService}},
	}
	p := testPolicy()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Decide(tt.a, tt.c)
			if got == nil {
				t.Fatalf("Decide returned nil, want a non-nil slice (it is sent as JSON [])")
			}
			if want := tt.want; !slices.Equal(got, want) {
				t.Fatalf("Decide = %q, want %q", got, want)
			}
		})
	}
}

func TestDecideMaxAgeAndNoMilitary(t *testing.T) {
	maxAge := 75
	p := Policy{MinAge: 25, MaxAge: &maxAge, MilitaryRequired: false, ElectionDate: date(2021, 6, 18)}
	// Men pass without military service when the policy does not require it.
	cases := []struct {
		name  string
		birth time.Time
		want  []string
	}{
		{"exactly 75", date(1946, 6, 18), []string{}},
		{"76", date(1945, 6, 18), []string{ReasonOverAge}},
		{"75 and one day short of 76", date(1945, 6, 19), []string{}},
	}
	for _, tt := range cases {
		got := p.Decide(Applicant{BirthDate: tt.birth, Gender: "male", Education: "literacy"}, city(100))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Decide = %q, want %q", tt.name, got, tt.want)
		}
	}
}
