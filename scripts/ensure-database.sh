#!/usr/bin/env bash
# ensure-database.sh ADMIN_URL NAME — create database NAME in the server of ADMIN_URL
# when it is missing, and print the URL that opens it (with an explicit sslmode).
set -euo pipefail

PG_LOG_PREFIX=ensure-database
# shellcheck source=scripts/pg-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

if [[ $# -ne 2 ]]; then
	echo "usage: $0 ADMIN_URL NAME" >&2
	exit 2
fi
admin=$1 name=$2
if [[ ! $name =~ ^[a-z_][a-z0-9_]*$ ]]; then
	pg_log "bad database name '$name' (want lower-case letters, digits and _)"
	exit 2
fi
psql=$(pg_find psql) || {
	pg_log "psql is not installed. Install it with: apt-get install postgresql-client"
	exit 1
}
q() { PGCONNECT_TIMEOUT=5 "$psql" -w -X -A -t -q -v ON_ERROR_STOP=1 -d "$admin" -c "$1"; }

if [[ $(q "select 1 from pg_database where datname = '$name'") == 1 ]]; then
	pg_log "database $name exists"
else
	# Two callers at once: the loser's "already exists" is fine.
	if ! out=$(q "create database \"$name\"" 2>&1) && [[ $out != *"already exists"* ]]; then
		printf '%s\n' "$out" >&2
		pg_log "could not create database $name"
		exit 1
	fi
	pg_log "created database $name"
fi
pg_url_with_db "$admin" "$name"
