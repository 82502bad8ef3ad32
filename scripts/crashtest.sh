#!/usr/bin/env bash
# crashtest.sh — what `make crashtest` runs: the crash and fault test of examd.
#
# Builds bin/examd, bin/examload and bin/examcrash, finds a PostgreSQL server and
# runs bin/examcrash on it (see `bin/examcrash -h`): under a load of answer saves,
# examd is killed with SIGKILL and restarted at least 10 times, then PostgreSQL
# itself is stopped and restarted in fast mode; every acknowledged save must be
# in the database afterwards and no attempt in an impossible state. It prints the
# counts and exits non-zero on any loss. About 40 seconds after the build.
#
# Which server:
#   CRASH_PRIVATE_PG=1 (what `make crashtest` sets unless told otherwise): a
#     private cluster of its own, made and started by scripts/ensure-postgres.sh in
#     CRASH_PG_DIR (/tmp/examd-crashpg-UID) on 127.0.0.1:CRASH_PG_PORT (55433), so
#     that the PostgreSQL restart of phase 2 disturbs no one else; it is stopped
#     again at the end when this script started it;
#   otherwise: the server `make test` uses — TEST_DATABASE_URL, else whatever
#     scripts/ensure-postgres.sh finds (DATABASE_URL's server, 127.0.0.1:5432, a
#     private cluster). Phase 2 then RESTARTS THAT SERVER, and anything else using
#     it sees the outage; when this process cannot restart it, phase 2 is skipped
#     with a message (a failure under CI=true).
#
# Environment: CRASH_PRIVATE_PG, CRASH_PG_DIR, CRASH_PG_PORT, CRASH_KEEP=1 (keep the
# database and the work folder), CRASH_FLAGS (more flags for bin/examcrash, e.g.
# "--kills 20 --candidates 400"), GO (go).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
say() { printf '==> %s\n' "$*" >&2; }

say "build bin/examd, bin/examload, bin/examcrash"
"$GO" build -o bin/examd ./cmd/examd
"$GO" build -o bin/examload ./cmd/examload
"$GO" build -o bin/examcrash ./cmd/examcrash

PG_LOG_PREFIX=crashtest
# shellcheck source=scripts/pg-lib.sh
. scripts/pg-lib.sh

stop_private=
if [[ ${CRASH_PRIVATE_PG:-} == 1 ]]; then
	export EXAMD_SKIP_SYSTEM_PG=1
	export EXAMD_PG_DIR=${CRASH_PG_DIR:-/tmp/examd-crashpg-$(id -u)}
	export EXAMD_PG_PORT=${CRASH_PG_PORT:-55433}
	unset DATABASE_URL
	# Was it running before? Then it is left running at the end.
	pg_ctl=$(pg_find pg_ctl) || pg_ctl=
	running_before=
	if [[ -n $pg_ctl && -f $EXAMD_PG_DIR/data/PG_VERSION ]] &&
		pg_as "$(stat -c %U "$EXAMD_PG_DIR/data")" "$pg_ctl" status -D "$EXAMD_PG_DIR/data" >/dev/null 2>&1; then
		running_before=1
	fi
	say "PostgreSQL: a private cluster of the crash test in $EXAMD_PG_DIR on 127.0.0.1:$EXAMD_PG_PORT (CRASH_PRIVATE_PG=1)"
	admin=$(scripts/ensure-postgres.sh)
	[[ -n $running_before ]] || stop_private=1
else
	if [[ -n ${TEST_DATABASE_URL:-} ]]; then
		admin=$TEST_DATABASE_URL
		say "PostgreSQL: TEST_DATABASE_URL ($(pg_redact "$admin"))"
	else
		admin=$(scripts/ensure-postgres.sh)
		say "PostgreSQL: $(pg_redact "$admin") (as make test finds it)"
	fi
	say "WARNING: phase 2 restarts this server, if this process may; anything else using it sees the outage (CRASH_PRIVATE_PG=1 avoids that)"
fi

cleanup() {
	if [[ -n $stop_private ]]; then
		say "stopping the crash test's private cluster in $EXAMD_PG_DIR"
		scripts/pg-stop.sh || true
	fi
}
trap cleanup EXIT

flags=()
[[ ${CRASH_KEEP:-} == 1 ]] && flags+=(--keep)
# shellcheck disable=SC2206 # CRASH_FLAGS is split into words on purpose
[[ -n ${CRASH_FLAGS:-} ]] && flags+=($CRASH_FLAGS)
say "bin/examcrash ${flags[*]}"
bin/examcrash --admin-url "$admin" --examd bin/examd --examload bin/examload "${flags[@]}"
