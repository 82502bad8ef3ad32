# shellcheck shell=bash
# Shared helpers for the PostgreSQL scripts. Source it; it defines functions only.
#
# Everything here logs to stderr: the scripts keep stdout for the one value they print.

# The private cluster's settings. EXAMD_PG_PORT and EXAMD_PG_DIR override them.
# shellcheck disable=SC2034 # used by the scripts that source this file
PG_PRIVATE_PORT=${EXAMD_PG_PORT:-55432}

pg_log() { printf '%s: %s\n' "${PG_LOG_PREFIX:-postgres}" "$*" >&2; }

# pg_repo_root prints the repository root (the folder above scripts/).
pg_repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P); }

# pg_bin_dirs prints the folders that may hold PostgreSQL programs, best first:
# the folder of an initdb found on PATH, then /usr/lib/postgresql/*/bin, newest first.
pg_bin_dirs() {
	local p
	if p=$(command -v initdb 2>/dev/null); then
		dirname "$(readlink -f "$p")"
	fi
	if compgen -G '/usr/lib/postgresql/*/bin' >/dev/null; then
		printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -Vr
	fi
}

# pg_find PROGRAM prints the path of a PostgreSQL program (psql, initdb, pg_ctl),
# looking on PATH first for client programs and next to initdb for the server ones.
pg_find() {
	local prog=$1 d
	case $prog in
	initdb | pg_ctl | postgres) ;; # server programs: must come from the same folder
	*)
		if command -v "$prog" >/dev/null 2>&1; then
			command -v "$prog"
			return 0
		fi
		;;
	esac
	while IFS= read -r d; do
		if [[ -x $d/$prog ]]; then
			printf '%s\n' "$d/$prog"
			return 0
		fi
	done < <(pg_bin_dirs)
	return 1
}

# pg_probe URL succeeds when a session can be opened with URL and answers `select 1`.
# It never prompts for a password (-w) and gives up after a few seconds.
pg_probe() {
	local psql
	psql=$(pg_find psql) || return 1
	PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-3} "$psql" -w -X -A -t -q -d "$1" -c 'select 1' >/dev/null 2>&1
}

# pg_url_with_db URL DBNAME prints URL (a postgres:// URL or a key=value conninfo)
# with its database replaced by DBNAME and an explicit sslmode (kept when URL names
# one, else sslmode=disable).
pg_url_with_db() {
	local url=$1 db=$2 re='^(postgres(ql)?://[^/?#]*)(/[^?#]*)?(\?[^#]*)?$'
	if [[ $url =~ $re ]]; then
		local base=${BASH_REMATCH[1]} query=${BASH_REMATCH[4]}
		if [[ $query != *sslmode=* ]]; then
			if [[ -z $query || $query == '?' ]]; then query='?sslmode=disable'; else query="$query&sslmode=disable"; fi
		fi
		printf '%s/%s%s\n' "$base" "$db" "$query"
	elif [[ $url == *=* ]]; then
		# key=value form; values with spaces would be quoted, which a dbname never is here.
		local out
		out=$(sed -E "s/(^|[[:space:]])dbname=('[^']*'|[^[:space:]]*)//g; s/^[[:space:]]+//" <<<"$url")
		out="$out dbname=$db"
		[[ $out == *sslmode=* ]] || out="$out sslmode=disable"
		printf '%s\n' "${out# }"
	else
		return 1
	fi
}

# pg_redact URL prints URL with any password replaced by ***.
pg_redact() {
	sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#; s#(password=)[^[:space:]]*#\1***#g' <<<"$1"
}

# pg_private_dirs prints the folders where a private cluster may live, in the order
# they are tried: EXAMD_PG_DIR, else .pgdata/ in the repository, then a folder under
# /tmp for when the postgres user cannot reach the repository.
pg_private_dirs() {
	if [[ -n ${EXAMD_PG_DIR:-} ]]; then
		printf '%s\n' "$EXAMD_PG_DIR"
		return
	fi
	printf '%s\n' "$(pg_repo_root)/.pgdata" "/tmp/examd-pgdata-$(id -u)"
}

# pg_as OWNER CMD... runs CMD as OWNER when we are root and OWNER is another user,
# else as ourselves. PostgreSQL's server programs refuse to run as root.
pg_as() {
	local owner=$1
	shift
	if [[ $(id -u) -eq 0 && $owner != root ]]; then
		if command -v runuser >/dev/null 2>&1; then
			(cd / && runuser -u "$owner" -- "$@")
		else
			local q
			printf -v q '%q ' "$@"
			(cd / && su "$owner" -s /bin/sh -c "$q")
		fi
	else
		"$@"
	fi
}
