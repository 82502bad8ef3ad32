#!/usr/bin/env bash
# ensure-postgres.sh — make sure a PostgreSQL server is reachable and print ONE admin
# connection URL to its `postgres` database on stdout. What it does goes to stderr.
#
# Tried in order:
#   a. DATABASE_URL, when set and reachable: the same server, database postgres
#      (or DATABASE_URL itself when that database cannot be opened);
#   b. the server at 127.0.0.1:5432 as user postgres (skipped with EXAMD_SKIP_SYSTEM_PG=1);
#   c. a private cluster made with the installed initdb/pg_ctl in .pgdata/ (git-ignored;
#      /tmp/examd-pgdata-UID when the postgres user cannot reach the repository),
#      trust auth, 127.0.0.1:55432, started or reused; as root it runs as `postgres`;
#   d. otherwise: how to install PostgreSQL, and exit 1.
#
# Environment: DATABASE_URL, EXAMD_SKIP_SYSTEM_PG=1, EXAMD_PG_PORT (55432),
# EXAMD_PG_DIR (folder of the private cluster). `scripts/pg-stop.sh` stops it.
set -euo pipefail

PG_LOG_PREFIX=ensure-postgres
# shellcheck source=scripts/pg-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

# --- a. DATABASE_URL ---------------------------------------------------------
if [[ -n ${DATABASE_URL:-} ]]; then
	shown=$(pg_redact "$DATABASE_URL")
	if admin=$(pg_url_with_db "$DATABASE_URL" postgres) && pg_probe "$admin"; then
		pg_log "using the server of DATABASE_URL: $(pg_redact "$admin")"
		printf '%s\n' "$admin"
		exit 0
	fi
	if pg_probe "$DATABASE_URL"; then
		own=$DATABASE_URL
		if [[ $own != *sslmode=* ]]; then
			if [[ $own == *://* ]]; then
				[[ $own == *\?* ]] && own="$own&sslmode=disable" || own="$own?sslmode=disable"
			else
				own="$own sslmode=disable"
			fi
		fi
		pg_log "using DATABASE_URL as it is (its server's postgres database did not answer): $(pg_redact "$own")"
		printf '%s\n' "$own"
		exit 0
	fi
	pg_log "DATABASE_URL is set but does not answer ($shown); trying the others"
fi

# --- b. the system server on 127.0.0.1:5432 ------------------------------------
system_url='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
if [[ ${EXAMD_SKIP_SYSTEM_PG:-} == 1 ]]; then
	pg_log "EXAMD_SKIP_SYSTEM_PG=1: not trying 127.0.0.1:5432"
elif pg_probe "$system_url"; then
	pg_log "using the server at 127.0.0.1:5432"
	printf '%s\n' "$system_url"
	exit 0
else
	pg_log "no server answers at 127.0.0.1:5432 as user postgres"
fi

# --- c. a private cluster -------------------------------------------------------
port=$PG_PRIVATE_PORT
private_url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"

initdb=$(pg_find initdb) || initdb=
pg_ctl=$(pg_find pg_ctl) || pg_ctl=
if [[ -z $initdb || -z $pg_ctl ]] || ! pg_find psql >/dev/null; then
	# --- d. nothing to start --------------------------------------------------
	pg_log "PostgreSQL is not installed. Install it with: apt-get install postgresql"
	exit 1
fi

# Use the folder of a cluster made before, else the first folder we may use.
dir=
while IFS= read -r d; do
	if [[ -f $d/data/PG_VERSION ]]; then
		dir=$d
		break
	fi
done < <(pg_private_dirs)

owner=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
	if ! id postgres >/dev/null 2>&1; then
		pg_log "running as root, and initdb refuses root, but there is no 'postgres' user;"
		pg_log "run as an ordinary user, or install the server (apt-get install postgresql) which creates one"
		exit 1
	fi
	owner=postgres
fi

if [[ -z $dir ]]; then
	while IFS= read -r d; do
		mkdir -p "$d" 2>/dev/null || continue
		if [[ $owner != $(id -un) ]]; then
			chown "$owner:" "$d"
			chmod 0700 "$d"
		fi
		# The unix socket path must stay under the kernel's 107-byte limit.
		if ((${#d} + 20 > 100)); then
			pg_log "$d is too deep for a unix socket path; trying the next folder"
			continue
		fi
		if pg_as "$owner" test -w "$d" -a -x "$d"; then
			dir=$d
			break
		fi
		pg_log "user $owner cannot write in $d (it or a parent folder is closed to it); trying the next folder"
		rmdir "$d" 2>/dev/null || true
	done < <(pg_private_dirs)
	if [[ -z $dir ]]; then
		pg_log "found no folder for a private cluster that user $owner can write"
		exit 1
	fi
	[[ $dir != "$(pg_private_dirs | head -n 1)" ]] &&
		pg_log "using $dir for the private cluster, because user $owner cannot use the repository's .pgdata/"
fi
owner=$(stat -c %U "$dir")
data=$dir/data
sock=$dir/run
logfile=$dir/postgres.log

# wait_ready prints the URL once the private cluster answers, or fails after ~10 s.
wait_ready() {
	for _ in $(seq 1 50); do
		if pg_probe "$private_url"; then
			printf '%s\n' "$private_url"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# Already running: the quick path.
if [[ -f $data/PG_VERSION ]] && pg_as "$owner" "$pg_ctl" status -D "$data" >/dev/null 2>&1; then
	if wait_ready; then
		pg_log "reusing the private cluster in $dir (127.0.0.1:$port)"
		exit 0
	fi
	pg_log "the private cluster in $dir runs but does not answer on 127.0.0.1:$port; see $logfile"
	exit 1
fi

if [[ ! -f $data/PG_VERSION ]]; then
	pg_log "creating a private cluster in $dir with $initdb (user $owner)"
	locale_opt=--no-locale
	if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then locale_opt=--locale=C.UTF-8; fi
	pg_as "$owner" mkdir -p "$sock"
	pg_as "$owner" env LC_ALL=C "$initdb" -D "$data" -U postgres -A trust -E UTF8 "$locale_opt" >"$dir/initdb.log.tmp" 2>&1 || {
		cat "$dir/initdb.log.tmp" >&2
		pg_log "initdb failed"
		exit 1
	}
	rm -f "$dir/initdb.log.tmp"
	# A scratch cluster for development and tests: no durability on crash, in
	# exchange for fast CREATE DATABASE and commits.
	pg_as "$owner" sh -c "cat >>'$data/postgresql.conf'" <<EOF

# --- examd private development cluster (scripts/ensure-postgres.sh) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
fi

if pg_probe "$private_url"; then
	pg_log "another server already answers on 127.0.0.1:$port; set EXAMD_PG_PORT to another port"
	exit 1
fi

pg_log "starting the private cluster in $dir on 127.0.0.1:$port (log: $logfile)"
pg_as "$owner" mkdir -p "$sock"
# The port lies in Linux's ephemeral range (32768-60999), so a client socket of some
# other program may hold it for a moment: retry a few times before giving up.
for attempt in 1 2 3 4 5 6; do
	seen=$({ wc -l <"$logfile"; } 2>/dev/null || echo 0)
	# -l sends the server's output to the log, so it does not hold our stdout open.
	if pg_as "$owner" env LC_ALL=C "$pg_ctl" start -D "$data" -l "$logfile" -w -t 60 \
		-o "-p $port -k '$sock' -c listen_addresses=127.0.0.1" >&2; then
		break
	fi
	if ((attempt < 6)) && tail -n +"$((seen + 1))" "$logfile" 2>/dev/null | grep -q 'Address already in use'; then
		pg_log "port $port is busy for now (attempt $attempt); retrying in 2 s"
		sleep 2
		continue
	fi
	tail -n +"$((seen + 1))" "$logfile" | tail -n 20 >&2 || true
	pg_log "pg_ctl could not start the private cluster (if port $port stays taken, set EXAMD_PG_PORT)"
	exit 1
done
if wait_ready; then
	pg_log "private cluster ready: $private_url (stop it with: make pg-stop)"
	exit 0
fi
pg_log "the private cluster started but does not answer on 127.0.0.1:$port; see $logfile"
exit 1
