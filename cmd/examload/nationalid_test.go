package main

import (
	"testing"

	"github.com/council-exam/examd/candidates"
)

func TestNationalIDKnown(t *testing.T) {
	tests := []struct {
		body int
		want string
	}{
		{49937089, "0499370899"}, // seed-demo's eligible candidate
		{1354241, "0013542419"},  // seed-demo's ineligible candidate
		{0, "0000000000"},        // r = 0: check digit 0 (and all digits repeated)
		{111111111, "1111111111"},
		{1, "0000000019"},             // S = 1·2 = 2, r = 2: check 11 − 2 = 9
		{123456789, "1234567891"},     // S = 210, r = 1: check 1
		{1_000_000_001, "0000000019"}, // bodies wrap at 10⁹
	}
	for _, tt := range tests {
		if got := nationalID(tt.body); got != tt.want {
			t.Errorf("nationalID(%d) = %s, want %s", tt.body, got, tt.want)
		}
	}
}

// TestNationalIDAgreesWithExamd checks the generator against the rule examd
// applies at registration, over many bodies, and that the IDs it hands out are
// all valid and distinct.
func TestNationalIDAgreesWithExamd(t *testing.T) {
	for body := 0; body < 200_000; body += 7 {
		id := nationalID(body)
		problem := candidates.NationalIDProblem(id)
		if repeatedDigits(id) {
			if problem != "repeated_digits" {
				t.Fatalf("nationalID(%d) = %s: examd says %q, want repeated_digits", body, id, problem)
			}
			continue
		}
		if problem != "" {
			t.Fatalf("nationalID(%d) = %s: examd says %q", body, id, problem)
		}
	}
	for _, start := range []int{0, 111_111_100, 999_999_990} {
		ids := nationalIDs(start, 5000)
		if got, want := len(ids), 5000; got != want {
			t.Fatalf("nationalIDs(%d, 5000) gave %d IDs", start, got)
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if !candidates.ValidNationalID(id) {
				t.Fatalf("nationalIDs(%d, …) gave invalid %s", start, id)
			}
			if seen[id] {
				t.Fatalf("nationalIDs(%d, …) gave %s twice", start, id)
			}
			seen[id] = true
		}
	}
}

// TestNationalIDWrongCheckDigit makes sure the check digit is the only one
// that passes: every other last digit must be refused by examd.
func TestNationalIDWrongCheckDigit(t *testing.T) {
	for _, body := range []int{49937089, 123456789, 987654321, 5, 300000000} {
		id := nationalID(body)
		for d := byte('0'); d <= '9'; d++ {
			other := id[:9] + string(d)
			if valid, want := candidates.ValidNationalID(other), d == id[9]; valid != want && !repeatedDigits(other) {
				t.Errorf("%s: valid = %v, want %v (the check digit of %09d is %c)", other, valid, want, body, id[9])
			}
		}
	}
}

func TestMobileNumber(t *testing.T) {
	for _, i := range []int{0, 1, 899_999_999, 900_000_000, 123_456} {
		m := mobileNumber(i)
		if !candidates.ValidMobile(m) {
			t.Errorf("mobileNumber(%d) = %s, not a valid mobile", i, m)
		}
	}
}
