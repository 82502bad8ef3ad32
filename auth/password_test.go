package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/council-exam/examd/auth"
)

func mustHash(tb testing.TB, password string) string {
	tb.Helper()
	h, err := auth.HashPassword(password)
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	return h
}

func TestHashPasswordFormat(t *testing.T) {
	h := mustHash(t, "a long enough secret")
	parts := strings.Split(h, "$")
	if got, want := len(parts), 6; got != want {
		t.Fatalf("hash %q has %d $-parts, want %d", h, got, want)
	}
	if got, want := strings.Join(parts[:4], "$"), "$argon2id$v=19$m=19456,t=2,p=1"; got != want {
		t.Fatalf("hash prefix = %q, want %q", got, want)
	}
	if got, want := len(parts[4]), 22; got != want { // 16 bytes of salt, unpadded base64
		t.Errorf("salt %q has %d characters, want %d", parts[4], got, want)
	}
	if got, want := len(parts[5]), 43; got != want { // 32 bytes of key, unpadded base64
		t.Errorf("key %q has %d characters, want %d", parts[5], got, want)
	}
	if h2 := mustHash(t, "a long enough secret"); h2 == h {
		t.Fatalf("two hashes of one password are equal (%q): the salt is not random", h)
	}
}

func TestVerifyPassword(t *testing.T) {
	h := mustHash(t, "رمز عبور بلند ۱۴۰۰")
	tests := []struct {
		password string
		want     bool
	}{
		{"رمز عبور بلند ۱۴۰۰", true},
		{"رمز عبور بلند 1400", false},
		{"رمز عبور بلند ۱۴۰۰ ", false},
		{"", false},
	}
	for _, tt := range tests {
		got, err := auth.VerifyPassword(h, tt.password)
		if err != nil {
			t.Fatalf("VerifyPassword(%q): %v", tt.password, err)
		}
		if got != tt.want {
			t.Errorf("VerifyPassword(%q) = %v, want %v", tt.password, got, tt.want)
		}
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	good := mustHash(t, "x")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"plain text", "password"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"wrong version", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=19456,t=2,p=1$" + salt + "$" + key},
		{"zero memory", "$argon2id$v=19$m=0,t=2,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key},
		{"garbled parameters", "$argon2id$v=19$memory$" + salt + "$" + key},
		{"salt not base64", "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key},
		{"key not base64", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$!!!"},
		{"empty key", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$"},
		{"extra part", good + "$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := auth.VerifyPassword(tt.hash, "x")
			if !errors.Is(err, auth.ErrMalformedHash) {
				t.Fatalf("VerifyPassword(%q) error = %v, want ErrMalformedHash", tt.hash, err)
			}
			if ok {
				t.Fatalf("VerifyPassword(%q) = true with a malformed hash", tt.hash)
			}
		})
	}
}

func TestCommonPassword(t *testing.T) {
	tests := []struct {
		password string
		want     bool
	}{
		{"password", true},
		{"Password123", true},
		{"PASSWORD123", true},
		{"12345678", true},
		{"1q2w3e4r", true},
		{"qwer1234", true},
		{"a long enough secret", false},
		{"password123 ", false},
		{"", false},
		{"# Common passwords refused at registration (compared without case). Short ones are", false},
	}
	for _, tt := range tests {
		if got := auth.CommonPassword(tt.password); got != tt.want {
			t.Errorf("CommonPassword(%q) = %v, want %v", tt.password, got, tt.want)
		}
	}
}

func TestSpendVerifyTime(t *testing.T) {
	// It must not panic and must be callable concurrently (the dummy hash is made once).
	done := make(chan struct{})
	for range 3 {
		go func() { auth.SpendVerifyTime("x"); done <- struct{}{} }()
	}
	for range 3 {
		<-done
	}
}
