#!/usr/bin/env bash
# Where a guarded read's time goes on PostgreSQL (issue #10's question, #12's starting point).
# Release build, one server over a throw-away cluster with pg_stat_statements, wrk on loopback;
# prints the rate, the CPU each process took per request, and the statements per request
# with their mean time in PostgreSQL.
#   Benchmarks/pg-profile.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product consentry >&2
bin=.build/release/consentry
work="$(mktemp -d)"
export CONSENTRY_TEST_POSTGRES_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
eval "$(scripts/postgres.sh start)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; scripts/postgres.sh stop "$PG_TEST_DIR"; rm -rf "$work"; }
trap cleanup EXIT
url=$CONSENTRY_TEST_POSTGRES_URL
psql "$url" -qc "CREATE EXTENSION pg_stat_statements"
"$bin" serve --demo --data-dir "$work/pg" --database "$url" --port 18611 --log-level warning --retention-hours 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -sf http://127.0.0.1:18611/health/ready >/dev/null 2>&1 && break; sleep 0.2; done
. "$work/pg/demo-keys.env"
api=http://127.0.0.1:18611/tmf-api/customerManagement/v4
id=$(curl -s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$api/customer?limit=1&fields=id" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

cpu() {  # utime+stime in clock ticks of the pids given
  local total=0
  for pid in "$@"; do [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$total"
}
pg_pids() {  # the postmaster of the throw-away cluster and its backends
  local main; main=$(head -1 "$PG_TEST_DIR/data/postmaster.pid")
  echo "$main $(pgrep -P "$main" | tr '\n' ' ')"
}
psql "$url" -qc "SELECT pg_stat_statements_reset()" >/dev/null
before_server=$(cpu "$server"); before_pg=$(cpu $(pg_pids))
wrk -t1 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$api/customer/$id" >"$work/wrk.out" &
load=$!
# With perf (linux-perf), where the server's own CPU goes, sampled in the middle of the run.
if command -v perf >/dev/null; then
  sleep 3
  perf record -F 499 -g -p "$server" -o "$work/perf.data" -- sleep $((duration / 2)) >/dev/null 2>&1 || true
fi
wait "$load"
out=$(cat "$work/wrk.out")
after_server=$(cpu "$server"); after_pg=$(cpu $(pg_pids))
requests=$(echo "$out" | awk '/requests in/ {print $1}')
rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p99=$(echo "$out" | awk '/^ +99%/ {print $2}')
tick=$(getconf CLK_TCK)
echo "== $(nproc) cores; guarded GET on PostgreSQL, one server, wrk -c64 -d${duration}s: $rate req/s, p99 $p99 ($requests requests)"
awk -v s=$((after_server - before_server)) -v p=$((after_pg - before_pg)) -v n="$requests" -v t="$tick" 'BEGIN {
  printf "CPU per request: consentry %.0f µs, PostgreSQL %.0f µs (wrk and the kernel take the rest)\n", s / t / n * 1e6, p / t / n * 1e6 }'
echo "statements per request (pg_stat_statements), with their mean execution time in PostgreSQL:"
psql "$url" -At -F $'\t' -c "SELECT calls, round(mean_exec_time::numeric * 1000), left(regexp_replace(query, '\s+', ' ', 'g'), 110)
  FROM pg_stat_statements ORDER BY calls DESC LIMIT 16" |
  awk -F'\t' -v n="$requests" '{ printf "  %6.2f  %5d µs  %s\n", $1 / n, $2, $3 }'
if [ -s "$work/perf.data" ]; then
  echo "where the server's CPU goes (perf, self time by library):"
  perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null |
    awk '/^ +[0-9.]+%/ {printf "  %7s  %s\n", $1, $2}' | head -10
  echo "top functions (self time; swift-demangle makes them readable):"
  perf report -i "$work/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null |
    awk '/^ +[0-9.]+%/ {pct=$1; $1=""; $2=""; sub(/^ +/, ""); printf "  %s  %s\n", pct, $0}' | head -25 | swift demangle --simplified 2>/dev/null | cut -c1-150
fi
