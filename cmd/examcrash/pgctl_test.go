package main

import (
	"reflect"
	"testing"
)

func TestParsePostmasterOpts(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`/usr/lib/postgresql/15/bin/postgres "-D" "/tmp/pg/data" "-p" "55433" "-k" "/tmp/pg/run" "-c" "listen_addresses=127.0.0.1"` + "\n",
			[]string{"-p", "55433", "-k", "/tmp/pg/run", "-c", "listen_addresses=127.0.0.1"}},
		{`/usr/lib/postgresql/15/bin/postgres "-D" "/var/lib/postgresql/15/main"`, nil},
		{`/usr/bin/postgres "-D/data" "-c" "a=\"b\""`, []string{"-c", `a="b"`}},
	}
	for _, tt := range tests {
		got, err := parsePostmasterOpts(tt.in)
		if err != nil {
			t.Fatalf("parsePostmasterOpts(%q): %v", tt.in, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Fatalf("parsePostmasterOpts(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if _, err := parsePostmasterOpts("  \n"); err == nil {
		t.Fatal("parsePostmasterOpts of an empty file: no error")
	}
}

func TestURLIsLocal(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", true},
		{"postgres://postgres@localhost/postgres", true},
		{"postgres://postgres@[::1]:5432/postgres", true},
		{"postgres:///postgres?host=/var/run/postgresql", true},
		{"postgres://postgres@db.example.org:5432/postgres", false},
		{"postgres://postgres@10.0.0.5/postgres", false},
		{"host=127.0.0.1 port=5432 dbname=postgres", true},
		{"host=db.example.org dbname=postgres", false},
	}
	for _, tt := range tests {
		if got := urlIsLocal(tt.url); got != tt.want {
			t.Fatalf("urlIsLocal(%q) = %t, want %t", tt.url, got, tt.want)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:55433/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:55433/crash_x?sslmode=disable"},
		{"host=127.0.0.1 dbname=postgres sslmode=disable", "host=127.0.0.1 sslmode=disable dbname=crash_x"},
	}
	for _, tt := range tests {
		got, err := withDatabase(tt.in, "crash_x")
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Fatalf("withDatabase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	if got, want := shellQuote(`it's /tmp/a b`), `'it'\''s /tmp/a b'`; got != want {
		t.Fatalf("shellQuote = %s, want %s", got, want)
	}
}
