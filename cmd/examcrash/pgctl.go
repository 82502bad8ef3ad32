package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pgControl stops, starts and restarts the PostgreSQL server that holds the test
// database: a Debian cluster through pg_ctlcluster, or any other cluster on this
// machine through its own pg_ctl, run as the cluster's owner.
type pgControl struct {
	// desc says which server this is and how it is controlled, for the report.
	desc string
	// Debian cluster (pg_ctlcluster VERSION NAME ...), when version is set.
	version, cluster string
	// Otherwise pg_ctl -D dataDir, as owner, with logFile and the server
	// options it was started with (from postmaster.opts).
	pgCtl, dataDir, owner, logFile string
	opts                           []string
}

// detectPG finds out whether this process can restart the server that db is
// connected to (through adminURL). It returns the control, or nil and the reason
// why not.
func detectPG(ctx context.Context, db *sql.DB, adminURL string) (*pgControl, string) {
	if !urlIsLocal(adminURL) {
		return nil, "the server is not on this machine (its URL names a host other than 127.0.0.1, localhost, ::1 or a socket)"
	}
	var dataDir string
	var versionNum int
	err := db.QueryRowContext(ctx, `SELECT current_setting('data_directory'), current_setting('server_version_num')::int`).Scan(&dataDir, &versionNum)
	if err != nil {
		return nil, fmt.Sprintf("cannot read the server's data_directory (needs a superuser): %v", err)
	}
	st, err := os.Stat(dataDir)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Sprintf("this user (uid %d) may not look into the server's data directory %s", os.Geteuid(), dataDir)
	case err != nil:
		return nil, fmt.Sprintf("the server's data directory %s is not on this machine's file system (another machine or a container?): %v", dataDir, err)
	}
	realData, err := filepath.EvalSymlinks(dataDir)
	if err != nil {
		realData = dataDir
	}
	major := versionNum / 10000
	uid := int(st.Sys().(*syscall.Stat_t).Uid)
	owner := strconv.Itoa(uid)
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	euid := os.Geteuid()

	// A Debian cluster: pg_ctlcluster knows its options, log file and socket.
	if euid == 0 {
		if clusters, err := debianClusters(ctx); err == nil {
			for _, c := range clusters {
				if d, err := filepath.EvalSymlinks(c.dataDir); err == nil && d == realData {
					return &pgControl{
						desc:    fmt.Sprintf("Debian cluster %s/%s (%s), via pg_ctlcluster", c.version, c.name, dataDir),
						version: c.version, cluster: c.name, dataDir: dataDir, owner: c.owner,
					}, ""
				}
			}
		}
	}

	if euid != 0 && euid != uid {
		return nil, fmt.Sprintf("the data directory %s belongs to %s; only that user or root can restart the server", dataDir, owner)
	}
	if uid == 0 {
		return nil, fmt.Sprintf("the data directory %s belongs to root, which PostgreSQL refuses", dataDir)
	}
	pgCtl := fmt.Sprintf("/usr/lib/postgresql/%d/bin/pg_ctl", major)
	if _, err := os.Stat(pgCtl); err != nil {
		p, err := exec.LookPath("pg_ctl")
		if err != nil {
			return nil, fmt.Sprintf("no pg_ctl for PostgreSQL %d (looked in /usr/lib/postgresql/%d/bin and on PATH)", major, major)
		}
		pgCtl = p
	}
	raw, err := os.ReadFile(filepath.Join(dataDir, "postmaster.opts"))
	if err != nil {
		return nil, fmt.Sprintf("cannot read %s/postmaster.opts: %v", dataDir, err)
	}
	opts, err := parsePostmasterOpts(string(raw))
	if err != nil {
		return nil, fmt.Sprintf("%s/postmaster.opts: %v", dataDir, err)
	}
	// The server's output goes to the log file next to the data directory when
	// its owner may write there (as scripts/ensure-postgres.sh keeps it), else
	// into the data directory.
	logFile := filepath.Join(dataDir, "examcrash.log")
	if ps, err := os.Stat(filepath.Dir(dataDir)); err == nil && int(ps.Sys().(*syscall.Stat_t).Uid) == uid {
		logFile = filepath.Join(filepath.Dir(dataDir), "postgres.log")
	}
	return &pgControl{
		desc:  fmt.Sprintf("cluster in %s (owner %s), via %s", dataDir, owner, pgCtl),
		pgCtl: pgCtl, dataDir: dataDir, owner: owner, logFile: logFile, opts: opts,
	}, ""
}

// urlIsLocal tells whether a connection URL (or key=value conninfo) names a
// server on this machine: a loopback address, localhost or a unix socket.
func urlIsLocal(conn string) bool {
	host := ""
	if strings.Contains(conn, "://") {
		u, err := url.Parse(conn)
		if err != nil {
			return false
		}
		host = u.Hostname()
		if h := u.Query().Get("host"); h != "" {
			host = h
		}
	} else {
		for _, f := range strings.Fields(conn) {
			if v, ok := strings.CutPrefix(f, "host="); ok {
				host = strings.Trim(v, "'")
			}
		}
	}
	switch {
	case host == "", strings.HasPrefix(host, "/"), host == "localhost":
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type debianCluster struct{ version, name, owner, dataDir string }

// debianClusters lists the clusters pg_lsclusters knows.
func debianClusters(ctx context.Context) ([]debianCluster, error) {
	if _, err := os.Stat("/etc/postgresql"); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("pg_ctlcluster"); err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, "pg_lsclusters", "--no-header").Output()
	if err != nil {
		return nil, err
	}
	var cs []debianCluster
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// Ver Cluster Port Status Owner Data-directory Log-file
		f := strings.Fields(sc.Text())
		if len(f) >= 6 {
			cs = append(cs, debianCluster{version: f[0], name: f[1], owner: f[4], dataDir: f[5]})
		}
	}
	return cs, nil
}

var optsArg = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

// parsePostmasterOpts reads postmaster.opts (the program, then each argument in
// double quotes) and returns the arguments other than -D and its folder, which
// pg_ctl passes itself.
func parsePostmasterOpts(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty")
	}
	var args []string
	for _, m := range optsArg.FindAllStringSubmatch(s, -1) {
		args = append(args, strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[1]))
	}
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "-D" {
			i++
			continue
		}
		if strings.HasPrefix(args[i], "-D") {
			continue
		}
		out = append(out, args[i])
	}
	return out, nil
}

// shellQuote quotes s for /bin/sh, through which pg_ctl starts the server.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// stop shuts the server down in fast mode (active transactions are rolled
// back, clients disconnected) and waits until it is down.
func (p *pgControl) stop(ctx context.Context) error {
	if p.version != "" {
		return p.exec(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", "-m", "fast", p.version, p.cluster, "stop")
	}
	return p.asOwner(ctx, p.pgCtl, "stop", "-D", p.dataDir, "-m", "fast", "-w", "-t", "60")
}

// start starts the server with the options it ran with and waits until it
// accepts connections.
func (p *pgControl) start(ctx context.Context) error {
	if p.version != "" {
		return p.exec(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", p.version, p.cluster, "start")
	}
	args := []string{"start", "-D", p.dataDir, "-l", p.logFile, "-w", "-t", "60"}
	if len(p.opts) > 0 {
		q := make([]string, len(p.opts))
		for i, o := range p.opts {
			q[i] = shellQuote(o)
		}
		args = append(args, "-o", strings.Join(q, " "))
	}
	return p.asOwner(ctx, p.pgCtl, args...)
}

// restart is a fast-mode restart in one command (pg_ctl restart -m fast).
func (p *pgControl) restart(ctx context.Context) error {
	if p.version != "" {
		return p.exec(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", "-m", "fast", p.version, p.cluster, "restart")
	}
	return p.asOwner(ctx, p.pgCtl, "restart", "-D", p.dataDir, "-m", "fast", "-l", p.logFile, "-w", "-t", "60")
}

// running tells whether the server's postmaster runs (pg_ctl status).
func (p *pgControl) running(ctx context.Context) bool {
	if p.version != "" {
		return p.exec(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", p.version, p.cluster, "status") == nil
	}
	return p.asOwner(ctx, p.pgCtl, "status", "-D", p.dataDir) == nil
}

// asOwner runs a server program as the cluster's owner (runuser when we are root).
func (p *pgControl) asOwner(ctx context.Context, prog string, args ...string) error {
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("runuser"); err == nil {
			return p.exec(ctx, "runuser", append([]string{"-u", p.owner, "--", prog}, args...)...)
		}
		q := []string{shellQuote(prog)}
		for _, a := range args {
			q = append(q, shellQuote(a))
		}
		return p.exec(ctx, "su", p.owner, "-s", "/bin/sh", "-c", strings.Join(q, " "))
	}
	return p.exec(ctx, prog, args...)
}

// exec runs a command from / (the owner may not enter our folder) with a time
// limit, and returns its output with the error.
func (p *pgControl) exec(ctx context.Context, prog string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", prog, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
