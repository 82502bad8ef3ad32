// Package persian normalises Persian text the way the platform stores and compares
// it: ASCII digits, Persian letter forms, single spaces.
package persian

import "strings"

// digitReplacer turns Persian (۰–۹) and Arabic-Indic (٠–٩) digits into ASCII.
var digitReplacer = strings.NewReplacer(
	"۰", "0", "۱", "1", "۲", "2", "۳", "3", "۴", "4", "۵", "5", "۶", "6", "۷", "7", "۸", "8", "۹", "9",
	"٠", "0", "١", "1", "٢", "2", "٣", "3", "٤", "4", "٥", "5", "٦", "6", "٧", "7", "٨", "8", "٩", "9",
)

// Digits converts Persian and Arabic-Indic digits to ASCII.
func Digits(s string) string { return digitReplacer.Replace(s) }

// letterReplacer maps Arabic letter forms to the Persian ones: Arabic yeh and alef
// maksura to Persian yeh, Arabic kaf to keheh.
var letterReplacer = strings.NewReplacer("ي", "ی", "ى", "ی", "ك", "ک")

// Letters maps Arabic ي/ى/ك to Persian ی/ک.
func Letters(s string) string { return letterReplacer.Replace(s) }

// ZWNJ is the zero-width non-joiner Persian uses inside words (می‌شود).
const ZWNJ = '\u200c'

// Text maps Arabic letter forms to Persian, collapses runs of white space to one
// space and trims the ends (spaces and ZWNJ).
func Text(s string) string {
	s = strings.Join(strings.Fields(Letters(s)), " ")
	return strings.Trim(s, string(ZWNJ)+" ")
}

// Key is a comparison key for duplicate detection: Text, with ZWNJ treated as a
// space and letters lower-cased, so "می‌شود" and "می شود" compare equal.
func Key(s string) string {
	s = strings.ReplaceAll(Letters(s), string(ZWNJ), " ")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
