package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// sessionCookie is the name of examd's session cookie.
const sessionCookie = "examd_session"

// errNotLoopback is returned for a --base or a dialled address off this machine:
// the tool is a load generator, and it only ever loads a server on loopback.
var errNotLoopback = errors.New("only a server on this machine (127.0.0.1, localhost or ::1) may be loaded")

// parseBase checks --base: an http URL whose host is 127.0.0.1, localhost or ::1.
// It returns the URL without a trailing slash.
func parseBase(base string) (string, error) {
	if base == "" {
		return "", errors.New("--base is required (e.g. http://127.0.0.1:18081)")
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("--base %q: %w", base, err)
	}
	if u.Scheme != "http" {
		return "", fmt.Errorf("--base %q: want an http:// URL", base)
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
	default:
		return "", fmt.Errorf("--base %q: %w", base, errNotLoopback)
	}
	if u.Port() == "" {
		return "", fmt.Errorf("--base %q: name the port", base)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// loopbackOnly refuses, at dial time, any address that is not a loopback one,
// so that neither a name that resolves elsewhere nor a redirect can send the
// load off this machine.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("dial %s: %w", address, errNotLoopback)
	}
	return nil
}

// newTransport returns a keep-alive HTTP/1.1 transport that holds up to conns
// idle connections to the server (one per worker), and opens at most maxConns
// at once when maxConns > 0.
func newTransport(conns, maxConns int) *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackOnly}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          conns,
		MaxIdleConnsPerHost:   conns,
		MaxConnsPerHost:       maxConns,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
		ExpectContinueTimeout: 0,
	}
}

// newClient returns a client on transport that never follows redirects (a
// redirect is an answer to report, not to chase) and gives up after timeout.
func newClient(t http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: t,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// apiError is examd's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// failureKind names a failed answer by its status and error code, e.g.
// "409 time_over" or "503".
func failureKind(status int, body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
		return fmt.Sprintf("%d %s", status, e.Error.Code)
	}
	return fmt.Sprint(status)
}

// netFailureKind names a request that got no answer.
func netFailureKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "net: timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "net: connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "net: connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "net: connection closed by the server"
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "net: too many open files"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "net: no free local port"
	case errors.Is(err, errNotLoopback):
		return "net: not loopback"
	}
	return "net: other"
}

// sampleText cuts a body or an error text to a size fit for a report.
func sampleText(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// doJSON sends a JSON request (body may be nil) with the session token as the
// cookie, and returns the status and the whole body.
func doJSON(ctx context.Context, c *http.Client, method, url, token string, body any) (int, []byte, *http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Cookie", sessionCookie+"="+token)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, nil, res, err
	}
	return res.StatusCode, b, res, nil
}

// waitReady polls GET /readyz until examd answers 200 or ctx ends.
func waitReady(ctx context.Context, c *http.Client, base string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		status, _, _, err := doJSON(ctx, c, http.MethodGet, base+"/readyz", "", nil)
		if err == nil && status == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("status %d", status)
			}
			return fmt.Errorf("%s/readyz did not answer 200 within %s: %v", base, within, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// writeFileAtomic writes a file through a temporary one and a rename, so that a
// reader never sees half of it.
func writeFileAtomic(path string, write func(w io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
