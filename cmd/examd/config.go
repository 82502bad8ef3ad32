package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// defaultDatabaseURL is the local development database; sslmode is pinned because
// lib/pq would otherwise insist on TLS.
const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/examd?sslmode=disable"

// config is every setting of the service, read from the environment once.
type config struct {
	DatabaseURL     string
	Addr            string
	Dev             bool
	SessionIdle     time.Duration
	SessionMaxAge   time.Duration
	ElectionDate    time.Time
	LoginMaxAccount int
	LoginMaxIP      int
	LoginWindow     time.Duration
	MaxBodyBytes    int64
	LogLevel        slog.Level
	DBMaxOpen       int
	DBMaxIdle       int
	TrustedProxies  []string
	ShutdownTimeout time.Duration
	SweepInterval   time.Duration
	// DebugAddr, when set, serves net/http/pprof there (keep it on loopback).
	DebugAddr string
	// SaveWorkers goroutines each commit up to SaveBatch answer saves at once.
	SaveWorkers int
	SaveBatch   int
	// ReceiptKey (base64) or ReceiptKeyFile names the receipt signing key; with
	// neither, one is generated once and kept in the database.
	ReceiptKey     string
	ReceiptKeyFile string
	// SetGCPercent and SetMemLimit: GOGC and GOMEMLIMIT are not set, so examd
	// sets the collector's target and soft limit itself (tuneGC).
	SetGCPercent, SetMemLimit bool
}

// configError lists every bad environment variable at once.
type configError map[string]string

func (e configError) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("  %s: %s", k, e[k]))
	}
	return "bad configuration:\n" + strings.Join(lines, "\n")
}

// loadConfig reads the configuration from getenv, applying defaults, and returns a
// configError naming every variable that is wrong.
func loadConfig(getenv func(string) string) (config, error) {
	bad := configError{}
	str := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	dur := func(name string, def time.Duration) time.Duration {
		v := str(name, "")
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			bad[name] = fmt.Sprintf("%q is not a positive duration such as 30m or 12h", v)
			return def
		}
		return d
	}
	num := func(name string, def int) int {
		v := str(name, "")
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			bad[name] = fmt.Sprintf("%q is not a positive whole number", v)
			return def
		}
		return n
	}
	boolean := func(name string) bool {
		v := str(name, "false")
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad[name] = fmt.Sprintf("%q is not true or false", v)
		}
		return b
	}

	c := config{
		DatabaseURL:     str("DATABASE_URL", defaultDatabaseURL),
		Addr:            str("EXAMD_ADDR", ":8080"),
		Dev:             boolean("EXAMD_DEV"),
		SessionIdle:     dur("SESSION_IDLE_TIMEOUT", 30*time.Minute),
		SessionMaxAge:   dur("SESSION_MAX_AGE", 12*time.Hour),
		LoginMaxAccount: num("LOGIN_MAX_FAILURES_ACCOUNT", 5),
		LoginMaxIP:      num("LOGIN_MAX_FAILURES_IP", 50),
		LoginWindow:     dur("LOGIN_FAILURE_WINDOW", 15*time.Minute),
		MaxBodyBytes:    int64(num("MAX_BODY_BYTES", 1<<20)),
		DBMaxOpen:       num("DB_MAX_OPEN_CONNS", 40),
		DBMaxIdle:       num("DB_MAX_IDLE_CONNS", 40),
		ShutdownTimeout: dur("SHUTDOWN_TIMEOUT", 30*time.Second),
		SweepInterval:   dur("SWEEP_INTERVAL", 5*time.Second),
		DebugAddr:       str("DEBUG_ADDR", ""),
		SaveWorkers:     num("SAVE_WORKERS", 2),
		SaveBatch:       num("SAVE_BATCH", 256),
		ReceiptKey:      str("RECEIPT_SIGNING_KEY", ""),
		ReceiptKeyFile:  str("RECEIPT_SIGNING_KEY_FILE", ""),
		SetGCPercent:    strings.TrimSpace(getenv("GOGC")) == "",
		SetMemLimit:     strings.TrimSpace(getenv("GOMEMLIMIT")) == "",
	}
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		bad["DATABASE_URL"] = err.Error()
	}
	if err := checkAddr(c.Addr); err != nil {
		bad["EXAMD_ADDR"] = err.Error()
	}
	if c.DebugAddr != "" {
		if err := checkAddr(c.DebugAddr); err != nil {
			bad["DEBUG_ADDR"] = err.Error()
		}
	}
	election := str("ELECTION_DATE", "2021-06-18")
	if d, err := time.Parse(time.DateOnly, election); err != nil {
		bad["ELECTION_DATE"] = fmt.Sprintf("%q is not a date YYYY-MM-DD", election)
	} else {
		c.ElectionDate = d
	}
	level := str("LOG_LEVEL", "info")
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		bad["LOG_LEVEL"] = fmt.Sprintf("%q is not one of debug, info, warn, error", level)
	}
	if c.SessionIdle > c.SessionMaxAge {
		bad["SESSION_IDLE_TIMEOUT"] = "must not be longer than SESSION_MAX_AGE"
	}
	if p := str("TRUSTED_PROXIES", ""); p != "" {
		for _, cidr := range strings.Split(p, ",") {
			cidr = strings.TrimSpace(cidr)
			if _, _, err := net.ParseCIDR(cidr); err != nil && net.ParseIP(cidr) == nil {
				bad["TRUSTED_PROXIES"] = fmt.Sprintf("%q is not an IP address or CIDR", cidr)
			}
			c.TrustedProxies = append(c.TrustedProxies, cidr)
		}
	}
	if len(bad) > 0 {
		return c, bad
	}
	return c, nil
}

func checkDatabaseURL(u string) error {
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		parsed, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("not a valid URL: %v", err)
		}
		if parsed.Host == "" && parsed.Query().Get("host") == "" {
			return errors.New("the URL names no host")
		}
		return nil
	}
	if strings.Contains(u, "=") {
		return nil // libpq key=value form; the driver checks the keys
	}
	return errors.New("expected postgres://user@host:port/db?sslmode=disable or key=value pairs")
}

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not HOST:PORT", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has no valid port", addr)
	}
	return nil
}
