package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is an httptest server that counts the connections it
// accepted, which tells a kept connection from a redial.
type countingServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newCountingServer(t testing.TB, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// mustRawConn returns a rawConn to base, closed when the test ends.
func mustRawConn(t testing.TB, base string, timeout time.Duration) *rawConn {
	t.Helper()
	c, err := newRawConn(context.Background(), base, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// cannedServer is a bare TCP server that answers with bytes its test chose,
// for answers net/http's server would not send (HTTP/1.0, a body until close,
// a malformed line) and for a benchmark whose server allocates nothing.
type cannedServer struct {
	base    string
	accepts atomic.Int64
}

// newCannedServer serves answer(k, n) to request n (from 0) on connection k
// (from 0): resp is written, and the connection closed after it when close is
// set; a nil resp closes the connection without answering.
func newCannedServer(t testing.TB, answer func(k, n int) (resp []byte, close bool)) *cannedServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &cannedServer{base: "http://" + ln.Addr().String()}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			k := int(s.accepts.Add(1) - 1)
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				for n := 0; ; n++ {
					if !readCannedRequest(br) {
						return
					}
					resp, close := answer(k, n)
					if resp == nil {
						return
					}
					if _, err := conn.Write(resp); err != nil || close {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// readCannedRequest reads past one request's head and Content-Length body,
// allocating nothing; false means the connection ended.
func readCannedRequest(br *bufio.Reader) bool {
	length := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return false
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
			n, ok := parseLength(bytes.TrimSpace(value))
			if !ok {
				return false
			}
			length = int(n)
		}
	}
	_, err := br.Discard(length)
	return err == nil
}

// always answers every request with resp and keeps the connection.
func always(resp string) func(k, n int) ([]byte, bool) {
	b := []byte(resp)
	return func(int, int) ([]byte, bool) { return b, false }
}

// TestRawConnRequest: the request examd receives is the one net/http sent,
// and Accept as well.
func TestRawConnRequest(t *testing.T) {
	type seen struct {
		method, path, host, cookie, ctype, accept, body string
		length                                          int64
	}
	got := make(chan seen, 1)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c, _ := r.Cookie(sessionCookie)
		var token string
		if c != nil {
			token = c.Value
		}
		got <- seen{r.Method, r.URL.Path, r.Host, token, r.Header.Get("Content-Type"), r.Header.Get("Accept"), string(b), r.ContentLength}
	})
	c := mustRawConn(t, srv.URL, 5*time.Second)
	tests := []struct {
		name   string
		method string
		body   string
		path   []string
		want   seen
	}{
		{"put with a body", http.MethodPut, `{"seq":1}`, []string{"/api/v1/attempts/a1/answers/", "q1"},
			seen{http.MethodPut, "/api/v1/attempts/a1/answers/q1", "", "tok", "application/json", "application/json", `{"seq":1}`, 9}},
		{"post without one", http.MethodPost, "", []string{"/api/v1/exams/e1/attempts"},
			seen{http.MethodPost, "/api/v1/exams/e1/attempts", "", "tok", "", "application/json", "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			status, _, err := c.do(tt.method, sessionCookie+"=tok", body, bodyUnlessOK, tt.path...)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := status, http.StatusOK; got != want {
				t.Fatalf("status %d, want %d", got, want)
			}
			s := <-got
			tt.want.host = strings.TrimPrefix(srv.URL, "http://")
			if got, want := s, tt.want; got != want {
				t.Fatalf("server saw %+v, want %+v", got, want)
			}
		})
	}
	if got, want := srv.conns.Load(), int64(1); got != want {
		t.Fatalf("%d connections for %d requests, want %d", got, len(tests), want)
	}
}

// TestRawConnBodies: each kind of body is handed back or read past as asked,
// and the connection then serves the next request (a second one on it would
// fail if a body had been read too far or not far enough).
func TestRawConnBodies(t *testing.T) {
	const timeOver = `{"error":{"code":"time_over","message":"time is over"}}`
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		want       bodyPolicy
		wantStatus int
		wantBody   string
		wantKind   string // failureKind of the answer, when not ""
	}{
		{"content-length, kept", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"ok":true}`))
		}, bodyAlways, 200, `{"ok":true}`, ""},
		{"content-length, read past", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"ok":true}`))
		}, bodyUnlessOK, 200, "", ""},
		{"chunked, kept", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"attempt_id":`))
			w.(http.Flusher).Flush()
			w.Write([]byte(`"a1"}`))
			w.(http.Flusher).Flush()
		}, bodyAlways, 200, `{"attempt_id":"a1"}`, ""},
		{"chunked, read past", func(w http.ResponseWriter, r *http.Request) {
			w.Write(bytes.Repeat([]byte("x"), 5000))
			w.(http.Flusher).Flush()
			w.Write(bytes.Repeat([]byte("y"), 3000))
			w.(http.Flusher).Flush()
		}, bodyUnlessOK, 200, "", ""},
		{"chunked, long, kept", func(w http.ResponseWriter, r *http.Request) {
			w.Write(bytes.Repeat([]byte("x"), 5000))
			w.(http.Flusher).Flush()
			w.Write(bytes.Repeat([]byte("y"), 3000))
			w.(http.Flusher).Flush()
		}, bodyAlways, 200, strings.Repeat("x", 5000) + strings.Repeat("y", 3000), ""},
		{"409 JSON read back", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(timeOver))
		}, bodyUnlessOK, 409, timeOver, "409 time_over"},
		{"404 chunked read back", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"code":"not_found",`))
			w.(http.Flusher).Flush()
			w.Write([]byte(`"message":"no such attempt"}}`))
		}, bodyUnlessOK, 404, `{"error":{"code":"not_found","message":"no such attempt"}}`, "404 not_found"},
		{"204 without a body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, bodyAlways, 204, "", ""},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://192.0.2.1/elsewhere", http.StatusFound)
		}, bodyNever, 302, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, tt.handler)
			c := mustRawConn(t, srv.URL, 5*time.Second)
			for range 2 {
				status, body, err := c.do(http.MethodPut, "", []byte(`{}`), tt.want, "/x")
				if err != nil {
					t.Fatal(err)
				}
				if got, want := status, tt.wantStatus; got != want {
					t.Fatalf("status %d, want %d", got, want)
				}
				if got, want := string(body), tt.wantBody; got != want {
					t.Fatalf("body %q, want %q", got, want)
				}
				if tt.wantKind != "" {
					if got, want := failureKind(status, body), tt.wantKind; got != want {
						t.Fatalf("failureKind %q, want %q", got, want)
					}
				}
			}
			if got, want := srv.conns.Load(), int64(1); got != want {
				t.Fatalf("%d connections for 2 requests, want %d", got, want)
			}
		})
	}
}

// TestRawConnCanned: answers net/http's server does not give, written by hand.
func TestRawConnCanned(t *testing.T) {
	tests := []struct {
		name      string
		resp      string
		close     bool // the server closes after the answer
		wantBody  string
		wantErr   string // netFailureKind of the error, "" for success
		wantConns int64  // for two requests
	}{
		{"chunk extension and trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5;ext=1\r\nhello\r\n5\r\n worl\r\n1\r\nd\r\n0\r\nX-Trailer: 1\r\n\r\n", false, "hello world", "", 1},
		{"chunk size in upper case", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
			false, "0123456789", "", 1},
		{"bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false, "ok", "", 1},
		{"interim 100 Continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, "ok", "", 1},
		{"HTTP/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", true, "ok", "", 2},
		{"HTTP/1.0 keep-alive keeps", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", false, "ok", "", 1},
		{"Connection: close in a list", "HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 2\r\n\r\nok", true, "ok", "", 2},
		{"body until close", "HTTP/1.1 200 OK\r\n\r\nall of it", true, "all of it", "", 2},
		{"cut short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true, "", "net: connection closed by the server", 2},
		{"cut short in the headers", "HTTP/1.1 200 OK\r\nContent-Len", true, "", "net: connection closed by the server", 2},
		{"malformed status line", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", false, "", "net: other", 2},
		{"malformed chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, "", "net: other", 2},
		{"long header read past", "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("x", 10000) + "\r\nContent-Length: 2\r\n\r\nok",
			false, "ok", "", 1},
		{"long trailer read past", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Long: " +
			strings.Repeat("x", 10000) + "\r\n\r\n", false, "ok", "", 1},
		{"long Content-Length refused", "HTTP/1.1 200 OK\r\nContent-Length: 2" + strings.Repeat(" ", 5000) + "\r\n\r\nok",
			false, "", "net: other", 2},
		{"no CRLF after a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
			false, "", "net: other", 2},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", false, "", "net: other", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := []byte(tt.resp)
			srv := newCannedServer(t, func(int, int) ([]byte, bool) { return resp, tt.close })
			c := mustRawConn(t, srv.base, 5*time.Second)
			for range 2 {
				_, body, err := c.do(http.MethodGet, "", nil, bodyAlways, "/")
				if tt.wantErr != "" {
					if err == nil {
						t.Fatalf("no error, want %q", tt.wantErr)
					}
					if got, want := netFailureKind(err), tt.wantErr; got != want {
						t.Fatalf("netFailureKind(%v) = %q, want %q", err, got, want)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if got, want := string(body), tt.wantBody; got != want {
					t.Fatalf("body %q, want %q", got, want)
				}
			}
			if got, want := srv.accepts.Load(), tt.wantConns; got != want {
				t.Fatalf("%d connections for 2 requests, want %d", got, want)
			}
		})
	}
}

// TestRawConnConnectionClose: after an answer with Connection: close the
// next request dials anew and succeeds.
func TestRawConnConnectionClose(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Write([]byte(`{}`))
	})
	c := mustRawConn(t, srv.URL, 5*time.Second)
	for i := range 3 {
		status, _, err := c.do(http.MethodPut, "", []byte(`{}`), bodyUnlessOK, "/x")
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if got, want := status, 200; got != want {
			t.Fatalf("request %d: status %d, want %d", i, got, want)
		}
	}
	if got, want := srv.conns.Load(), int64(3); got != want {
		t.Fatalf("%d connections, want %d", got, want)
	}
}

// TestRawConnRetriesIdleClose: the server closing a kept connection while it
// is idle costs a redial, not a failed request.
func TestRawConnRetriesIdleClose(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{}`))
	})
	c := mustRawConn(t, srv.URL, 5*time.Second)
	for i := range 3 {
		if _, _, err := c.do(http.MethodPut, "", []byte(`{}`), bodyUnlessOK, "/x"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		srv.CloseClientConnections()
	}
	if got, want := srv.conns.Load(), int64(3); got != want {
		t.Fatalf("%d connections, want %d", got, want)
	}
}

// TestRawConnRetryLimits: a connection that fails before answering is
// retried only when it had served before, and only once.
func TestRawConnRetryLimits(t *testing.T) {
	ok := []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	tests := []struct {
		name      string
		answer    func(k, n int) ([]byte, bool)
		requests  int
		wantErr   string
		wantConns int64
	}{
		{"fresh connection closed: no retry", func(int, int) ([]byte, bool) { return nil, true },
			1, "net: connection closed by the server", 1},
		{"kept connection closed twice: one retry", func(k, n int) ([]byte, bool) {
			if k == 0 && n == 0 {
				return ok, false
			}
			return nil, true
		}, 2, "net: connection closed by the server", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCannedServer(t, tt.answer)
			c := mustRawConn(t, srv.base, 5*time.Second)
			var err error
			for range tt.requests {
				_, _, err = c.do(http.MethodPut, "", []byte(`{}`), bodyUnlessOK, "/x")
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if got, want := netFailureKind(err), tt.wantErr; got != want {
				t.Fatalf("netFailureKind(%v) = %q, want %q", err, got, want)
			}
			if got, want := srv.accepts.Load(), tt.wantConns; got != want {
				t.Fatalf("%d connections, want %d", got, want)
			}
		})
	}
}

// TestRawConnTimeout: a server slower than the timeout gives a timeout, in
// about the timeout, and not a retry.
func TestRawConnTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for handlers
	c := mustRawConn(t, srv.URL, 100*time.Millisecond)
	start := time.Now()
	_, _, err := c.do(http.MethodPut, "", []byte(`{}`), bodyUnlessOK, "/x")
	if err == nil {
		t.Fatal("no error, want a timeout")
	}
	if got, want := netFailureKind(err), "net: timeout"; got != want {
		t.Fatalf("netFailureKind(%v) = %q, want %q", err, got, want)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("gave up after %s, want about 100ms", took)
	}
	if got, want := srv.conns.Load(), int64(1); got != want {
		t.Fatalf("%d connections, want %d", got, want)
	}
}

// TestRawConnCancel: the end of the context ends a request in flight, as it
// did net/http's.
func TestRawConnCancel(t *testing.T) {
	release := make(chan struct{})
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithCancel(context.Background())
	c, err := newRawConn(ctx, srv.URL, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, _, err := c.do(http.MethodPut, "", []byte(`{}`), bodyUnlessOK, "/x"); err == nil {
		t.Fatal("no error after the context ended")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("returned %s after the start, want about 50ms", took)
	}
	if _, _, err := c.do(http.MethodPut, "", []byte(`{}`), bodyUnlessOK, "/x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("after the end: %v, want context.Canceled", err)
	}
}

// TestRawConnRefusesOffMachine: the dialler's loopback guard holds for the
// raw client too.
func TestRawConnRefusesOffMachine(t *testing.T) {
	c := mustRawConn(t, "http://192.0.2.1:9", 2*time.Second) // TEST-NET-1: never routed
	_, _, err := c.do(http.MethodPut, "", []byte(`{}`), bodyUnlessOK, "/x")
	if !errors.Is(err, errNotLoopback) {
		t.Fatalf("PUT to 192.0.2.1: %v, want errNotLoopback", err)
	}
	if got, want := netFailureKind(err), "net: not loopback"; got != want {
		t.Fatalf("netFailureKind = %q, want %q", got, want)
	}
}

// TestRawConnRefusesSplitting: nothing a caller passes can add a header or a
// request of its own.
func TestRawConnRefusesSplitting(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := mustRawConn(t, srv.URL, 2*time.Second)
	tests := []struct {
		name, method, cookie string
		path                 []string
	}{
		{"CRLF in the cookie", http.MethodPut, "s=1\r\nX-Evil: 1", []string{"/x"}},
		{"space in the path", http.MethodPut, "", []string{"/x HTTP/1.1\r\n"}},
		{"relative path", http.MethodPut, "", []string{"x"}},
		{"no path", http.MethodPut, "", nil},
		{"space in the method", "PUT /y", "", []string{"/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := c.do(tt.method, tt.cookie, nil, bodyNever, tt.path...); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if got, want := srv.conns.Load(), int64(0); got != want {
		t.Fatalf("%d connections, want %d: nothing should have been sent", got, want)
	}
}

// TestRawPutAllocs: the flood's save allocates nothing once the connection is
// open, against a server that allocates nothing either.
func TestRawPutAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	srv := newCannedServer(t, always(benchAnswer))
	c := mustRawConn(t, srv.base, 5*time.Second)
	body := []byte(benchBody)
	if got := testing.AllocsPerRun(1000, func() {
		if _, _, err := c.do(http.MethodPut, benchCookie, body, bodyUnlessOK, benchPrefix, benchQuestion); err != nil {
			t.Fatal(err)
		}
	}); got != 0 {
		t.Fatalf("%v allocations per save, want 0", got)
	}
}

// The benchmark's save: ids, cookie and body the size of examd's, and an
// answer as examd's (gin's JSON with net/http's headers).
const (
	benchPrefix   = "/api/v1/attempts/0195f3a4-7b8c-7d6e-9f00-112233445566/answers/"
	benchQuestion = "0195f3a4-7b8c-7d6e-9f00-665544332211"
	benchCookie   = sessionCookie + "=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy"
	benchBody     = `{"choice":"b","flagged":false,"seq":1750000000000000}`
	benchJSON     = `{"ok":true,"seq":1750000000000000}`
)

var benchAnswer = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n" +
	"Date: Mon, 02 Jun 2025 10:00:00 GMT\r\nContent-Length: " + strconv.Itoa(len(benchJSON)) + "\r\n\r\n" + benchJSON

// benchServers are the two servers each benchmark runs against: net/http's
// (whose allocations count too), and the canned one (so the figures are the
// client's alone).
func benchServers(b *testing.B) map[string]string {
	hs := newCountingServer(b, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(benchJSON))
	})
	cs := newCannedServer(b, always(benchAnswer))
	return map[string]string{"httptest": hs.URL, "canned": cs.base}
}

// BenchmarkRawPut is the flood's save through rawConn.
func BenchmarkRawPut(b *testing.B) {
	for name, base := range benchServers(b) {
		b.Run(name, func(b *testing.B) {
			c := mustRawConn(b, base, 5*time.Second)
			body := []byte(benchBody)
			b.ReportAllocs()
			cpu, n := readCPU(), 0
			for b.Loop() {
				status, _, err := c.do(http.MethodPut, benchCookie, body, bodyUnlessOK, benchPrefix, benchQuestion)
				if err != nil || status != 200 {
					b.Fatal(status, err)
				}
				n++
			}
			reportCPU(b, cpu, n)
		})
	}
}

// BenchmarkNetHTTPPut is the flood's save as it was sent through net/http.
func BenchmarkNetHTTPPut(b *testing.B) {
	for name, base := range benchServers(b) {
		b.Run(name, func(b *testing.B) {
			tr := newTransport(1, 1)
			defer tr.CloseIdleConnections()
			client := newClient(tr, 5*time.Second)
			ctx := context.Background()
			body := []byte(benchBody)
			b.ReportAllocs()
			cpu, n := readCPU(), 0
			for b.Loop() {
				n++
				req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+benchPrefix+benchQuestion, bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Cookie", benchCookie)
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatal(res.StatusCode)
				}
			}
			reportCPU(b, cpu, n)
		})
	}
}

// reportCPU adds the process's CPU time per request since start, server
// included: on a busy machine ns/op is mostly waiting for the other side to be
// scheduled, while the CPU a request costs is what the benchmark setup cannot
// spare.
func reportCPU(b *testing.B, start cpuClock, n int) {
	now := readCPU()
	if n > 0 {
		b.ReportMetric(float64(now.user-start.user+now.sys-start.sys)/float64(n), "cpu-ns/op")
	}
}

// TestRawConnTakeBody: a body taken from the connection (into the reserved
// buffer, when there is one) is the caller's: the next answers on that
// connection, shorter or longer, leave it as it was.
func TestRawConnTakeBody(t *testing.T) {
	var n atomic.Int64
	srv := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		k := n.Add(1)
		_, _ = io.WriteString(w, strings.Repeat(fmt.Sprint(k), int(3000*k)))
	})
	c := mustRawConn(t, srv.URL, 5*time.Second)
	c.reserveBody(16 << 10)
	var kept [][]byte
	for range 3 {
		if status, _, err := c.do(http.MethodGet, "", nil, bodyAlways, "/"); err != nil || status != http.StatusOK {
			t.Fatalf("status %d, %v", status, err)
		}
		kept = append(kept, c.takeBody())
	}
	for i, b := range kept {
		if want := strings.Repeat(fmt.Sprint(i+1), 3000*(i+1)); string(b) != want {
			t.Errorf("answer %d kept as %d bytes starting %q, want %d bytes of %q", i+1, len(b), b[:min(8, len(b))], len(want), want[:1])
		}
	}
}
