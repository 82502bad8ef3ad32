package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// FuzzRegisterBody posts arbitrary bytes as a registration through the real router
// on a real database: the answer is never a 5xx, and a refused body stores nothing.
func FuzzRegisterBody(f *testing.F) {
	valid := validBody(withCheckDigit("700000001"))
	for _, seed := range []string{
		valid.String(),
		valid.String()[:37], // truncated
		`{"national_id":`,   // truncated
		valid.with("constituency_id", "x", "gender", 1, "military_service", []int{1}).String(), // wrong types
		valid.with("birth_date", 19850412, "password", map[string]int{"a": 1}).String(),        // wrong types
		strings.Replace(valid.String(), `"constituency_id":1`, `"constituency_id":1e400`, 1),   // huge numbers
		strings.Replace(valid.String(), `"constituency_id":1`, `"constituency_id":99999999999999999999999`, 1),
		valid.with("constituency_id", 3000000000).String(),
		valid.with("constituency_id", -9223372036854775808).String(),
		valid.with("first_name", "\xff\xfe\xfd", "last_name", "\xc3").String(),   // invalid UTF-8 (as JSON escapes)
		`{"national_id":"` + "\xff\xfe" + `","first_name":"` + "\xc3\x28" + `"}`, // invalid UTF-8 bytes
		valid.with("national_id", "\u0000", "mobile", "\u0000", "email", "a\u0000@b.c").String(),
		valid.with("first_name", "مریم\u0000").String(),
		valid.with("email", strings.Repeat("a", 250)+"@example.com").String(),
		valid.with("birth_date", "0000-00-00").String(),
		valid.with("birth_date", "99999-01-01").String(),
		`null`, `[]`, `""`, `0`, `{}`, `{}{}`, ``, `{"a":` + strings.Repeat("[", 10000),
	} {
		f.Add([]byte(seed))
	}
	s := mustServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := s.mustCount(t)
		req := httptest.NewRequest("POST", "/api/v1/candidates", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := s.doReq(req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body.String())
		}
		want := before
		if rec.Code == http.StatusCreated {
			want++
		}
		if got := s.mustCount(t); got != want {
			t.Fatalf("status %d and %d candidates, want %d (was %d) for body %q", rec.Code, got, want, before, body)
		}
		if rec.Code == http.StatusCreated {
			return
		}
		allowed := map[int][]string{
			http.StatusBadRequest:            {"malformed_json", "validation_failed"},
			http.StatusConflict:              {"already_registered"},
			http.StatusRequestEntityTooLarge: {"body_too_large"},
		}
		if code, _ := mustErrorShape(t, rec); !slices.Contains(allowed[rec.Code], code) {
			t.Fatalf("status %d with code %q for body %q", rec.Code, code, body)
		}
	})
}
