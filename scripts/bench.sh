#!/usr/bin/env bash
# bench.sh — what `make bench` runs after building bin/examd and bin/examload.
#
# First `examload machine` measures what a page fault and an 8 KB synced write cost
# here (both go into the machine's description). Then, on one fresh database
# (examd_bench: dropped, created, migrated, seeded):
#   1. examd serves on 127.0.0.1:$BENCH_PORT; a bench exam is created and published
#      through the officials' API; N candidates with sessions are made by COPY;
#   2. the start storm: N candidates press start together (or, with BENCH_START_RATE
#      or N > 10000, at that many starts/s: the open model);
#   3. pgbench: the same single-row answer upsert examd's save does, on the attempts
#      the storm made, at the flood's concurrency — what PostgreSQL itself manages
#      for that write on this machine. examd is stopped meanwhile, so PostgreSQL
#      has the cores and the connections to itself;
#   4. examd (started again) takes the answer flood (closed model) on those
#      attempts, same concurrency, from an empty answers table as pgbench had;
#      3 and 4 alternate in BENCH_ROUNDS rounds of BENCH_DURATION/BENCH_ROUNDS
#      seconds each, so that a machine whose speed drifts is the same machine on
#      both sides of the ratio;
#   5. examd's peak RSS, the ratio examd saves/s ÷ pgbench TPS, what examd logged.
# The figures go to stdout and, with the machine's description, into
# docs/BENCHMARKS.md between the markers <!-- bench:begin N=… --> and
# <!-- bench:end N=… -->; everything else in that file is kept.
#
# Environment: BENCH_N (10000), BENCH_CONCURRENCY (64), BENCH_DURATION (seconds on
# each side, 30), BENCH_ROUNDS (3),
# BENCH_PORT (18081), BENCH_START_RATE (starts/s; default: all at once up to 10000
# candidates, 1000/s above), BENCH_DB (examd_bench), BENCH_OUT (docs/BENCHMARKS.md),
# BENCH_KEEP=1 keeps the work folder, BENCH_WAIT_IDLE=S waits up to S seconds before
# each phase for other work on the machine to stop; examd's own settings (DB_MAX_OPEN_CONNS,
# LOG_LEVEL, …) pass through. PostgreSQL comes from scripts/ensure-postgres.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

N=${BENCH_N:-10000}
CONC=${BENCH_CONCURRENCY:-64}
DURATION=${BENCH_DURATION:-30}
ROUNDS=${BENCH_ROUNDS:-3}
PORT=${BENCH_PORT:-18081}
DBNAME=${BENCH_DB:-examd_bench}
OUT=${BENCH_OUT:-docs/BENCHMARKS.md}
EXAMD=${EXAMD_BIN:-bin/examd}
EXAMLOAD=${EXAMLOAD_BIN:-bin/examload}
START_RATE=${BENCH_START_RATE:-}
if [[ -z $START_RATE && $N -gt 10000 ]]; then START_RATE=1000; fi
BASE="http://127.0.0.1:$PORT"

kv() { awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' "$1"; }
say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for v in N CONC DURATION ROUNDS PORT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number (got '${!v}')"
done
ROUND_S=$((DURATION / ROUNDS))
((ROUND_S >= 3)) || die "BENCH_DURATION ($DURATION s) must give each of the BENCH_ROUNDS ($ROUNDS) at least 3 seconds"
[[ -z $START_RATE || $START_RATE =~ ^[1-9][0-9]*$ ]] || die "BENCH_START_RATE must be a positive whole number"
for b in "$EXAMD" "$EXAMLOAD"; do [[ -x $b ]] || die "$b is missing; run make bench (it builds both)"; done
for p in pgbench psql curl jq awk; do command -v "$p" >/dev/null || die "$p is not installed (pgbench and psql: apt-get install postgresql-client)"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/examd-bench.XXXXXX")
examd_pid=
cleanup() {
	if [[ -n $examd_pid ]] && kill -0 "$examd_pid" 2>/dev/null; then
		kill "$examd_pid" 2>/dev/null || true
		wait "$examd_pid" 2>/dev/null || true
	fi
	if [[ ${BENCH_KEEP:-} == 1 ]]; then say "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- the machine ----------------------------------------------------------------
# What a page fault and a synced write cost here: machines that look alike differ
# tenfold in both, and the storm pays one fault for every fresh page it touches.
say "examload machine (page fault, 8 KB write + fdatasync)"
"$EXAMLOAD" machine --dir "$work" --summary "$work/machine.kv" >&2

# --- the database ---------------------------------------------------------------
say "PostgreSQL"
admin=$(scripts/ensure-postgres.sh)
apsql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$admin" "$@"; }
apsql -c "DROP DATABASE IF EXISTS \"$DBNAME\" WITH (FORCE)" >/dev/null
DATABASE_URL=$(scripts/ensure-database.sh "$admin" "$DBNAME")
export DATABASE_URL
bpsql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }

max_conns=$(bpsql -c 'show max_connections')
pool=${DB_MAX_OPEN_CONNS:-40}
if ((CONC + 5 > max_conns || pool + 5 > max_conns)); then
	die "pgbench's $CONC clients and examd's pool of $pool (DB_MAX_OPEN_CONNS) must each fit in the server's max_connections ($max_conns) with 5 to spare"
fi

say "examd migrate up; examd seed-demo (database $DBNAME)"
"$EXAMD" migrate up >/dev/null
"$EXAMD" seed-demo >/dev/null

# --- examd -----------------------------------------------------------------------
# start_examd starts examd in the background (its log appended to examd.log) and
# waits until it is ready; stop_examd ends it and keeps its peak RSS.
rss_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$examd_pid/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$examd_pid/stat"; }
rss_peak=0
start_examd() {
	say "examd serve --addr 127.0.0.1:$PORT (log: $work/examd.log)"
	"$EXAMD" serve --dev --addr "127.0.0.1:$PORT" >>"$work/examd.out" 2>>"$work/examd.log" &
	examd_pid=$!
	for _ in $(seq 1 100); do
		curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && return 0
		kill -0 "$examd_pid" 2>/dev/null || { tail -n 20 "$work/examd.log" >&2; die "examd exited"; }
		sleep 0.1
	done
	die "examd did not become ready on $BASE"
}
stop_examd() {
	local hwm
	hwm=$(rss_kb VmHWM)
	((hwm > rss_peak)) && rss_peak=$hwm
	kill "$examd_pid"
	wait "$examd_pid" 2>/dev/null || true
	examd_pid=
}
# Machine-wide CPU: busy and total ticks from /proc/stat.
machine_ticks() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat; }
clk_tck=$(getconf CLK_TCK)
# pg_ticks: the CPU ticks used so far by each PostgreSQL backend connected to the
# bench database (their process titles name it), as pid:ticks,pid:ticks…;
# pg_delta BEFORE AFTER: the ticks those backends used in between — a backend
# counts from its start when it began after BEFORE, and one that ended before
# AFTER drops out rather than taking its earlier ticks with it.
pg_ticks() {
	local out="" pid t
	while read -r pid; do
		t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || continue
		[[ -n $t ]] && out+="$pid:$t,"
	done < <(pgrep -f "^postgres: .* ${DBNAME} " || true)
	echo "${out:-none}"
}
pg_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, xs, ","); for (i = 1; i <= n; i++) if (split(xs[i], kv, ":") == 2) before[kv[1]] = kv[2]
		n = split(b, xs, ","); for (i = 1; i <= n; i++) if (split(xs[i], kv, ":") == 2) d += kv[2] - ((kv[1] in before) ? before[kv[1]] : 0)
		print d + 0 }'
}
# children_ticks: CPU ticks of the PostgreSQL backends that have ended so far — the
# postmaster's reaped children (cutime + cstime); empty when its pid cannot be
# read. pgbench's backends are counted this way, after they end: sampled while
# they run they were sometimes missed altogether.
children_ticks() {
	local dir pm
	dir=$(bpsql -c 'show data_directory' 2>/dev/null) || return 0
	pm=$(head -n 1 "$dir/postmaster.pid" 2>/dev/null) || return 0
	[[ $pm =~ ^[0-9]+$ ]] && awk '{ print $16 + $17 }' "/proc/$pm/stat" 2>/dev/null || true
}
# usage BEFORE AFTER SECONDS: "busy % of the machine" from two machine_ticks.
usage() { awk -v b="$1" -v tb="$2" -v a="$3" -v ta="$4" 'BEGIN { if (ta > tb) printf "%.0f", 100 * (a - b) / (ta - tb); else print 0 }'; }

# background_busy: how busy the machine is over one second while this benchmark is
# idle — other work on the same cores skews every figure, so the report says so.
background_busy() {
	local a at b bt
	read -r a at < <(machine_ticks)
	sleep 1
	read -r b bt < <(machine_ticks)
	usage "$a" "$at" "$b" "$bt"
}
# settle: with BENCH_WAIT_IDLE=S, wait up to S seconds for the machine to be idle
# (at most 15% busy); then, or at once, print how busy it is.
settle() {
	local busy waited=0
	busy=$(background_busy)
	while ((busy > 15 && waited < ${BENCH_WAIT_IDLE:-0})); do
		((waited == 0)) && say "the machine is ${busy}% busy with other work; waiting up to ${BENCH_WAIT_IDLE}s for it to settle"
		waited=$((waited + 1))
		busy=$(background_busy)
	done
	echo "$busy"
}

start_examd
rss_idle=$(rss_kb VmRSS)

say "bench exam (2 h per attempt, 15 questions from the demo bank)"
exam_id=$("$EXAMLOAD" exam --base "$BASE" --duration 2h --per-section 5)

say "prepare $N candidates with sessions (COPY)"
"$EXAMLOAD" prepare --db "$DATABASE_URL" --candidates "$N" --exam "$exam_id" --tokens "$work/tokens.tsv" | tee "$work/prepare.txt"

# --- the start storm ---------------------------------------------------------------
busy_storm=$(settle)
storm_args=(--base "$BASE" --tokens "$work/tokens.tsv" --exam "$exam_id" --attempts "$work/attempts.jsonl" --summary "$work/storm.kv")
if [[ -n $START_RATE ]]; then
	storm_args+=(--rate "$START_RATE")
	say "start storm: $N candidates at $START_RATE starts/s (open model)"
else
	say "start storm: $N candidates released together"
fi
read -r m0 mt0 < <(machine_ticks)
e0=$(cpu_ticks)
p0=$(pg_ticks)
"$EXAMLOAD" storm "${storm_args[@]}" | tee "$work/storm.txt"
e1=$(cpu_ticks)
p1=$(pg_ticks)
read -r m1 mt1 < <(machine_ticks)
storm_busy=$(usage "$m0" "$mt0" "$m1" "$mt1")
# Per start: over the storm's whole run (connecting included), in µs of CPU.
storm_examd_us=$(awk -v t="$((e1 - e0))" -v hz="$clk_tck" -v n="$(kv "$work/storm.kv" ok)" 'BEGIN { if (n > 0) printf "%.0f", t / hz / n * 1e6; else print "n/a" }')
storm_pg_us=$(awk -v t="$(pg_delta "$p0" "$p1")" -v hz="$clk_tck" -v n="$(kv "$work/storm.kv" ok)" 'BEGIN { if (n > 0) printf "%.0f", t / hz / n * 1e6; else print "n/a" }')
rss_attempts=$(rss_kb VmRSS)
running=$(bpsql -c "SELECT count(*) FROM attempts WHERE exam_id = '$exam_id' AND finish_reason IS NULL")
stop_examd

# --- pgbench and the answer flood, in alternating rounds ---------------------------
# PostgreSQL's own figure for the answer upsert (pgbench, examd stopped) and examd's
# answer flood take turns: ROUNDS rounds of DURATION/ROUNDS seconds each, pgbench
# then the flood, each from an empty answers table. On a shared machine whose speed
# drifts within minutes, one long phase of each compares two different machines;
# alternating short ones puts the same drift on both sides. Totals are over all
# rounds; each round's own ratio is reported too.
#
# Every (attempt, question) the storm drew, numbered, so that a pgbench client can
# pick one at random and upsert it in one statement, as a save does. seq comes
# from the database's clock in microseconds, so it grows and nearly every upsert
# writes (WHERE answers.seq < EXCLUDED.seq holds).
bpsql <<SQL >/dev/null
DROP TABLE IF EXISTS bench_pairs;
CREATE TABLE bench_pairs AS
	SELECT (row_number() OVER ())::int AS n, a.id AS attempt_id, k::uuid AS question_id
	FROM attempts a CROSS JOIN LATERAL jsonb_object_keys(a.allowed) k
	WHERE a.exam_id = '$exam_id' AND a.finish_reason IS NULL;
ALTER TABLE bench_pairs ADD PRIMARY KEY (n);
ANALYZE bench_pairs;
SQL
pairs=$(bpsql -c 'SELECT count(*) FROM bench_pairs')
((pairs > 0)) || die "the storm started no attempts; nothing to upsert (see $work/examd.log)"
cat >"$work/upsert.sql" <<'SQL'
\set n random(1, :npairs)
INSERT INTO answers (attempt_id, question_id, choice, flagged, seq, saved_at)
	SELECT attempt_id, question_id, 'a', false, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, now()
	FROM bench_pairs WHERE n = :n
ON CONFLICT (attempt_id, question_id) DO UPDATE
	SET choice = EXCLUDED.choice, flagged = EXCLUDED.flagged, seq = EXCLUDED.seq, saved_at = EXCLUDED.saved_at
	WHERE answers.seq < EXCLUDED.seq;
SQL
threads=$(nproc)
((threads <= CONC)) || threads=$CONC
answer_writes() { bpsql -c "SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'answers'"; }
empty_answers() { bpsql -c 'TRUNCATE answers' -c 'CHECKPOINT' >/dev/null; }
# Sums over the rounds: pgbench's transactions, its own seconds (Σ tx / tps), the
# rows written, its client's CPU seconds, its backends' ticks, the machine's busy
# and total ticks; the flood's acknowledged saves, sent saves, seconds, examd's
# and its backends' ticks, examload's CPU seconds, the machine's ticks.
pg_tx=0 pg_secs=0 pg_writes=0 pg_failed=0 pg_client_s=0 pg_backend_ticks=0 pg_mb=0 pg_mt=0
f_ok=0 f_sent=0 f_secs=0 f_examd_ticks=0 f_backend_ticks=0 f_load_s=0 f_mb=0 f_mt=0 f_err=0 f_err_detail=""
round_ratios="" busy_pgbench=0 busy_flood=0
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a + b }'; }
TIMEFORMAT='%U %S'
for r in $(seq 1 "$ROUNDS"); do
	# pgbench, round r. CPU: the machine's inside the run, once its connections are
	# up and before they close; its backends' as the postmaster's reaped children
	# (sampled while they run they were sometimes missed altogether), else sampled.
	say "round $r of $ROUNDS: pgbench, single-row answer upsert, $CONC clients, ${ROUND_S}s, -M prepared"
	empty_answers
	writes_before=$(answer_writes)
	b=$(settle)
	((b > busy_pgbench)) && busy_pgbench=$b
	c0=$(children_ticks)
	{ time (cd "$work" && pgbench -n -M prepared -c "$CONC" -j "$threads" -T "$ROUND_S" -D npairs="$pairs" \
		-f upsert.sql -l --log-prefix="pgbench_log.r$r" "$DATABASE_URL" >"$work/pgbench.$r.txt" 2>&1); } 2>"$work/pgbench.$r.time" &
	pgbench_job=$!
	window=$((ROUND_S > 4 ? ROUND_S - 2 : 1))
	sleep "$((ROUND_S > 4 ? 1 : 0))"
	read -r m0 mt0 < <(machine_ticks)
	p0=$(pg_ticks)
	sleep "$window"
	read -r m1 mt1 < <(machine_ticks)
	p1=$(pg_ticks)
	wait "$pgbench_job" || {
		cat "$work/pgbench.$r.txt" >&2
		die "pgbench failed"
	}
	pg_mb=$((pg_mb + m1 - m0)) pg_mt=$((pg_mt + mt1 - mt0))
	sleep 1 # the backends' statistics reach pg_stat when they exit
	c1=$(children_ticks)
	if [[ -n $c0 && -n $c1 ]]; then
		pg_backend_ticks=$((pg_backend_ticks + c1 - c0))
	else # sampled over the window: scaled to the round
		pg_backend_ticks=$(awk -v t="$(pg_delta "$p0" "$p1")" -v w="$window" -v d="$ROUND_S" -v s="$pg_backend_ticks" 'BEGIN { printf "%.0f", s + t * d / w }')
	fi
	tps=$(awk '/^tps = / { print $3; exit }' "$work/pgbench.$r.txt")
	tx=$(awk -F': ' '/number of transactions actually processed/ { split($2, a, "/"); print a[1]; exit }' "$work/pgbench.$r.txt")
	failed=$(awk -F': ' '/number of failed transactions/ { split($2, a, " "); print a[1]; exit }' "$work/pgbench.$r.txt")
	pg_tx=$((pg_tx + tx)) pg_failed=$((pg_failed + ${failed:-0}))
	pg_secs=$(awk -v s="$pg_secs" -v tx="$tx" -v tps="$tps" 'BEGIN { printf "%.6f", s + (tps > 0 ? tx / tps : 0) }')
	pg_client_s=$(add "$pg_client_s" "$(awk '{ print $1 + $2 }' "$work/pgbench.$r.time")")
	pg_writes=$((pg_writes + $(answer_writes) - writes_before))
	grep -E '^(tps|latency|number of)' "$work/pgbench.$r.txt" >&2 || true

	# The answer flood, round r: examd started again, from an empty answers table.
	say "round $r of $ROUNDS: answer flood, closed model, $CONC workers, ${ROUND_S}s"
	empty_answers
	start_examd
	b=$(settle)
	((b > busy_flood)) && busy_flood=$b
	read -r m0 mt0 < <(machine_ticks)
	e0=$(cpu_ticks)
	p0=$(pg_ticks)
	"$EXAMLOAD" flood --base "$BASE" --attempts "$work/attempts.jsonl" --concurrency "$CONC" \
		--duration "${ROUND_S}s" --summary "$work/flood.$r.kv" --histogram "$work/flood.$r.hist" | tee "$work/flood.$r.txt"
	e1=$(cpu_ticks)
	p1=$(pg_ticks)
	read -r m1 mt1 < <(machine_ticks)
	f_mb=$((f_mb + m1 - m0)) f_mt=$((f_mt + mt1 - mt0))
	f_examd_ticks=$((f_examd_ticks + e1 - e0))
	f_backend_ticks=$((f_backend_ticks + $(pg_delta "$p0" "$p1")))
	fk="$work/flood.$r.kv"
	f_ok=$((f_ok + $(kv "$fk" ok))) f_sent=$((f_sent + $(kv "$fk" sent))) f_err=$((f_err + $(kv "$fk" errors)))
	[[ -n $(kv "$fk" errors_detail) ]] && f_err_detail+="${f_err_detail:+; }round $r: $(kv "$fk" errors_detail)"
	f_secs=$(add "$f_secs" "$(kv "$fk" elapsed_s)")
	f_load_s=$(awk -v s="$f_load_s" -v c="$(kv "$fk" examload_cores)" -v d="$(kv "$fk" elapsed_s)" 'BEGIN { printf "%.6f", s + c * d }')
	round_ratios+="${round_ratios:+, }$(awk -v a="$(kv "$fk" rate)" -v b="$tps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print 0 }')"
	if ((r == ROUNDS)); then
		stored=$(bpsql -c 'SELECT count(*) FROM answers')
		rss_end=$(rss_kb VmRSS)
	fi
	stop_examd
done

# Totals: rates over the rounds' summed seconds; CPU in cores over the same.
pg_tps=$(awk -v tx="$pg_tx" -v s="$pg_secs" 'BEGIN { if (s > 0) printf "%.1f", tx / s; else print 0 }')
pg_busy=$(usage 0 0 "$pg_mb" "$pg_mt")
pg_backend_cores=$(awk -v t="$pg_backend_ticks" -v hz="$clk_tck" -v s="$pg_secs" 'BEGIN { if (s > 0) printf "%.2f", t / hz / s; else print 0 }')
pg_client_cores=$(awk -v c="$pg_client_s" -v s="$pg_secs" 'BEGIN { if (s > 0) printf "%.2f", c / s; else print 0 }')
# Per-transaction latencies (µs, 3rd field) from pgbench's logs of every round: p50, p95, p99, max in ms.
read -r pg_p50 pg_p95 pg_p99 pg_max < <(cat "$work"/pgbench_log.r* | awk '{ print $3 }' | sort -n | awk '
	{ v[NR] = $1 }
	END {
		if (NR == 0) { print "0 0 0 0"; exit }
		i50 = int(NR * 0.50); i95 = int(NR * 0.95); i99 = int(NR * 0.99)
		if (i50 < 1) i50 = 1; if (i95 < 1) i95 = 1; if (i99 < 1) i99 = 1
		printf "%.2f %.2f %.2f %.2f\n", v[i50] / 1000, v[i95] / 1000, v[i99] / 1000, v[NR] / 1000
	}')
printf 'pgbench, %s rounds: %s TPS; rows written %s of %s transactions; latency p50 %s ms, p95 %s ms, p99 %s ms, max %s ms\n' \
	"$ROUNDS" "$pg_tps" "$pg_writes" "$pg_tx" "$pg_p50" "$pg_p95" "$pg_p99" "$pg_max"
"$EXAMLOAD" latency --summary "$work/flood-latency.kv" "$work"/flood.*.hist >/dev/null
f_rate=$(awk -v n="$f_ok" -v s="$f_secs" 'BEGIN { if (s > 0) printf "%.1f", n / s; else print 0 }')
flood_busy=$(usage 0 0 "$f_mb" "$f_mt")
examd_cores=$(awk -v t="$f_examd_ticks" -v hz="$clk_tck" -v s="$f_secs" 'BEGIN { if (s > 0) printf "%.2f", t / hz / s; else print 0 }')
flood_backend_cores=$(awk -v t="$f_backend_ticks" -v hz="$clk_tck" -v s="$f_secs" 'BEGIN { if (s > 0) printf "%.2f", t / hz / s; else print 0 }')
flood_load_cores=$(awk -v c="$f_load_s" -v s="$f_secs" 'BEGIN { if (s > 0) printf "%.2f", c / s; else print 0 }')
f_p50=$(kv "$work/flood-latency.kv" p50_ms) f_p95=$(kv "$work/flood-latency.kv" p95_ms)
f_p99=$(kv "$work/flood-latency.kv" p99_ms) f_max=$(kv "$work/flood-latency.kv" max_ms)
printf 'examd flood, %s rounds: %s saves/s; %s of %s sent acknowledged; latency p50 %s ms, p99 %s ms; ratio by round: %s\n' \
	"$ROUNDS" "$f_rate" "$f_ok" "$f_sent" "$f_p50" "$f_p99" "$round_ratios"

# --- what examd logged -------------------------------------------------------------------
log="$work/examd.log"
log_errors=$(jq -R 'fromjson? | select(.level == "ERROR")' "$log" | jq -s length)
log_warns=$(jq -R 'fromjson? | select(.level == "WARN")' "$log" | jq -s length)
status_5xx=$(jq -R 'fromjson? | select(.msg == "request" and .status >= 500) | "\(.status) \(.method) \(.route)"' -r "$log" |
	sort | uniq -c | sort -rn | awk '{ c = $1; $1 = ""; printf "%s%s ×%d", (NR > 1 ? "; " : ""), substr($0, 2), c }')
problems=$(jq -R 'fromjson? | select(.level == "ERROR" or .level == "WARN") | .msg + (if .err then ": " + (.err | tostring) else "" end)' -r "$log" |
	sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uuid>/g' | cut -c1-200 | sort | uniq -c | sort -rn | head -n 5)
not_json=$(jq -R 'fromjson? // "x" | select(. == "x")' "$log" | jq -s length)

# --- figures -----------------------------------------------------------------------------
# rest BUSY% CORES…: the cores of a busy machine not accounted for by CORES….
rest() {
	local busy=$1
	shift
	awk -v b="$busy" -v n="$(nproc)" -v parts="$*" 'BEGIN { split(parts, p, " "); r = b / 100 * n; for (i in p) r -= p[i]; printf "%.2f", (r < 0 ? 0 : r) }'
}
per_write() { awk -v c="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.0f", c * 1000000 / r; else print "n/a" }'; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.0f MB", kb / 1024 }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { if (v >= 1000) printf "%.2f s", v / 1000; else printf "%.1f ms", v }'; }
ratio=$(awk -v a="$f_rate" -v b="$pg_tps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print 0 }')

s_ok=$(kv "$work/storm.kv" ok)
s_err=$(kv "$work/storm.kv" errors)
s_rate=$(kv "$work/storm.kv" rate)
s_elapsed=$(kv "$work/storm.kv" elapsed_s)
s_p99=$(kv "$work/storm.kv" p99_ms)

yesno() { if awk "BEGIN { exit !($1) }"; then echo "yes"; else echo "**no**"; fi; }
storm_target="0 errors, p99 < 2 s"
storm_met=$(yesno "$s_err == 0 && $s_p99 < 2000 && $s_ok == $N")
if [[ -n $START_RATE ]]; then
	storm_target="all $N served within 60 s"
	storm_met=$(yesno "$s_ok == $N && $s_err == 0 && $s_elapsed <= 60")
fi
flood_met=$(yesno "$ratio >= 1.0 && $f_p99 < 50 && $f_err == 0")
rss_met=$(yesno "$rss_peak < 300 * 1024")

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
pg_version=$(bpsql -c 'show server_version')
pg_settings=$(bpsql -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings
	WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_sync_method', 'full_page_writes', 'commit_delay')")
go_version=$(go version 2>/dev/null | awk '{ print $3 }')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git status --porcelain --untracked-files=no 2>/dev/null) ]] || commit="$commit + uncommitted changes"
when=$(date -u '+%Y-%m-%d %H:%M UTC')
if [[ -n $START_RATE ]]; then storm_what="$N candidates at $START_RATE starts/s (open model; latency from each start's due time)"; else storm_what="$N candidates released together, one connection each"; fi

block=$(
	cat <<MD
### $N candidates — $when

Machine: $(nproc) cores ($cpu), $mem RAM, $(uname -sr); a page fault (first touch of a 4 KB page) $(kv "$work/machine.kv" page_fault_us) µs, an 8 KB write + fdatasync $(kv "$work/machine.kv" fdatasync_8k_ms) ms (\`examload machine\`); PostgreSQL $pg_version ($pg_settings);
Go $go_version; examd $commit, \`LOG_LEVEL=${LOG_LEVEL:-info}\`, \`DB_MAX_OPEN_CONNS=${DB_MAX_OPEN_CONNS:-40 (default)}\`.
examd, PostgreSQL, pgbench and examload share the same cores; other work on the machine, measured over one idle second before each phase: ${busy_storm}% before the storm, at most ${busy_pgbench}% before a pgbench round, at most ${busy_flood}% before a flood round$(if ((busy_storm > 15 || busy_pgbench > 15 || busy_flood > 15)); then echo " — **the machine was not idle: these figures are skewed by other work**"; fi). Command: \`BENCH_N=$N BENCH_CONCURRENCY=$CONC BENCH_DURATION=$DURATION BENCH_ROUNDS=$ROUNDS${START_RATE:+ BENCH_START_RATE=$START_RATE} make bench\`.

| measurement | figure | target | met |
|---|---|---|---|
| pgbench: single-row answer upsert, $CONC clients, $ROUNDS rounds of ${ROUND_S} s, \`-M prepared\` | **$(printf '%.0f' "$pg_tps") TPS**; p50 $(fmt_ms "$pg_p50"), p95 $(fmt_ms "$pg_p95"), p99 $(fmt_ms "$pg_p99"), max $(fmt_ms "$pg_max"); $pg_writes rows written of $pg_tx upserts; $pg_failed failed | PostgreSQL's ceiling | |
| examd answer flood: closed model, $CONC workers, $ROUNDS rounds of ${ROUND_S} s (each after pgbench's), $(kv "$work/flood.1.kv" attempts) attempts | **$(printf '%.0f' "$f_rate") saves/s** acknowledged ($f_ok of $f_sent sent); p50 $(fmt_ms "$f_p50"), p95 $(fmt_ms "$f_p95"), p99 $(fmt_ms "$f_p99"), max $(fmt_ms "$f_max"); errors: $(if [[ $f_err == 0 ]]; then echo none; else echo "$f_err_detail"; fi); $stored answers stored by the last round | | |
| ratio examd ÷ pgbench | **${ratio}×** over all rounds; by round: $round_ratios | ≥ 1.0×, p99 < 50 ms | $flood_met |
| start storm: $storm_what | **$s_ok started** in $(fmt_ms "$(awk -v s="$s_elapsed" 'BEGIN { print s * 1000 }')") = $(printf '%.0f' "$s_rate") starts/s; p50 $(fmt_ms "$(kv "$work/storm.kv" p50_ms)"), p95 $(fmt_ms "$(kv "$work/storm.kv" p95_ms)"), p99 $(fmt_ms "$s_p99"), max $(fmt_ms "$(kv "$work/storm.kv" max_ms)"); errors: $(if [[ $s_err == 0 ]]; then echo none; else kv "$work/storm.kv" errors_detail; fi) | $storm_target | $storm_met |
| CPU ($(nproc) cores) | pgbench: machine ${pg_busy}% busy; PostgreSQL backends $pg_backend_cores cores, pgbench client $pg_client_cores, the rest $(rest "$pg_busy" "$pg_backend_cores" "$pg_client_cores"). Flood: machine ${flood_busy}% busy; examd $examd_cores cores, its PostgreSQL backends $flood_backend_cores, examload $flood_load_cores, the rest $(rest "$flood_busy" "$examd_cores" "$flood_backend_cores" "$flood_load_cores"). Storm: machine ${storm_busy}% busy; per start ${storm_examd_us} µs of examd's CPU, ${storm_pg_us} µs of its PostgreSQL backends', examload $(kv "$work/storm.kv" examload_cores) cores ($(kv "$work/storm.kv" examload_cores_after_release) after the release). (The rest: PostgreSQL's WAL writer and checkpointer, the kernel, and any other work on the machine.) | | |
| CPU per acknowledged write | PostgreSQL backends: **$(per_write "$pg_backend_cores" "$pg_tps") µs** per pgbench upsert, **$(per_write "$flood_backend_cores" "$f_rate") µs** per examd save; examd itself: **$(per_write "$examd_cores" "$f_rate") µs** per save | | |
| examd RSS | peak (VmHWM) **$(mb "$rss_peak")**; $(mb "$rss_attempts") after the storm with $running running attempts; $(mb "$rss_end") after the flood (examd restarted after pgbench); $(mb "$rss_idle") idle at start | < 300 MB with 50,000 running attempts | $(if ((N >= 50000)); then echo "$rss_met"; else echo "(N < 50,000)"; fi) |
| examd log | $log_errors errors, $log_warns warnings$(if [[ -n $status_5xx ]]; then echo "; 5xx: $status_5xx"; fi)$(if ((not_json > 0)); then echo "; $not_json lines not JSON"; fi) | no 5xx | $(if [[ -z $status_5xx && $log_errors == 0 ]]; then echo yes; else echo "**no**"; fi) |
MD
	if [[ -n $problems ]]; then
		# shellcheck disable=SC2016 # the backticks are Markdown
		printf '\nWhat examd logged at WARN or ERROR (count, message; ids replaced by <uuid>):\n\n```\n%s\n```\n' "$problems"
	fi
)

# --- print and write -----------------------------------------------------------------------
printf '\n%s\n\n' "$block"
printf 'examd saves/s ÷ pgbench TPS = %s;  examd peak RSS (VmHWM) = %s\n' "$ratio" "$(mb "$rss_peak")"

mkdir -p "$(dirname "$OUT")"
if [[ ! -f $OUT ]]; then
	cat >"$OUT" <<'MD'
# Benchmarks

`make bench` (about two minutes; four for 50,000) measures, on one fresh database `examd_bench`, the
start storm, PostgreSQL's own figure for the answer upsert (pgbench) and examd's
answer flood, and writes the results below; `BENCH_N=50000 make bench` measures the
sitting of 50,000 candidates who start within one minute. Each block between the
`bench:begin`/`bench:end` markers is rewritten by the next run of that size; the
rest of this file is kept.

## Method

- **Data.** `examd seed-demo`, then a bench exam published through the officials'
  API (15 questions: 5 from each demo section, 2 hours per attempt, shuffled), and N
  eligible candidates with sessions written by COPY (`examload prepare`; no argon2id
  login per candidate — see the README).
- **Start storm** (`examload storm`). Up to 10,000 candidates: one keep-alive
  connection each, all opened first, then released together by a barrier; latency
  from each request's send. Above that (50,000: more connections than one client
  address has ports), the open model: start *i* is due at *i*/rate, at most 1,000 in
  flight, latency from the due time.
- **pgbench.** The single-row upsert a save does, `INSERT INTO answers … SELECT …
  FROM bench_pairs WHERE n = :n ON CONFLICT (attempt_id, question_id) DO UPDATE …
  WHERE answers.seq < EXCLUDED.seq`, over every (attempt, question) the storm drew
  (`bench_pairs`, a primary-key lookup), seq from the database clock in µs so that
  nearly every upsert writes; `-M prepared`, the flood's concurrency and duration,
  from an empty answers table, with examd stopped. Latency percentiles from
  pgbench's per-transaction log.
- **Answer flood** (`examload flood`). examd started again; from an empty answers
  table; closed model: each worker owns every C-th attempt and sends its next save
  (next question, next choice, seq + 1) when the previous one is answered. Only
  200s count. Percentiles from an HDR histogram (3 significant digits).
- **Memory.** VmRSS and VmHWM of the examd process from `/proc/PID/status`.
- **CPU.** Machine-wide busy share from `/proc/stat`, examd's from
  `/proc/PID/stat`, examload's and pgbench's own from their rusage: everything runs
  on the same cores, so the load generators' share is not the server's.

## Results

<!-- bench:begin N=10000 -->
(not run yet: `make bench`)
<!-- bench:end N=10000 -->

<!-- bench:begin N=50000 -->
(not run yet: `BENCH_N=50000 make bench`)
<!-- bench:end N=50000 -->

## Where the time goes

(To be filled from pprof profiles, before and after each optimisation.)
MD
fi
begin="<!-- bench:begin N=$N -->"
end="<!-- bench:end N=$N -->"
printf '%s\n' "$block" >"$work/block.md"
if grep -qF "$begin" "$OUT" && grep -qF "$end" "$OUT"; then
	awk -v b="$begin" -v e="$end" -v f="$work/block.md" '
		$0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
		$0 == e { skip = 0 }
		!skip { print }' "$OUT" >"$work/out.md"
elif grep -q '^## Where the time goes' "$OUT"; then
	awk -v b="$begin" -v e="$end" -v f="$work/block.md" '
		/^## Where the time goes/ && !done { print b; while ((getline line < f) > 0) print line; print e; print ""; done = 1 }
		{ print }' "$OUT" >"$work/out.md"
else
	{ cat "$OUT"; printf '\n%s\n' "$begin"; cat "$work/block.md"; printf '%s\n' "$end"; } >"$work/out.md"
fi
cp "$work/out.md" "$OUT"
say "results written to $OUT"
