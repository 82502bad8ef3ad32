package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestParseBase(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"http://127.0.0.1:18081", "http://127.0.0.1:18081", true},
		{"http://127.0.0.1:18081/", "http://127.0.0.1:18081", true},
		{"http://localhost:8080", "http://localhost:8080", true},
		{"http://[::1]:8080", "http://[::1]:8080", true},
		{"http://10.0.0.5:8080", "", false},
		{"http://example.org:80", "", false},
		{"http://127.0.0.2:8080", "", false}, // loopback, but not one of the three names
		{"https://127.0.0.1:8443", "", false},
		{"http://127.0.0.1", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := parseBase(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseBase(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestTransportRefusesOffMachine: even a URL that passed parseBase cannot reach
// another machine, since the dialler checks the address it connects to.
func TestTransportRefusesOffMachine(t *testing.T) {
	c := newClient(newTransport(1, 0), 2*time.Second)
	_, err := c.Get("http://192.0.2.1:9/") // TEST-NET-1: never routed
	if !errors.Is(err, errNotLoopback) {
		t.Fatalf("GET to 192.0.2.1: %v, want errNotLoopback", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"error":{"code":"time_over","message":"time is over"}}`))
	}))
	defer srv.Close()
	status, body, _, err := doJSON(context.Background(), c, http.MethodPut, srv.URL, "tok", map[string]int{"seq": 1})
	if err != nil {
		t.Fatalf("PUT to the local server: %v", err)
	}
	if got, want := failureKind(status, body), "409 time_over"; got != want {
		t.Fatalf("failureKind = %q, want %q", got, want)
	}
}
