package main

import "strconv"

// nationalIDBodies is how many nine-digit bodies a national ID can have.
const nationalIDBodies = 1_000_000_000

// nationalID returns the national ID whose first nine digits are body (taken
// modulo 10⁹, zero-padded) followed by its check digit: S = Σ d[i]·(10−i) for
// i = 0..8, r = S mod 11, check = r when r < 2, else 11 − r. The result may have
// all ten digits equal, which examd refuses; see nextNationalID.
func nationalID(body int) string {
	body %= nationalIDBodies
	if body < 0 {
		body += nationalIDBodies
	}
	var d [10]byte
	sum := 0
	for i := 8; i >= 0; i-- {
		d[i] = byte('0' + body%10)
		body /= 10
	}
	for i := range 9 {
		sum += int(d[i]-'0') * (10 - i)
	}
	r := sum % 11
	if r >= 2 {
		r = 11 - r
	}
	d[9] = byte('0' + r)
	return string(d[:])
}

// repeatedDigits reports whether all ten digits of id are the same.
func repeatedDigits(id string) bool {
	for i := 1; i < len(id); i++ {
		if id[i] != id[0] {
			return false
		}
	}
	return true
}

// nationalIDs returns n distinct valid national IDs made from consecutive bodies
// starting at start, skipping the ten of repeated digits.
func nationalIDs(start, n int) []string {
	ids := make([]string, 0, n)
	for body := start; len(ids) < n; body++ {
		if id := nationalID(body); !repeatedDigits(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// mobileNumber returns a mobile number of the form 09xxxxxxxxx for i.
func mobileNumber(i int) string {
	s := strconv.Itoa(100_000_000 + i%900_000_000)
	return "09" + s
}
