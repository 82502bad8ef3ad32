package candidates

import "time"

// Education levels, lowest first.
var educationLevels = []string{"literacy", "diploma", "associate", "bachelor", "master", "doctorate"}

// EducationRank returns the position of level in the ladder literacy < diploma <
// associate < bachelor < master < doctorate, or -1 for an unknown level.
func EducationRank(level string) int {
	for i, l := range educationLevels {
		if l == level {
			return i
		}
	}
	return -1
}

// Reason codes of an ineligibility decision.
const (
	ReasonUnderAge        = "under_age"
	ReasonOverAge         = "over_age"
	ReasonEducation       = "education_below_required"
	ReasonMilitaryService = "military_service_required"
)

// Tier is one row of the education ladder: constituencies of Kind whose measure
// (population for a city, households for a village) is at most MaxMeasure (nil:
// no bound) need at least MinEducation.
type Tier struct {
	Kind         string `db:"kind"`
	MaxMeasure   *int   `db:"max_measure"`
	MinEducation string `db:"min_education"`
}

// Policy is the eligibility policy, loaded from the database, with the election
// day from configuration.
type Policy struct {
	Name             string `db:"name"`
	MinAge           int    `db:"min_age"`
	MaxAge           *int   `db:"max_age"`
	MilitaryRequired bool   `db:"military_required"`
	Tiers            []Tier
	ElectionDate     time.Time
}

// Applicant is what the decision looks at.
type Applicant struct {
	BirthDate       time.Time
	Gender          string
	MilitaryService string
	Education       string
}

// AgeOn returns the age in whole years of someone born on birth, on day. A person
// born on 29 February turns a year older on 1 March in common years.
func AgeOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		age--
	}
	return age
}

// RequiredEducation returns the minimum education for constituency c under p and
// whether a tier applies at all.
func (p Policy) RequiredEducation(c Constituency) (string, bool) {
	measure := c.Population
	if c.Kind == "village" {
		measure = c.Households
	}
	best := -1
	for i, t := range p.Tiers {
		if t.Kind != c.Kind || (t.MaxMeasure != nil && measure > *t.MaxMeasure) {
			continue
		}
		if best < 0 || tighter(t, p.Tiers[best]) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return p.Tiers[best].MinEducation, true
}

// tighter reports whether tier a has a smaller upper bound than b.
func tighter(a, b Tier) bool {
	if a.MaxMeasure == nil {
		return false
	}
	return b.MaxMeasure == nil || *a.MaxMeasure < *b.MaxMeasure
}

// Decide applies p to an applicant standing in constituency c and returns the
// reasons the applicant is ineligible, in a fixed order; none means eligible.
func (p Policy) Decide(a Applicant, c Constituency) []string {
	reasons := []string{}
	age := AgeOn(a.BirthDate, p.ElectionDate)
	if age < p.MinAge {
		reasons = append(reasons, ReasonUnderAge)
	}
	if p.MaxAge != nil && age > *p.MaxAge {
		reasons = append(reasons, ReasonOverAge)
	}
	if need, ok := p.RequiredEducation(c); ok && EducationRank(a.Education) < EducationRank(need) {
		reasons = append(reasons, ReasonEducation)
	}
	if p.MilitaryRequired && a.Gender == "male" && a.MilitaryService != "completed" && a.MilitaryService != "exempt" {
		reasons = append(reasons, ReasonMilitaryService)
	}
	return reasons
}
