package main

// A lean HTTP/1.1 client for the hot requests of the load tool (the flood's
// saves and the storm's starts).
//
// The benchmark runs examd, PostgreSQL and examload on the same two cores, so
// every microsecond the load tool spends on a request is taken from the server
// under test. net/http's client runs a reader and a writer goroutine per
// connection, hands each request and answer between them over channels, and
// allocates a Request, a Response, header maps and body readers per request:
// about 150 µs of CPU per save in the flood's profiles. rawConn does the same
// exchange on the calling goroutine, with buffers it keeps, and allocates
// nothing per request in steady state.
//
// BenchmarkRawPut and BenchmarkNetHTTPPut (rawhttp_test.go): one flood save (a
// PUT of a 53-byte JSON body, a 200 with 34 bytes of JSON), client and server
// in one process; medians of 8 runs, go1.26, linux/amd64, 2 shared vCPUs (AMD
// EPYC) with other work on them, where a loopback round trip costs tens of
// microseconds of system time. cpu-ns/op is the process's CPU per save, the
// server's included:
//
//	                       ns/op  cpu-ns/op   B/op  allocs/op
//	net/http, canned     130,000    141,000  5,610         67
//	rawConn,  canned      48,600     47,900      0          0
//	net/http, httptest   230,000    247,000  8,230         94
//	rawConn,  httptest   154,000    182,000  2,640         27
//
// "canned" is a bare TCP server that answers every request with fixed bytes and
// allocates nothing, so its rows' allocations are the client's alone (its CPU
// is the client's plus one read and one write); "httptest" is a net/http
// server, whose own 27 allocations count in both of its rows. Against
// a real examd (flood, closed model, 64 workers, 500 attempts, 8 s, three runs
// each), examload's own CPU fell from 163–182 µs to 60–61 µs per save.
//
// What it does not do, since examd's answers to these requests never need it:
// HTTP/2, TLS, proxies, compression, redirects (a 3xx is a status like any
// other, as the net/http client here was told to do), Expect: 100-continue,
// pipelining, cookies beyond the one it is given, and header values back to the
// caller. Nor does it watch an idle connection: bytes a server sent unasked
// while the connection was idle would be read as the next answer (net/http's
// reader goroutine catches that; net/http's server never sends such bytes).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// maxRawBody bounds a body read back for the caller: examd's largest answer
	// here (a start with its questions) is a few kilobytes, and a runaway
	// answer must not take the machine's memory with it.
	maxRawBody = 16 << 20
	// maxRawHeader bounds the status line and headers of one answer, as
	// net/http's MaxResponseHeaderBytes does, so a server that never ends its
	// headers cannot keep the client reading.
	maxRawHeader = 1 << 20
)

// bodyPolicy says when rawConn.do hands the answer's body back. Bodies not
// handed back are read past without being kept, so that the connection can
// serve the next request and nothing is allocated for them.
type bodyPolicy int

const (
	// bodyUnlessOK keeps the body of any answer but a 200: the flood counts a
	// 200 and looks into anything else for its error code.
	bodyUnlessOK bodyPolicy = iota
	// bodyAlways keeps every body: the storm needs the JSON of a 200 or 201 to
	// write the attempts file.
	bodyAlways
	// bodyNever keeps none: the barrier's warm-up only wants the status.
	bodyNever
)

// errRawProtocol marks an answer this client cannot read as HTTP/1.1; it is
// reported as "net: other", as net/http's "malformed HTTP response" was.
var errRawProtocol = errors.New("malformed HTTP/1.1 answer")

// rawConn is one keep-alive HTTP/1.1 connection to the server under test,
// used by one goroutine at a time (one flood worker, one storm candidate). It
// dials lazily, and again after the server closes the connection.
type rawConn struct {
	host    string        // Host header and dial address, e.g. 127.0.0.1:18081
	origin  string        // http://host, for error texts
	timeout time.Duration // for one request, dial and retry included
	ctx     context.Context
	stop    func() bool // unregisters the cancel hook
	dialer  net.Dialer

	// mu guards conn and cancelled against the cancel hook, which runs on
	// another goroutine. Only the owning goroutine assigns conn, so it reads it
	// without the lock.
	mu        sync.Mutex
	conn      net.Conn
	cancelled bool

	br     *bufio.Reader
	req    []byte // the request being written, reused
	body   []byte // the body handed back, reused; valid until the next do
	reused bool   // conn has already carried a whole exchange
}

// newRawConn returns a client for base (an http://host:port URL that passed
// parseBase). It dials nothing yet. A request gives up after timeout, and
// every request in flight fails at once when ctx ends, as net/http's do with a
// request context.
func newRawConn(ctx context.Context, base string, timeout time.Duration) (*rawConn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("raw client for %q: %w", base, err)
	}
	if u.Scheme != "http" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("raw client for %q: want http://host:port", base)
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("raw client for %q: timeout %s: want a positive one", base, timeout)
	}
	c := &rawConn{
		host:    u.Host,
		origin:  "http://" + u.Host,
		timeout: timeout,
		ctx:     ctx,
		// The same guard as newTransport's: whatever a name resolves to, only a
		// loopback address is ever connected to.
		dialer: net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackOnly},
		br:     bufio.NewReaderSize(nil, 4096),
		req:    make([]byte, 0, 512),
	}
	c.stop = context.AfterFunc(ctx, c.cancel)
	return c, nil
}

// cancel runs when the context ends: closing the connection unblocks a read or
// write in flight, and the flag stops a redial.
func (c *rawConn) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelled = true
	if c.conn != nil {
		c.conn.Close()
	}
}

// Close closes the connection and forgets the context.
func (c *rawConn) Close() error {
	c.stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.conn != nil {
		err = c.conn.Close()
		c.conn = nil
	}
	return err
}

// drop closes the connection after an answer that ends it or an exchange that
// failed midway (its state is then unknown), so that the next request dials.
func (c *rawConn) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	c.reused = false
}

// dial opens a new connection, giving up at deadline.
func (c *rawConn) dial(deadline time.Time) error {
	d := c.dialer
	d.Deadline = deadline
	conn, err := d.DialContext(c.ctx, "tcp", c.host)
	if err != nil {
		return err // "dial tcp ADDRESS: …" says enough
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelled {
		conn.Close()
		return fmt.Errorf("dial: %w", context.Cause(c.ctx))
	}
	c.conn = conn
	c.reused = false
	c.br.Reset(conn)
	return nil
}

// do sends one request and reads its answer: the status and, as want says,
// the body (valid until the next call). The path is the concatenation of
// pathParts, so that a caller need not allocate to join an attempt's prefix and
// a question id. body is sent as application/json when not empty.
//
// A reused connection that fails before any byte of the answer arrived was, as
// far as anyone can tell, closed by the server while idle; the request is then
// sent once more on a new connection, as net/http does for a PUT. (net/http
// would not for a POST; the storm's start may be sent again all the same,
// since examd answers a second start of a running attempt by resuming it.)
// Any other failure closes the connection and is returned with the syscall or
// io error inside, for netFailureKind.
func (c *rawConn) do(method, cookie string, body []byte, want bodyPolicy, pathParts ...string) (int, []byte, error) {
	if err := c.writeRequest(method, cookie, body, pathParts); err != nil {
		return 0, nil, c.fail(method, pathParts, err)
	}
	deadline := time.Now().Add(c.timeout)
	for retry := false; ; retry = true {
		if c.conn == nil {
			if err := c.dial(deadline); err != nil {
				return 0, nil, c.fail(method, pathParts, err)
			}
		}
		reused := c.reused
		status, err := c.exchange(method, deadline, want)
		if err == nil {
			return status, c.body, nil
		}
		c.drop()
		var idle *idleClosedError
		if errors.As(err, &idle) {
			err = idle.err
			if reused && !retry {
				continue
			}
		}
		return 0, nil, c.fail(method, pathParts, err)
	}
}

// fail gives err the request's method and URL, as net/http's errors carry
// them.
func (c *rawConn) fail(method string, pathParts []string, err error) error {
	return fmt.Errorf("%s %s%s: %w", method, c.origin, strings.Join(pathParts, ""), err)
}

// idleClosedError marks a failure before any byte of the answer arrived that
// looks like the server closing the connection, the one failure worth sending
// the request again for.
type idleClosedError struct{ err error }

func (e *idleClosedError) Error() string { return e.err.Error() }
func (e *idleClosedError) Unwrap() error { return e.err }

// closedByPeer reports whether err is the server having closed or reset the
// connection (and not, say, a timeout, which a second try would not cure).
func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

// writeRequest renders the request into c.req, checking that no field can
// split it into two (net/http refuses such headers too).
func (c *rawConn) writeRequest(method, cookie string, body []byte, pathParts []string) error {
	if !validToken(method) {
		return fmt.Errorf("write request: method %q: %w", method, errRawProtocol)
	}
	if !validFieldValue(cookie) {
		return errors.New("write request: the cookie holds a control character")
	}
	b := append(c.req[:0], method...)
	b = append(b, ' ')
	n := len(b)
	for _, p := range pathParts {
		b = append(b, p...)
	}
	if len(b) == n || b[n] != '/' || !validTarget(b[n:]) {
		return fmt.Errorf("write request: path %q: want an absolute path without spaces or control characters", b[n:])
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.host...)
	// Access logs told the load tool's requests apart by their user agent when
	// it was net/http's; they still can.
	b = append(b, "\r\nUser-Agent: examload\r\nAccept: application/json\r\n"...)
	if cookie != "" {
		b = append(b, "Cookie: "...)
		b = append(b, cookie...)
		b = append(b, "\r\n"...)
	}
	if len(body) > 0 {
		b = append(b, "Content-Type: application/json\r\n"...)
	}
	// As net/http: a length for a body or for a method that expects one.
	if len(body) > 0 || method == "POST" || method == "PUT" || method == "PATCH" {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, body...)
	c.req = b
	return nil
}

// exchange writes c.req (in one Write, so one segment for a small request) and
// reads the answer. A failure before any answer byte that closedByPeer
// recognises comes back as an *idleClosedError.
func (c *rawConn) exchange(method string, deadline time.Time, want bodyPolicy) (int, error) {
	if err := c.conn.SetDeadline(deadline); err != nil {
		return 0, fmt.Errorf("set deadline: %w", err)
	}
	if _, err := c.conn.Write(c.req); err != nil {
		if closedByPeer(err) {
			return 0, &idleClosedError{fmt.Errorf("write request: %w", err)}
		}
		return 0, fmt.Errorf("write request: %w", err)
	}
	if _, err := c.br.Peek(1); err != nil {
		if closedByPeer(err) {
			return 0, &idleClosedError{fmt.Errorf("read answer: %w", err)}
		}
		return 0, fmt.Errorf("read answer: %w", err)
	}
	for {
		h, err := c.readHead()
		if err != nil {
			return 0, fmt.Errorf("read answer: %w", err)
		}
		if h.status >= 100 && h.status < 200 {
			if h.status == 101 {
				return 0, fmt.Errorf("read answer: 101 Switching Protocols unasked: %w", errRawProtocol)
			}
			continue // an interim answer (100 Continue, 103 Early Hints): the real one follows
		}
		if err := c.readBody(method, &h, want); err != nil {
			return 0, fmt.Errorf("read body of a %d: %w", h.status, err)
		}
		// Bytes past the answer were never asked for: the connection is out
		// of step, and the next answer read from it could be this one's.
		if h.close || c.br.Buffered() > 0 {
			c.drop()
		} else {
			c.reused = true
		}
		return h.status, nil
	}
}

// rawHead is what rawConn needs from an answer's status line and headers.
type rawHead struct {
	status  int
	length  int64 // Content-Length, -1 when absent
	chunked bool  // Transfer-Encoding ends in chunked
	coded   bool  // Transfer-Encoding present without chunked: body until close
	close   bool  // the server closes the connection after this answer
}

// readHead reads a status line and headers.
func (c *rawConn) readHead() (rawHead, error) {
	h := rawHead{length: -1}
	line, n, err := c.readLine(0, false)
	if err != nil {
		return h, err
	}
	// HTTP/1.x SP 3DIGIT [SP reason]
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
		(len(line) > 12 && line[12] != ' ') {
		return h, fmt.Errorf("status line %q: %w", line, errRawProtocol)
	}
	minor := line[7]
	if minor != '0' && minor != '1' {
		return h, fmt.Errorf("status line %q: %w", line, errRawProtocol)
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return h, fmt.Errorf("status line %q: %w", line, errRawProtocol)
		}
		h.status = h.status*10 + int(d-'0')
	}
	var closeSaid, keepAliveSaid bool
	for {
		line, n, err = c.readLine(n, true)
		if errors.Is(err, errSkippedLine) {
			continue
		}
		if err != nil {
			return h, unexpectedEOF(err)
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return h, fmt.Errorf("header line %q: %w", line, errRawProtocol)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			v, ok := parseLength(value)
			if !ok || (h.length >= 0 && v != h.length) {
				return h, fmt.Errorf("Content-Length %q: %w", value, errRawProtocol)
			}
			h.length = v
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if lastToken(value, "chunked") {
				h.chunked, h.coded = true, false
			} else {
				h.chunked, h.coded = false, true
			}
		case bytes.EqualFold(name, []byte("Connection")):
			closeSaid = closeSaid || hasToken(value, "close")
			keepAliveSaid = keepAliveSaid || hasToken(value, "keep-alive")
		}
	}
	// HTTP/1.1 keeps the connection unless told otherwise; HTTP/1.0 closes it
	// unless told otherwise.
	h.close = closeSaid || (minor == '0' && !keepAliveSaid)
	return h, nil
}

// errSkippedLine is readLine's word for a header line too long for the
// buffer that was read past: no header rawConn looks at is ever that long.
var errSkippedLine = errors.New("long header line read past")

// readLine returns the next line without its CRLF (or LF), the line valid
// until the next read. read is the header bytes read so far, for the
// maxRawHeader bound; the new count is returned. A line longer than the
// buffer is an error, unless header is set and the line is not one of the
// headers readHead looks at: that one is read past (errSkippedLine), as a
// long Content-Security-Policy or Set-Cookie would be.
func (c *rawConn) readLine(read int, header bool) ([]byte, int, error) {
	line, err := c.br.ReadSlice('\n')
	read += len(line)
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		if !header || bodyHeader(line) {
			return nil, read, fmt.Errorf("a line over %d bytes: %w", c.br.Size(), errRawProtocol)
		}
		for errors.Is(err, bufio.ErrBufferFull) && read <= maxRawHeader {
			line, err = c.br.ReadSlice('\n')
			read += len(line)
		}
		switch {
		case read > maxRawHeader:
			return nil, read, fmt.Errorf("headers over %d bytes: %w", maxRawHeader, errRawProtocol)
		case err != nil:
			return nil, read, unexpectedEOF(err)
		}
		return nil, read, errSkippedLine
	case errors.Is(err, io.EOF) && len(line) > 0:
		return nil, read, fmt.Errorf("line cut short: %w", io.ErrUnexpectedEOF)
	case err != nil:
		return nil, read, err
	case read > maxRawHeader:
		return nil, read, fmt.Errorf("headers over %d bytes: %w", maxRawHeader, errRawProtocol)
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, read, nil
}

// bodyHeader reports whether the header line begins with the name of a header
// that says how the body is framed or whether the connection lasts.
func bodyHeader(line []byte) bool {
	name, _, _ := bytes.Cut(line, []byte(":"))
	name = bytes.TrimSpace(name)
	return bytes.EqualFold(name, []byte("Content-Length")) || bytes.EqualFold(name, []byte("Transfer-Encoding")) ||
		bytes.EqualFold(name, []byte("Connection"))
}

// readBody reads the body h announces, keeping it in c.body when want asks for
// it and reading past it otherwise. A body without a length ends the
// connection, which it marks in h.
func (c *rawConn) readBody(method string, h *rawHead, want bodyPolicy) error {
	c.body = c.body[:0]
	keep := want == bodyAlways || (want == bodyUnlessOK && h.status != 200)
	switch {
	case method == "HEAD" || h.status == 204 || h.status == 304:
		return nil
	case h.chunked:
		return c.readChunked(keep)
	case h.coded || h.length < 0:
		// No length: the body runs until the server closes the connection.
		h.close = true
		return c.readToEOF(keep)
	default:
		return c.readN(h.length, keep)
	}
}

// readN reads n body bytes, appending them to c.body when keep is set.
func (c *rawConn) readN(n int64, keep bool) error {
	if !keep {
		if _, err := c.br.Discard(int(n)); err != nil {
			return unexpectedEOF(err)
		}
		return nil
	}
	if int64(len(c.body))+n > maxRawBody {
		return fmt.Errorf("a body over %d bytes: %w", maxRawBody, errRawProtocol)
	}
	start := len(c.body)
	c.body = grow(c.body, int(n))
	if _, err := io.ReadFull(c.br, c.body[start:]); err != nil {
		return unexpectedEOF(err)
	}
	return nil
}

// readChunked reads a chunked body (RFC 9112 §7.1): hex size lines, each
// chunk and its CRLF, then trailer lines up to an empty one. Chunk extensions
// and trailers are read past. Only the trailer counts against maxRawHeader:
// the deadline, not a byte count, bounds a long body.
func (c *rawConn) readChunked(keep bool) error {
	for {
		line, _, err := c.readLine(0, false)
		if err != nil {
			return unexpectedEOF(err)
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, ok := parseHex(bytes.TrimRight(line, " \t"))
		if !ok {
			return fmt.Errorf("chunk size %q: %w", line, errRawProtocol)
		}
		if size == 0 {
			break
		}
		if err := c.readN(size, keep); err != nil {
			return err
		}
		crlf, _, err := c.readLine(0, false)
		if err != nil {
			return unexpectedEOF(err)
		}
		if len(crlf) != 0 {
			return fmt.Errorf("no CRLF after a chunk: %w", errRawProtocol)
		}
	}
	read := 0
	for {
		line, n, err := c.readLine(read, true)
		read = n
		if errors.Is(err, errSkippedLine) {
			continue
		}
		if err != nil {
			return unexpectedEOF(err)
		}
		if len(line) == 0 {
			return nil
		}
	}
}

// readToEOF reads a body that ends with the connection.
func (c *rawConn) readToEOF(keep bool) error {
	for {
		if !keep {
			if _, err := c.br.Discard(c.br.Size()); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			continue
		}
		if len(c.body) > maxRawBody {
			return fmt.Errorf("a body over %d bytes: %w", maxRawBody, errRawProtocol)
		}
		if len(c.body) == cap(c.body) {
			c.body = append(c.body, 0)[:len(c.body)]
		}
		n, err := c.br.Read(c.body[len(c.body):cap(c.body)])
		c.body = c.body[:len(c.body)+n]
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// takeBody hands the last answer's body to the caller for good: the connection
// reads its next answer into another buffer.
func (c *rawConn) takeBody() []byte {
	b := c.body
	c.body = nil
	return b
}

// reserveBody gives the connection a body buffer of n bytes, every page of it
// written once, so that an answer read into it later does not fault in fresh
// memory then (a page fault costs 10–15 µs on some machines: examload's 10,000
// storm answers of 9 KB were ~45,000 faults inside the storm, on the cores the
// server under test needs).
func (c *rawConn) reserveBody(n int) {
	b := make([]byte, n)
	for i := 0; i < n; i += os.Getpagesize() {
		b[i] = 1
	}
	c.body = b[:0]
}

// grow extends b by n bytes, reallocating only when its capacity is short.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// unexpectedEOF turns an io.EOF in the middle of an answer into
// io.ErrUnexpectedEOF: the answer was cut short, not absent.
func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseLength parses a Content-Length value: decimal digits only, as RFC 9110
// wants, and no more than maxRawBody's order of magnitude would overflow.
func parseLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, d := range v {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, true
}

// parseHex parses a chunk size.
func parseHex(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 15 {
		return 0, false
	}
	var n int64
	for _, d := range v {
		switch {
		case d >= '0' && d <= '9':
			d -= '0'
		case d >= 'a' && d <= 'f':
			d -= 'a' - 10
		case d >= 'A' && d <= 'F':
			d -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}

// hasToken reports whether the comma-separated list v holds token, in any
// case.
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		var t []byte
		t, v, _ = bytes.Cut(v, []byte(","))
		if bytes.EqualFold(bytes.TrimSpace(t), []byte(token)) {
			return true
		}
	}
	return false
}

// lastToken reports whether the comma-separated list v ends in token: a
// transfer coding applies to the body only if it is the last one.
func lastToken(v []byte, token string) bool {
	if i := bytes.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return bytes.EqualFold(bytes.TrimSpace(v), []byte(token))
}

// validToken reports whether s is a non-empty HTTP token (RFC 9110 §5.6.2).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b <= ' ' || b >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, b) >= 0 {
			return false
		}
	}
	return true
}

// validFieldValue reports whether s can be sent as a header value: no control
// character but tab, so no CR or LF that would start a header of its own.
func validFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// validTarget reports whether p can be a request target: no space or control
// character, which would end or split the request line.
func validTarget(p []byte) bool {
	for _, b := range p {
		if b <= ' ' || b == 0x7f {
			return false
		}
	}
	return true
}
