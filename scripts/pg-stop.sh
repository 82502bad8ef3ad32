#!/usr/bin/env bash
# pg-stop.sh — stop the private PostgreSQL cluster that ensure-postgres.sh started,
# if one runs. Its data stays; remove the folder it names to start afresh.
set -euo pipefail

PG_LOG_PREFIX=pg-stop
# shellcheck source=scripts/pg-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

found=
while IFS= read -r dir; do
	[[ -f $dir/data/PG_VERSION ]] || continue
	found=1
	pg_ctl=$(pg_find pg_ctl) || {
		pg_log "pg_ctl not found; cannot stop the cluster in $dir"
		exit 1
	}
	owner=$(stat -c %U "$dir/data")
	if pg_as "$owner" "$pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
		pg_as "$owner" "$pg_ctl" stop -D "$dir/data" -m fast -w >&2
		pg_log "stopped the private cluster in $dir"
	else
		pg_log "the private cluster in $dir is not running"
	fi
done < <(pg_private_dirs)
[[ -n $found ]] || pg_log "no private cluster (nothing to stop)"
