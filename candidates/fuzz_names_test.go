package candidates

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzNameAndMobile fuzzes the normalisation of names and of mobile numbers
// with the same strings (see fuzzCheckName and fuzzCheckMobile).
func FuzzNameAndMobile(f *testing.F) {
	for _, s := range slices.Concat(fuzzNameSeeds, fuzzMobileSeeds) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzCheckName(t, s)
		fuzzCheckMobile(t, s)
	})
}

// fuzzNameSeeds are names as people type them, and as attackers do.
var fuzzNameSeeds = []string{
	"مریم", " مریم  احمدی ", "محمد\u200cرضا", "\u200cمریم\u200c", "علي", "كاظم", "ى", "آرش", "مُحَمَّد", "ء",
	"مریم\u202e", "\u202dمریم", "مر\u200bیم", "علی\u200d", "\ufeffمریم", "مریم\u2066", "\u200fمریم\u200e",
	"مریم\u00a0احمدی", "مریم\u2028احمدی", "مریم\t\nاحمدی", "مـریم", "<script>alert(1)</script>", "'; DROP TABLE candidates; --",
	"Maryam", "Мария", "مریم۱", "\x00", "مریم\x00", "\xff", "\xd8", "\ufffd", "", " ", "\u200c", "\u200c \u200c", "؟", "ك ي ى",
}

// fuzzCheckName: normalising never panics and is idempotent; a name that is
// valid stays valid once normalised; and a name that passes holds only Persian
// letters, the Arabic diacritics, single inner spaces and ZWNJ — no direction
// controls, zero-width characters, byte-order marks, markup or digits.
func fuzzCheckName(t *testing.T, s string) {
	t.Helper()
	n := NormalizeName(s)
	if again := NormalizeName(n); again != n {
		t.Fatalf("NormalizeName is not idempotent: %q → %q → %q", s, n, again)
	}
	if ValidPersianName(s) && !ValidPersianName(n) {
		t.Fatalf("%q is valid but its normal form %q is not", s, n)
	}
	if !ValidPersianName(n) {
		return
	}
	if !utf8.ValidString(n) {
		t.Fatalf("valid name %q (from %q) is not UTF-8", n, s)
	}
	if n != strings.TrimSpace(n) || strings.Contains(n, "  ") || strings.HasPrefix(n, "\u200c") || strings.HasSuffix(n, "\u200c") {
		t.Fatalf("valid name %q (from %q) has spaces or ZWNJ at its ends or doubled", n, s)
	}
	letters := 0
	for _, r := range n {
		switch {
		case r == ' ' || r == '\u200c':
		case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
			letters++
		case unicode.Is(unicode.Mn, r) && r >= 0x064B && r <= 0x0655:
		default:
			t.Fatalf("valid name %q (from %q) holds %U", n, s, r)
		}
		if unicode.Is(unicode.Cf, r) && r != '\u200c' || unicode.IsDigit(r) {
			t.Fatalf("valid name %q (from %q) holds %U", n, s, r)
		}
	}
	if letters == 0 {
		t.Fatalf("valid name %q (from %q) has no letter", n, s)
	}
}

// fuzzMobileSeeds are mobile numbers in the forms people write them.
var fuzzMobileSeeds = []string{
	"09121234567", "+989121234567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷", "٠٩١٢١٢٣٤٥٦٧", "+۹۸۹۱۲۱۲۳۴۵۶۷", "0912 123 4567",
	"0912-123-4567", "(0912) 123 4567", " 09121234567\n", "0912\u00a0123\u00a04567", "+980989121234567", "+98+989121234567",
	"0098009121234567", "+9800989121234567", "0\f(", "9121234567", "0912123456", "091212345678", "0812345678",
	"٠٩١٢١٢٣٤٥٦٧x", "\x00", "\xff", "０９１２１２３４５６７", "+", "0098", "+98", "",
}

// fuzzCheckMobile: normalising never panics and is idempotent; a valid number
// is its own normal form; a valid normal form is exactly 09 and nine ASCII
// digits.
func fuzzCheckMobile(t *testing.T, s string) {
	t.Helper()
	n := NormalizeMobile(s)
	if again := NormalizeMobile(n); again != n {
		t.Fatalf("NormalizeMobile is not idempotent: %q → %q → %q", s, n, again)
	}
	if ValidMobile(s) && n != s {
		t.Fatalf("valid %q normalises to %q", s, n)
	}
	if !ValidMobile(n) {
		return
	}
	if len(n) != 11 || !strings.HasPrefix(n, "09") || strings.Trim(n, "0123456789") != "" {
		t.Fatalf("valid number %q (from %q) is not 09 and nine digits", n, s)
	}
}
