#!/usr/bin/env bash
# run.sh BINARY — what `make run` does after building: find or start PostgreSQL,
# create the examd database, migrate, seed the demo data, print the URL and the demo
# logins, then serve in dev mode. A DATABASE_URL already set is used as it is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=${1:-bin/examd}
port=${RUN_PORT:-8080}
say() { printf '==> %s\n' "$*" >&2; }

if [[ -n ${DATABASE_URL:-} ]]; then
	say "using DATABASE_URL from the environment"
else
	say "finding PostgreSQL"
	admin=$(scripts/ensure-postgres.sh)
	DATABASE_URL=$(scripts/ensure-database.sh "$admin" examd)
	export DATABASE_URL
	say "database: $DATABASE_URL"
fi

say "examd migrate up"
"$bin" migrate up
say "examd seed-demo"
"$bin" seed-demo

cat >&2 <<INFO

  examd is starting on  http://localhost:$port
  (health: http://localhost:$port/healthz — stop with Ctrl-C)

  Demo candidates (http://localhost:$port/login), national ID / password:
    0499370899 / demo-pass-1400        eligible
    0013542419 / demo-pass-1400        not eligible: education below the required level

  Demo officials (http://localhost:$port/official/login), username / password:
    admin      / Tehran-Council-1400   role admin
    reviewer   / Review-Desk-1400      role reviewer

INFO
exec "$bin" serve --dev --addr ":$port"
