package candidates

import (
	"strings"
	"testing"
)

// toPersianDigits writes the ASCII digits of s as Persian digits (۰–۹).
func toPersianDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '۰' + (r - '0')
		}
		return r
	}, s)
}

// toArabicIndicDigits writes the ASCII digits of s as Arabic-Indic digits (٠–٩).
func toArabicIndicDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '٠' + (r - '0')
		}
		return r
	}, s)
}

func TestNationalID(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"valid", "0499370899", ""},
		{"valid second demo", "0013542419", ""},
		{"valid r=0 check digit 0", "2222222230", ""},
		{"valid r=1 check digit 1", "1234567891", ""},
		{"valid r=1 leading zero", "0500000001", ""},
		{"valid r=10 check digit 1", "1000000001", ""},
		{"valid r=2 check digit 9", "9000000009", ""},
		{"bad check digit", "1234567890", "checksum"},
		{"bad check digit off by one", "0499370898", "checksum"},
		{"r=0 with check digit 1", "2222222231", "checksum"},
		{"r=10 with check digit 0", "1000000000", "checksum"},
		{"all zeros", "0000000000", "repeated_digits"},
		{"all ones (passes the checksum)", "1111111111", "repeated_digits"},
		{"all twos (passes the checksum)", "2222222222", "repeated_digits"},
		{"all nines", "9999999999", "repeated_digits"},
		{"nine digits", "049937089", "invalid"},
		{"eleven digits", "04993708990", "invalid"},
		{"empty", "", "invalid"},
		{"letters", "04993708a9", "invalid"},
		{"all letters", "abcdefghij", "invalid"},
		{"dash inside", "049-937089", "invalid"},
		{"space inside", "04993 0899", "invalid"},
		{"Persian digits without normalising", "۰۴۹۹۳۷۰۸۹۹", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := NationalIDProblem(tt.in), tt.want; got != want {
				t.Fatalf("NationalIDProblem(%q) = %q, want %q", tt.in, got, want)
			}
		})
	}
}

func TestValidNationalID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"0499370899", true},
		{"0013542419", true},
		{"۰۴۹۹۳۷۰۸۹۹", true},        // Persian digits
		{"٠٤٩٩٣٧٠٨٩٩", true},        // Arabic-Indic digits
		{"۰۴۹۹370899", true},        // mixed
		{"  0499370899\n", true},    // surrounding space is trimmed
		{"۱۲۳۴۵۶۷۸۹۰", false},       // 1234567890 in Persian digits: bad checksum
		{"۱۱۱۱۱۱۱۱۱۱", false},       // all equal in Persian digits
		{"049937089", false},        // 9 digits
		{"04993708990", false},      // 11 digits
		{"0499370899x", false},      // trailing letter
		{"0499 370899", false},      // inner space is not trimmed
		{"", false},                 //
		{"۰۴۹۹۳۷۰۸۹۹۰", false},      // 11 Persian digits
		{"\u200e0499370899", false}, // a direction mark is not a digit
		{"０４９９３７０８９９", false},       // full-width digits are not accepted
	}
	for _, tt := range tests {
		if got, want := ValidNationalID(tt.in), tt.want; got != want {
			t.Errorf("ValidNationalID(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

func TestNormalizeDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"۰۱۲۳۴۵۶۷۸۹", "0123456789"},
		{"٠١٢٣٤٥٦٧٨٩", "0123456789"},
		{" 12 ", "12"},
		{"۱۳۷۵-۰۸-۰۱", "1375-08-01"},
		{"abc", "abc"},
	}
	for _, tt := range tests {
		if got, want := NormalizeDigits(tt.in), tt.want; got != want {
			t.Errorf("NormalizeDigits(%q) = %q, want %q", tt.in, got, want)
		}
	}
}

func TestMobile(t *testing.T) {
	tests := []struct {
		name, in, norm string
		valid          bool
	}{
		{"national", "09121234567", "09121234567", true},
		{"+98", "+989121234567", "09121234567", true},
		{"0098", "00989121234567", "09121234567", true},
		{"Persian digits", "۰۹۱۲۱۲۳۴۵۶۷", "09121234567", true},
		{"Arabic-Indic digits", "٠٩١٢١٢٣٤٥٦٧", "09121234567", true},
		{"Persian digits with +98", "+۹۸۹۱۲۱۲۳۴۵۶۷", "09121234567", true},
		{"spaces", "0912 123 4567", "09121234567", true},
		{"dashes", "0912-123-4567", "09121234567", true},
		{"brackets and +98", "+98 (912) 123-4567", "09121234567", true},
		{"surrounding space", "  09351234567 ", "09351234567", true},
		{"too short", "0912123456", "0912123456", false},
		{"too long", "091212345678", "091212345678", false},
		{"landline", "02112345678", "02112345678", false},
		{"no leading zero", "9121234567", "9121234567", false},
		{"letter", "0912123456a", "0912123456a", false},
		{"+98 landline", "+982112345678", "02112345678", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeMobile(tt.in)
			if want := tt.norm; got != want {
				t.Fatalf("NormalizeMobile(%q) = %q, want %q", tt.in, got, want)
			}
			if got, want := ValidMobile(got), tt.valid; got != want {
				t.Fatalf("ValidMobile(%q) = %v, want %v", tt.norm, got, want)
			}
		})
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		name, in, norm string
		valid          bool
	}{
		{"plain", "زهرا", "زهرا", true},
		{"Arabic yeh", "علي", "علی", true},
		{"Arabic kaf", "كريمي", "کریمی", true},
		{"Arabic alef maksura", "مصطفى", "مصطفی", true},
		{"all Arabic forms", "كي ي", "کی ی", true},
		{"ZWNJ inside", "علی‌رضا", "علی‌رضا", true},
		{"ZWNJ at the ends dropped", "\u200cعلی\u200c", "علی", true},
		{"ZWNJ and space at the start", "\u200c علی", "علی", true},
		{"inner spaces collapsed", "محمد   رضا", "محمد رضا", true},
		{"surrounding spaces trimmed", "  زهرا\t", "زهرا", true},
		{"hamza and alef madda", "آرش مؤمنی", "آرش مؤمنی", true},
		{"Persian-only letters", "پژمان گچ", "پژمان گچ", true},
		{"Latin", "Ali", "Ali", false},
		{"Latin mixed", "علیA", "علیA", false},
		{"ASCII digit", "علی2", "علی2", false},
		{"Persian digit", "علی۲", "علی۲", false},
		{"RTL override", "علی\u202eرضا", "علی\u202eرضا", false},
		{"zero-width space", "علی\u200bرضا", "علی\u200bرضا", false},
		{"punctuation", "علی!", "علی!", false},
		{"empty", "", "", false},
		{"only spaces", "   ", "", false},
		{"only ZWNJ", "\u200c", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeName(tt.in)
			if want := tt.norm; got != want {
				t.Fatalf("NormalizeName(%q) = %q, want %q", tt.in, got, want)
			}
			if got, want := ValidPersianName(got), tt.valid; got != want {
				t.Fatalf("ValidPersianName(%q) = %v, want %v", tt.norm, got, want)
			}
		})
	}
}

func TestValidPersianNameRejectsArabicFormsUnnormalised(t *testing.T) {
	// The stored form is Persian; the validator sees names only after NormalizeName.
	for _, s := range []string{"علي", "كريم"} {
		if ValidPersianName(s) {
			t.Errorf("ValidPersianName(%q) = true, want false before normalising", s)
		}
	}
}

// FuzzNationalID checks that any input yields one of the documented reasons, that
// ValidNationalID agrees with NationalIDProblem, and that a valid ID stays valid
// written in Persian or Arabic-Indic digits.
func FuzzNationalID(f *testing.F) {
	for _, s := range []string{
		"0499370899", "0013542419", "1234567890", "1111111111", "۰۴۹۹۳۷۰۸۹۹", "٠٤٩٩٣٧٠٨٩٩",
		"", "049937089", "04993708990", " 0499370899 ", "\xff\xfe\x00",
		strings.Repeat("۹", 40) + "garbage\u202e\u200b" + strings.Repeat("0", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm := NormalizeDigits(s)
		p := NationalIDProblem(norm)
		switch p {
		case "", "invalid", "repeated_digits", "checksum":
		default:
			t.Fatalf("NationalIDProblem(%q) = %q, not a documented reason", norm, p)
		}
		if got, want := ValidNationalID(s), p == ""; got != want {
			t.Fatalf("ValidNationalID(%q) = %v, but NationalIDProblem says %q", s, got, p)
		}
		if p != "" {
			return
		}
		if len(norm) != 10 {
			t.Fatalf("valid national ID %q has %d bytes", norm, len(norm))
		}
		if !ValidNationalID(toPersianDigits(s)) {
			t.Fatalf("%q is valid but not in Persian digits %q", s, toPersianDigits(s))
		}
		if !ValidNationalID(toArabicIndicDigits(s)) {
			t.Fatalf("%q is valid but not in Arabic-Indic digits %q", s, toArabicIndicDigits(s))
		}
	})
}
