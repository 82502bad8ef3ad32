package candidates

import (
	"github.com/council-exam/examd/persian"
	"strings"
	"unicode"
)

// NormalizeDigits converts Persian and Arabic-Indic digits to ASCII and trims spaces.
func NormalizeDigits(s string) string {
	return strings.TrimSpace(persian.Digits(s))
}

// NationalIDProblem returns "" for a valid national ID (already normalised), or the
// reason it is not: "invalid" (not exactly 10 ASCII digits), "repeated_digits" (all
// ten digits equal) or "checksum" (the check digit is wrong).
//
// The check digit: S = Σ d[i]·(10−i) for i = 0..8, r = S mod 11; valid iff
// (r < 2 and d[9] = r) or (r ≥ 2 and d[9] = 11 − r).
func NationalIDProblem(id string) string {
	if len(id) != 10 {
		return "invalid"
	}
	for i := 0; i < 10; i++ {
		if id[i] < '0' || id[i] > '9' {
			return "invalid"
		}
	}
	if strings.Count(id, id[:1]) == 10 {
		return "repeated_digits"
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(id[i]-'0') * (10 - i)
	}
	r := sum % 11
	check := int(id[9] - '0')
	if (r < 2 && check == r) || (r >= 2 && check == 11-r) {
		return ""
	}
	return "checksum"
}

// ValidNationalID reports whether id, after NormalizeDigits, is a valid national ID.
func ValidNationalID(id string) bool {
	return NationalIDProblem(NormalizeDigits(id)) == ""
}

// NormalizeMobile converts digits to ASCII, drops white space, dashes and
// brackets, and turns the international prefixes +98 and 0098 into the national
// 0 (also when the national 0 follows them, as in +98 0912…). The result is valid
// when it has the form 09xxxxxxxxx (see ValidMobile). Normalising twice changes
// nothing more.
func NormalizeMobile(s string) string {
	s = NormalizeDigits(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, s)
	// After the prefix, leading zeros go: "0" + "0912…" would read as 0098… again.
	switch {
	case strings.HasPrefix(s, "+98"):
		s = "0" + strings.TrimLeft(s[3:], "0")
	case strings.HasPrefix(s, "0098"):
		s = "0" + strings.TrimLeft(s[4:], "0")
	}
	return s
}

// ValidMobile reports whether s is an Iranian mobile number 09xxxxxxxxx.
func ValidMobile(s string) bool {
	if len(s) != 11 || s[0] != '0' || s[1] != '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

const zwnj = persian.ZWNJ

// NormalizeName trims a name, maps Arabic ي/ى/ك to Persian ی/ک and collapses runs
// of spaces to one. Zero-width non-joiners at the ends are dropped.
func NormalizeName(s string) string {
	return persian.Text(s)
}

// ValidPersianName reports whether s (normalised) holds only Persian letters,
// single spaces and ZWNJ, with at least one letter.
func ValidPersianName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case isPersianLetter(r):
			letters++
		case r == ' ' || r == zwnj:
		case unicode.Is(unicode.Mn, r) && r >= 0x064B && r <= 0x0655:
			// Arabic diacritics (e.g. tanwin, hamza above) appear in some names.
		default:
			return false
		}
	}
	return letters > 0
}

func isPersianLetter(r rune) bool {
	switch {
	case r >= 0x0621 && r <= 0x063A: // hamza … ghain, including آ أ ؤ إ ئ
		return true
	case r >= 0x0641 && r <= 0x0648: // feh … waw (Arabic kaf U+0643 is normalised away)
		return r != 0x0643
	}
	switch r {
	case 'پ', 'چ', 'ژ', 'ک', 'گ', 'ی':
		return true
	}
	return false
}
